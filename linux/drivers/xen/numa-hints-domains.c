// SPDX-License-Identifier: GPL-2.0
/*
 * The per-domain view, /proc/driver/xen_numa_domains: for each queue the
 * backends in this dom0 serve, the guest, the vote its rings got, the node
 * it is served from, its kthreads and IRQs, and whether they are on that
 * node.  See docs/ABI/testing/procfs-driver-xen_numa_domains.
 *
 * Backends enter a queue with xen_numa_hints_served() once its kthreads
 * and IRQs exist and take it out with xen_numa_hints_unserved() before
 * they stop the threads and free the IRQs.  The entries live in this
 * module: unloading it forgets them all, and a queue that connected
 * before the module was loaded is not in the view until it connects
 * again.
 *
 * Each open() of the file takes its own snapshot: the entries are copied
 * under the registry's mutex, which is all the mutex covers, and then,
 * without it, each copy's kthreads and IRQs are looked up and judged and
 * each node's cpulist is made.  The reads of that open file go through
 * seq_file over the snapshot, one line at a time, so the file may be any
 * length, and one open file always reads one consistent view however
 * its reads are cut and whatever other readers do.  Nothing is kept
 * between two opens: whether a queue is served locally is worked out at
 * each open, so an administrator or irqbalance moving a thread or an IRQ
 * shows at the next one.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/irq.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include <xen/numa_hints.h>

#include "numa-hints-internal.h"

static_assert(XNH_SVC_NAME_LEN == XEN_NUMA_HINTS_SERVICE_NAME_LEN);
static_assert(XNH_SVC_DEV_LEN == XEN_NUMA_HINTS_SERVICE_DEV_LEN);
static_assert(XNH_SVC_PIDS == XEN_NUMA_HINTS_SERVICE_TASKS);
static_assert(XNH_SVC_IRQS == XEN_NUMA_HINTS_SERVICE_IRQS);

#define XNH_VIEW_NAME	"driver/xen_numa_domains"

/* What a backend entered for one queue: kept in the registry, copied at open. */
struct xnh_svc_data {
	struct xnh_svc_key key;
	struct xen_numa_hints_placement placement;
	int node;
	unsigned int nr_pids;
	/* one reference each; NULL: the thread was gone when it was entered */
	struct pid *pids[XNH_SVC_PIDS];
	unsigned int nr_irqs;
	unsigned int irqs[XNH_SVC_IRQS];
};

/* One queue a backend serves: one line of the view. */
struct xnh_svc {
	struct list_head list;
	struct xnh_svc_data d;
};

/* The entries, in xnh_svc_cmp() order, and how many there are. */
static DEFINE_MUTEX(xnh_svc_lock);
static LIST_HEAD(xnh_svcs);
static unsigned int xnh_nr_svcs;

static struct proc_dir_entry *xnh_view_pde;

static void xnh_svc_put_pids(struct xnh_svc_data *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_pids; i++) {
		put_pid(d->pids[i]);
		d->pids[i] = NULL;
	}
}

static void xnh_svc_free(struct xnh_svc *e)
{
	if (!e)
		return;
	xnh_svc_put_pids(&e->d);
	kfree(e);
}

/* The entry with @key; NULL if there is none. */
static struct xnh_svc *xnh_svc_find(const struct xnh_svc_key *key)
{
	struct xnh_svc *e;

	lockdep_assert_held(&xnh_svc_lock);
	list_for_each_entry(e, &xnh_svcs, list) {
		int r = xnh_svc_cmp(key, &e->d.key);

		if (!r)
			return e;
		if (r < 0)
			break;
	}
	return NULL;
}

/* Validated names: they fit. */
static void xnh_svc_key_fill(struct xnh_svc_key *key, const char *backend,
			     domid_t domid, const char *dev, unsigned int id)
{
	memset(key, 0, sizeof(*key));
	key->domid = domid;
	strscpy(key->backend, backend, sizeof(key->backend));
	strscpy(key->dev, dev, sizeof(key->dev));
	key->id = id;
}

/**
 * xen_numa_hints_served() - enter a queue in the per-domain view
 * @s: the queue, where it is served from, its kthreads and IRQs
 *
 * Records @s in /proc/driver/xen_numa_domains, replacing the entry with
 * the same backend, domain, device and queue if there is one.  Call it
 * once the queue's kthreads and IRQs exist, and xen_numa_hints_unserved()
 * before they go: the view looks them up whenever it is opened.  Nothing
 * of @s is kept but copies and a reference to each kthread's struct pid.
 *
 * Context: Process context; may sleep (allocates with GFP_KERNEL).
 * Return: %0; -EINVAL if a name is empty, too long or has a space or
 * other unprintable character, a count is above its bound, @s->node is
 * neither NUMA_NO_NODE nor a node id, a task is NULL or an IRQ does
 * not exist; -ENOMEM.
 */
int xen_numa_hints_served(const struct xen_numa_hints_service *s)
{
	struct xnh_svc *e, *pos, *old = NULL;
	unsigned int i;

	might_sleep();
	if (!s || !xnh_svc_name_valid(s->backend, XNH_SVC_NAME_LEN) ||
	    !xnh_svc_name_valid(s->dev, XNH_SVC_DEV_LEN) ||
	    s->nr_tasks > XNH_SVC_PIDS || s->nr_irqs > XNH_SVC_IRQS ||
	    (s->node != NUMA_NO_NODE &&
	     (s->node < 0 || s->node >= nr_node_ids)))
		return -EINVAL;
	for (i = 0; i < s->nr_tasks; i++)
		if (!s->tasks[i])
			return -EINVAL;
	for (i = 0; i < s->nr_irqs; i++)
		if (!irq_get_irq_data(s->irqs[i]))
			return -EINVAL;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	xnh_svc_key_fill(&e->d.key, s->backend, s->domid, s->dev, s->id);
	e->d.placement = s->placement;
	e->d.node = s->node;
	e->d.nr_pids = s->nr_tasks;
	/* the struct pid, not the task: it outlives the thread, not its memory */
	for (i = 0; i < s->nr_tasks; i++)
		e->d.pids[i] = get_task_pid(s->tasks[i], PIDTYPE_PID);
	e->d.nr_irqs = s->nr_irqs;
	for (i = 0; i < s->nr_irqs; i++)
		e->d.irqs[i] = s->irqs[i];

	mutex_lock(&xnh_svc_lock);
	list_for_each_entry(pos, &xnh_svcs, list) {
		int r = xnh_svc_cmp(&e->d.key, &pos->d.key);

		if (!r)
			old = pos;
		if (r <= 0)
			break;
	}
	if (old) {
		list_replace(&old->list, &e->list);
	} else {
		list_add_tail(&e->list, &pos->list);
		WRITE_ONCE(xnh_nr_svcs, xnh_nr_svcs + 1);
	}
	mutex_unlock(&xnh_svc_lock);
	xnh_svc_free(old);
	return 0;
}
EXPORT_SYMBOL_GPL(xen_numa_hints_served);

/**
 * xen_numa_hints_unserved() - take a queue out of the per-domain view
 * @backend: as given to xen_numa_hints_served()
 * @domid: likewise
 * @dev: likewise
 * @id: likewise
 *
 * Nothing happens if the queue is not in the view (it never was, it was
 * taken out before, or xen-numa-hints was loaded again since): a backend
 * may call this on every path that tears a queue down.  A reader who
 * opened the view before still reads the queue's line in its snapshot.
 *
 * Context: Process context; may sleep.
 */
void xen_numa_hints_unserved(const char *backend, domid_t domid,
			     const char *dev, unsigned int id)
{
	struct xnh_svc_key key;
	struct xnh_svc *e;

	might_sleep();
	if (!xnh_svc_name_valid(backend, XNH_SVC_NAME_LEN) ||
	    !xnh_svc_name_valid(dev, XNH_SVC_DEV_LEN))
		return;
	xnh_svc_key_fill(&key, backend, domid, dev, id);
	mutex_lock(&xnh_svc_lock);
	e = xnh_svc_find(&key);
	if (e) {
		list_del(&e->list);
		WRITE_ONCE(xnh_nr_svcs, xnh_nr_svcs - 1);
	}
	mutex_unlock(&xnh_svc_lock);
	xnh_svc_free(e);
}
EXPORT_SYMBOL_GPL(xen_numa_hints_unserved);

/* One line of an open file's snapshot, resolved when it was opened. */
struct xnh_view_line {
	struct xnh_svc_data d;		/* its pids put once resolved */
	int pid_nrs[XNH_SVC_PIDS];	/* 0: the thread is gone, "-" */
	enum xnh_local local;
};

/* What one open file reads. */
struct xnh_view {
	unsigned int nr;
	char **cpus;			/* [node]: its cpulist, or NULL */
	char *buf;			/* one formatted line */
	size_t buf_len;
	struct xnh_view_line lines[];
};

/*
 * Whether @mask, copied to @copy first, is within @cpus.  The masks of a
 * task and of an IRQ change under locks a module cannot take (the task's
 * pi_lock and runqueue, the IRQ descriptor's lock); each is copied once,
 * racily, as /proc/PID/status and /proc/irq/N/smp_affinity read them, and
 * judged from the copy.  Empty masks are not judged.
 */
static bool xnh_mask_within(struct cpumask *copy, const struct cpumask *mask,
			    const struct cpumask *cpus, unsigned int *checked)
{
	cpumask_copy(copy, mask);
	if (cpumask_empty(copy))
		return true;
	(*checked)++;
	return cpumask_subset(copy, cpus);
}

/*
 * Resolve @l now: the pid number of each of its kthreads that still
 * exists (0, printed "-", for one that does not), and whether each of them
 * may run only on its node's CPUs and every IRQ is delivered only there.
 * @copy: scratch space for one mask.
 */
static void xnh_view_resolve(struct xnh_view_line *l, struct cpumask *copy)
{
	const struct xnh_svc_data *d = &l->d;
	unsigned int i, checked = 0, outside = 0;
	const struct cpumask *cpus, *aff;
	struct task_struct *t;
	struct irq_data *irqd;

	cpus = d->node == NUMA_NO_NODE ? NULL : cpumask_of_node(d->node);
	/*
	 * One RCU read-side section for the threads and the IRQs.  A task is
	 * freed after a grace period, so one that pid_task() finds can be
	 * read.  An IRQ of the line may have been freed: the backend takes
	 * the queue out before it frees its IRQs, but this is a copy, and
	 * during rmmod the backend's call to take the queue out finds this
	 * module going and does nothing, so the entry stays until
	 * xnh_view_exit().  irq_get_irq_data() looks the descriptor up under
	 * RCU, and with SPARSE_IRQ a freed descriptor and its masks are freed
	 * only after a grace period (call_rcu()), so an IRQ freed in the
	 * meantime is either not found or read before its memory goes.  (Its
	 * number may since name another device's IRQ.)
	 */
	rcu_read_lock();
	for (i = 0; i < d->nr_pids; i++) {
		t = d->pids[i] ? pid_task(d->pids[i], PIDTYPE_PID) : NULL;
		l->pid_nrs[i] = t ? pid_nr(d->pids[i]) : 0;
		if (t && cpus)
			outside += !xnh_mask_within(copy, t->cpus_ptr, cpus,
						    &checked);
	}
	for (i = 0; cpus && i < d->nr_irqs; i++) {
		irqd = irq_get_irq_data(d->irqs[i]);
		if (!irqd)
			continue;
		/* the effective affinity, or the affinity if none is known */
		aff = irq_data_get_effective_affinity_mask(irqd);
		if (cpumask_empty(aff))
			aff = irq_data_get_affinity_mask(irqd);
		outside += !xnh_mask_within(copy, aff, cpus, &checked);
	}
	rcu_read_unlock();
	l->local = xnh_local_of(d->node, checked, outside);
}

static void xnh_view_free(struct xnh_view *v)
{
	unsigned int i;

	if (!v)
		return;
	for (i = 0; i < v->nr; i++)
		xnh_svc_put_pids(&v->lines[i].d);
	if (v->cpus)
		for (i = 0; i < nr_node_ids; i++)
			kfree(v->cpus[i]);
	kfree(v->cpus);
	kfree(v->buf);
	kvfree(v);
}

/*
 * Copy the registry's entries into a new snapshot, each with a reference
 * to its threads' struct pids.  The mutex is held only to copy: the
 * snapshot is allocated before, with room for the entries there were
 * then, and again with twice the room if more were entered meanwhile.
 */
static struct xnh_view *xnh_view_copy(void)
{
	unsigned int cap = 0, i;
	struct xnh_view *v;
	struct xnh_svc *e;

	for (;;) {
		cap = max(READ_ONCE(xnh_nr_svcs) + 16, 2 * cap);
		v = kvzalloc(struct_size(v, lines, cap), GFP_KERNEL);
		if (!v)
			return ERR_PTR(-ENOMEM);
		mutex_lock(&xnh_svc_lock);
		if (xnh_nr_svcs <= cap)
			break;
		mutex_unlock(&xnh_svc_lock);
		kvfree(v);
	}
	list_for_each_entry(e, &xnh_svcs, list) {
		struct xnh_view_line *l = &v->lines[v->nr++];

		l->d = e->d;
		for (i = 0; i < l->d.nr_pids; i++)
			get_pid(l->d.pids[i]);
	}
	mutex_unlock(&xnh_svc_lock);
	return v;
}

/* A snapshot of the view, resolved: what one open file reads. */
static struct xnh_view *xnh_view_take(void)
{
	struct xnh_view_line *l;
	cpumask_var_t copy;
	struct xnh_view *v;
	unsigned int i;
	int node;

	if (!alloc_cpumask_var(&copy, GFP_KERNEL))
		return ERR_PTR(-ENOMEM);
	v = xnh_view_copy();
	if (IS_ERR(v))
		goto out;
	v->cpus = kcalloc(nr_node_ids, sizeof(*v->cpus), GFP_KERNEL);
	if (!v->cpus)
		goto nomem;
	for (i = 0; i < v->nr; i++) {
		l = &v->lines[i];
		xnh_view_resolve(l, copy);
		xnh_svc_put_pids(&l->d);
		node = l->d.node;
		if (node == NUMA_NO_NODE || v->cpus[node])
			continue;
		v->cpus[node] = kasprintf(GFP_KERNEL, "%*pbl",
					  cpumask_pr_args(cpumask_of_node(node)));
		if (!v->cpus[node])
			goto nomem;
	}
	goto out;

nomem:
	xnh_view_free(v);
	v = ERR_PTR(-ENOMEM);
out:
	free_cpumask_var(copy);
	return v;
}

static void *xnh_view_start(struct seq_file *m, loff_t *pos)
{
	struct xnh_view *v = m->private;

	return *pos < v->nr ? &v->lines[*pos] : NULL;
}

static void *xnh_view_next(struct seq_file *m, void *p, loff_t *pos)
{
	++*pos;
	return xnh_view_start(m, pos);
}

static void xnh_view_stop(struct seq_file *m, void *p)
{
}

static int xnh_view_show(struct seq_file *m, void *p)
{
	const struct xnh_view_line *vl = p;
	struct xnh_view *v = m->private;
	struct xnh_svc_line l = {
		.key = &vl->d.key,
		.verdict = xen_numa_hints_verdict_name(vl->d.placement.verdict),
		.node = vl->d.node,
		.votes = vl->d.placement.votes,
		.hinted = vl->d.placement.hinted,
		.cpus = vl->d.node == NUMA_NO_NODE ? NULL : v->cpus[vl->d.node],
		.nr_pids = vl->d.nr_pids,
		.pids = vl->pid_nrs,
		.nr_irqs = vl->d.nr_irqs,
		.irqs = vl->d.irqs,
		.local = vl->local,
	};
	size_t n = xnh_svc_format(NULL, 0, &l);

	if (n >= v->buf_len) {
		char *buf = krealloc(v->buf, n + 1, GFP_KERNEL);

		if (!buf)
			return -ENOMEM;
		v->buf = buf;
		v->buf_len = n + 1;
	}
	xnh_svc_format(v->buf, v->buf_len, &l);
	seq_write(m, v->buf, n);
	return 0;
}

static const struct seq_operations xnh_view_seq_ops = {
	.start = xnh_view_start,
	.next = xnh_view_next,
	.stop = xnh_view_stop,
	.show = xnh_view_show,
};

static int xnh_view_open(struct inode *inode, struct file *file)
{
	struct xnh_view *v = xnh_view_take();
	int rc;

	if (IS_ERR(v))
		return PTR_ERR(v);
	rc = seq_open(file, &xnh_view_seq_ops);
	if (rc) {
		xnh_view_free(v);
		return rc;
	}
	((struct seq_file *)file->private_data)->private = v;
	return 0;
}

static int xnh_view_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	xnh_view_free(m->private);
	return seq_release(inode, file);
}

static const struct proc_ops xnh_view_ops = {
	.proc_open = xnh_view_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = xnh_view_release,
};

/* The file; root only (0400): it names the host's nodes and CPUs. */
int xnh_view_init(void)
{
	xnh_view_pde = proc_create(XNH_VIEW_NAME, 0400, NULL, &xnh_view_ops);
	if (!xnh_view_pde) {
		pr_err("cannot create /proc/%s\n", XNH_VIEW_NAME);
		return -ENOMEM;
	}
	return 0;
}

/*
 * At unload: the file goes (proc_remove() waits for the readers inside it
 * and releases the files still open), then every entry is forgotten.
 */
void xnh_view_exit(void)
{
	struct xnh_svc *e, *n;

	proc_remove(xnh_view_pde);
	xnh_view_pde = NULL;
	mutex_lock(&xnh_svc_lock);
	list_for_each_entry_safe(e, n, &xnh_svcs, list) {
		list_del(&e->list);
		xnh_svc_free(e);
	}
	xnh_nr_svcs = 0;
	mutex_unlock(&xnh_svc_lock);
}
