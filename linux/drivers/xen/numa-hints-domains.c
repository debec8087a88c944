// SPDX-License-Identifier: GPL-2.0
/*
 * The per-domain view, /sys/kernel/xen_numa/domains: for each queue the
 * backends in this dom0 serve, the guest, the vote its rings got, the node
 * it is served from, its kthreads and IRQs, and whether they are on that
 * node now.  See docs/ABI/testing/sysfs-kernel-xen_numa.
 *
 * Backends enter a queue with xen_numa_hints_served() once its kthreads
 * and IRQs exist and take it out with xen_numa_hints_unserved() before
 * they stop the threads and free the IRQs.  The entries live in this
 * module: unloading it forgets them all, and a queue that connected
 * before the module was loaded is not in the view until it connects
 * again.
 *
 * Whether a queue is served locally is worked out when the file is read,
 * from what its kthreads may run on and where its IRQs are delivered at
 * that moment, so an administrator or irqbalance moving them shows.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
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
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/topology.h>

#include <xen/numa_hints.h>

#include "numa-hints-internal.h"

static_assert(XNH_SVC_NAME_LEN == XEN_NUMA_HINTS_SERVICE_NAME_LEN);
static_assert(XNH_SVC_DEV_LEN == XEN_NUMA_HINTS_SERVICE_DEV_LEN);
static_assert(XNH_SVC_PIDS == XEN_NUMA_HINTS_SERVICE_TASKS);
static_assert(XNH_SVC_IRQS == XEN_NUMA_HINTS_SERVICE_IRQS);

/* One queue a backend serves: one line of the view. */
struct xnh_svc {
	struct list_head list;
	struct xnh_svc_key key;
	struct xen_numa_hints_placement placement;
	int node;
	unsigned int nr_pids;
	/* NULL: the thread was gone when the queue was entered */
	struct pid *pids[XNH_SVC_PIDS];
	unsigned int nr_irqs;
	unsigned int irqs[XNH_SVC_IRQS];
};

/*
 * The entries, in xnh_svc_cmp() order, and the text of the last read.  A
 * read of more than a page takes several read() calls; the text is
 * rendered when a file reads at offset 0 and served to the same file from
 * there on, so that one pass of cat sees one consistent view.
 */
static DEFINE_MUTEX(xnh_svc_lock);
static LIST_HEAD(xnh_svcs);

static struct {
	const struct file *file;	/* compared, never dereferenced */
	char *text;
	size_t len;
} xnh_snap;

static void xnh_svc_free(struct xnh_svc *e)
{
	unsigned int i;

	if (!e)
		return;
	for (i = 0; i < e->nr_pids; i++)
		put_pid(e->pids[i]);
	kfree(e);
}

/* The entry with @key; NULL if there is none. */
static struct xnh_svc *xnh_svc_find(const struct xnh_svc_key *key)
{
	struct xnh_svc *e;

	lockdep_assert_held(&xnh_svc_lock);
	list_for_each_entry(e, &xnh_svcs, list) {
		int r = xnh_svc_cmp(key, &e->key);

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
 * Records @s in /sys/kernel/xen_numa/domains, replacing the entry with the
 * same backend, domain, device and queue if there is one.  Call it once
 * the queue's kthreads and IRQs exist, and xen_numa_hints_unserved()
 * before they go: the view resolves them whenever it is read.  Nothing
 * of @s is kept but copies.
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
	xnh_svc_key_fill(&e->key, s->backend, s->domid, s->dev, s->id);
	e->placement = s->placement;
	e->node = s->node;
	e->nr_pids = s->nr_tasks;
	/* the struct pid, not the task: it outlives the thread, not its memory */
	for (i = 0; i < s->nr_tasks; i++)
		e->pids[i] = get_task_pid(s->tasks[i], PIDTYPE_PID);
	e->nr_irqs = s->nr_irqs;
	for (i = 0; i < s->nr_irqs; i++)
		e->irqs[i] = s->irqs[i];

	mutex_lock(&xnh_svc_lock);
	list_for_each_entry(pos, &xnh_svcs, list) {
		int r = xnh_svc_cmp(&e->key, &pos->key);

		if (!r)
			old = pos;
		if (r <= 0)
			break;
	}
	if (old)
		list_replace(&old->list, &e->list);
	else
		list_add_tail(&e->list, &pos->list);
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
 * may call this on every path that tears a queue down.
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
	if (e)
		list_del(&e->list);
	mutex_unlock(&xnh_svc_lock);
	xnh_svc_free(e);
}
EXPORT_SYMBOL_GPL(xen_numa_hints_unserved);

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
 * Resolve @e now: the pid number of each of its kthreads that still
 * exists (0, printed "-", for one that does not), and whether each of them
 * may run only on its node's CPUs and every IRQ is delivered only there.
 * @copy: scratch space for one mask.
 */
static enum xnh_local xnh_svc_resolve(const struct xnh_svc *e, int *pid_nrs,
				      struct cpumask *copy)
{
	unsigned int i, checked = 0, outside = 0;
	const struct cpumask *cpus, *aff;
	struct irq_data *d;
	struct task_struct *t;

	cpus = e->node == NUMA_NO_NODE ? NULL : cpumask_of_node(e->node);
	/*
	 * One RCU read-side section for the threads and the IRQs.  A task is
	 * freed after a grace period, so one that pid_task() finds can be
	 * read.  An IRQ of the entry may have been freed: the backend takes
	 * the queue out before it frees its IRQs, but its call to do so does
	 * nothing when it finds this module on its way out (rmmod), and then
	 * the entry stays until xnh_svc_exit().  irq_get_irq_data() looks the
	 * descriptor up under RCU, and with SPARSE_IRQ a freed descriptor and
	 * its masks are freed only after a grace period (call_rcu()), so an
	 * IRQ freed in the meantime is either not found or read before its
	 * memory goes.  (Its number may since name another device's IRQ.)
	 */
	rcu_read_lock();
	for (i = 0; i < e->nr_pids; i++) {
		t = e->pids[i] ? pid_task(e->pids[i], PIDTYPE_PID) : NULL;
		pid_nrs[i] = t ? pid_nr(e->pids[i]) : 0;
		if (t && cpus)
			outside += !xnh_mask_within(copy, t->cpus_ptr, cpus,
						    &checked);
	}
	for (i = 0; cpus && i < e->nr_irqs; i++) {
		d = irq_get_irq_data(e->irqs[i]);
		if (!d)
			continue;
		/* the effective affinity, or the affinity if none is known */
		aff = irq_data_get_effective_affinity_mask(d);
		if (cpumask_empty(aff))
			aff = irq_data_get_affinity_mask(d);
		outside += !xnh_mask_within(copy, aff, cpus, &checked);
	}
	rcu_read_unlock();
	return xnh_local_of(e->node, checked, outside);
}

static void xnh_snap_free(void)
{
	lockdep_assert_held(&xnh_svc_lock);
	kvfree(xnh_snap.text);
	xnh_snap.text = NULL;
	xnh_snap.len = 0;
	xnh_snap.file = NULL;
}

/* @node's CPUs as a cpulist, made once per rendering in @cpus[@node]. */
static const char *xnh_node_cpus(char **cpus, int node)
{
	const struct cpumask *mask = cpumask_of_node(node);

	if (!cpus[node])
		cpus[node] = kasprintf(GFP_KERNEL, "%*pbl",
				       cpumask_pr_args(mask));
	return cpus[node];
}

/* Render every entry into xnh_snap for @file. */
static int xnh_svc_render(const struct file *file)
{
	size_t cap = 0, len = 0, n;
	char **cpus, *text = NULL;
	cpumask_var_t copy;
	struct xnh_svc *e;
	unsigned int node;
	int rc = 0;

	lockdep_assert_held(&xnh_svc_lock);
	xnh_snap_free();
	if (!zalloc_cpumask_var(&copy, GFP_KERNEL))
		return -ENOMEM;
	/* each node's cpulist, once per rendering */
	cpus = kcalloc(nr_node_ids, sizeof(*cpus), GFP_KERNEL);
	if (!cpus) {
		free_cpumask_var(copy);
		return -ENOMEM;
	}
	list_for_each_entry(e, &xnh_svcs, list) {
		int pid_nrs[XNH_SVC_PIDS];
		struct xnh_svc_line l = {
			.key = &e->key,
			.verdict = xen_numa_hints_verdict_name(e->placement.verdict),
			.node = e->node,
			.votes = e->placement.votes,
			.hinted = e->placement.hinted,
			.nr_pids = e->nr_pids,
			.pids = pid_nrs,
			.nr_irqs = e->nr_irqs,
			.irqs = e->irqs,
			.local = xnh_svc_resolve(e, pid_nrs, copy),
		};

		if (e->node != NUMA_NO_NODE) {
			l.cpus = xnh_node_cpus(cpus, e->node);
			if (!l.cpus) {
				rc = -ENOMEM;
				break;
			}
		}
		n = xnh_svc_format(text ? text + len : NULL, cap - len, &l);
		if (len + n >= cap) {
			size_t want = max3(2 * cap, len + n + 1, (size_t)PAGE_SIZE);
			char *t = kvmalloc(want, GFP_KERNEL);

			if (!t) {
				rc = -ENOMEM;
				break;
			}
			if (len)
				memcpy(t, text, len);
			kvfree(text);
			text = t;
			cap = want;
			xnh_svc_format(text + len, cap - len, &l);
		}
		len += n;
	}
	for (node = 0; node < nr_node_ids; node++)
		kfree(cpus[node]);
	kfree(cpus);
	free_cpumask_var(copy);
	if (rc) {
		kvfree(text);
		return rc;
	}
	xnh_snap.file = file;
	xnh_snap.text = text;
	xnh_snap.len = len;
	return 0;
}

static ssize_t domains_read(struct file *file, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf, loff_t off,
			    size_t count)
{
	ssize_t rc = 0;

	mutex_lock(&xnh_svc_lock);
	if (!off || xnh_snap.file != file || !xnh_snap.text) {
		rc = xnh_svc_render(file);
		if (rc)
			goto out;
	}
	if (off < xnh_snap.len) {
		rc = min_t(size_t, count, xnh_snap.len - off);
		memcpy(buf, xnh_snap.text + off, rc);
	} else {
		/* read to the end: the text is not needed any more */
		xnh_snap_free();
	}
out:
	mutex_unlock(&xnh_svc_lock);
	return rc;
}

/* Root only: it names the host's nodes and CPUs. Its size is not known. */
struct bin_attribute xnh_domains_attr = __BIN_ATTR_ADMIN_RO(domains, 0);

/* At unload, once the file is gone: every entry is forgotten. */
void xnh_svc_exit(void)
{
	struct xnh_svc *e, *n;

	mutex_lock(&xnh_svc_lock);
	list_for_each_entry_safe(e, n, &xnh_svcs, list) {
		list_del(&e->list);
		xnh_svc_free(e);
	}
	xnh_snap_free();
	mutex_unlock(&xnh_svc_lock);
}
