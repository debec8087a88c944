/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure logic of xen-numa-hints: splitting frame lookups into hypercall
 * batches, the MFN -> PXM cache, the PXM -> node map, the vote and the
 * order and format of the per-domain view.
 *
 * Debian's kernels have no KUnit, so this file and numa-hints-logic.c use
 * no kernel header beyond fixed-width types: the same sources are built
 * into the module and into the host unit tests (unit/).  Whatever touches
 * the kernel (hypercalls, locks, pxm_to_node()) is a callback the caller
 * supplies.
 */
#ifndef XEN_NUMA_HINTS_LOGIC_H
#define XEN_NUMA_HINTS_LOGIC_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
/* One whole access each; the module's map is read while it is updated. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#endif

/* Frames per hypercall: Xen's XENMEM_GET_MFN_PXMS_MAX. */
#define XNH_BATCH_MAX		1024U
/* Xen's XEN_INVALID_NUMA_ID: the answer for a frame that is not RAM. */
#define XNH_INVALID_PXM		0xffffffffU
/* Linux's NUMA_NO_NODE. */
#define XNH_NO_NODE		(-1)

/* Hypercalls needed for @nr uncached frames. */
static inline unsigned long xnh_nr_batches(unsigned long nr)
{
	return nr / XNH_BATCH_MAX + (nr % XNH_BATCH_MAX != 0);
}

/*
 * PXM -> node map: what the dom0 kernel's own SRAT says, read with
 * pxm_to_node() for every PXM the kernel can map, at load and again after
 * each hotplug event (xnh_pxm_map_update()).  Lookups take no lock: each
 * entry is read and written whole, and @node never moves or shrinks.
 */
struct xnh_pxm_map {
	/* node[pxm] for pxm < @limit: the kernel's node id, or XNH_NO_NODE */
	int *node;
	unsigned int limit;
	/* highest PXM ever given a node + 1; only grows (lookups bound) */
	unsigned int nr;
	/* how many PXMs map to a node that is usable, as of the last read */
	unsigned int nr_mapped;
	/*
	 * NULL, or whether a node may be handed out now: a node id stays
	 * assigned to its PXM after the node went offline.
	 */
	bool (*usable)(int node);
};

void xnh_pxm_map_build(struct xnh_pxm_map *map, int *node, unsigned int limit,
		       int (*pxm_to_node)(int pxm), bool (*usable)(int node));
unsigned int xnh_pxm_map_update(struct xnh_pxm_map *map,
				int (*pxm_to_node)(int pxm));
int xnh_pxm_map_node(const struct xnh_pxm_map *map, u32 pxm);
unsigned int xnh_pxm_map_next(const struct xnh_pxm_map *map, unsigned int pxm);

/*
 * MFN -> PXM cache: set-associative, XNH_CACHE_WAYS entries per set,
 * least recently used entry of a set evicted first.  It does no locking:
 * every call names a set, and the caller holds whatever lock covers it.
 */
#define XNH_CACHE_WAYS		8U

struct xnh_cache_slot {
	unsigned long frame;
	u32 pxm;		/* XNH_INVALID_PXM: slot is empty */
	u32 stamp;		/* set's clock at last use */
};

struct xnh_cache {
	struct xnh_cache_slot *slot;	/* nr_sets * XNH_CACHE_WAYS */
	u32 *clock;			/* per set: uses so far */
	unsigned int nr_sets;		/* a power of two */
	unsigned int set_shift;		/* 64 - log2(nr_sets) */
};

unsigned int xnh_cache_sets_for(unsigned long entries);
int xnh_cache_init(struct xnh_cache *cache, struct xnh_cache_slot *slot,
		   u32 *clock, unsigned int nr_sets);
unsigned int xnh_cache_set_of(const struct xnh_cache *cache,
			      unsigned long frame);
bool xnh_cache_lookup(struct xnh_cache *cache, unsigned int set,
		      unsigned long frame, u32 *pxm);
void xnh_cache_insert(struct xnh_cache *cache, unsigned int set,
		      unsigned long frame, u32 pxm);
void xnh_cache_flush_set(struct xnh_cache *cache, unsigned int set);

/* What one xnh_resolve() call did; the caller adds it to its counters. */
struct xnh_stats {
	u64 frames;		/* frames asked about */
	u64 hypercalls;		/* queries issued */
	u64 cache_hits;
	u64 cache_misses;
	u64 invalid_frames;	/* answered XNH_INVALID_PXM */
	u64 no_node_frames;	/* valid PXM, but dom0 has no node for it */
	u64 errors;		/* queries that failed */
};

struct xnh_resolver {
	/*
	 * Ask the hypervisor about 1..XNH_BATCH_MAX frames: fill @pxms, one
	 * PXM or XNH_INVALID_PXM per frame.  Returns 0 or a negative errno.
	 */
	int (*query)(void *ctx, const unsigned long *frames, u32 *pxms,
		     unsigned int nr);
	/* Take and drop the lock covering cache set @set. */
	void (*lock)(void *ctx, unsigned int set);
	void (*unlock)(void *ctx, unsigned int set);
	void *ctx;
	/* NULL: nothing is looked up in or added to a cache */
	struct xnh_cache *cache;
	/* NULL: every node is XNH_NO_NODE */
	const struct xnh_pxm_map *map;
};

/* Room for one batch of cache misses; @cap is 1..XNH_BATCH_MAX. */
struct xnh_scratch {
	unsigned long *frames;
	u32 *pxms;
	u32 *index;
	unsigned int cap;
};

int xnh_resolve(const struct xnh_resolver *r, const struct xnh_scratch *s,
		const unsigned long *frames, unsigned int nr, u32 *pxms,
		int *nodes, struct xnh_stats *stats);

int xnh_plurality_node(const int *nodes, unsigned int nr);

/* The verdicts of <xen/numa_hints.h>'s enum xen_numa_hints_verdict. */
enum xnh_vote_verdict {
	XNH_VOTE_PLACED,
	XNH_VOTE_SPLIT,
	XNH_VOTE_NO_HINT,
};

struct xnh_vote {
	int node;		/* the winner, or XNH_NO_NODE */
	enum xnh_vote_verdict verdict;
	int plurality;		/* the node with the most frames */
	unsigned int hinted;	/* frames with a node */
	unsigned int votes;	/* frames on @plurality */
};

void xnh_vote(const int *nodes, unsigned int nr, unsigned int min_share,
	      struct xnh_vote *v);

/*
 * The per-domain view (/proc/driver/xen_numa_domains): one line per queue
 * a backend serves, sorted by xnh_svc_cmp(), formatted by xnh_svc_format().
 * The bounds are <xen/numa_hints.h>'s XEN_NUMA_HINTS_SERVICE_*.
 */
#define XNH_SVC_NAME_LEN	16	/* backend, NUL included */
#define XNH_SVC_DEV_LEN		32	/* device, NUL included */
#define XNH_SVC_PIDS		4
#define XNH_SVC_IRQS		2

/* What identifies a line: an entry served again with the same key replaces it. */
struct xnh_svc_key {
	unsigned int domid;
	char backend[XNH_SVC_NAME_LEN];
	char dev[XNH_SVC_DEV_LEN];
	unsigned int id;
};

bool xnh_svc_name_valid(const char *s, size_t len);
int xnh_svc_cmp(const struct xnh_svc_key *a, const struct xnh_svc_key *b);

/* Whether a queue is served on its node's CPUs, as the line says it. */
enum xnh_local {
	XNH_LOCAL_NA,		/* no node, or nothing left to look at: "-" */
	XNH_LOCAL_YES,
	XNH_LOCAL_NO,
};

enum xnh_local xnh_local_of(int node, unsigned int checked,
			    unsigned int outside);

/* One line of the view, with what the kernel worked out at read time. */
struct xnh_svc_line {
	const struct xnh_svc_key *key;
	const char *verdict;
	int node;
	unsigned int votes;
	unsigned int hinted;
	const char *cpus;	/* the node's cpulist; NULL or "" prints "-" */
	unsigned int nr_pids;
	const int *pids;	/* 0 or less: the thread has exited, "-" */
	unsigned int nr_irqs;
	const unsigned int *irqs;
	enum xnh_local local;
};

size_t xnh_svc_format(char *buf, size_t len, const struct xnh_svc_line *l);

#endif /* XEN_NUMA_HINTS_LOGIC_H */
