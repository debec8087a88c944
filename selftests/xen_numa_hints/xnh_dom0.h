/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the dom0 selftest and the benchmark of xen-numa-hints share: the
 * device, the sysfs files, and frames that are surely RAM on a known PXM.
 */
#ifndef XNH_DOM0_H
#define XNH_DOM0_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/numa_hints.h>

#include "../lib/xnh_expect.h"

#define XNH_DEV		"/dev/xen/numa_hints"
#define XNH_SYSFS	"/sys/kernel/xen_numa"
#define XNH_PAGE_SHIFT	12
#define XNH_MIB_FRAMES	(1ULL << (20 - XNH_PAGE_SHIFT))
#define XNH_MAX_RANGES	64

/* First line of @path into @buf without the newline; 0 or -errno. */
static inline int xnh_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		err = ferror(f) ? -EIO : -ENODATA;
		fclose(f);
		return err;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A counter from /sys/kernel/xen_numa/counters, or ~0 if unreadable. */
static inline unsigned long long xnh_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), XNH_SYSFS "/counters/%s", name);
	if (xnh_read_line(path, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 10);
}

struct xnh_counters {
	unsigned long long hypercalls, frames, cache_hits, cache_misses;
	unsigned long long invalid_frames, no_node_frames, errors;
};

static inline void xnh_counters_read(struct xnh_counters *c)
{
	c->hypercalls = xnh_counter("hypercalls");
	c->frames = xnh_counter("frames");
	c->cache_hits = xnh_counter("cache_hits");
	c->cache_misses = xnh_counter("cache_misses");
	c->invalid_frames = xnh_counter("invalid_frames");
	c->no_node_frames = xnh_counter("no_node_frames");
	c->errors = xnh_counter("errors");
}

/* Write @val to a sysfs file; 0 or -errno. */
static inline int xnh_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static inline int xnh_cache_flush(void)
{
	return xnh_write(XNH_SYSFS "/cache_flush", "1\n");
}

/* One ioctl; returns 0 or the errno it failed with. */
static inline int xnh_query(int fd, __u32 kind, const __u64 *frames, __u32 nr,
			    __u32 *pxms, __s32 *nodes, __u32 *state)
{
	struct xen_numa_hints_query q = {
		.frames = (unsigned long)frames,
		.pxms = (unsigned long)pxms,
		.nodes = (unsigned long)nodes,
		.nr = nr,
		.kind = kind,
	};

	if (ioctl(fd, IOCTL_XEN_NUMA_HINTS_QUERY, &q))
		return errno;
	if (state)
		*state = q.state;
	return 0;
}

/*
 * Host RAM of one PXM that is RAM beyond doubt: a range from PXM_MEM
 * without its first and last MiB (and never the first 2 MiB of the
 * machine), where firmware keeps its holes and tables.
 */
struct xnh_ram {
	unsigned int pxm;
	unsigned long long first, last;	/* frames, inclusive */
	unsigned long long start, end;	/* the whole range, frames [start, end) */
};

static inline int xnh_ram_ranges(struct xnh_ram *ram, int max)
{
	struct xnh_mem_range r[XNH_MAX_RANGES];
	int n = xnh_expect_mem_ranges(r, XNH_MAX_RANGES), i, k = 0;

	for (i = 0; i < n && k < max; i++) {
		unsigned long long lo = r[i].start >> XNH_PAGE_SHIFT;
		unsigned long long hi = r[i].end >> XNH_PAGE_SHIFT;

		ram[k].pxm = r[i].pxm;
		ram[k].start = lo;
		ram[k].end = hi;
		if (lo < XNH_MIB_FRAMES)
			lo = XNH_MIB_FRAMES;
		lo += XNH_MIB_FRAMES;
		if (hi < lo + 2 * XNH_MIB_FRAMES)
			continue;
		ram[k].first = lo;
		ram[k].last = hi - XNH_MIB_FRAMES - 1;
		k++;
	}
	return n < 0 ? -1 : k;
}

/* Is @frame inside any PXM_MEM range (RAM or not)? */
static inline int xnh_in_any_range(const struct xnh_ram *ram, int n,
				   unsigned long long frame)
{
	int i;

	for (i = 0; i < n; i++)
		if (frame >= ram[i].start && frame < ram[i].end)
			return 1;
	return 0;
}

/*
 * @nr distinct RAM frames with their PXMs, @skip frames into each range,
 * taken round robin from the ranges that still have room, consecutive
 * within a range.  Returns 0, or -1 if the ranges hold fewer.
 */
static inline int xnh_pick_frames(const struct xnh_ram *ram, int nram,
				  __u64 *frames, __u32 *pxms, unsigned int nr,
				  unsigned long long skip)
{
	unsigned long long next[XNH_MAX_RANGES];
	unsigned int i;
	int r, k;

	if (nram <= 0 || nram > XNH_MAX_RANGES)
		return -1;
	for (r = 0; r < nram; r++)
		next[r] = ram[r].first + skip;
	for (i = 0, r = 0; i < nr; i++) {
		for (k = 0; k < nram && next[r] > ram[r].last; k++)
			r = (r + 1) % nram;
		if (k == nram)
			return -1;
		frames[i] = next[r]++;
		if (pxms)
			pxms[i] = ram[r].pxm;
		r = (r + 1) % nram;
	}
	return 0;
}

/* Does dom0 have a SRAT, i.e. a PXM -> node map of its own? */
static inline int xnh_dom0_has_srat(void)
{
	return access("/sys/firmware/acpi/tables/SRAT", F_OK) == 0;
}

/*
 * Should dom0 have a SRAT?  Only when Xen's dom0 vNUMA is on (DOM0_VNUMA in
 * the rig's expect file; xen_dom0_numa checks that Xen agrees).  Without
 * the key (a run by hand), whatever dom0 has.
 */
static inline int xnh_dom0_expect_srat(void)
{
	switch (xnh_expect_dom0_vnuma()) {
	case XNH_DOM0_VNUMA_ON:
		return 1;
	case XNH_DOM0_VNUMA_OFF:
	case XNH_DOM0_VNUMA_STOCK:
		return 0;
	default:
		return xnh_dom0_has_srat();
	}
}

/* The dom0 node a CPU is on, from /sys/devices/system/cpu/cpuN/nodeM. */
static inline int xnh_cpu_node(unsigned int cpu)
{
	char path[64];
	struct dirent *d;
	int node = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", cpu);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "node", 4) &&
		    d->d_name[4] >= '0' && d->d_name[4] <= '9') {
			node = atoi(d->d_name + 4);
			break;
		}
	closedir(dir);
	return node;
}

/*
 * The dom0 node that PXM @pxm should map to.  dom0's vCPU N is pinned to
 * host CPU N, so the node of the first host CPU of the PXM (PXM_CPUS) is
 * where dom0 put that PXM; without a SRAT (see xnh_dom0_expect_srat()) there
 * is no node.  Returns -2 if the PXM has no CPU to tell by.
 */
static inline int xnh_expected_node(unsigned int pxm)
{
	char buf[512], *tok, *save;

	if (!xnh_dom0_expect_srat())
		return -1;
	if (xnh_expect_get("PXM_CPUS", buf, sizeof(buf)))
		return -2;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		unsigned int p, cpu;

		if (sscanf(tok, "%u:%u", &p, &cpu) == 2 && p == pxm)
			return xnh_cpu_node(cpu);
	}
	return -2;
}

/*
 * The test module api_test/xnh_api_test.ko (installed next to the
 * xnh_api_test program) and its mfns= parameter: one RAM frame of each
 * range with its expected node (the PXM where dom0's nodes are the host's,
 * else none), and two frames that are not RAM.
 */
#define XNH_API_TEST_KO		"/opt/xnh/selftests/xen_numa_hints/xnh_api_test.ko"
#define XNH_NON_RAM_APIC	0xfee00ULL
#define XNH_NON_RAM_1T		0x10000000ULL	/* 1 TiB, in 4 KiB frames */

static inline int xnh_api_mfns_param(char *buf, size_t len, int placed)
{
	struct xnh_ram ram[XNH_MAX_RANGES];
	int n = xnh_ram_ranges(ram, XNH_MAX_RANGES), i;
	size_t off = 0;

	if (n <= 0)
		return -1;
	for (i = 0; i < n && i < 16; i++)
		off += snprintf(buf + off, len - off, "%llx:%d,",
				ram[i].first, placed ? (int)ram[i].pxm : -1);
	snprintf(buf + off, len - off, "%llx:-1,%llx:-1", XNH_NON_RAM_APIC,
		 XNH_NON_RAM_1T);
	return off < len ? 0 : -1;
}

#endif /* XNH_DOM0_H */
