// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of xen-numa-hints in dom0 (make bench; not part of make check).
 *
 * Everything is timed from user space with CLOCK_MONOTONIC around the
 * device's ioctl, and the hypercalls are counted with the module's sysfs
 * counters, so every per-frame cost includes the ioctl and the copies.
 * The in-kernel cost alone, the cached lookup a hot path may make against
 * page_to_nid(), is timed inside the kernel by the API test module
 * (api_test/xnh_api_test.ko, case "bench").
 *
 * Reports, one "name value unit" line each:
 *   hypercalls per million uncached frames (expected: 1024)
 *   ns per frame, uncached, 1024 frames per call and 1 frame per call
 *   ns per frame, cached, likewise
 *   ns per page for dom0 pages by GFN (never cached, 1024 per call)
 *   ns per page for move_pages() without targets: Linux's page_to_nid()
 *   as close as user space gets
 *   ps per in-kernel lookup: xen_numa_hints_mfn_to_node_cached() and
 *   page_to_nid(), and their ratio
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "xnh_dom0.h"

#define NR_FRAMES	8192U		/* fits the default cache */
#define NR_MILLION	262144U		/* frames for the hypercall count */
#define ROUNDS		3		/* best of */

static int fd;

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_numa_hints: %s: %s\n", what, strerror(err));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Query @nr frames @per_call at a time; returns the elapsed ns. */
static double timed_queries(__u32 kind, const __u64 *frames, unsigned int nr,
			    unsigned int per_call, __u32 *pxms, __s32 *nodes)
{
	double t0 = now_ns();
	unsigned int done;
	int err;

	for (done = 0; done < nr; done += per_call) {
		unsigned int n = nr - done < per_call ? nr - done : per_call;

		err = xnh_query(fd, kind, frames + done, n, pxms + done,
				nodes + done, NULL);
		if (err)
			die("query", err);
	}
	return now_ns() - t0;
}

/* Best of ROUNDS, per frame; @flush empties the cache before each round. */
static double per_frame(__u32 kind, const __u64 *frames, unsigned int nr,
			unsigned int per_call, int flush, __u32 *pxms,
			__s32 *nodes)
{
	double best = 0;
	int r, err;

	for (r = 0; r < ROUNDS; r++) {
		double t;

		if (flush) {
			err = xnh_cache_flush();
			if (err)
				die("cache_flush", -err);
		}
		t = timed_queries(kind, frames, nr, per_call, pxms, nodes);
		if (!r || t < best)
			best = t;
	}
	return best / nr;
}

#define API_PARAMS	"/sys/module/xnh_api_test/parameters"

/* The test module's "bench" case: its result line, parsed. */
static int kernel_lookups(void)
{
	unsigned long long cached_ps, nid_ps;
	char cmd[1024], mfns[700], result[300];
	int rc;

	if (xnh_api_mfns_param(mfns, sizeof(mfns),
			       xnh_expect_backends_placed()))
		die("no usable PXM_MEM for the test module", ERANGE);
	snprintf(cmd, sizeof(cmd), "insmod " XNH_API_TEST_KO " expect=%s mfns=%s",
		 xnh_expect_backends_placed() ? "placed" : "unavailable", mfns);
	if (system(cmd))
		die(cmd, EIO);
	rc = xnh_write(API_PARAMS "/run", "bench");
	if (xnh_read_line(API_PARAMS "/result", result, sizeof(result)))
		snprintf(result, sizeof(result), "(no result)");
	if (system("rmmod xnh_api_test"))
		fprintf(stderr, "bench_numa_hints: rmmod xnh_api_test failed\n");
	if (rc || sscanf(result, "bench: mfn_to_node_cached %llu ps, page_to_nid %llu ps",
			 &cached_ps, &nid_ps) != 2) {
		fprintf(stderr, "bench_numa_hints: the test module's bench: %s\n",
			result);
		return 1;
	}
	printf("kernel_mfn_to_node_cached %llu ps/lookup\n", cached_ps);
	printf("kernel_page_to_nid %llu ps/lookup\n", nid_ps);
	printf("kernel_cached_against_page_to_nid %.1f x\n",
	       nid_ps ? (double)cached_ps / nid_ps : 0.0);
	return 0;
}

int main(void)
{
	struct xnh_ram ram[XNH_MAX_RANGES];
	struct xnh_counters before, after;
	long psz = sysconf(_SC_PAGESIZE);
	__u64 *frames, *gfns;
	__u32 *pxms;
	__s32 *nodes;
	void **pages;
	int *status, nram, pm, r;
	unsigned int i;
	char buf[64], *mem;
	double best;

	if (system("modprobe xen-numa-hints"))
		die("modprobe xen-numa-hints", EIO);
	fd = open(XNH_DEV, O_RDWR);
	if (fd < 0)
		die(XNH_DEV, errno);
	if (xnh_read_line(XNH_SYSFS "/status", buf, sizeof(buf)))
		die(XNH_SYSFS "/status", EIO);
	printf("status %s\n", buf);
	if (strcmp(buf, "active") && strcmp(buf, "pxm-only")) {
		fprintf(stderr, "bench_numa_hints: hints are %s: nothing to measure\n",
			buf);
		return 1;
	}
	nram = xnh_ram_ranges(ram, XNH_MAX_RANGES);
	frames = calloc(NR_MILLION, sizeof(*frames));
	gfns = calloc(NR_FRAMES, sizeof(*gfns));
	pxms = calloc(NR_MILLION, sizeof(*pxms));
	nodes = calloc(NR_MILLION, sizeof(*nodes));
	pages = calloc(NR_FRAMES, sizeof(*pages));
	status = calloc(NR_FRAMES, sizeof(*status));
	if (!frames || !gfns || !pxms || !nodes || !pages || !status)
		die("calloc", ENOMEM);
	if (xnh_pick_frames(ram, nram, frames, NULL, NR_MILLION, 0))
		die("not enough RAM frames in PXM_MEM", ERANGE);

	/* hypercalls per million uncached frames, in calls of 2^20 at most */
	if (xnh_cache_flush())
		die("cache_flush", EIO);
	xnh_counters_read(&before);
	timed_queries(XEN_NUMA_HINTS_KIND_MFN, frames, NR_MILLION,
		      XEN_NUMA_HINTS_MAX_FRAMES, pxms, nodes);
	xnh_counters_read(&after);
	printf("hypercalls_per_million_uncached_frames %.1f calls\n",
	       (after.hypercalls - before.hypercalls) * 1e6 / NR_MILLION);

	printf("mfn_uncached_batch1024 %.1f ns/frame\n",
	       per_frame(XEN_NUMA_HINTS_KIND_MFN, frames, NR_FRAMES, 1024, 1,
			 pxms, nodes));
	printf("mfn_uncached_batch1 %.1f ns/frame\n",
	       per_frame(XEN_NUMA_HINTS_KIND_MFN, frames, NR_FRAMES, 1, 1,
			 pxms, nodes));
	xnh_counters_read(&before);
	printf("mfn_cached_batch1024 %.1f ns/frame\n",
	       per_frame(XEN_NUMA_HINTS_KIND_MFN, frames, NR_FRAMES, 1024, 0,
			 pxms, nodes));
	printf("mfn_cached_batch1 %.1f ns/frame\n",
	       per_frame(XEN_NUMA_HINTS_KIND_MFN, frames, NR_FRAMES, 1, 0,
			 pxms, nodes));
	xnh_counters_read(&after);
	printf("cached_rounds_hypercalls %llu calls\n",
	       after.hypercalls - before.hypercalls);

	/* dom0's own pages: by GFN through Xen, and by Linux's own node */
	mem = mmap(NULL, NR_FRAMES * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED || mlock(mem, NR_FRAMES * psz))
		die("mmap/mlock", errno);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		die("/proc/self/pagemap", errno);
	for (i = 0; i < NR_FRAMES; i++) {
		__u64 e;

		mem[i * psz] = 1;
		pages[i] = mem + i * psz;
		if (pread(pm, &e, sizeof(e),
			  ((uintptr_t)pages[i] / psz) * sizeof(e)) != sizeof(e))
			die("pagemap", errno);
		gfns[i] = e & ((1ULL << 55) - 1);
	}
	close(pm);
	printf("gfn_batch1024 %.1f ns/page\n",
	       per_frame(XEN_NUMA_HINTS_KIND_GFN, gfns, NR_FRAMES, 1024, 0,
			 pxms, nodes));
	best = 0;
	for (r = 0; r < ROUNDS; r++) {
		double t0 = now_ns(), t;

		if (syscall(SYS_move_pages, 0, NR_FRAMES, pages, NULL, status, 0))
			die("move_pages", errno);
		t = now_ns() - t0;
		if (!r || t < best)
			best = t;
	}
	printf("move_pages_query %.1f ns/page\n", best / NR_FRAMES);
	return kernel_lookups();
}
