// SPDX-License-Identifier: GPL-2.0
/*
 * xen-numa-hints: tell dom0 on which host NUMA node Xen keeps a frame.
 *
 * Xen answers XENMEM_get_mfn_pxms (host frames) and XENMEM_get_gfn_pxms
 * (dom0's own frames, grant and foreign mappings included) with the
 * firmware proximity domain (PXM) of each frame; dom0's own ACPI tables map
 * PXMs to its nodes (pxm_to_node()).  This module does the batching, the
 * caching and the mapping once, for the in-kernel API (<xen/numa_hints.h>),
 * /dev/xen/numa_hints and /sys/kernel/xen_numa.  Backends also tell it
 * which queues they serve from where, for /proc/driver/xen_numa_domains
 * (numa-hints-domains.c).
 *
 * What the hypervisor and dom0 offer is decided once, at load, and never
 * again: a hypervisor without the op costs each caller nothing.  Only the
 * PXM -> node map follows memory and CPU hotplug.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/atomic.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <asm/xen/hypercall.h>

#include <xen/interface/memory_pxms.h>
#include <xen/numa_hints.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "numa-hints-internal.h"

MODULE_DESCRIPTION("Xen dom0: host NUMA node of frames, for backends and tools");
MODULE_LICENSE("GPL");

/* Bounds the cache's memory: 16 bytes per entry, so 64 MiB at most. */
#define XNH_CACHE_ENTRIES_MAX	4194304U

static unsigned int cache_entries = 65536;
module_param(cache_entries, uint, 0444);
MODULE_PARM_DESC(cache_entries,
		 "Frames the MFN->PXM cache holds, 16 bytes each (rounded down to a power of two; 0 disables the cache; at most 4194304; default 65536)");

static int xnh_set_min_share(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int rc = kstrtouint(val, 0, &v);

	if (rc)
		return rc;
	if (v > 99)
		return -ERANGE;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops xnh_min_share_ops = {
	.set = xnh_set_min_share,
	.get = param_get_uint,
};

static unsigned int min_share = 50;
module_param_cb(min_share, &xnh_min_share_ops, &min_share, 0644);
MODULE_PARM_DESC(min_share,
		 "Percent (0..99) of a set of frames with a node that one node must hold more than for a placement (default 50: an even split is not placed)");

#ifdef CONFIG_ACPI_NUMA
#define XNH_PXM_LIMIT	MAX_PXM_DOMAINS
#else
#define XNH_PXM_LIMIT	0
#endif

struct xnh_state xnh __ro_after_init;
static struct xnh_pxm_map xnh_pxm_map;

static atomic64_t xnh_counters[XNH_NR_COUNTERS];

/*
 * The MFN -> PXM cache.
 *
 * Only MFN answers are cached.  Xen places a RAM frame on its node once,
 * from the SRAT, and x86 Xen never removes RAM, so a valid answer stays
 * true for as long as Xen runs: nothing invalidates an entry but the
 * flush file, which exists for tests and operators.  Invalid answers are
 * not cached, because a memory hot-add (XENPF_mem_hotadd) can make such a
 * frame RAM later.
 *
 * GFN answers (dom0's own pages) are never cached: dom0's p2m changes
 * under them whenever the balloon driver gives pages back or a grant or
 * foreign mapping comes and goes, so the same GFN may be backed by another
 * host frame on another node a moment later.
 *
 * Sets are locked in stripes: a lookup holds one spinlock for a handful of
 * compares.
 */
#define XNH_CACHE_LOCKS		64
/* Raw: taken with preemption off and from hard IRQs, on PREEMPT_RT too. */
static raw_spinlock_t xnh_cache_locks[XNH_CACHE_LOCKS];
static struct xnh_cache xnh_cache;	/* .nr_sets == 0: no cache */

/*
 * Interrupts are off while a stripe is held: the cache-only lookup may be
 * called from any context, so a holder must not be interrupted by it.
 * @ctx is where the caller keeps the saved flags.
 */
static void xnh_cache_lock(void *ctx, unsigned int set)
	__acquires(&xnh_cache_locks[set % XNH_CACHE_LOCKS])
{
	unsigned long *flags = ctx;

	raw_spin_lock_irqsave(&xnh_cache_locks[set % XNH_CACHE_LOCKS], *flags);
}

static void xnh_cache_unlock(void *ctx, unsigned int set)
	__releases(&xnh_cache_locks[set % XNH_CACHE_LOCKS])
{
	unsigned long *flags = ctx;

	raw_spin_unlock_irqrestore(&xnh_cache_locks[set % XNH_CACHE_LOCKS],
				   *flags);
}

unsigned long xnh_cache_entries(void)
{
	return (unsigned long)xnh_cache.nr_sets * XNH_CACHE_WAYS;
}

void xnh_cache_flush_all(void)
{
	unsigned long flags;
	unsigned int set;

	for (set = 0; set < xnh_cache.nr_sets; set++) {
		xnh_cache_lock(&flags, set);
		xnh_cache_flush_set(&xnh_cache, set);
		xnh_cache_unlock(&flags, set);
		if (set % 1024 == 1023)
			cond_resched();
	}
}

static int xnh_cache_setup(void)
{
	unsigned int sets = xnh_cache_sets_for(cache_entries);
	struct xnh_cache_slot *slot;
	u32 *clock;
	int i;

	for (i = 0; i < XNH_CACHE_LOCKS; i++)
		raw_spin_lock_init(&xnh_cache_locks[i]);
	if (!sets)
		return 0;
	slot = kvcalloc((size_t)sets * XNH_CACHE_WAYS, sizeof(*slot),
			GFP_KERNEL);
	clock = kvcalloc(sets, sizeof(*clock), GFP_KERNEL);
	if (!slot || !clock) {
		kvfree(slot);
		kvfree(clock);
		return -ENOMEM;
	}
	if (xnh_cache_init(&xnh_cache, slot, clock, sets)) {
		pr_err("cache of %u sets refused: not a power of two\n", sets);
		kvfree(slot);
		kvfree(clock);
		return -EINVAL;
	}
	return 0;
}

static void xnh_cache_teardown(void)
{
	kvfree(xnh_cache.slot);
	kvfree(xnh_cache.clock);
	xnh_cache.nr_sets = 0;
}

u64 xnh_counter_read(enum xnh_counter counter)
{
	return atomic64_read(&xnh_counters[counter]);
}

static void xnh_add(enum xnh_counter counter, u64 v)
{
	if (v)
		atomic64_add(v, &xnh_counters[counter]);
}

static void xnh_account(const struct xnh_stats *st)
{
	xnh_add(XNH_HYPERCALLS, st->hypercalls);
	xnh_add(XNH_FRAMES, st->frames);
	xnh_add(XNH_CACHE_HITS, st->cache_hits);
	xnh_add(XNH_CACHE_MISSES, st->cache_misses);
	xnh_add(XNH_INVALID_FRAMES, st->invalid_frames);
	xnh_add(XNH_NO_NODE_FRAMES, st->no_node_frames);
	xnh_add(XNH_ERRORS, st->errors);
}

/* One hypercall about 0..XENMEM_GET_MFN_PXMS_MAX frames. */
static int xnh_hypercall(unsigned int op, const unsigned long *frames,
			 u32 *pxms, unsigned int nr)
{
	struct xen_get_mfn_pxms arg = { .nr_mfns = nr, .flags = 0 };

	/* Xen only reads the frames: the handle type has no const. */
	set_xen_guest_handle(arg.mfns, (xen_pfn_t *)frames);
	set_xen_guest_handle(arg.pxms, pxms);
	/* Bounded work in Xen: no need for xen_preemptible_hcall_begin(). */
	return HYPERVISOR_memory_op(op, &arg);
}

static int xnh_query_mfns(void *ctx, const unsigned long *frames, u32 *pxms,
			  unsigned int nr)
{
	return xnh_hypercall(XENMEM_get_mfn_pxms, frames, pxms, nr);
}

static int xnh_query_gfns(void *ctx, const unsigned long *frames, u32 *pxms,
			  unsigned int nr)
{
	return xnh_hypercall(XENMEM_get_gfn_pxms, frames, pxms, nr);
}

/* Each frame: two frame numbers, two PXMs, a node and an index. */
#define XNH_WORK_SIZE(cap) \
	(sizeof(struct xnh_work) + (size_t)(cap) * \
	 (2 * sizeof(unsigned long) + 2 * sizeof(u32) + sizeof(int) + \
	  sizeof(u32)))

/* Lay out buffers for @cap frames in the XNH_WORK_SIZE(@cap) bytes at @w. */
static void xnh_work_init(struct xnh_work *w, unsigned int cap)
{
	char *p = (char *)(w + 1);

	w->cap = cap;
	w->frames = (unsigned long *)p;
	p += cap * sizeof(unsigned long);
	w->scratch.frames = (unsigned long *)p;
	p += cap * sizeof(unsigned long);
	w->pxms = (u32 *)p;
	p += cap * sizeof(u32);
	w->scratch.pxms = (u32 *)p;
	p += cap * sizeof(u32);
	w->scratch.index = (u32 *)p;
	p += cap * sizeof(u32);
	w->nodes = (int *)p;
	w->scratch.cap = cap;
}

/* Buffers for working through at most min(@nr, XNH_BATCH_MAX) frames. */
struct xnh_work *xnh_work_alloc(unsigned int nr)
{
	unsigned int cap = clamp(nr, 1U, XNH_BATCH_MAX);
	struct xnh_work *w;

	w = kvzalloc(XNH_WORK_SIZE(cap), GFP_KERNEL);
	if (w)
		xnh_work_init(w, cap);
	return w;
}

void xnh_work_free(struct xnh_work *w)
{
	kvfree(w);
}

/* What the answers about frames of @kind are worth. */
enum xnh_status xnh_kind_state(unsigned int kind)
{
	if (kind == XEN_NUMA_HINTS_KIND_GFN && xnh.gfn_probe &&
	    (xnh.status == XNH_ACTIVE || xnh.status == XNH_PXM_ONLY))
		return XNH_UNSUPPORTED;
	return xnh.status;
}

static void xnh_fill_none(u32 *pxms, int *nodes, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (pxms)
			pxms[i] = XEN_INVALID_NUMA_ID;
		nodes[i] = NUMA_NO_NODE;
	}
}

/**
 * xnh_query_chunk() - PXM and dom0 node of up to @w->cap frames
 * @kind: XEN_NUMA_HINTS_KIND_MFN or XEN_NUMA_HINTS_KIND_GFN
 * @frames: host frames (MFN) or dom0's own frames (GFN)
 * @nr: number of frames, at most @w->cap
 * @pxms: OUT: PXM of each frame; NULL if the caller wants nodes only
 * @nodes: OUT: dom0 node of each frame
 * @w: the caller's buffers
 *
 * When hints are unavailable every frame gets XEN_INVALID_NUMA_ID and
 * NUMA_NO_NODE without asking Xen; so does a nodes-only caller when no PXM
 * maps to a dom0 node.
 *
 * Context: Any context; does not sleep or allocate.
 * Return: 0, or a negative errno from the hypervisor.
 */
int xnh_query_chunk(unsigned int kind, const unsigned long *frames,
		    unsigned int nr, u32 *pxms, int *nodes,
		    struct xnh_work *w)
{
	unsigned long flags;
	struct xnh_resolver r = {
		.lock = xnh_cache_lock,
		.unlock = xnh_cache_unlock,
		.ctx = &flags,
		.map = xnh.map,
	};
	enum xnh_status state = xnh_kind_state(kind);
	struct xnh_stats st = { .frames = 0 };
	int rc;

	if (WARN_ON_ONCE(nr > w->cap))
		return -EINVAL;
	if ((state != XNH_ACTIVE && state != XNH_PXM_ONLY) ||
	    (!pxms && !READ_ONCE(xnh.map->nr))) {
		xnh_fill_none(pxms, nodes, nr);
		st.frames = nr;
		xnh_account(&st);
		return 0;
	}
	if (kind == XEN_NUMA_HINTS_KIND_MFN) {
		r.query = xnh_query_mfns;
		r.cache = xnh_cache.nr_sets ? &xnh_cache : NULL;
	} else {
		r.query = xnh_query_gfns;
	}
	rc = xnh_resolve(&r, &w->scratch, frames, nr, pxms ? pxms : w->pxms,
			 nodes, &st);
	xnh_account(&st);
	return rc;
}

/*
 * The in-kernel API works through a request XNH_API_CHUNK frames at a time
 * in a buffer of the CPU it runs on, with preemption off: callers
 * (xenwatch at a backend's connect, say) never wait for an allocation, and
 * each chunk is one bounded hypercall.
 */
#define XNH_API_CHUNK		64U
static struct xnh_work __percpu *xnh_api_work;

static int xnh_api_work_setup(void)
{
	unsigned int cpu;

	xnh_api_work = __alloc_percpu(XNH_WORK_SIZE(XNH_API_CHUNK),
				      __alignof__(unsigned long));
	if (!xnh_api_work)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		xnh_work_init(per_cpu_ptr(xnh_api_work, cpu), XNH_API_CHUNK);
	return 0;
}

/* Nodes of @nr frames of @kind; @frames fills w->frames for each chunk. */
static int xnh_nodes_of(unsigned int kind, unsigned int nr, int *nodes,
			void (*frames)(unsigned long *out, unsigned int first,
				       unsigned int nr, const void *src),
			const void *src)
{
	unsigned int done, n;
	int rc = 0;

	might_sleep();
	for (done = 0; done < nr; done += n) {
		struct xnh_work *w;

		n = min(nr - done, XNH_API_CHUNK);
		w = get_cpu_ptr(xnh_api_work);
		frames(w->frames, done, n, src);
		rc = xnh_query_chunk(kind, w->frames, n, NULL, nodes + done, w);
		put_cpu_ptr(xnh_api_work);
		if (rc)
			break;
		cond_resched();
	}
	if (rc)
		xnh_fill_none(NULL, nodes, nr);
	return rc;
}

static void xnh_frames_of_mfns(unsigned long *out, unsigned int first,
			       unsigned int nr, const void *src)
{
	memcpy(out, (const xen_pfn_t *)src + first, nr * sizeof(*out));
}

static void xnh_frames_of_pages(unsigned long *out, unsigned int first,
				unsigned int nr, const void *src)
{
	struct page * const *pages = src;
	unsigned int i;

	for (i = 0; i < nr; i++)
		out[i] = xen_page_to_gfn(pages[first + i]);
}

/**
 * xen_numa_hints_mfns_to_nodes() - dom0 NUMA node of host machine frames
 * @mfns: host machine frame numbers
 * @nr: number of entries in @mfns and @nodes
 * @nodes: OUT: for each frame, the dom0 node of the host memory it is on
 *
 * Asks Xen where the frames live, at most 64 frames per hypercall, in a
 * per-CPU buffer (nothing is allocated); frames answered before are served
 * from a cache.  A frame that is not
 * host RAM, or lives on a PXM that dom0's ACPI tables do not map to a
 * node, gets NUMA_NO_NODE.  So does every frame when hints are not
 * available (see /sys/kernel/xen_numa/status): callers need no special
 * case.
 *
 * Context: Process context; may sleep between chunks of 64 frames.
 * Return: %0 on success, or the error the hypervisor returned; on error
 * every entry of @nodes is NUMA_NO_NODE.
 */
int xen_numa_hints_mfns_to_nodes(const xen_pfn_t *mfns, unsigned int nr,
				 int *nodes)
{
	return xnh_nodes_of(XEN_NUMA_HINTS_KIND_MFN, nr, nodes,
			    xnh_frames_of_mfns, mfns);
}
EXPORT_SYMBOL_GPL(xen_numa_hints_mfns_to_nodes);

/**
 * xen_numa_hints_pages_to_nodes() - dom0 NUMA node of dom0 pages
 * @pages: dom0 pages, including grant-mapped and foreign-mapped ones
 * @nr: number of entries in @pages and @nodes
 * @nodes: OUT: for each page, the dom0 node of the host memory behind it
 *
 * For a page that maps another domain's memory (a grant mapping in a
 * backend) page_to_nid() says nothing about where that memory is; Xen
 * resolves the page's frame through dom0's p2m and answers for the host
 * frame behind it.  Nothing is cached: dom0's p2m changes whenever the
 * balloon driver or a mapping moves a page.  A page whose p2m entry is
 * not RAM, a grant or a foreign mapping gets NUMA_NO_NODE, as does every
 * page when hints or the GFN op are not available.  Nothing is allocated.
 *
 * Context: Process context; may sleep between chunks of 64 frames.
 * Return: %0 on success, or the error the hypervisor returned; on error
 * every entry of @nodes is NUMA_NO_NODE.
 */
int xen_numa_hints_pages_to_nodes(struct page **pages, unsigned int nr,
				  int *nodes)
{
	return xnh_nodes_of(XEN_NUMA_HINTS_KIND_GFN, nr, nodes,
			    xnh_frames_of_pages, pages);
}
EXPORT_SYMBOL_GPL(xen_numa_hints_pages_to_nodes);

/**
 * xen_numa_hints_mfn_to_node_cached() - dom0 node of a host frame, if known
 * @mfn: host machine frame number
 *
 * For hot paths: answers from the cache only, never asks Xen.  A frame
 * that no earlier query answered gets NUMA_NO_NODE.  Not counted in the
 * module's counters: an atomic per call would cost more than the lookup.
 *
 * Context: Any context but NMI; does not sleep or allocate.
 * Return: the node, or NUMA_NO_NODE.
 */
int xen_numa_hints_mfn_to_node_cached(xen_pfn_t mfn)
{
	unsigned long flags;
	unsigned int set;
	bool hit;
	u32 pxm;

	if (xnh.status != XNH_ACTIVE || !xnh_cache.nr_sets)
		return NUMA_NO_NODE;
	set = xnh_cache_set_of(&xnh_cache, mfn);
	xnh_cache_lock(&flags, set);
	hit = xnh_cache_lookup(&xnh_cache, set, mfn, &pxm);
	xnh_cache_unlock(&flags, set);
	return hit ? xnh_pxm_map_node(xnh.map, pxm) : NUMA_NO_NODE;
}
EXPORT_SYMBOL_GPL(xen_numa_hints_mfn_to_node_cached);

/**
 * xen_numa_hints_vote() - the node a set of frames should be served from
 * @nodes: node of each frame, as the functions above answer
 * @nr: number of entries in @nodes
 * @p: OUT: the vote
 *
 * Frames without a node do not vote.  The node with the most frames
 * (ties: the one seen first in @nodes) is placed on when it holds more
 * than min_share percent (module parameter, default 50) of the frames
 * that have a node; otherwise the verdict is SPLIT and @p->plurality and
 * @p->votes say how close it came.
 *
 * Context: Any context; does not sleep or allocate.
 */
void xen_numa_hints_vote(const int *nodes, unsigned int nr,
			 struct xen_numa_hints_placement *p)
{
	static const enum xen_numa_hints_verdict verdict[] = {
		[XNH_VOTE_PLACED] = XEN_NUMA_HINTS_PLACED,
		[XNH_VOTE_SPLIT] = XEN_NUMA_HINTS_SPLIT,
		[XNH_VOTE_NO_HINT] = XEN_NUMA_HINTS_NO_HINT,
	};
	struct xnh_vote v;

	xnh_vote(nodes, nr, READ_ONCE(min_share), &v);
	p->node = v.node;
	p->verdict = verdict[v.verdict];
	p->plurality = v.plurality;
	p->frames = nr;
	p->hinted = v.hinted;
	p->votes = v.votes;
}
EXPORT_SYMBOL_GPL(xen_numa_hints_vote);

/**
 * xen_numa_hints_place_pages() - where to serve a set of dom0 pages from
 * @pages: dom0 pages: a guest's shared ring pages, grant-mapped, say
 * @nr: number of entries in @pages and @nodes
 * @nodes: OUT: for each page, the node of the host memory behind it
 * @p: OUT: the vote over @nodes (xen_numa_hints_vote())
 *
 * One call for all pages of a queue's rings at connect: one hypercall per
 * 64 pages, nothing allocated.  Verdict UNAVAILABLE when dom0 page queries
 * cannot be answered at all (see /sys/kernel/xen_numa/status), FAILED
 * when the hypervisor failed the query.
 *
 * Context: Process context; may sleep between chunks of 64 pages.
 * Return: %0, or the error the hypervisor returned (verdict FAILED).
 */
int xen_numa_hints_place_pages(struct page **pages, unsigned int nr,
			       int *nodes, struct xen_numa_hints_placement *p)
{
	int rc;

	if (xnh_kind_state(XEN_NUMA_HINTS_KIND_GFN) != XNH_ACTIVE) {
		xnh_fill_none(NULL, nodes, nr);
		xen_numa_hints_none(NULL, nr, p, XEN_NUMA_HINTS_UNAVAILABLE);
		return 0;
	}
	rc = xen_numa_hints_pages_to_nodes(pages, nr, nodes);
	if (rc) {
		xen_numa_hints_none(NULL, nr, p, XEN_NUMA_HINTS_FAILED);
		return rc;
	}
	xen_numa_hints_vote(nodes, nr, p);
	return 0;
}
EXPORT_SYMBOL_GPL(xen_numa_hints_place_pages);

const char *xnh_status_name(enum xnh_status status)
{
	switch (status) {
	case XNH_ACTIVE:
		return "active";
	case XNH_PXM_ONLY:
		return "pxm-only";
	case XNH_UNSUPPORTED:
		return "unsupported";
	case XNH_UNAVAILABLE:
		return "unavailable";
	case XNH_DENIED:
		return "denied";
	}
	return "unknown";
}

/* Ask Xen whether it has @op: a query about no frames touches nothing. */
static int __init xnh_probe(unsigned int op)
{
	atomic64_inc(&xnh_counters[XNH_HYPERCALLS]);
	return xnh_hypercall(op, NULL, NULL, 0);
}

static const char * __init xnh_probe_meaning(int rc)
{
	/* Xen's errno values; on x86 they equal Linux's, as privcmd assumes. */
	switch (rc) {
	case -XEN_ENOSYS:
		return "the hypervisor does not implement it, or has no NUMA support";
	case -XEN_EPERM:
		return "the hypervisor refuses it to this domain";
	case -XEN_EACCES:
		return "the hypervisor's XSM (FLASK) policy denies it to this domain";
	default:
		return "an answer no hypervisor should give to a probe";
	}
}

/*
 * An SRAT may name PXMs which have neither CPUs nor memory: firmware lists
 * the processors of empty sockets, and Xen lists one absent processor for
 * each PXM the host lacks so that dom0's node ids come out equal to the
 * host's PXMs.  Linux reserves a node id for those but never brings the node
 * online, and a hint to it would place nothing: only online nodes are
 * handed out, checked at every lookup, since a node can go offline (all of
 * its memory and CPUs hot-removed) and another come online at any time.
 */
static bool xnh_node_usable(int nid)
{
	return node_online(nid);
}

/*
 * Hot-added memory or CPUs may bring a PXM the SRAT did not name (ACPI
 * gives it a node id then): read the kernel's map again after each event.
 */
static DEFINE_MUTEX(xnh_map_lock);
static enum cpuhp_state xnh_cpuhp_state;

static void xnh_map_reread(const char *why)
{
	unsigned int changed;

	mutex_lock(&xnh_map_lock);
	changed = xnh_pxm_map_update(xnh.map, pxm_to_node);
	mutex_unlock(&xnh_map_lock);
	xnh_add(XNH_MAP_REREADS, 1);
	if (changed)
		pr_info("%s: %u PXMs changed node; %u PXMs map to online dom0 nodes\n",
			why, changed, READ_ONCE(xnh.map->nr_mapped));
}

/*
 * Onlining memory is where a hot-added PXM first has a node; offlining
 * changes no mapping today (the node goes offline only when the memory is
 * removed, which no lookup misses: node_online() is asked each time), and
 * is re-read all the same so that a future pxm_to_node() change is seen.
 */
static int xnh_memory_event(struct notifier_block *nb, unsigned long action,
			    void *arg)
{
	if (action == MEM_ONLINE || action == MEM_OFFLINE)
		xnh_map_reread(action == MEM_ONLINE ? "memory online"
						     : "memory offline");
	return NOTIFY_OK;
}

static struct notifier_block xnh_memory_nb = {
	.notifier_call = xnh_memory_event,
};

static int xnh_cpu_online(unsigned int cpu)
{
	xnh_map_reread("CPU online");
	return 0;
}

/* Only a map that answers nodes needs to follow the kernel's. */
static int xnh_hotplug_init(void)
{
	int rc;

	if (!xnh.map->node)
		return 0;
	rc = register_memory_notifier(&xnh_memory_nb);
	if (rc)
		return rc;
	rc = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
				       "xen/numa_hints:online",
				       xnh_cpu_online, NULL);
	if (rc < 0) {
		unregister_memory_notifier(&xnh_memory_nb);
		return rc;
	}
	xnh_cpuhp_state = rc;
	/* An event may have come between the first read and the notifiers. */
	mutex_lock(&xnh_map_lock);
	xnh_pxm_map_update(xnh.map, pxm_to_node);
	mutex_unlock(&xnh_map_lock);
	return 0;
}

static void xnh_hotplug_exit(void)
{
	if (!xnh.map->node)
		return;
	cpuhp_remove_state_nocalls(xnh_cpuhp_state);
	unregister_memory_notifier(&xnh_memory_nb);
}

/* Decide xnh.status and xnh.reason; the one place the hypervisor is probed. */
static int __init xnh_decide(void)
{
	int *node;

	if (xen_pv_domain()) {
		xnh.status = XNH_UNAVAILABLE;
		strscpy(xnh.reason,
			"dom0 is a PV domain: Linux ignores the ACPI SRAT there, so its memory has no NUMA layout to map frames to",
			sizeof(xnh.reason));
		return 0;
	}
	if (!IS_ENABLED(CONFIG_ACPI_NUMA) || !XNH_PXM_LIMIT) {
		xnh.status = XNH_UNAVAILABLE;
		strscpy(xnh.reason,
			"this kernel is built without ACPI NUMA support, so it cannot map PXMs to nodes",
			sizeof(xnh.reason));
		return 0;
	}

	xnh.probed = true;
	xnh.mfn_probe = xnh_probe(XENMEM_get_mfn_pxms);
	xnh.gfn_probe = xnh_probe(XENMEM_get_gfn_pxms);
	if (xnh.mfn_probe) {
		/* A policy's no is an answer, not a hypervisor without the op. */
		xnh.status = xnh.mfn_probe == -XEN_EACCES ? XNH_DENIED
							  : XNH_UNSUPPORTED;
		snprintf(xnh.reason, sizeof(xnh.reason),
			 "XENMEM_get_mfn_pxms probe failed with %pe: %s",
			 ERR_PTR(xnh.mfn_probe),
			 xnh_probe_meaning(xnh.mfn_probe));
		if (xnh.mfn_probe != -XEN_ENOSYS &&
		    xnh.mfn_probe != -XEN_EPERM &&
		    xnh.mfn_probe != -XEN_EACCES)
			pr_warn("unexpected probe result %pe\n",
				ERR_PTR(xnh.mfn_probe));
		return 0;
	}

	node = kcalloc(XNH_PXM_LIMIT, sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	xnh_pxm_map_build(xnh.map, node, XNH_PXM_LIMIT, pxm_to_node,
			  xnh_node_usable);
	if (xnh.map->nr_mapped) {
		xnh.status = XNH_ACTIVE;
		if (xnh.gfn_probe)
			snprintf(xnh.reason, sizeof(xnh.reason),
				 "%u PXMs map to dom0 nodes; dom0 page queries answer NUMA_NO_NODE: XENMEM_get_gfn_pxms probe failed with %pe",
				 xnh.map->nr_mapped, ERR_PTR(xnh.gfn_probe));
		else
			snprintf(xnh.reason, sizeof(xnh.reason),
				 "%u PXMs map to dom0 nodes", xnh.map->nr_mapped);
	} else {
		xnh.status = XNH_PXM_ONLY;
		strscpy(xnh.reason,
			"dom0 has no PXM->node map (no SRAT, or NUMA disabled): PXMs are answered, every node is NUMA_NO_NODE",
			sizeof(xnh.reason));
	}
	return 0;
}

static int __init xnh_init(void)
{
	int rc;

	BUILD_BUG_ON(XNH_NO_NODE != NUMA_NO_NODE);
	BUILD_BUG_ON(XNH_INVALID_PXM != XEN_INVALID_NUMA_ID);
	BUILD_BUG_ON(XNH_BATCH_MAX != XENMEM_GET_MFN_PXMS_MAX);
	BUILD_BUG_ON(XEN_NUMA_HINTS_INVALID_PXM != XEN_INVALID_NUMA_ID);
	BUILD_BUG_ON(XEN_NUMA_HINTS_NO_NODE != NUMA_NO_NODE);
	/* Frames cross the ABI as u64 and reach Xen as xen_pfn_t. */
	BUILD_BUG_ON(sizeof(xen_pfn_t) != sizeof(unsigned long));
	BUILD_BUG_ON(sizeof(unsigned long) != sizeof(u64));

	xnh.map = &xnh_pxm_map;
	if (!xen_domain()) {
		pr_info("not running on Xen\n");
		return -ENODEV;
	}
	if (!xen_initial_domain()) {
		pr_info("not the initial domain: only dom0 may learn where host memory is\n");
		return -ENODEV;
	}
	if (cache_entries > XNH_CACHE_ENTRIES_MAX) {
		pr_err("cache_entries=%u is above the limit of %u\n",
		       cache_entries, XNH_CACHE_ENTRIES_MAX);
		return -EINVAL;
	}

	rc = xnh_decide();
	if (rc)
		goto err_decide;
	/* Only hints that work are worth caching. */
	if (xnh.status == XNH_ACTIVE || xnh.status == XNH_PXM_ONLY) {
		rc = xnh_cache_setup();
		if (rc)
			goto err_cache;
	}
	rc = xnh_api_work_setup();
	if (rc)
		goto err_work;
	rc = xnh_sysfs_init();
	if (rc)
		goto err_sysfs;
	rc = xnh_dev_init();
	if (rc)
		goto err_dev;
	rc = xnh_view_init();
	if (rc)
		goto err_view;
	rc = xnh_hotplug_init();
	if (rc)
		goto err_hotplug;

	pr_info("%s: %s\n", xnh_status_name(xnh.status), xnh.reason);
	return 0;

err_hotplug:
	xnh_view_exit();
err_view:
	xnh_dev_exit();
err_dev:
	xnh_sysfs_exit();
err_sysfs:
	free_percpu(xnh_api_work);
err_work:
	xnh_cache_teardown();
err_cache:
	kfree(xnh.map->node);
err_decide:
	pr_err("cannot load: %pe\n", ERR_PTR(rc));
	return rc;
}
module_init(xnh_init);

static void __exit xnh_exit(void)
{
	xnh_hotplug_exit();
	xnh_view_exit();
	xnh_dev_exit();
	xnh_sysfs_exit();
	free_percpu(xnh_api_work);
	xnh_cache_teardown();
	kfree(xnh.map->node);
}
module_exit(xnh_exit);
