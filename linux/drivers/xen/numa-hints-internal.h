/* SPDX-License-Identifier: GPL-2.0 */
/* What the parts of xen-numa-hints (core, sysfs, device, view) share. */
#ifndef XEN_NUMA_HINTS_INTERNAL_H
#define XEN_NUMA_HINTS_INTERNAL_H

#include <linux/types.h>
#include <uapi/xen/numa_hints.h>

#include "numa-hints-logic.h"

/* Whether hints work; the numbers are the ioctl's @state values. */
enum xnh_status {
	XNH_ACTIVE = XEN_NUMA_HINTS_STATE_ACTIVE,
	XNH_PXM_ONLY = XEN_NUMA_HINTS_STATE_PXM_ONLY,
	XNH_UNSUPPORTED = XEN_NUMA_HINTS_STATE_UNSUPPORTED,
	XNH_UNAVAILABLE = XEN_NUMA_HINTS_STATE_UNAVAILABLE,
	XNH_DENIED = XEN_NUMA_HINTS_STATE_DENIED,
};

/* Decided once at load, read-only afterwards. */
struct xnh_state {
	enum xnh_status status;
	char reason[256];
	bool probed;		/* the hypervisor was asked at all */
	int mfn_probe;		/* XENMEM_get_mfn_pxms with nr 0: 0 or -errno */
	int gfn_probe;		/* XENMEM_get_gfn_pxms likewise */
	/* re-read on hotplug, so not in this read-only-after-init state */
	struct xnh_pxm_map *map;
};

extern struct xnh_state xnh;

enum xnh_counter {
	XNH_HYPERCALLS,
	XNH_FRAMES,
	XNH_CACHE_HITS,
	XNH_CACHE_MISSES,
	XNH_INVALID_FRAMES,
	XNH_NO_NODE_FRAMES,
	XNH_ERRORS,
	XNH_MAP_REREADS,
	XNH_NR_COUNTERS
};

/*
 * Buffers for one caller working through up to @cap frames at a time:
 * @frames, @pxms and @nodes hold the caller's chunk, @scratch the misses
 * gathered for one hypercall.
 */
struct xnh_work {
	unsigned int cap;
	unsigned long *frames;
	u32 *pxms;
	int *nodes;
	struct xnh_scratch scratch;
};

struct xnh_work *xnh_work_alloc(unsigned int nr);
void xnh_work_free(struct xnh_work *w);
enum xnh_status xnh_kind_state(unsigned int kind);
int xnh_query_chunk(unsigned int kind, const unsigned long *frames,
		    unsigned int nr, u32 *pxms, int *nodes,
		    struct xnh_work *w);

const char *xnh_status_name(enum xnh_status status);
u64 xnh_counter_read(enum xnh_counter counter);
unsigned long xnh_cache_entries(void);
void xnh_cache_flush_all(void);

/* The per-domain view: /proc/driver/xen_numa_domains and its entries. */
int xnh_view_init(void);
void xnh_view_exit(void);

int xnh_sysfs_init(void);
void xnh_sysfs_exit(void);
int xnh_dev_init(void);
void xnh_dev_exit(void);

#endif /* XEN_NUMA_HINTS_INTERNAL_H */
