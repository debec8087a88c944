// SPDX-License-Identifier: GPL-2.0
/*
 * xnh_api_test: calls every function of <xen/numa_hints.h> from each
 * context its kernel-doc allows, for the selftest xnh_api_test in dom0.
 *
 * Writing a case name to /sys/module/xnh_api_test/parameters/run runs the
 * case in the writer's process context (it starts its timer, irq_work or
 * atomic section from there); the write fails with EINVAL when a check
 * fails, and parameters/result names the first failed check or says what
 * passed.  The module resolves xen-numa-hints with symbol_get(), like a
 * backend that must load without it, so it loads whether or not
 * xen-numa-hints is loaded, and the case "absent" checks the answers of a
 * kernel without it.  "loaded" also enters, replaces and takes out queues
 * of a domain no guest can have in the per-domain view, and reads
 * /proc/driver/xen_numa_domains to see them there and gone.
 *
 * What to expect comes from the selftest, which reads the rig's topology:
 *   expect=placed       dom0 pages on node N are answered N (dom0 vNUMA on)
 *   expect=unavailable  no node for anything (no dom0 SRAT, stock Xen)
 *   mfns=MFN:NODE,...   host frames and the node each must be answered
 */

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hardirq.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqnr.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/preempt.h>
#include <linux/sched/task.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/topology.h>
#include <linux/delay.h>

#include <xen/numa_hints.h>

MODULE_DESCRIPTION("Test of the xen-numa-hints in-kernel API");
MODULE_LICENSE("GPL");

#define MAX_MFNS	32
#define RING_PAGES	4
/* More than one chunk of the API's per-CPU buffer (64 frames). */
#define MANY_PAGES	200

static char expect[16] = "placed";
module_param_string(expect, expect, sizeof(expect), 0600);
MODULE_PARM_DESC(expect, "placed or unavailable");

static char mfns_param[512];
module_param_string(mfns, mfns_param, sizeof(mfns_param), 0600);
MODULE_PARM_DESC(mfns, "MFN:NODE,... host frames and their expected node");

static char result[256] = "nothing run";
module_param_string(result, result, sizeof(result), 0400);
MODULE_PARM_DESC(result, "What the last case checked, or its first failure");

/* The API, resolved as a module without a dependency resolves it. */
struct api {
	int (*mfns_to_nodes)(const xen_pfn_t *mfns, unsigned int nr,
			     int *nodes);
	int (*pages_to_nodes)(struct page **pages, unsigned int nr,
			      int *nodes);
	int (*mfn_to_node_cached)(xen_pfn_t mfn);
	void (*vote)(const int *nodes, unsigned int nr,
		     struct xen_numa_hints_placement *p);
	int (*place_pages)(struct page **pages, unsigned int nr, int *nodes,
			   struct xen_numa_hints_placement *p);
	int (*served)(const struct xen_numa_hints_service *s);
	void (*unserved)(const char *backend, domid_t domid, const char *dev,
			 unsigned int id);
};

static void api_put(struct api *a)
{
	if (a->mfns_to_nodes)
		symbol_put(xen_numa_hints_mfns_to_nodes);
	if (a->pages_to_nodes)
		symbol_put(xen_numa_hints_pages_to_nodes);
	if (a->mfn_to_node_cached)
		symbol_put(xen_numa_hints_mfn_to_node_cached);
	if (a->vote)
		symbol_put(xen_numa_hints_vote);
	if (a->place_pages)
		symbol_put(xen_numa_hints_place_pages);
	if (a->served)
		symbol_put(xen_numa_hints_served);
	if (a->unserved)
		symbol_put(xen_numa_hints_unserved);
	memset(a, 0, sizeof(*a));
}

/* 0 with every function, or -ENOENT with none held. */
static int api_get(struct api *a)
{
	a->mfns_to_nodes = symbol_get(xen_numa_hints_mfns_to_nodes);
	a->pages_to_nodes = symbol_get(xen_numa_hints_pages_to_nodes);
	a->mfn_to_node_cached = symbol_get(xen_numa_hints_mfn_to_node_cached);
	a->vote = symbol_get(xen_numa_hints_vote);
	a->place_pages = symbol_get(xen_numa_hints_place_pages);
	a->served = symbol_get(xen_numa_hints_served);
	a->unserved = symbol_get(xen_numa_hints_unserved);
	if (a->mfns_to_nodes && a->pages_to_nodes && a->mfn_to_node_cached &&
	    a->vote && a->place_pages && a->served && a->unserved)
		return 0;
	api_put(a);
	return -ENOENT;
}

struct frame_expect {
	xen_pfn_t mfn;
	int node;
};

static struct frame_expect frames[MAX_MFNS];
static unsigned int nr_frames;

static int parse_mfns(void)
{
	char buf[sizeof(mfns_param)], *p = buf, *tok;

	strscpy(buf, mfns_param, sizeof(buf));
	nr_frames = 0;
	while ((tok = strsep(&p, ",")) && *tok) {
		unsigned long long mfn;
		int node;

		if (nr_frames == MAX_MFNS ||
		    sscanf(tok, "%llx:%d", &mfn, &node) != 2)
			return -EINVAL;
		frames[nr_frames].mfn = mfn;
		frames[nr_frames].node = node;
		nr_frames++;
	}
	return 0;
}

static bool expect_placed(void)
{
	return !strcmp(expect, "placed");
}

/* The first failure of a case is what result says. */
static bool failed;

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	if (failed)
		return;
	failed = true;
	va_start(ap, fmt);
	vsnprintf(result, sizeof(result), fmt, ap);
	va_end(ap);
	pr_err("xnh_api_test: %s\n", result);
}

#define CHECK(cond, fmt, ...) \
	do { \
		if (!(cond)) \
			fail("%s: " fmt, #cond, ##__VA_ARGS__); \
	} while (0)

static void free_pages_array(struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (pages[i])
			__free_page(pages[i]);
		pages[i] = NULL;
	}
}

/* @nr dom0 pages on @node, or -ENOMEM with none left allocated. */
static int alloc_on_node(struct page **pages, unsigned int nr, int node)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pages[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_THISNODE,
					    0);
		if (!pages[i] || page_to_nid(pages[i]) != node) {
			free_pages_array(pages, i + 1);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Each node with memory: a ring of pages there is answered and placed. */
static void check_ring_on_each_node(const struct api *a)
{
	struct page *pages[RING_PAGES];
	int nodes[RING_PAGES];
	struct xen_numa_hints_placement p;
	unsigned int i;
	int nid, rc;

	for_each_node_state(nid, N_MEMORY) {
		if (alloc_on_node(pages, RING_PAGES, nid)) {
			fail("cannot allocate %u pages on node %d",
			     RING_PAGES, nid);
			return;
		}
		rc = a->pages_to_nodes(pages, RING_PAGES, nodes);
		CHECK(!rc, "pages_to_nodes on node %d: %d", nid, rc);
		for (i = 0; i < RING_PAGES; i++)
			CHECK(nodes[i] == (expect_placed() ? nid : NUMA_NO_NODE),
			      "page %u of node %d answered %d", i, nid,
			      nodes[i]);

		memset(nodes, 0x5a, sizeof(nodes));
		rc = a->place_pages(pages, RING_PAGES, nodes, &p);
		CHECK(!rc, "place_pages on node %d: %d", nid, rc);
		if (expect_placed()) {
			CHECK(p.verdict == XEN_NUMA_HINTS_PLACED &&
			      p.node == nid && p.plurality == nid &&
			      p.frames == RING_PAGES &&
			      p.hinted == RING_PAGES && p.votes == RING_PAGES,
			      "node %d: %s node %d plurality %d %u/%u/%u", nid,
			      xen_numa_hints_verdict_name(p.verdict), p.node,
			      p.plurality, p.votes, p.hinted, p.frames);
		} else {
			CHECK(p.verdict == XEN_NUMA_HINTS_UNAVAILABLE &&
			      p.node == NUMA_NO_NODE && nodes[0] == NUMA_NO_NODE,
			      "node %d: %s node %d", nid,
			      xen_numa_hints_verdict_name(p.verdict), p.node);
		}

		/* the wrapper a backend without a dependency calls */
		memset(&p, 0, sizeof(p));
		rc = xen_numa_hints_optional_place_pages(pages, RING_PAGES,
							 nodes, &p);
		CHECK(!rc && p.node == (expect_placed() ? nid : NUMA_NO_NODE),
		      "optional_place_pages on node %d: %d, node %d", nid, rc,
		      p.node);
		free_pages_array(pages, RING_PAGES);
	}
}

/* Rings over two nodes: 3:1 is placed on the three, 2:2 is a split. */
static void check_split_rings(const struct api *a)
{
	struct page *pa[3] = { NULL }, *pb[2] = { NULL };
	struct page *ring[RING_PAGES];
	int nodes[RING_PAGES], na, nb = NUMA_NO_NODE;
	struct xen_numa_hints_placement p;

	na = first_memory_node;
	if (na != MAX_NUMNODES)
		nb = next_memory_node(na);
	if (!expect_placed() || nb == MAX_NUMNODES)
		return;
	if (alloc_on_node(pa, 3, na) || alloc_on_node(pb, 2, nb)) {
		fail("cannot allocate pages on nodes %d and %d", na, nb);
		goto out;
	}
	ring[0] = pb[0];
	ring[1] = pa[0];
	ring[2] = pa[1];
	ring[3] = pa[2];
	CHECK(!a->place_pages(ring, 4, nodes, &p) &&
	      p.verdict == XEN_NUMA_HINTS_PLACED && p.node == na &&
	      p.votes == 3 && p.hinted == 4,
	      "3:1 over nodes %d and %d: %s node %d %u/%u", na, nb,
	      xen_numa_hints_verdict_name(p.verdict), p.node, p.votes,
	      p.hinted);
	ring[2] = pb[1];
	CHECK(!a->place_pages(ring, 4, nodes, &p) &&
	      p.verdict == XEN_NUMA_HINTS_SPLIT && p.node == NUMA_NO_NODE &&
	      p.plurality == nb && p.votes == 2 && p.hinted == 4,
	      "2:2 over nodes %d and %d: %s node %d plurality %d %u/%u", na,
	      nb, xen_numa_hints_verdict_name(p.verdict), p.node, p.plurality,
	      p.votes, p.hinted);
out:
	free_pages_array(pa, 3);
	free_pages_array(pb, 2);
}

/* More pages than one chunk: every answer, not only the first 64. */
static void check_many_pages(const struct api *a)
{
	struct page **pages;
	int *nodes, nid = first_memory_node;
	unsigned int i;

	pages = kcalloc(MANY_PAGES, sizeof(*pages), GFP_KERNEL);
	nodes = kcalloc(MANY_PAGES, sizeof(*nodes), GFP_KERNEL);
	if (!pages || !nodes || alloc_on_node(pages, MANY_PAGES, nid)) {
		fail("cannot allocate %u pages on node %d", MANY_PAGES, nid);
		goto out;
	}
	CHECK(!a->pages_to_nodes(pages, MANY_PAGES, nodes), "%u pages",
	      MANY_PAGES);
	for (i = 0; i < MANY_PAGES; i++)
		CHECK(nodes[i] == (expect_placed() ? nid : NUMA_NO_NODE),
		      "page %u of %u answered %d", i, MANY_PAGES, nodes[i]);
	free_pages_array(pages, MANY_PAGES);
out:
	kfree(pages);
	kfree(nodes);
}

/* Host frames against the topology; afterwards they are in the cache. */
static void check_mfns(const struct api *a)
{
	xen_pfn_t mfns[MAX_MFNS];
	int nodes[MAX_MFNS];
	unsigned int i;

	for (i = 0; i < nr_frames; i++)
		mfns[i] = frames[i].mfn;
	CHECK(!a->mfns_to_nodes(mfns, nr_frames, nodes), "%u MFNs",
	      nr_frames);
	for (i = 0; i < nr_frames; i++)
		CHECK(nodes[i] == frames[i].node,
		      "MFN %#lx answered %d, the topology says %d",
		      (unsigned long)frames[i].mfn, nodes[i], frames[i].node);
	CHECK(!a->mfns_to_nodes(mfns, 0, nodes), "no MFNs");
}

/*
 * The per-domain view.  The test's entries belong to a domain id no guest
 * can have, DOMID_INVALID (one of Xen's reserved ids: served() does not
 * check domain ids, and the view sorts it after every guest), and a
 * backend no driver is called.
 */
#define SVC_DOMID	DOMID_INVALID
#define SVC_BACKEND	"xnhtest"
#define DOMAINS_FILE	"/proc/driver/xen_numa_domains"
#define DOMAINS_MAX	(64 * 1024)

/* The view as its reader (root) sees it, NUL-terminated, or NULL. */
static char *read_domains(void)
{
	struct file *f = filp_open(DOMAINS_FILE, O_RDONLY, 0);
	size_t n = 0;
	loff_t pos = 0;
	ssize_t r = 0;
	char *buf;

	if (IS_ERR(f)) {
		fail("open %s: %ld", DOMAINS_FILE, PTR_ERR(f));
		return NULL;
	}
	buf = kvzalloc(DOMAINS_MAX, GFP_KERNEL);
	while (buf && n < DOMAINS_MAX - 1 &&
	       (r = kernel_read(f, buf + n, DOMAINS_MAX - 1 - n, &pos)) > 0)
		n += r;
	filp_close(f, NULL);
	if (!buf || r < 0 || n == DOMAINS_MAX - 1) {
		fail("read %s: %zd after %zu bytes", DOMAINS_FILE, r, n);
		kvfree(buf);
		return NULL;
	}
	return buf;
}

/* An existing IRQ to name, or 0 if none is found. */
static unsigned int some_irq(void)
{
	unsigned int irq;

	for (irq = 1; irq < nr_irqs; irq++)
		if (irq_get_irq_data(irq))
			return irq;
	return 0;
}

/* Bad entries are refused, and the one that was there stays. */
static void check_served_refused(const struct api *a,
				 const struct xen_numa_hints_service *good)
{
	static const char too_long[] = "0123456789abcdef0123456789abcdef";
	struct xen_numa_hints_service s;
	int rc;

#define REFUSED(what, change)						\
	do {								\
		s = *good;						\
		change;							\
		rc = a->served(&s);					\
		CHECK(rc == -EINVAL, "served() with %s: %d", what, rc);	\
	} while (0)

	rc = a->served(NULL);
	CHECK(rc == -EINVAL, "served(NULL): %d", rc);
	REFUSED("no backend", s.backend = NULL);
	REFUSED("an empty backend", s.backend = "");
	REFUSED("a backend with a space", s.backend = "x y");
	REFUSED("a 16-character backend", s.backend = too_long + 16);
	REFUSED("no device", s.dev = NULL);
	REFUSED("a 32-character device", s.dev = too_long);
	REFUSED("a device with a newline", s.dev = "t0\n");
	REFUSED("5 tasks", s.nr_tasks = XEN_NUMA_HINTS_SERVICE_TASKS + 1);
	REFUSED("3 IRQs", s.nr_irqs = XEN_NUMA_HINTS_SERVICE_IRQS + 1);
	REFUSED("node -2", s.node = -2);
	REFUSED("node nr_node_ids", s.node = nr_node_ids);
	REFUSED("a NULL task", s.nr_tasks = 1; s.tasks[0] = NULL);
	REFUSED("a NULL second task", s.nr_tasks = 2; s.tasks[1] = NULL);
	REFUSED("an IRQ that does not exist", s.nr_irqs = 1;
		s.irqs[0] = UINT_MAX);
#undef REFUSED
}

/*
 * The test's lines in @view are exactly t0 q1, t0 q3, t9 q0, t10 q0, in
 * that order, and each once.
 */
static void check_order(const char *view)
{
	static const char * const order[] = {
		"t0 q1 ", "t0 q3 ", "t9 q0 ", "t10 q0 ",
	};
	char key[64];
	const char *line, *at = view;
	unsigned int i = 0;

	snprintf(key, sizeof(key), "d%u %s ", SVC_DOMID, SVC_BACKEND);
	while ((line = strstr(at, key))) {
		line += strlen(key);
		CHECK(i < ARRAY_SIZE(order) &&
		      !strncmp(line, order[i], strlen(order[i])),
		      "line %u of the test's is '%.12s...', want '%s'", i, line,
		      i < ARRAY_SIZE(order) ? order[i] : "none");
		i++;
		at = line;
	}
	CHECK(i == ARRAY_SIZE(order), "%u of the test's lines, want %zu", i,
	      ARRAY_SIZE(order));
}

static int exit_at_once(void *unused)
{
	return 0;
}

/* Whether the line of @view that starts with @key has @field in it. */
static bool line_has(const char *view, const char *key, const char *field)
{
	const char *line = view ? strstr(view, key) : NULL;
	const char *end = line ? strchr(line, '\n') : NULL;
	const char *f = line ? strstr(line, field) : NULL;

	return f && end && f < end;
}

/*
 * A thread that exits while its entry is in the view is shown as "-" in
 * its place, never by a number some later task may get: entered with a
 * kthread that is then stopped, the line says "kthreads=-,<ours>" once
 * the thread has been reaped (kthreadd reaps its children at once; we
 * wait up to 5 s).
 */
static void check_gone_thread(const struct api *a,
			      const struct xen_numa_hints_service *good)
{
	struct xen_numa_hints_service s = *good;
	unsigned long until = jiffies + 5 * HZ;
	struct task_struct *t;
	char key[64], want[64], *view;
	int rc, found = 0;

	t = kthread_create(exit_at_once, NULL, "xnh-api-gone");
	if (IS_ERR(t)) {
		fail("kthread_create: %ld", PTR_ERR(t));
		return;
	}
	get_task_struct(t);
	s.dev = "gone";
	s.id = 0;
	s.nr_tasks = 2;
	s.tasks[0] = t;
	s.tasks[1] = current;
	rc = a->served(&s);
	CHECK(!rc, "served() with a kthread: %d", rc);
	snprintf(key, sizeof(key), "d%u %s gone q0 ", SVC_DOMID,
		 SVC_BACKEND);
	snprintf(want, sizeof(want), " kthreads=%d,%d ", task_pid_nr(t),
		 task_pid_nr(current));
	view = read_domains();
	CHECK(line_has(view, key, want), "no '%s...%s' before the kthread exits",
	      key, want);
	kvfree(view);

	kthread_stop(t);
	snprintf(want, sizeof(want), " kthreads=-,%d ", task_pid_nr(current));
	while (!found) {
		view = read_domains();
		found = line_has(view, key, want);
		kvfree(view);
		if (found || !view || time_after(jiffies, until))
			break;
		msleep(20);
	}
	CHECK(found, "no '%s...%s' once the kthread has exited", key, want);
	put_task_struct(t);
	a->unserved(SVC_BACKEND, SVC_DOMID, "gone", 0);
}

/*
 * Entered, replaced, sorted and taken out again, as the file shows them;
 * bad entries refused; nothing left behind.
 */
static void check_served(const struct api *a)
{
	struct xen_numa_hints_service s = {
		.backend = SVC_BACKEND,
		.domid = SVC_DOMID,
		.dev = "t0",
		.id = 3,
		.node = NUMA_NO_NODE,
		.nr_tasks = 1,
		.tasks = { current },
	};
	unsigned int irq = some_irq();
	int node = numa_node_id(), rc;
	char want[200], key[64], irqs[16], *view, *q3;

	xen_numa_hints_none(NULL, 4, &s.placement, XEN_NUMA_HINTS_UNAVAILABLE);
	strscpy(irqs, "-", sizeof(irqs));
	if (irq) {
		s.nr_irqs = 1;
		s.irqs[0] = irq;
		snprintf(irqs, sizeof(irqs), "%u", irq);
	}
	rc = a->served(&s);
	CHECK(!rc, "served(): %d", rc);
	check_served_refused(a, &s);
	view = read_domains();
	if (!view)
		goto out;
	snprintf(want, sizeof(want),
		 "d%u %s t0 q3 unavailable node=-1 votes=0/0 cpus=- kthreads=%d irqs=%s local=-\n",
		 SVC_DOMID, SVC_BACKEND, task_pid_nr(current), irqs);
	CHECK(strstr(view, want), "no line '%s' in the view", want);
	kvfree(view);

	/*
	 * The same queue again replaces it; queue 1 sorts before it, and
	 * devices t9 and t10 after it, in that order (digits as numbers).
	 */
	s.node = node;
	s.placement.verdict = XEN_NUMA_HINTS_PLACED;
	s.placement.node = node;
	s.placement.votes = 2;
	s.placement.hinted = 2;
	rc = a->served(&s);
	CHECK(!rc, "served() again: %d", rc);
	s.id = 1;
	rc = a->served(&s);
	CHECK(!rc, "served() queue 1: %d", rc);
	s.id = 0;
	s.dev = "t10";
	rc = a->served(&s);
	CHECK(!rc, "served() t10: %d", rc);
	s.dev = "t9";
	rc = a->served(&s);
	CHECK(!rc, "served() t9: %d", rc);
	s.dev = "t0";
	view = read_domains();
	if (!view)
		goto out;
	snprintf(want, sizeof(want),
		 "d%u %s t0 q3 placed node=%d votes=2/2 cpus=%*pbl kthreads=%d irqs=%s local=",
		 SVC_DOMID, SVC_BACKEND, node,
		 cpumask_pr_args(cpumask_of_node(node)), task_pid_nr(current),
		 irqs);
	q3 = strstr(view, want);
	CHECK(q3, "no line '%s...' in the view", want);
	snprintf(key, sizeof(key), "d%u %s t0 q3 ", SVC_DOMID, SVC_BACKEND);
	CHECK(q3 && !strstr(q3 + 1, key), "queue 3 is in the view twice");
	check_order(view);
	kvfree(view);
	check_gone_thread(a, &s);

out:
	a->unserved(SVC_BACKEND, SVC_DOMID, "t0", 3);
	a->unserved(SVC_BACKEND, SVC_DOMID, "t0", 3);
	a->unserved(SVC_BACKEND, SVC_DOMID, "t0", 1);
	a->unserved(SVC_BACKEND, SVC_DOMID, "t9", 0);
	a->unserved(SVC_BACKEND, SVC_DOMID, "t10", 0);
	a->unserved(SVC_BACKEND, SVC_DOMID, NULL, 1);
	a->unserved(NULL, SVC_DOMID, "t0", 1);
	view = read_domains();
	if (view)
		CHECK(!strstr(view, " " SVC_BACKEND " "),
		      "the test's entries are left in the view");
	kvfree(view);
}

/*
 * What may be asked where nothing may sleep, the cache and the vote, asked
 * with interrupts off, from a timer (softirq) and from an irq_work (hard
 * IRQ).
 */
struct atomic_case {
	const struct api *api;
	int cached[MAX_MFNS];
	struct xen_numa_hints_placement vote;
	bool in_irq, in_softirq, irqs_off;
	struct timer_list timer;
	struct irq_work work;
	struct completion done;
};

static void ask_atomic(struct atomic_case *c)
{
	/* 3 of 4 frames with a node: placed at min_share 50 (the test sets it) */
	static const int ring[] = { 1, NUMA_NO_NODE, 1, 0, 1 };
	unsigned int i;

	c->in_irq = in_hardirq();
	c->in_softirq = in_serving_softirq();
	c->irqs_off = irqs_disabled();
	for (i = 0; i < nr_frames; i++)
		c->cached[i] = c->api->mfn_to_node_cached(frames[i].mfn);
	c->api->vote(ring, ARRAY_SIZE(ring), &c->vote);
}

static void check_atomic_answers(const struct atomic_case *c,
				 const char *where)
{
	unsigned int i;

	/* cached by check_mfns(): exactly the answers it checked */
	for (i = 0; i < nr_frames; i++)
		CHECK(c->cached[i] == frames[i].node,
		      "%s: cached MFN %#lx answered %d, want %d", where,
		      (unsigned long)frames[i].mfn, c->cached[i],
		      frames[i].node);
	CHECK(c->vote.verdict == XEN_NUMA_HINTS_PLACED &&
	      c->vote.node == 1 && c->vote.votes == 3 &&
	      c->vote.hinted == 4 && c->vote.frames == 5,
	      "%s: vote %s node %d %u/%u/%u", where,
	      xen_numa_hints_verdict_name(c->vote.verdict), c->vote.node,
	      c->vote.votes, c->vote.hinted, c->vote.frames);
}

static void timer_fn(struct timer_list *t)
{
	struct atomic_case *c = from_timer(c, t, timer);

	ask_atomic(c);
	complete(&c->done);
}

static void irq_work_fn(struct irq_work *w)
{
	struct atomic_case *c = container_of(w, struct atomic_case, work);

	ask_atomic(c);
	complete(&c->done);
}

static void check_atomic(const struct api *a)
{
	struct atomic_case *c = kzalloc(sizeof(*c), GFP_KERNEL);
	unsigned long flags;

	if (!c) {
		fail("no memory");
		return;
	}
	c->api = a;

	local_irq_save(flags);
	ask_atomic(c);
	local_irq_restore(flags);
	CHECK(c->irqs_off, "interrupts were on");
	check_atomic_answers(c, "interrupts off");

	memset(&c->vote, 0, sizeof(c->vote));
	init_completion(&c->done);
	timer_setup(&c->timer, timer_fn, 0);
	mod_timer(&c->timer, jiffies + 1);
	if (!wait_for_completion_timeout(&c->done, 10 * HZ))
		fail("the timer did not run in 10 s");
	del_timer_sync(&c->timer);
	CHECK(c->in_softirq, "the timer did not run in softirq context");
	check_atomic_answers(c, "softirq");

	memset(&c->vote, 0, sizeof(c->vote));
	init_completion(&c->done);
	init_irq_work(&c->work, irq_work_fn);
	irq_work_queue(&c->work);
	if (!wait_for_completion_timeout(&c->done, 10 * HZ))
		fail("the irq_work did not run in 10 s");
	irq_work_sync(&c->work);
	CHECK(c->in_irq, "the irq_work did not run in hard IRQ context");
	check_atomic_answers(c, "hard IRQ");
	kfree(c);
}

/* With xen-numa-hints loaded: every function, in every context. */
static void case_loaded(void)
{
	struct api a;

	if (api_get(&a)) {
		fail("xen-numa-hints is not loaded: symbol_get() failed");
		return;
	}
	check_ring_on_each_node(&a);
	check_split_rings(&a);
	check_many_pages(&a);
	check_mfns(&a);
	check_atomic(&a);
	check_served(&a);
	api_put(&a);
}

/*
 * make bench, never a test: the cached lookup a hot path may make, against
 * page_to_nid() of a dom0 page, both timed here in the kernel.  The MFNs
 * are put in the cache first; result says what each lookup cost.
 */
#define BENCH_ROUNDS	1000000U

static void case_bench(void)
{
	xen_pfn_t mfns[MAX_MFNS];
	int nodes[MAX_MFNS], sink = 0;
	struct page *pages[MAX_MFNS];
	u64 t0, cached_ns, nid_ns;
	/* a power of two: a mask, not a division, picks each round's frame */
	unsigned int i, n = nr_frames ? rounddown_pow_of_two(nr_frames) : 0;
	struct api a;

	if (api_get(&a)) {
		fail("xen-numa-hints is not loaded: symbol_get() failed");
		return;
	}
	if (!n || alloc_on_node(pages, n, first_memory_node)) {
		fail("no MFNs, or cannot allocate %u pages", n);
		api_put(&a);
		return;
	}
	for (i = 0; i < n; i++)
		mfns[i] = frames[i].mfn;
	CHECK(!a.mfns_to_nodes(mfns, n, nodes), "%u MFNs", n);

	t0 = ktime_get_ns();
	for (i = 0; i < BENCH_ROUNDS; i++)
		sink += a.mfn_to_node_cached(mfns[i & (n - 1)]);
	cached_ns = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < BENCH_ROUNDS; i++) {
		struct page *page = pages[i & (n - 1)];

		/* the compiler must not hoist the lookup out of the loop */
		OPTIMIZER_HIDE_VAR(page);
		sink += page_to_nid(page);
	}
	nid_ns = ktime_get_ns() - t0;
	free_pages_array(pages, n);
	api_put(&a);
	if (failed)
		return;
	snprintf(result, sizeof(result),
		 "bench: mfn_to_node_cached %llu ps, page_to_nid %llu ps per lookup (%u rounds over %u frames, sum %d)",
		 div_u64(cached_ns * 1000, BENCH_ROUNDS),
		 div_u64(nid_ns * 1000, BENCH_ROUNDS), BENCH_ROUNDS, n, sink);
}

/* Without it: the wrappers answer "unavailable" and nothing breaks. */
static void case_absent(void)
{
	struct xen_numa_hints_service s = {
		.backend = SVC_BACKEND,
		.domid = SVC_DOMID,
		.dev = "t0",
		.node = NUMA_NO_NODE,
	};
	void (*unserved)(const char *backend, domid_t domid, const char *dev,
			 unsigned int id);
	int (*served)(const struct xen_numa_hints_service *s);
	struct page *pages[RING_PAGES];
	struct xen_numa_hints_placement p;
	int nodes[RING_PAGES];
	struct file *view;
	struct api a;
	unsigned int i;

	if (!api_get(&a)) {
		api_put(&a);
		fail("xen-numa-hints is loaded: symbol_get() found it");
		return;
	}
	if (alloc_on_node(pages, RING_PAGES, first_memory_node)) {
		fail("cannot allocate %u pages", RING_PAGES);
		return;
	}
	memset(nodes, 0x5a, sizeof(nodes));
	memset(&p, 0x5a, sizeof(p));
	CHECK(!xen_numa_hints_optional_place_pages(pages, RING_PAGES, nodes,
						   &p) &&
	      p.verdict == XEN_NUMA_HINTS_UNAVAILABLE &&
	      p.node == NUMA_NO_NODE && p.plurality == NUMA_NO_NODE &&
	      p.frames == RING_PAGES && !p.hinted && !p.votes,
	      "optional_place_pages: %s node %d",
	      xen_numa_hints_verdict_name(p.verdict), p.node);
	for (i = 0; i < RING_PAGES; i++)
		CHECK(nodes[i] == NUMA_NO_NODE, "page %u answered %d", i,
		      nodes[i]);
	memset(nodes, 0x5a, sizeof(nodes));
	CHECK(!xen_numa_hints_optional_pages_to_nodes(pages, RING_PAGES,
						      nodes),
	      "optional_pages_to_nodes failed");
	for (i = 0; i < RING_PAGES; i++)
		CHECK(nodes[i] == NUMA_NO_NODE, "page %u answered %d", i,
		      nodes[i]);
	free_pages_array(pages, RING_PAGES);
	/*
	 * Nothing keeps the view: the wrappers find neither function, and
	 * entering a queue is no error (and no crash).
	 */
	served = symbol_get(xen_numa_hints_served);
	CHECK(!served, "symbol_get(xen_numa_hints_served) found it");
	if (served)
		symbol_put(xen_numa_hints_served);
	unserved = symbol_get(xen_numa_hints_unserved);
	CHECK(!unserved, "symbol_get(xen_numa_hints_unserved) found it");
	if (unserved)
		symbol_put(xen_numa_hints_unserved);
	CHECK(!xen_numa_hints_optional_served(&s), "optional_served failed");
	xen_numa_hints_optional_unserved(SVC_BACKEND, SVC_DOMID, "t0", 0);
	view = filp_open(DOMAINS_FILE, O_RDONLY, 0);
	CHECK(PTR_ERR_OR_ZERO(view) == -ENOENT, "open %s: %d, want %d",
	      DOMAINS_FILE, PTR_ERR_OR_ZERO(view), -ENOENT);
	if (!IS_ERR(view))
		filp_close(view, NULL);
}

static int run_set(const char *val, const struct kernel_param *kp)
{
	char buf[16], *name;

	strscpy(buf, val, sizeof(buf));
	name = strim(buf);
	failed = false;
	if (strcmp(expect, "placed") && strcmp(expect, "unavailable")) {
		fail("expect=%s: neither placed nor unavailable", expect);
		return -EINVAL;
	}
	if (parse_mfns()) {
		fail("mfns=%s: not MFN:NODE,... (at most %d)", mfns_param,
		     MAX_MFNS);
		return -EINVAL;
	}
	if (!strcmp(name, "loaded"))
		case_loaded();
	else if (!strcmp(name, "absent"))
		case_absent();
	else if (!strcmp(name, "bench"))
		case_bench();
	else
		fail("unknown case '%s'", name);
	if (failed)
		return -EINVAL;
	if (strcmp(name, "bench"))
		snprintf(result, sizeof(result), "ok: %s, expect %s, %u MFNs",
			 name, expect, nr_frames);
	return 0;
}

static const struct kernel_param_ops run_ops = {
	.set = run_set,
};
module_param_cb(run, &run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "Write a case name (loaded, absent, bench) to run it");
