// SPDX-License-Identifier: GPL-2.0
/*
 * dom0's vNUMA layout on the patched Xen, from inside dom0, as root.
 *
 * Xen decides at boot whether a PVH dom0 sees the host's NUMA layout as its
 * own (PVH, dom0_vcpus_pin, one vCPU per present host CPU, more than one
 * host node) and logs exactly one "Dom0 vNUMA: on: ..." or "Dom0 vNUMA:
 * off: <reason>" line.  The rig derives what it should have decided from
 * the boot (DOM0_VNUMA and DOM0_VNUMA_OFF_REASON in /etc/xnh/expect), and
 * main() picks the fixture for it, so that no test is ever skipped:
 *
 *  on:    Xen's log says so; dom0's SRAT names each vCPU's host PXM (by the
 *         x2APIC ID its MADT gives the vCPU) and the host's memory blocks,
 *         its SLIT the host distances (10/20 placeholders for PXM holes);
 *         dom0's online nodes are the host PXMs, node N being PXM N, with
 *         that PXM's CPUs and distances, and a PXM hole is no online node;
 *         every dom0 CPU is online; and Xen placed dom0's pages where the
 *         SRAT says they are (debug-key 'u' against dom0's memory map), each
 *         node keeping its DOM0_MEM / RAM_BYTES share.
 *  off:   Xen's log gives the expected reason; dom0 has no SRAT and one node.
 *  stock: the stock Xen says nothing of dom0 vNUMA; dom0 has one node.
 *
 * Linux does not take node ids from PXMs: it hands out the first unused
 * node id to each PXM in the order dom0's SRAT first names them, processor
 * entries in table order, then memory entries (acpi_numa_init(),
 * acpi_map_pxm_to_node()).  Xen therefore lists dom0's processors by PXM
 * and gives each PXM hole below the highest PXM one enabled entry for an
 * absent processor (an x2APIC ID no vCPU has, no MADT entry), so that node
 * N is PXM N.  The tests derive each PXM's node from dom0's SRAT the way
 * Linux does, hold Linux to that, and hold Xen to node N == PXM N.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/xnh_expect.h"
#include "../lib/xnh_acpi.h"
#include "../xen_apic_topology/xen_domctl.h"

#define MAX_PXM		256
#define MAX_RANGES	64
#define MAX_CPUS	64
#define PAGE_SHIFT_4K	12
#define NODE_SYSFS	"/sys/devices/system/node"
#define VNUMA_ON	"Dom0 vNUMA: on: "
#define VNUMA_OFF	"Dom0 vNUMA: off: "

/*
 * Debug-key 'u' counts dom0's pages by the host node of their frames; dom0's
 * memory map says which of its addresses are RAM.  Per PXM the two must
 * agree up to the pages Xen gives dom0 that its map does not call RAM: the
 * ACPI tables Xen writes for dom0 (carved out of RAM as E820 ACPI, byte
 * granular, so a partial page at each end), and the helper pages a PVH
 * dom0 may have stolen from its RAM (VM86 TSS, identity page table).
 * Measured on 3+1 with DOM0_MEM=1536M (2026-11-23): 0 pages on either node
 * (196632 and 196583 pages, d0 total 393215 = the RAM pages of its map).
 * 64 pages leaves room for those few pages and is far below any
 * misplacement worth the name (one 2 MiB superpage is 512 pages).
 */
#define PAGES_TOLERANCE	64

/* --- the Xen console ring (xl dmesg) -------------------------------------- */

/* Run @cmd and return its standard output in a malloc()ed string, or NULL. */
static char *run_output(const char *cmd)
{
	size_t cap = 1 << 16, len = 0, got;
	char *buf = malloc(cap);
	FILE *p = popen(cmd, "r");

	if (!buf || !p) {
		free(buf);
		if (p)
			pclose(p);
		return NULL;
	}
	while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	if (pclose(p)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The dom0 vNUMA verdict lines of Xen's log ("Dom0 vNUMA: on: ..." or
 * "Dom0 vNUMA: off: ..."), without Xen's prefix, into @lines (at most @max,
 * each @len bytes).  Returns how many there are, or -1 if xl dmesg failed;
 * *@any says whether any line mentions "Dom0 vNUMA" at all.
 */
static int vnuma_verdicts(char lines[][256], int max, int *any)
{
	char *log = run_output("xl dmesg 2>&1"), *line, *save;
	int n = 0;

	*any = 0;
	if (!log)
		return -1;
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strstr(line, "Dom0 vNUMA");

		if (!v)
			continue;
		*any = 1;
		if (strncmp(v, VNUMA_ON, strlen(VNUMA_ON)) &&
		    strncmp(v, VNUMA_OFF, strlen(VNUMA_OFF)))
			continue;
		if (n < max)
			snprintf(lines[n], sizeof(lines[n]), "%s", v);
		n++;
	}
	free(log);
	return n;
}

/*
 * Press debug-key 'u' and read dom0's pages on each of Xen's nodes from the
 * dump it leaves in the console ring ("d0 (total: N):" then one
 * "    Node K: COUNT" line per node).  Returns the number of nodes listed,
 * or -1; *@total is dom0's page total.
 */
static int dom0_pages_by_xen_node(unsigned long long *pages, int max,
				  unsigned long long *total)
{
	char *log, *dump, *line, *save;
	int n = -1;

	if (system("xl debug-keys u >/dev/null 2>&1"))
		return -1;
	log = run_output("xl dmesg 2>&1");
	if (!log)
		return -1;
	/* the last dump: the rig's report pressed 'u' before the tests */
	for (dump = strstr(log, "Memory location of each domain:"), line = dump;
	     line; line = strstr(line + 1, "Memory location of each domain:"))
		dump = line;
	if (!dump)
		goto out;
	for (line = strtok_r(dump, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *d = strstr(line, "] d");
		char *node = strstr(line, "Node ");
		unsigned int domid, k;
		unsigned long long count;

		if (d && sscanf(d, "] d%u (total: %llu):", &domid, &count) == 2) {
			if (n >= 0)
				break;		/* the next domain */
			if (domid == 0) {
				*total = count;
				n = 0;
			}
			continue;
		}
		if (n < 0 || !node)
			continue;
		if (sscanf(node, "Node %u: %llu", &k, &count) != 2 ||
		    k != (unsigned int)n || n >= max) {
			n = -1;
			break;
		}
		pages[n++] = count;
	}
out:
	free(log);
	return n;
}

/* --- dom0's memory map from Xen (XENMEM_memory_map) ----------------------- */

#define __HYPERVISOR_memory_op	12
#define XENMEM_memory_map	9
#define E820_ENTRY_SIZE		20	/* addr u64, size u64, type u32: packed */
#define E820_RAM		1
#define MAX_E820		128

struct xen_memory_map {
	__u32 nr_entries;
	__u32 pad;
	xen_handle64 buffer;
};

struct e820_range {
	unsigned long long start, end;
	unsigned int type;
};

/*
 * dom0's memory map as Xen built it (what dom0's kernel reads with
 * XENMEM_memory_map at boot).  /sys/firmware/memmap is not that map: Linux
 * turns the UNUSABLE ranges Xen leaves for the RAM dom0 did not get back
 * into RAM for its balloon (pvh_reserve_extra_memory()), so there every
 * host RAM range is "System RAM".  Returns the entry count or -errno.
 */
static int dom0_e820(struct e820_range *r, int max)
{
	struct {
		struct xen_memory_map map;
		unsigned char entries[MAX_E820 * E820_ENTRY_SIZE];
	} *b;
	struct privcmd_hypercall call = { .op = __HYPERVISOR_memory_op };
	struct xnh_xen x;
	int err = xnh_xen_open(&x, 4096 * 4), i, n;

	if (err) {
		xnh_xen_close(&x);
		return err;
	}
	b = x.buf;
	b->map.nr_entries = MAX_E820;
	b->map.buffer = (unsigned long)b->entries;
	call.arg[0] = XENMEM_memory_map;
	call.arg[1] = (unsigned long)&b->map;
	if (ioctl(x.privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0) {
		err = -errno;
		xnh_xen_close(&x);
		return err;
	}
	n = b->map.nr_entries < (__u32)max ? (int)b->map.nr_entries : max;
	for (i = 0; i < n; i++) {
		const unsigned char *e = b->entries + i * E820_ENTRY_SIZE;

		r[i].start = xnh_le64(e, 0);
		r[i].end = r[i].start + xnh_le64(e, 8);
		r[i].type = xnh_le32(e, 16);
	}
	xnh_xen_close(&x);
	return n;
}

/* Whole pages of E820 RAM in @r inside [start, end). */
static unsigned long long ram_pages_in(const struct e820_range *r, int n,
				       unsigned long long start,
				       unsigned long long end)
{
	unsigned long long pages = 0, s, e;
	int i;

	for (i = 0; i < n; i++) {
		if (r[i].type != E820_RAM)
			continue;
		s = r[i].start > start ? r[i].start : start;
		e = r[i].end < end ? r[i].end : end;
		s = (s + (1ULL << PAGE_SHIFT_4K) - 1) >> PAGE_SHIFT_4K;
		e >>= PAGE_SHIFT_4K;
		if (e > s)
			pages += e - s;
	}
	return pages;
}

/* --- where each of dom0's pages is (XENMEM_get_gfn_pxms) ------------------ */

#define XENMEM_get_gfn_pxms	41
#define GFN_BATCH		1024
#define XEN_INVALID_NUMA_ID	0xffffffffU

/* struct xen_get_mfn_pxms, as a 64-bit caller lays it out */
struct gfn_pxms {
	xen_handle64 frames;
	xen_handle64 pxms;
	__u32 nr;
	__u32 flags;
};

/* The PXM of the range in @r holding page @pfn, or -1. */
static int pxm_of_page(const struct xnh_mem_range *r, int n,
		       unsigned long long pfn)
{
	unsigned long long addr = pfn << PAGE_SHIFT_4K;
	int i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return (int)r[i].pxm;
	return -1;
}

struct sweep {
	unsigned long long pages[MAX_PXM];	/* dom0's pages on each PXM */
	unsigned long long absent;	/* RAM in the map with no page behind */
	unsigned long long wrong;	/* on another PXM than @where says */
	unsigned long long below_4g;	/* dom0's pages below 4 GiB */
	unsigned long long high[MAX_PXM];	/* dom0's pages above, by PXM */
};

/*
 * Ask Xen where each of dom0's frames [pfn, end) is (by GFN), and hold each
 * answer against the PXM of the range of @where holding the frame.  Frames
 * without memory behind them (not populated, ballooned out) answer no PXM
 * and count as absent.  0 or -errno.
 */
static int sweep_range(struct __test_metadata *_metadata, const struct xnh_xen *x,
		       unsigned long long pfn, unsigned long long end,
		       const struct xnh_mem_range *where, int nwhere, struct sweep *sw)
{
	struct {
		struct gfn_pxms arg;
		__u64 frames[GFN_BATCH];
		__u32 pxms[GFN_BATCH];
	} *b = x->buf;
	struct privcmd_hypercall call = { .op = __HYPERVISOR_memory_op };

	while (pfn < end) {
		unsigned int nr = end - pfn < GFN_BATCH ? end - pfn : GFN_BATCH, k;

		for (k = 0; k < nr; k++)
			b->frames[k] = pfn + k;
		memset(b->pxms, 0xa5, sizeof(b->pxms));
		b->arg = (struct gfn_pxms){
			.frames = (unsigned long)b->frames,
			.pxms = (unsigned long)b->pxms,
			.nr = nr,
		};
		call.arg[0] = XENMEM_get_gfn_pxms;
		call.arg[1] = (unsigned long)&b->arg;
		if (ioctl(x->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0)
			return -errno;
		for (k = 0; k < nr; k++) {
			int want = pxm_of_page(where, nwhere, pfn + k);

			if (b->pxms[k] == XEN_INVALID_NUMA_ID) {
				sw->absent++;
				continue;
			}
			if (b->pxms[k] < MAX_PXM)
				sw->pages[b->pxms[k]]++;
			if (pfn + k < (4ULL << (30 - PAGE_SHIFT_4K)))
				sw->below_4g++;
			else if (b->pxms[k] < MAX_PXM)
				sw->high[b->pxms[k]]++;
			if ((int)b->pxms[k] != want) {
				if (sw->wrong < 8)
					TH_LOG("dom0 page %#llx: PXM %u, not %d",
					       pfn + k, b->pxms[k], want);
				sw->wrong++;
			}
		}
		pfn += nr;
	}
	return 0;
}

/*
 * sweep_range() over every RAM page of dom0's memory map (for RAM a PVH
 * dom0's physical addresses are GFNs).  The map's UNUSABLE ranges are left
 * out: dom0 maps other domains' grants and foreign pages there, whose
 * frames are where those domains' memory is.  0 or -errno.
 */
static int sweep_dom0(struct __test_metadata *_metadata,
		      const struct xnh_mem_range *where, int nwhere,
		      struct sweep *sw)
{
	struct e820_range map[MAX_E820];
	int nmap = dom0_e820(map, MAX_E820), i, err;
	struct xnh_xen x;

	memset(sw, 0, sizeof(*sw));
	if (nmap < 0)
		return nmap;
	err = xnh_xen_open(&x, 4096 * 4);
	for (i = 0; i < nmap && !err; i++)
		if (map[i].type == E820_RAM)
			err = sweep_range(_metadata, &x, (map[i].start + 4095) >> PAGE_SHIFT_4K,
					  map[i].end >> PAGE_SHIFT_4K, where, nwhere, sw);
	xnh_xen_close(&x);
	return err;
}

/* --- sysfs ---------------------------------------------------------------- */

/* First line of @path into @buf without the newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}

/* Parse a list such as "0-2,5" into @set (@max entries); count or -1. */
static int parse_list(const char *s, int *set, int max)
{
	int n = 0, i;

	memset(set, 0, max * sizeof(*set));
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1)
				return -1;
			s = end;
		}
		if (a < 0 || b < a || b >= max)
			return -1;
		for (i = a; i <= b; i++)
			n += !set[i]++;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

/* Is [0, @n) exactly the set in list file @path? */
static void expect_list_is_first(struct __test_metadata *_metadata,
				 const char *path, int n)
{
	char buf[256];
	int set[MAX_PXM], i;

	ASSERT_EQ(0, read_line(path, buf, sizeof(buf))) TH_LOG("%s", path);
	ASSERT_EQ(n, parse_list(buf, set, MAX_PXM)) TH_LOG("%s: '%s'", path, buf);
	for (i = 0; i < n; i++) {
		EXPECT_TRUE(set[i])
			TH_LOG("%s: '%s' lacks %d", path, buf, i);
	}
}

TEST(cpus_online)
{
	long want = xnh_expect_long("NR_CPUS", -1);

	ASSERT_LT(0, want);
	expect_list_is_first(_metadata, "/sys/devices/system/cpu/online", want);
	EXPECT_EQ(want, sysconf(_SC_NPROCESSORS_ONLN));
}

/* --- on ------------------------------------------------------------------- */

FIXTURE(on) {
	unsigned int pxms[XNH_MAX_NODES];
	int npxms;
	struct xnh_pxm_cpus cpus[XNH_MAX_NODES];
	int ncpus_pxm;
	struct xnh_mem_range mem[MAX_RANGES];
	int nmem;
	long nr_cpus;
	struct xnh_acpi_table srat, slit, madt;
	struct xnh_srat_entry e[XNH_ACPI_MAX_ENTRIES];
	int ne;
	int node_of_pxm[MAX_PXM];	/* Linux's node, from the SRAT, or -1 */
	unsigned int max_pxm;
};

FIXTURE_SETUP(on)
{
	int i, err, next = 0, pass;

	self->npxms = xnh_expect_pxms(self->pxms, XNH_MAX_NODES);
	self->ncpus_pxm = xnh_expect_pxm_cpus(self->cpus, XNH_MAX_NODES);
	self->nmem = xnh_expect_mem_ranges(self->mem, MAX_RANGES);
	self->nr_cpus = xnh_expect_long("NR_CPUS", -1);
	ASSERT_LT(1, self->npxms) TH_LOG("PXMS in %s", XNH_EXPECT_PATH);
	ASSERT_EQ(self->npxms, self->ncpus_pxm) TH_LOG("PXM_CPUS");
	ASSERT_LT(0, self->nmem) TH_LOG("PXM_MEM");
	ASSERT_LT(0, self->nr_cpus) TH_LOG("NR_CPUS");
	ASSERT_GE(MAX_CPUS, self->nr_cpus);
	self->max_pxm = 0;
	for (i = 0; i < self->npxms; i++) {
		ASSERT_GT(MAX_PXM, self->pxms[i]);
		if (self->pxms[i] > self->max_pxm)
			self->max_pxm = self->pxms[i];
	}

	err = xnh_acpi_read("SRAT", &self->srat);
	ASSERT_EQ(0, err) TH_LOG("dom0's SRAT: %s", strerror(-err));
	err = xnh_acpi_read("SLIT", &self->slit);
	ASSERT_EQ(0, err) TH_LOG("dom0's SLIT: %s", strerror(-err));
	err = xnh_acpi_read("APIC", &self->madt);
	ASSERT_EQ(0, err) TH_LOG("dom0's MADT: %s", strerror(-err));
	self->ne = xnh_srat_parse(&self->srat, self->e, XNH_ACPI_MAX_ENTRIES);
	ASSERT_LE(0, self->ne) TH_LOG("dom0's SRAT is malformed");

	/* Linux's node ids: PXMs in the order the SRAT first names them. */
	for (i = 0; i < MAX_PXM; i++)
		self->node_of_pxm[i] = -1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < self->ne; i++) {
			const struct xnh_srat_entry *e = &self->e[i];
			int mem = e->type == XNH_SRAT_MEMORY;

			if (!e->enabled || mem != pass)
				continue;
			ASSERT_GT(MAX_PXM, e->pxm) TH_LOG("SRAT entry %d", i);
			if (self->node_of_pxm[e->pxm] < 0)
				self->node_of_pxm[e->pxm] = next++;
		}
	}
}

FIXTURE_TEARDOWN(on)
{
	xnh_acpi_free(&self->srat);
	xnh_acpi_free(&self->slit);
	xnh_acpi_free(&self->madt);
}

static int is_host_pxm(const unsigned int *pxms, int npxms, unsigned int pxm)
{
	int i;

	for (i = 0; i < npxms; i++)
		if (pxms[i] == pxm)
			return 1;
	return 0;
}

TEST_F(on, xen_says_on)
{
	char lines[4][256], want[256];
	int any, n = vnuma_verdicts(lines, 4, &any);

	ASSERT_LE(0, n) TH_LOG("xl dmesg failed");
	snprintf(want, sizeof(want), VNUMA_ON "%ld vCPUs pinned 1:1 across %d host nodes",
		 self->nr_cpus, self->npxms);
	ASSERT_EQ(1, n) TH_LOG("%d dom0 vNUMA verdicts in Xen's log", n);
	EXPECT_STREQ(want, lines[0]);
}

/*
 * One enabled processor entry per vCPU: the x2APIC ID dom0's MADT gives
 * vCPU i (processor UID i) must be in the SRAT with the PXM of host CPU i,
 * the CPU it is pinned to.  Every other processor entry is an absent
 * processor standing for a PXM hole: below the highest host PXM, not a
 * host PXM, one per hole.
 */
TEST_F(on, srat_cpus_on_their_pxm)
{
	struct xnh_madt_cpu c[MAX_CPUS * 2];
	int nc = xnh_madt_cpus(&self->madt, c, MAX_CPUS * 2), i, j, k;
	int per_pxm[MAX_PXM] = { 0 }, holes[MAX_PXM] = { 0 };
	unsigned int p;

	ASSERT_LE(0, nc) TH_LOG("dom0's MADT is malformed");
	for (i = 0; i < self->ne; i++) {
		const struct xnh_srat_entry *e = &self->e[i];
		int uid = -1;

		if (e->type == XNH_SRAT_MEMORY)
			continue;
		EXPECT_TRUE(e->enabled) TH_LOG("SRAT CPU entry %d disabled", i);
		ASSERT_GT(MAX_PXM, e->pxm) TH_LOG("SRAT CPU entry %d", i);
		for (j = 0; j < i; j++)
			if (self->e[j].type != XNH_SRAT_MEMORY) {
				EXPECT_NE(self->e[j].apic_id, e->apic_id)
					TH_LOG("SRAT entries %d and %d: APIC ID %#x", j, i,
					       e->apic_id);
			}
		for (j = 0; j < nc; j++)
			if (c[j].apic_id == e->apic_id && (c[j].flags & 1))
				uid = (int)c[j].uid;
		if (uid < 0) {
			/* an absent processor: its PXM is a hole */
			TH_LOG("SRAT: absent processor %#x in PXM %u", e->apic_id, e->pxm);
			EXPECT_FALSE(is_host_pxm(self->pxms, self->npxms, e->pxm))
				TH_LOG("absent processor %#x in host PXM %u", e->apic_id,
				       e->pxm);
			EXPECT_GT(self->max_pxm, e->pxm);
			holes[e->pxm]++;
			continue;
		}
		EXPECT_GT(self->nr_cpus, uid) TH_LOG("APIC ID %#x", e->apic_id);
		EXPECT_EQ(xnh_expect_cpu_pxm(uid), (int)e->pxm)
			TH_LOG("vCPU %d (APIC ID %#x) pinned to host CPU %d", uid,
			       e->apic_id, uid);
		per_pxm[e->pxm]++;
	}
	for (i = 0; i < self->ncpus_pxm; i++) {
		EXPECT_EQ(self->cpus[i].last - self->cpus[i].first + 1,
			  per_pxm[self->cpus[i].pxm])
			TH_LOG("SRAT CPU entries of PXM %u", self->cpus[i].pxm);
	}
	for (p = 0; p < self->max_pxm; p++)
		if (!is_host_pxm(self->pxms, self->npxms, p)) {
			EXPECT_EQ(1, holes[p])
				TH_LOG("absent processors for hole PXM %u", p);
		}

	/* and every vCPU the MADT lists is in the SRAT */
	for (i = 0; i < self->nr_cpus; i++) {
		for (j = 0, k = -1; j < nc; j++)
			if (c[j].uid == (unsigned int)i && (c[j].flags & 1))
				k = j;
		ASSERT_LE(0, k) TH_LOG("no enabled MADT entry for vCPU %d", i);
		for (j = 0; j < self->ne; j++)
			if (self->e[j].type != XNH_SRAT_MEMORY &&
			    self->e[j].apic_id == c[k].apic_id)
				break;
		EXPECT_LT(j, self->ne) TH_LOG("vCPU %d's APIC ID %#x is not in the SRAT",
					      i, c[k].apic_id);
	}
}

/* The memory entries are the host's blocks: PXM_MEM exactly. */
TEST_F(on, srat_memory_is_the_hosts)
{
	int i, j, mem_entries = 0;

	for (i = 0; i < self->ne; i++) {
		const struct xnh_srat_entry *e = &self->e[i];

		if (e->type != XNH_SRAT_MEMORY)
			continue;
		mem_entries++;
		EXPECT_TRUE(e->enabled) TH_LOG("SRAT memory entry %d disabled", i);
		for (j = 0; j < self->nmem; j++)
			if (self->mem[j].start == e->start && self->mem[j].end == e->end)
				break;
		EXPECT_LT(j, self->nmem)
			TH_LOG("SRAT memory [%#llx, %#llx) PXM %u is no host block",
			       e->start, e->end, e->pxm);
		if (j < self->nmem) {
			EXPECT_EQ(self->mem[j].pxm, e->pxm)
				TH_LOG("SRAT memory [%#llx, %#llx)", e->start, e->end);
		}
	}
	EXPECT_EQ(self->nmem, mem_entries);
}

/* Localities 0..max PXM: the host's distances, 10/20 in the holes. */
TEST_F(on, slit_has_host_distances)
{
	unsigned long long n = xnh_slit_count(&self->slit), i, j;

	ASSERT_EQ(self->max_pxm + 1ULL, n) TH_LOG("SLIT localities");
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int want = i == j ? 10 : 20;

			if (is_host_pxm(self->pxms, self->npxms, i) &&
			    is_host_pxm(self->pxms, self->npxms, j))
				want = xnh_expect_distance(i, j);

			EXPECT_EQ(want, (int)xnh_slit_distance(&self->slit, i, j))
				TH_LOG("SLIT[%llu][%llu]", i, j);
		}
	}
}

/* Online nodes: exactly the host PXMs, each node N being PXM N. */
TEST_F(on, one_node_per_pxm)
{
	char buf[256];
	int set[MAX_PXM], i, n;

	for (i = 0; i < self->npxms; i++) {
		TH_LOG("PXM %u is dom0 node %d", self->pxms[i],
		       self->node_of_pxm[self->pxms[i]]);
		EXPECT_EQ((int)self->pxms[i], self->node_of_pxm[self->pxms[i]])
			TH_LOG("dom0's node ids are not the host's PXMs");
	}
	ASSERT_EQ(0, read_line(NODE_SYSFS "/online", buf, sizeof(buf)));
	n = parse_list(buf, set, MAX_PXM);
	EXPECT_EQ(self->npxms, n) TH_LOG("online nodes '%s'", buf);
	for (i = 0; i < self->npxms; i++) {
		EXPECT_TRUE(set[self->node_of_pxm[self->pxms[i]]])
			TH_LOG("online nodes '%s' lack PXM %u's", buf, self->pxms[i]);
	}
}

TEST_F(on, node_cpus_are_the_pxms)
{
	char path[128], buf[256];
	int i, set[MAX_CPUS], cpu;

	for (i = 0; i < self->ncpus_pxm; i++) {
		const struct xnh_pxm_cpus *c = &self->cpus[i];
		int node = self->node_of_pxm[c->pxm];

		ASSERT_LE(0, node) TH_LOG("the SRAT does not name PXM %u", c->pxm);
		snprintf(path, sizeof(path), NODE_SYSFS "/node%d/cpulist", node);
		ASSERT_EQ(0, read_line(path, buf, sizeof(buf))) TH_LOG("%s", path);
		EXPECT_EQ((int)(c->last - c->first + 1), parse_list(buf, set, MAX_CPUS))
			TH_LOG("%s: '%s', PXM %u has host CPUs %u-%u", path, buf,
			       c->pxm, c->first, c->last);
		for (cpu = c->first; cpu <= (int)c->last; cpu++) {
			EXPECT_TRUE(set[cpu]) TH_LOG("%s: '%s' lacks CPU %d (PXM %u)",
						     path, buf, cpu, c->pxm);
		}
	}
}

/* A node's distance file lists its distance to each online node, in order. */
TEST_F(on, node_distances_are_the_hosts)
{
	int pxm_of_node[MAX_PXM], online[MAX_PXM], i, j;
	char path[128], buf[512];

	for (i = 0; i < MAX_PXM; i++)
		if (self->node_of_pxm[i] >= 0)
			pxm_of_node[self->node_of_pxm[i]] = i;
	ASSERT_EQ(0, read_line(NODE_SYSFS "/online", buf, sizeof(buf)));
	ASSERT_EQ(self->npxms, parse_list(buf, online, MAX_PXM)) TH_LOG("'%s'", buf);
	for (i = 0; i < MAX_PXM; i++) {
		char want[512], *p = want;

		if (!online[i])
			continue;
		for (j = 0; j < MAX_PXM; j++)
			if (online[j])
				p += sprintf(p, "%s%d", p == want ? "" : " ",
					     xnh_expect_distance(pxm_of_node[i],
								 pxm_of_node[j]));
		snprintf(path, sizeof(path), NODE_SYSFS "/node%d/distance", i);
		ASSERT_EQ(0, read_line(path, buf, sizeof(buf))) TH_LOG("%s", path);
		EXPECT_STREQ(want, buf) TH_LOG("%s (node %d is PXM %d)", path, i,
					       pxm_of_node[i]);
	}
}

/*
 * Where Xen put dom0's pages (debug-key 'u', by Xen node, hence PXM through
 * XEN_NODE_PXMS) against where dom0's SRAT says its RAM is (dom0's memory
 * map inside each PXM's SRAT ranges, which are PXM_MEM: see
 * srat_memory_is_the_hosts).
 */
TEST_F_TIMEOUT(on, pages_where_the_srat_says, 240)
{
	unsigned long long u[XNH_MAX_NODES], total = 0, sum = 0;
	unsigned int pxm_of_xen_node[XNH_MAX_NODES];
	struct e820_range map[MAX_E820];
	int nmap = dom0_e820(map, MAX_E820), nx, nu, i, j;

	ASSERT_LT(0, nmap) TH_LOG("XENMEM_memory_map: %s", strerror(-nmap));
	nx = xnh_expect_xen_node_pxms(pxm_of_xen_node, XNH_MAX_NODES);
	ASSERT_EQ(self->npxms, nx) TH_LOG("XEN_NODE_PXMS");
	nu = dom0_pages_by_xen_node(u, XNH_MAX_NODES, &total);
	ASSERT_EQ(nx, nu) TH_LOG("debug-key 'u': dom0's pages on %d nodes", nu);

	for (i = 0; i < nu; i++) {
		unsigned int pxm = pxm_of_xen_node[i];
		unsigned long long mapped = 0, host = 0;
		long long diff;

		for (j = 0; j < self->nmem; j++) {
			if (self->mem[j].pxm != pxm)
				continue;
			mapped += ram_pages_in(map, nmap, self->mem[j].start,
					       self->mem[j].end);
			host += (self->mem[j].end - self->mem[j].start) >> PAGE_SHIFT_4K;
		}
		diff = (long long)u[i] - (long long)mapped;
		TH_LOG("Xen node %d = PXM %u: %llu dom0 pages, %llu in its map (%+lld)",
		       i, pxm, u[i], mapped, diff);
		TH_LOG("  %.5f of its %llu pages", (double)u[i] / host, host);
		EXPECT_GE(PAGES_TOLERANCE, llabs(diff))
			TH_LOG("PXM %u: Xen's pages and dom0's SRAT disagree", pxm);
		sum += u[i];
	}
	EXPECT_EQ(total, sum) TH_LOG("d0's total against its pages per node");
	TH_LOG("dom0: %llu pages in all, %llu RAM pages in its map",
	       total, ram_pages_in(map, nmap, 0, ~0ULL));
}

/* dom0's SRAT memory entries as ranges. */
static int srat_mem_ranges(const struct xnh_srat_entry *e, int ne,
			   struct xnh_mem_range *r, int max)
{
	int i, n = 0;

	for (i = 0; i < ne && n < max; i++)
		if (e[i].type == XNH_SRAT_MEMORY && e[i].enabled)
			r[n++] = (struct xnh_mem_range){
				.pxm = e[i].pxm, .start = e[i].start, .end = e[i].end,
			};
	return n;
}

/*
 * Every page of dom0's RAM is on the PXM its SRAT says, address by address:
 * per-node totals alone would not see two nodes' memory swapped.
 */
TEST_F_TIMEOUT(on, every_page_where_the_srat_says, 240)
{
	struct xnh_mem_range srat[MAX_RANGES];
	int n = srat_mem_ranges(self->e, self->ne, srat, MAX_RANGES), err, i;
	unsigned long long present = 0;
	struct sweep sw;

	ASSERT_LT(0, n);
	err = sweep_dom0(_metadata, srat, n, &sw);
	ASSERT_EQ(0, err) TH_LOG("XENMEM_get_gfn_pxms: %s", strerror(-err));
	for (i = 0; i < MAX_PXM; i++)
		present += sw.pages[i];
	TH_LOG("%llu pages of dom0's RAM on their SRAT node, %llu elsewhere, %llu absent",
	       present - sw.wrong, sw.wrong, sw.absent);
	EXPECT_LT(0, present);
	EXPECT_EQ(0, sw.wrong);
}

/* At least this much of dom0's RAM is below 4 GiB, if dom0 has that much. */
#define LOW_MIN_PAGES	(512ULL << (20 - PAGE_SHIFT_4K))
#define PFN_4G		(4ULL << (30 - PAGE_SHIFT_4K))

/* Host RAM pages of PXM @pxm above 4 GiB, by @mem. */
static unsigned long long host_pages_above_4g(const struct xnh_mem_range *mem,
					      int nmem, unsigned int pxm)
{
	unsigned long long pages = 0, s, e;
	int i;

	for (i = 0; i < nmem; i++) {
		if (mem[i].pxm != pxm)
			continue;
		s = mem[i].start >> PAGE_SHIFT_4K;
		e = mem[i].end >> PAGE_SHIFT_4K;
		if (e > PFN_4G)
			pages += e - (s > PFN_4G ? s : PFN_4G);
	}
	return pages;
}

/*
 * Xen's rule for dom0's memory (docs/dom0-vnuma.md): enough below 4 GiB for
 * dom0's boot images, DMA32, swiotlb and a crash kernel (more than 512 MiB),
 * and above 4 GiB the same share of every node's RAM.  Without dom0_mem
 * Xen gives dom0 all memory but a reserve of at most 128 MiB and its own.
 * Shares are rounded by a page each; 1% leaves room for what dom0
 * ballooned out before the test and is far below any misplacement worth
 * the name.
 */
static void expect_memory_rule(struct __test_metadata *_metadata,
			       const unsigned int *pxms, int npxms)
{
	struct xnh_mem_range mem[MAX_RANGES];
	int nmem = xnh_expect_mem_ranges(mem, MAX_RANGES), err, i;
	long long dom0_mem = xnh_expect_long("DOM0_MEM", -1);
	long long ram_bytes = xnh_expect_long("RAM_BYTES", -1);
	unsigned long long present = 0, low_min;
	double first_share = -1;
	struct sweep sw;

	ASSERT_LT(0, nmem) TH_LOG("PXM_MEM");
	ASSERT_LE(0, dom0_mem) TH_LOG("DOM0_MEM");
	ASSERT_LT(0, ram_bytes) TH_LOG("RAM_BYTES");
	err = sweep_dom0(_metadata, mem, nmem, &sw);
	ASSERT_EQ(0, err) TH_LOG("XENMEM_get_gfn_pxms: %s", strerror(-err));
	EXPECT_EQ(0, sw.wrong) TH_LOG("pages off their firmware block's node");
	for (i = 0; i < MAX_PXM; i++)
		present += sw.pages[i];
	TH_LOG("dom0: %llu pages, %llu below 4 GiB, %llu ballooned out",
	       present, sw.below_4g, sw.absent);

	if (!dom0_mem) {
		EXPECT_LE((unsigned long long)(ram_bytes >> PAGE_SHIFT_4K) * 8 / 10,
			  present + sw.absent)
			TH_LOG("Xen's default dom0_mem gave dom0 little of the host");
		return;
	}

	low_min = present < LOW_MIN_PAGES ? present : LOW_MIN_PAGES;
	EXPECT_LE(low_min, sw.below_4g);
	for (i = 0; i < npxms; i++) {
		unsigned long long host = host_pages_above_4g(mem, nmem, pxms[i]);
		double share;

		if (!host)
			continue;
		share = (double)sw.high[pxms[i]] / host;
		TH_LOG("PXM %u: %llu dom0 pages of its %llu above 4 GiB: %.5f",
		       pxms[i], sw.high[pxms[i]], host, share);
		if (first_share < 0)
			first_share = share;
		EXPECT_GE(0.01 * first_share,
			  share > first_share ? share - first_share : first_share - share)
			TH_LOG("PXM %u keeps %.5f of its RAM above 4 GiB, another %.5f",
			       pxms[i], share, first_share);
	}
}

TEST_F_TIMEOUT(on, memory_follows_the_rule, 240)
{
	expect_memory_rule(_metadata, self->pxms, self->npxms);
}

/* --- ballooning up ------------------------------------------------------------ */

#define MEMORY_SYSFS	"/sys/devices/system/memory"
#define MAX_BLOCKS	4096

/* Linux's memory blocks: their indices into @idx, their nodes into @node. */
static int memory_blocks(unsigned long long *idx, int *node, int max)
{
	DIR *d = opendir(MEMORY_SYSFS);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < max) {
		char path[300];
		DIR *b;
		struct dirent *f;

		if (strncmp(e->d_name, "memory", 6) || !isdigit(e->d_name[6]))
			continue;
		idx[n] = strtoull(e->d_name + 6, NULL, 10);
		node[n] = -1;
		snprintf(path, sizeof(path), MEMORY_SYSFS "/%s", e->d_name);
		b = opendir(path);
		while (b && (f = readdir(b)))
			if (!strncmp(f->d_name, "node", 4) && isdigit(f->d_name[4]))
				node[n] = atoi(f->d_name + 4);
		if (b)
			closedir(b);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * What dom0's balloon adds up to dom0_mem's max: must be on the node dom0
 * puts it on.  Linux hot-adds it above its RAM, outside its SRAT (Xen's
 * memory_op puts such memory of the hardware domain on the node of its
 * first SRAT memory range, where memory_add_physaddr_to_nid() puts it), in
 * new memory blocks whose node sysfs shows; and dom0's node N is PXM N.
 * xen-numa-hints (loaded by the rig in every boot) reads its PXM -> node
 * map again for each block onlined.
 */
#define MAP_REREADS	"/sys/kernel/xen_numa/counters/map_rereads"

TEST_F_TIMEOUT(on, balloon_up_where_dom0_puts_it, 300)
{
	long long mem = xnh_expect_long("DOM0_MEM", -1);
	long long max = xnh_expect_long("DOM0_MEM_MAX", -1);
	static unsigned long long before[MAX_BLOCKS], after[MAX_BLOCKS];
	static int node_before[MAX_BLOCKS], node_after[MAX_BLOCKS];
	unsigned long long block, present = 0, want, rereads[2];
	int nb, na, i, j, t, err = 0, added = 0;
	struct sweep sw = { 0 };
	char cmd[128], buf[64];
	struct xnh_xen x;

	ASSERT_LT(0, mem);
	ASSERT_LT(mem, max) TH_LOG("DOM0_MEM_MAX: no room to balloon up");
	ASSERT_EQ(0, read_line(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)));
	block = strtoull(buf, NULL, 16) >> PAGE_SHIFT_4K;
	ASSERT_LT(0, block);
	nb = memory_blocks(before, node_before, MAX_BLOCKS);
	ASSERT_LT(0, nb);
	ASSERT_EQ(0, read_line(MAP_REREADS, buf, sizeof(buf)));
	rereads[0] = strtoull(buf, NULL, 10);

	snprintf(cmd, sizeof(cmd), "xl mem-set 0 %lldk", max >> 10);
	ASSERT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
	/* The balloon works in the background: wait for it to get there. */
	for (t = 0; t < 120; t++) {
		if (!read_line(MEMORY_SYSFS "/../xen_memory/xen_memory0/info/current_kb",
			       buf, sizeof(buf)) &&
		    strtoull(buf, NULL, 10) >= (unsigned long long)(max >> 10) * 99 / 100)
			break;
		sleep(1);
	}
	na = memory_blocks(after, node_after, MAX_BLOCKS);
	ASSERT_LT(0, na);
	ASSERT_EQ(0, xnh_xen_open(&x, 4096 * 4));
	for (i = 0; i < na && !err; i++) {
		struct xnh_mem_range block_range = {
			.pxm = node_after[i],
			.start = after[i] * block << PAGE_SHIFT_4K,
			.end = (after[i] + 1) * block << PAGE_SHIFT_4K,
		};

		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j < nb)
			continue;
		TH_LOG("new memory block %llu on node %d", after[i], node_after[i]);
		added++;
		err = node_after[i] < 0 ? -ENOENT :
		      sweep_range(_metadata, &x, after[i] * block, (after[i] + 1) * block,
				  &block_range, 1, &sw);
	}
	xnh_xen_close(&x);
	ASSERT_EQ(0, err) TH_LOG("a new block without a node, or XENMEM_get_gfn_pxms: %s",
				 strerror(-err));
	for (i = 0; i < MAX_PXM; i++)
		present += sw.pages[i];
	want = (unsigned long long)(max - mem) >> PAGE_SHIFT_4K;
	TH_LOG("dom0 grew by %llu pages of %llu asked in %d s, %llu off their node",
	       present, want, t, sw.wrong);
	EXPECT_LE(want * 9 / 10, present) TH_LOG("the balloon did not grow dom0");
	EXPECT_EQ(0, sw.wrong);
	ASSERT_EQ(0, read_line(MAP_REREADS, buf, sizeof(buf)));
	rereads[1] = strtoull(buf, NULL, 10);
	TH_LOG("xen-numa-hints read its map %llu times for %d new blocks",
	       rereads[1] - rereads[0], added);
	EXPECT_LE((unsigned long long)added, rereads[1] - rereads[0]);
}

/* --- off: the gate was not met ---------------------------------------------- */

/* dom0 boots as without the feature: no SRAT, one node. */
static void expect_no_vnuma(struct __test_metadata *_metadata)
{
	struct xnh_acpi_table t;

	EXPECT_EQ(-ENOENT, xnh_acpi_read("SRAT", &t)) TH_LOG("dom0 has a SRAT");
	xnh_acpi_free(&t);
	expect_list_is_first(_metadata, NODE_SYSFS "/online", 1);
}

TEST(off_xen_gives_the_reason)
{
	char lines[4][256], reason[200], want[256];
	int any, n = vnuma_verdicts(lines, 4, &any);

	ASSERT_EQ(0, xnh_expect_get("DOM0_VNUMA_OFF_REASON", reason, sizeof(reason)));
	ASSERT_LT(0, strlen(reason)) TH_LOG("DOM0_VNUMA_OFF_REASON is empty");
	ASSERT_LE(0, n) TH_LOG("xl dmesg failed");
	ASSERT_EQ(1, n) TH_LOG("%d dom0 vNUMA verdicts in Xen's log", n);
	snprintf(want, sizeof(want), VNUMA_OFF "%s", reason);
	EXPECT_STREQ(want, lines[0]);
}

TEST(off_dom0_has_one_node)
{
	expect_no_vnuma(_metadata);
}

/*
 * Without vNUMA dom0's memory still comes from the node of each part's
 * firmware block, spread by the same rule, on the nodes dom0_nodes= leaves
 * dom0.
 */
TEST(off_memory_follows_the_rule)
{
	unsigned int pxms[XNH_MAX_NODES], dom0_nodes[XNH_MAX_NODES];
	int npxms = xnh_expect_pxms(pxms, XNH_MAX_NODES), nd = 0, i;
	char buf[256], *tok, *save;
	struct sweep sw;
	int err, on_dom0s[MAX_PXM] = { 0 };

	ASSERT_LT(0, npxms) TH_LOG("PXMS");
	ASSERT_EQ(0, xnh_expect_get("DOM0_NODES", buf, sizeof(buf)));
	for (tok = strtok_r(buf, " ", &save); tok && nd < XNH_MAX_NODES;
	     tok = strtok_r(NULL, " ", &save))
		dom0_nodes[nd++] = strtoul(tok, NULL, 0);
	if (!nd) {
		expect_memory_rule(_metadata, pxms, npxms);
		return;
	}

	/* dom0_nodes=: nothing of dom0's on the other nodes. */
	{
		struct xnh_mem_range mem[MAX_RANGES];
		int nmem = xnh_expect_mem_ranges(mem, MAX_RANGES);

		ASSERT_LT(0, nmem);
		err = sweep_dom0(_metadata, mem, nmem, &sw);
		ASSERT_EQ(0, err) TH_LOG("XENMEM_get_gfn_pxms: %s", strerror(-err));
	}
	EXPECT_EQ(0, sw.wrong);
	for (i = 0; i < nd; i++)
		if (dom0_nodes[i] < MAX_PXM)
			on_dom0s[dom0_nodes[i]] = 1;
	for (i = 0; i < npxms; i++) {
		TH_LOG("PXM %u: %llu dom0 pages%s", pxms[i], sw.pages[pxms[i]],
		       on_dom0s[pxms[i]] ? "" : " (not dom0's)");
		/* Pages on each of dom0's nodes, none elsewhere. */
		EXPECT_EQ(on_dom0s[pxms[i]], sw.pages[pxms[i]] > 0);
	}
}

/* --- stock: Xen without the series ------------------------------------------ */

TEST(stock_xen_says_nothing)
{
	char lines[4][256];
	int any, n = vnuma_verdicts(lines, 4, &any);

	ASSERT_LE(0, n) TH_LOG("xl dmesg failed");
	EXPECT_EQ(0, any) TH_LOG("the stock Xen mentions Dom0 vNUMA");
}

TEST(stock_dom0_has_one_node)
{
	expect_no_vnuma(_metadata);
}

int main(int argc, char **argv)
{
	char *args[12];
	char variant[32];
	int n = 0;

	/* by hand, with filters: run what was asked */
	if (argc > 1)
		return test_harness_run(argc, argv);
	if (xnh_expect_get("XEN_VARIANT", variant, sizeof(variant)))
		ksft_exit_fail_msg("no XEN_VARIANT in %s\n", XNH_EXPECT_PATH);
	args[n++] = argv[0];
	args[n++] = "-t";
	args[n++] = "cpus_online";
	switch (xnh_expect_dom0_vnuma()) {
	case XNH_DOM0_VNUMA_ON:
		/*
		 * Every test of the fixture, ballooning up only with room to
		 * (the harness stops at the first filter that matches).
		 */
		if (xnh_expect_long("DOM0_MEM_MAX", 0) <= xnh_expect_long("DOM0_MEM", 0)) {
			args[n++] = "-T";
			args[n++] = "balloon_up_where_dom0_puts_it";
		}
		args[n++] = "-f";
		args[n++] = "on";
		break;
	case XNH_DOM0_VNUMA_OFF:
		args[n++] = "-t";
		args[n++] = "off_xen_gives_the_reason";
		args[n++] = "-t";
		args[n++] = "off_dom0_has_one_node";
		args[n++] = "-t";
		args[n++] = "off_memory_follows_the_rule";
		break;
	case XNH_DOM0_VNUMA_STOCK:
		args[n++] = "-t";
		args[n++] = "stock_xen_says_nothing";
		args[n++] = "-t";
		args[n++] = "stock_dom0_has_one_node";
		break;
	default:
		ksft_exit_fail_msg("DOM0_VNUMA in %s: not on, off or stock\n",
				   XNH_EXPECT_PATH);
	}
	if ((xnh_expect_dom0_vnuma() == XNH_DOM0_VNUMA_STOCK) != !strcmp(variant, "stock"))
		ksft_exit_fail_msg("XEN_VARIANT=%s with DOM0_VNUMA of the other Xen\n",
				   variant);
	args[n] = NULL;
	return test_harness_run(n, args);
}
