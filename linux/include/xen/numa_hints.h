/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-numa-hints: on which dom0 NUMA node the host memory behind a frame
 * lives, for dom0 backends (netback, blkback, gntdev) that want to run
 * next to the guest memory they serve.
 *
 * Two ways to call it:
 *
 * - Directly, as a module that depends on xen-numa-hints: the functions
 *   below.  Such a module loads only where xen-numa-hints loads (any Xen
 *   domain) and pins it while loaded.
 *
 * - Through the xen_numa_hints_optional_*() wrappers, which resolve the
 *   function with symbol_get() on every call and answer "unavailable"
 *   when xen-numa-hints is not loaded.  A backend that must load and work
 *   unchanged without it (a driver shipped with the kernel, a driver
 *   domain without the package) uses these: it takes no dependency, and
 *   the module can be unloaded between two calls.
 *
 * A backend also tells the module which queues it serves, from which node
 * and with which kthreads and IRQs (xen_numa_hints_served(), and
 * xen_numa_hints_unserved() when the queue goes), for the per-domain view
 * /proc/driver/xen_numa_domains.
 *
 * When the module is loaded but has no hints (unpatched Xen, a policy
 * that denies the op, PV dom0; /sys/kernel/xen_numa/status says which),
 * every answer is NUMA_NO_NODE and no hypercall is made: callers need no
 * special case.
 *
 * Out of tree, a module sees the declarations when it is compiled with
 * -DCONFIG_XEN_NUMA_HINTS_MODULE=1 and -I<xen-numa-hints>/linux/include;
 * without the define it gets stubs that always answer "unavailable".
 */
#ifndef _XEN_NUMA_HINTS_H
#define _XEN_NUMA_HINTS_H

#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/types.h>
#include <xen/interface/xen.h>

struct page;
struct task_struct;

/**
 * enum xen_numa_hints_verdict - what a vote over a set of frames decided
 * @XEN_NUMA_HINTS_PLACED: one node holds more than the required share of
 *	the frames that have a node; it is the answer
 * @XEN_NUMA_HINTS_SPLIT: no node holds that share; no placement
 * @XEN_NUMA_HINTS_NO_HINT: no frame has a node (not RAM, or the PXM is
 *	not one of dom0's nodes)
 * @XEN_NUMA_HINTS_UNAVAILABLE: no hints at all: the module is not loaded,
 *	or its status is not "active"
 * @XEN_NUMA_HINTS_FAILED: the hypervisor failed the query
 */
enum xen_numa_hints_verdict {
	XEN_NUMA_HINTS_PLACED,
	XEN_NUMA_HINTS_SPLIT,
	XEN_NUMA_HINTS_NO_HINT,
	XEN_NUMA_HINTS_UNAVAILABLE,
	XEN_NUMA_HINTS_FAILED,
};

/**
 * struct xen_numa_hints_placement - where a set of frames should be served
 * @node: the node to place on; NUMA_NO_NODE unless @verdict is PLACED
 * @verdict: why @node is what it is
 * @plurality: the node with the most frames, even when it lacks the share
 *	(NUMA_NO_NODE when no frame has a node)
 * @frames: frames asked about
 * @hinted: frames that have a node
 * @votes: frames on @plurality
 */
struct xen_numa_hints_placement {
	int node;
	enum xen_numa_hints_verdict verdict;
	int plurality;
	unsigned int frames;
	unsigned int hinted;
	unsigned int votes;
};

/* The answer of a caller that has no hints for @nr frames. */
static inline void
xen_numa_hints_none(int *nodes, unsigned int nr,
		    struct xen_numa_hints_placement *p,
		    enum xen_numa_hints_verdict verdict)
{
	unsigned int i;

	for (i = 0; nodes && i < nr; i++)
		nodes[i] = NUMA_NO_NODE;
	if (p) {
		p->node = NUMA_NO_NODE;
		p->verdict = verdict;
		p->plurality = NUMA_NO_NODE;
		p->frames = nr;
		p->hinted = 0;
		p->votes = 0;
	}
}

static inline const char *
xen_numa_hints_verdict_name(enum xen_numa_hints_verdict verdict)
{
	switch (verdict) {
	case XEN_NUMA_HINTS_PLACED:
		return "placed";
	case XEN_NUMA_HINTS_SPLIT:
		return "split";
	case XEN_NUMA_HINTS_NO_HINT:
		return "no-hint";
	case XEN_NUMA_HINTS_UNAVAILABLE:
		return "unavailable";
	case XEN_NUMA_HINTS_FAILED:
		return "failed";
	}
	return "unknown";
}

/* Bounds of struct xen_numa_hints_service's fields. */
#define XEN_NUMA_HINTS_SERVICE_NAME_LEN	16	/* @backend, NUL included */
#define XEN_NUMA_HINTS_SERVICE_DEV_LEN	32	/* @dev, NUL included */
#define XEN_NUMA_HINTS_SERVICE_TASKS	4
#define XEN_NUMA_HINTS_SERVICE_IRQS	2

/**
 * struct xen_numa_hints_service - where a backend serves one queue of a guest
 * @backend: the backend's xenstore device type: "vif", "vbd"
 * @domid: the guest the queue serves (the frontend's domain)
 * @dev: the guest's device: "vif1.0" (netback: vif<domid>.<handle>),
 *	"51712" (blkback: the virtual device number)
 * @id: the queue (netback) or ring (blkback) within @dev
 * @placement: the vote the backend got when the queue connected
 * @node: the node the queue is served from; NUMA_NO_NODE for none
 * @nr_tasks: entries of @tasks used, at most XEN_NUMA_HINTS_SERVICE_TASKS
 * @tasks: the queue's kthreads, running: the view keeps a reference to
 *	each one's struct pid (get_task_pid()), never to the task, and shows
 *	its pid number only while the thread exists
 * @nr_irqs: entries of @irqs used, at most XEN_NUMA_HINTS_SERVICE_IRQS
 * @irqs: the queue's interrupts (Linux IRQ numbers)
 *
 * @backend and @dev are 1 to XEN_NUMA_HINTS_SERVICE_NAME_LEN - 1 and
 * XEN_NUMA_HINTS_SERVICE_DEV_LEN - 1 printable ASCII characters other
 * than space; (@backend, @domid, @dev, @id) is the key of the entry.
 */
struct xen_numa_hints_service {
	const char *backend;
	domid_t domid;
	const char *dev;
	unsigned int id;
	struct xen_numa_hints_placement placement;
	int node;
	unsigned int nr_tasks;
	struct task_struct *tasks[XEN_NUMA_HINTS_SERVICE_TASKS];
	unsigned int nr_irqs;
	unsigned int irqs[XEN_NUMA_HINTS_SERVICE_IRQS];
};

/*
 * IS_REACHABLE: a built-in caller cannot link against the module; it gets
 * the stubs below, or the optional wrappers.
 */
#if IS_REACHABLE(CONFIG_XEN_NUMA_HINTS)

int xen_numa_hints_mfns_to_nodes(const xen_pfn_t *mfns, unsigned int nr,
				 int *nodes);
int xen_numa_hints_pages_to_nodes(struct page **pages, unsigned int nr,
				  int *nodes);
int xen_numa_hints_mfn_to_node_cached(xen_pfn_t mfn);
void xen_numa_hints_vote(const int *nodes, unsigned int nr,
			 struct xen_numa_hints_placement *p);
int xen_numa_hints_place_pages(struct page **pages, unsigned int nr,
			       int *nodes, struct xen_numa_hints_placement *p);
int xen_numa_hints_served(const struct xen_numa_hints_service *s);
void xen_numa_hints_unserved(const char *backend, domid_t domid,
			     const char *dev, unsigned int id);

/**
 * xen_numa_hints_optional_place_pages() - xen_numa_hints_place_pages()
 *	if xen-numa-hints is loaded
 * @pages: dom0 pages (grant mappings of a guest's ring, say)
 * @nr: entries in @pages and @nodes
 * @nodes: OUT: node of each page
 * @p: OUT: the vote
 *
 * Context: Process context; may sleep.
 * Return: as xen_numa_hints_place_pages(); 0 with verdict UNAVAILABLE when
 * the module is not loaded.
 */
static inline int
xen_numa_hints_optional_place_pages(struct page **pages, unsigned int nr,
				    int *nodes,
				    struct xen_numa_hints_placement *p)
{
	int (*fn)(struct page **pages, unsigned int nr, int *nodes,
		  struct xen_numa_hints_placement *p);
	int rc;

	fn = symbol_get(xen_numa_hints_place_pages);
	if (!fn) {
		xen_numa_hints_none(nodes, nr, p, XEN_NUMA_HINTS_UNAVAILABLE);
		return 0;
	}
	rc = fn(pages, nr, nodes, p);
	symbol_put(xen_numa_hints_place_pages);
	return rc;
}

/**
 * xen_numa_hints_optional_pages_to_nodes() - xen_numa_hints_pages_to_nodes()
 *	if xen-numa-hints is loaded
 * @pages: dom0 pages
 * @nr: entries in @pages and @nodes
 * @nodes: OUT: node of each page
 *
 * Context: Process context; may sleep.
 * Return: as xen_numa_hints_pages_to_nodes(); 0 with every node
 * NUMA_NO_NODE when the module is not loaded.
 */
static inline int
xen_numa_hints_optional_pages_to_nodes(struct page **pages, unsigned int nr,
				       int *nodes)
{
	int (*fn)(struct page **pages, unsigned int nr, int *nodes);
	int rc;

	fn = symbol_get(xen_numa_hints_pages_to_nodes);
	if (!fn) {
		xen_numa_hints_none(nodes, nr, NULL, XEN_NUMA_HINTS_UNAVAILABLE);
		return 0;
	}
	rc = fn(pages, nr, nodes);
	symbol_put(xen_numa_hints_pages_to_nodes);
	return rc;
}

/**
 * xen_numa_hints_optional_served() - xen_numa_hints_served() if
 *	xen-numa-hints is loaded
 * @s: the queue, and where it is served from
 *
 * Context: Process context; may sleep.
 * Return: as xen_numa_hints_served(); 0 when the module is not loaded
 * (there is no view to enter the queue in).
 */
static inline int
xen_numa_hints_optional_served(const struct xen_numa_hints_service *s)
{
	int (*fn)(const struct xen_numa_hints_service *s);
	int rc;

	fn = symbol_get(xen_numa_hints_served);
	if (!fn)
		return 0;
	rc = fn(s);
	symbol_put(xen_numa_hints_served);
	return rc;
}

/**
 * xen_numa_hints_optional_unserved() - xen_numa_hints_unserved() if
 *	xen-numa-hints is loaded
 * @backend: as given to xen_numa_hints_served()
 * @domid: likewise
 * @dev: likewise
 * @id: likewise
 *
 * Context: Process context; may sleep.
 */
static inline void
xen_numa_hints_optional_unserved(const char *backend, domid_t domid,
				 const char *dev, unsigned int id)
{
	void (*fn)(const char *backend, domid_t domid, const char *dev,
		   unsigned int id);

	fn = symbol_get(xen_numa_hints_unserved);
	if (!fn)
		return;
	fn(backend, domid, dev, id);
	symbol_put(xen_numa_hints_unserved);
}

#else /* !CONFIG_XEN_NUMA_HINTS */

static inline int xen_numa_hints_mfns_to_nodes(const xen_pfn_t *mfns,
					       unsigned int nr, int *nodes)
{
	xen_numa_hints_none(nodes, nr, NULL, XEN_NUMA_HINTS_UNAVAILABLE);
	return 0;
}

static inline int xen_numa_hints_pages_to_nodes(struct page **pages,
						unsigned int nr, int *nodes)
{
	xen_numa_hints_none(nodes, nr, NULL, XEN_NUMA_HINTS_UNAVAILABLE);
	return 0;
}

static inline int xen_numa_hints_mfn_to_node_cached(xen_pfn_t mfn)
{
	return NUMA_NO_NODE;
}

static inline int
xen_numa_hints_place_pages(struct page **pages, unsigned int nr, int *nodes,
			   struct xen_numa_hints_placement *p)
{
	xen_numa_hints_none(nodes, nr, p, XEN_NUMA_HINTS_UNAVAILABLE);
	return 0;
}

static inline void xen_numa_hints_vote(const int *nodes, unsigned int nr,
				       struct xen_numa_hints_placement *p)
{
	xen_numa_hints_none(NULL, nr, p, XEN_NUMA_HINTS_UNAVAILABLE);
}

static inline int
xen_numa_hints_served(const struct xen_numa_hints_service *s)
{
	return 0;
}

static inline void xen_numa_hints_unserved(const char *backend,
					   domid_t domid, const char *dev,
					   unsigned int id)
{
}

#define xen_numa_hints_optional_place_pages xen_numa_hints_place_pages
#define xen_numa_hints_optional_pages_to_nodes xen_numa_hints_pages_to_nodes
#define xen_numa_hints_optional_served xen_numa_hints_served
#define xen_numa_hints_optional_unserved xen_numa_hints_unserved

#endif /* IS_REACHABLE(CONFIG_XEN_NUMA_HINTS) */

#endif /* _XEN_NUMA_HINTS_H */
