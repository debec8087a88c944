// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the NUMA decisions the Xen series takes while building
 * dom0, compiled from the patched Xen tree's xen/arch/x86/dom0_numa.c as it
 * is (see unit/Makefile), with unit/xen-shim standing in for Xen's headers:
 *
 *  - dom0_vnuma_check(): the dom0 vNUMA gate, on host shapes the emulator
 *    cannot boot (hundreds of CPUs, smt=0, PXMs far apart, APIC IDs above
 *    0xfe), each against the literal line Xen would log;
 *  - dom0_memmap_spread(): dom0's memory map, on hosts whose RAM is many
 *    times dom0's, with nodes short of free memory, with RAM cut into many
 *    node pieces, against literal maps where they are short and against
 *    the rule's promises everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/numa.h>
#include <xen/pfn.h>
#include <asm/dom0_numa.h>

#include "kselftest_harness.h"

/* |a - b| <= tolerance, for shares that rounding may move by a page. */
#define EXPECT_NEAR(a, b, tolerance) do { \
	long _a = (long)(a), _b = (long)(b); \
	EXPECT_LE(labs(_a - _b), (long)(tolerance)) \
		TH_LOG("%ld and %ld are more than %ld apart", _a, _b, \
		       (long)(tolerance)); \
} while (0)

/* ---- the gate ---------------------------------------------------------- */

#define MAX_CPUS 1024

/* A host: nodes with their PXMs and CPU counts, CPUs numbered node by node. */
struct host {
	unsigned int nr_nodes;
	unsigned int pxm[8];
	unsigned int cpus[8];
};

static unsigned int cpu_pxm[MAX_CPUS], node_pxm[8];
static uint32_t x2apic_id[MAX_CPUS];

/* The facts of a host booted with dom0=pvh dom0_vcpus_pin, every CPU used. */
static struct dom0_vnuma_facts facts_of(const struct host *h)
{
	struct dom0_vnuma_facts f = {
		.enabled = true,
		.pvh = true,
		.vcpus_pin = true,
		.nr_dom0_nodes = h->nr_nodes,
		.vcpu_limit = 128,
		.nr_nodes = h->nr_nodes,
		.nr_memblks = h->nr_nodes,
		.unplaced_cpu = -1,
		.max_vnodes = DOM0_VNUMA_MAX_VNODES,
		.cpu_pxm = cpu_pxm,
		.node_pxm = node_pxm,
		.x2apic_id = x2apic_id,
	};
	unsigned int n, i;

	for (n = 0; n < h->nr_nodes; n++) {
		node_pxm[n] = h->pxm[n];
		for (i = 0; i < h->cpus[n]; i++)
			cpu_pxm[f.nr_cpus++] = h->pxm[n];
	}
	/* dom0_max_vcpus() caps a PVH dom0 at HVM_MAX_VCPUS. */
	f.nr_vcpus = f.nr_cpus < f.vcpu_limit ? f.nr_cpus : f.vcpu_limit;
	return f;
}

static char why[160];

static bool gate(const struct dom0_vnuma_facts *f)
{
	memset(why, 0, sizeof(why));
	return dom0_vnuma_check(f, why, sizeof(why));
}

TEST(gate_on_for_the_rigs_hosts)
{
	const struct host two = { 2, { 0, 1 }, { 2, 2 } };
	const struct host three_one = { 2, { 0, 1 }, { 3, 1 } };
	const struct host order = { 4, { 3, 1, 0, 2 }, { 1, 1, 1, 1 } };
	const struct host hole = { 3, { 0, 2, 5 }, { 2, 1, 1 } };
	struct dom0_vnuma_facts f;

	f = facts_of(&two);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 4 vCPUs pinned 1:1 across 2 host nodes", why);
	f = facts_of(&three_one);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 4 vCPUs pinned 1:1 across 2 host nodes", why);
	f = facts_of(&order);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 4 vCPUs pinned 1:1 across 4 host nodes", why);
	f = facts_of(&hole);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 4 vCPUs pinned 1:1 across 3 host nodes", why);
}

/* Each rule, in the order the gate applies them, with its log line. */
TEST(gate_off_reasons)
{
	const struct host two = { 2, { 0, 1 }, { 2, 2 } };
	const struct host one = { 1, { 0 }, { 4 } };
	struct dom0_vnuma_facts f;

	f = facts_of(&two);
	f.enabled = false;
	f.pvh = false;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: turned off with dom0=no-vnuma", why);

	f = facts_of(&two);
	f.pvh = false;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0 is PV", why);

	f = facts_of(&two);
	f.vcpus_pin = false;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0_vcpus_pin not given", why);

	/* dom0_nodes=0 dom0_max_vcpus=4: dom0 may use node 0's 2 CPUs. */
	f = facts_of(&two);
	f.nr_dom0_nodes = 1;
	f.nr_cpus = 2;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0_nodes= leaves dom0 1 of the host's 2 nodes", why);

	/* dom0_max_vcpus=5 on 4 CPUs: two vCPUs would share a CPU. */
	f = facts_of(&two);
	f.nr_vcpus = 5;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0's 5 vCPUs would share the 4 CPUs it may use", why);

	/* dom0_max_vcpus=2 on 4 CPUs. */
	f = facts_of(&two);
	f.nr_vcpus = 2;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0 has 2 vCPUs, the host 4 usable CPUs", why);

	f = facts_of(&one);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: the host has one NUMA node", why);

	/* numa=fake: nodes, but no firmware memory blocks. */
	f = facts_of(&two);
	f.nr_memblks = 0;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: the host's nodes are not the firmware's", why);

	/* A CPU the SRAT does not name: Xen put it on node 0 itself. */
	f = facts_of(&two);
	f.unplaced_cpu = 3;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: the firmware puts CPU 3 on no node", why);

	/* RAM outside every block: Linux would reject dom0's SRAT. */
	f = facts_of(&two);
	f.uncovered = 256;
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: 1024 KiB of host RAM are in no firmware memory block", why);
	f.uncovered = 255;
	EXPECT_TRUE(gate(&f));
}

/* Real servers: more CPUs than a PVH dom0 can have, smt=0. */
TEST(gate_on_large_hosts)
{
	/* 2 sockets of 64 cores with SMT: 256 CPUs, dom0 capped at 128. */
	const struct host smt = { 2, { 0, 1 }, { 128, 128 } };
	/* The same host booted with smt=0: 128 usable CPUs. */
	const struct host nosmt = { 2, { 0, 1 }, { 64, 64 } };
	/* 8 NPS nodes of 16 CPUs. */
	const struct host nps = { 8, { 0, 1, 2, 3, 4, 5, 6, 7 },
				  { 16, 16, 16, 16, 16, 16, 16, 16 } };
	struct dom0_vnuma_facts f;

	f = facts_of(&smt);
	EXPECT_EQ(128, f.nr_vcpus);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: dom0 can have at most 128 vCPUs, the host has 256 usable CPUs",
		     why);

	/* IDs 0..126 and 128..254: exactly at the limit. */
	f = facts_of(&nosmt);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 128 vCPUs pinned 1:1 across 2 host nodes", why);
	EXPECT_EQ(0xfe, x2apic_id[127]);

	f = facts_of(&nps);
	EXPECT_TRUE(gate(&f));
	EXPECT_EQ(0xfe, x2apic_id[127]);
}

/* Layouts whose IDs need more than 8 bits are refused, not truncated. */
TEST(gate_apic_ids_beyond_0xfe)
{
	/* 3 nodes of 40: windows of 128 IDs, PXM 2's last CPU is 0x14e. */
	const struct host three40 = { 3, { 0, 1, 2 }, { 40, 40, 40 } };
	/* PXMs 0 and 2 of 64 each: PXM 2's window starts at 0x100. */
	const struct host gap64 = { 2, { 0, 2 }, { 64, 64 } };
	/* The same PXMs with 32 each: windows of 64, up to 0xbe. */
	const struct host gap32 = { 2, { 0, 2 }, { 32, 32 } };
	/* Uneven: 65 + 63, windows of 256: PXM 1 would start at 0x100. */
	const struct host uneven = { 2, { 0, 1 }, { 65, 63 } };
	struct dom0_vnuma_facts f;

	f = facts_of(&three40);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: its x2APIC IDs would reach 0x14e, dom0 can use up to 0xfe",
		     why);
	f = facts_of(&gap64);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: its x2APIC IDs would reach 0x17e, dom0 can use up to 0xfe",
		     why);
	f = facts_of(&gap32);
	EXPECT_TRUE(gate(&f));
	EXPECT_EQ(0xbe, x2apic_id[63]);
	f = facts_of(&uneven);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: its x2APIC IDs would reach 0x17c, dom0 can use up to 0xfe",
		     why);
}

/*
 * A node without CPUs still gets an SRAT processor entry at the start of its
 * window (an absent processor): that ID counts too.
 */
TEST(gate_memory_only_nodes)
{
	struct host h = { 3, { 0, 1, 31 }, { 2, 2, 0 } };
	struct dom0_vnuma_facts f;

	/* Windows of 4 IDs: PXM 31's absent processor is 0x7c. */
	f = facts_of(&h);
	EXPECT_TRUE(gate(&f));
	EXPECT_STREQ("on: 4 vCPUs pinned 1:1 across 3 host nodes", why);

	/* Windows of 64: PXM 31 would need 0x7c0. */
	h.cpus[0] = h.cpus[1] = 32;
	f = facts_of(&h);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: its x2APIC IDs would reach 0x7c0, dom0 can use up to 0xfe",
		     why);
}

/* PXMs number the vnodes: one far out must not wrap the count. */
TEST(gate_pxm_bounds)
{
	struct host h = { 2, { 0, 0xffffffff }, { 2, 2 } };
	struct dom0_vnuma_facts f;

	f = facts_of(&h);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: host PXM 4294967295 is beyond the 32 vnodes a layout can number",
		     why);
	h.pxm[1] = 32;
	f = facts_of(&h);
	EXPECT_FALSE(gate(&f));
	EXPECT_STREQ("off: host PXM 32 is beyond the 32 vnodes a layout can number",
		     why);
	h.pxm[1] = 31;
	f = facts_of(&h);
	EXPECT_TRUE(gate(&f));
}

/* ---- dom0's memory map -------------------------------------------------- */

#define E(a, e, t) { .addr = (a), .size = (e) - (a), .type = (t) }
#define RAM E820_RAM
#define RES E820_RESERVED
#define UNU E820_UNUSABLE

/* QEMU's q35 map with max-ram-below-4g=2G: RAM below 640K, 1M-2G, from 4G. */
static unsigned int q35_map(struct e820entry *map, uint64_t ram)
{
	const struct e820entry fixed[] = {
		E(0, 0x9fc00, RAM),
		E(0x9fc00, 0xa0000, RES),
		E(0xf0000, 0x100000, RES),
		E(0x100000, 0x7ffe0000, RAM),
		E(0x7ffe0000, 0x80000000, RES),
		E(0xb0000000, 0xc0000000, RES),
		E(0xfed1c000, 0xfed20000, RES),
		E(0xfffc0000, 0x100000000, RES),
	};
	unsigned int n = ARRAY_SIZE(fixed);

	memcpy(map, fixed, sizeof(fixed));
	if (ram > GB(2))
		map[n++] = (struct e820entry)E(GB(4), GB(2) + ram, RAM);
	return n;
}

/* The map and its nodes as Xen would hand them to dom0_memmap_spread(). */
struct host_mem {
	struct e820entry host[64];
	struct dom0_memblk blks[64];
	struct dom0_memmap_node nodes[MAX_NUMNODES];
	struct e820entry out[DOM0_E820_MAX];
	struct dom0_memmap_req req;
};

/* Nodes of @sizes bytes, laid out in QEMU's RAM in order, all free. */
static void host_mem_init(struct host_mem *m, const uint64_t *sizes,
			  unsigned int nr)
{
	uint64_t total = 0, addr = 0;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < nr; i++)
		total += sizes[i];
	m->req.nr_host = q35_map(m->host, total);
	for (i = 0; i < nr; i++) {
		/* Physical addresses: RAM from 0 to 2G, then from 4G. */
		uint64_t end = addr + sizes[i];

		m->blks[i].start = addr < GB(2) ? addr : addr + GB(2);
		m->blks[i].end = end <= GB(2) ? end : end + GB(2);
		if (addr < GB(2) && end > GB(2))
			m->blks[i].end = end + GB(2);
		m->blks[i].node = i;
		m->nodes[i].preferred = m->nodes[i].most = ~0UL;
		addr = end;
	}
	m->req.host = m->host;
	m->req.blks = m->blks;
	m->req.nr_blks = nr;
	m->req.nodes = m->nodes;
	m->req.nr_nodes = MAX_NUMNODES;
	/* 200 MiB of boot images, as on the rig. */
	m->req.boot_pages = PFN_UP(MB(15) + MB(200));
	m->req.low_pages = PFN_UP(MB(200)) + PFN_DOWN(MB(512));
}

/* RAM pages of @map within [s, e). */
static unsigned long ram_in(const struct e820entry *map, int nr, uint64_t s,
			    uint64_t e)
{
	unsigned long pages = 0;
	int i;

	for (i = 0; i < nr; i++) {
		uint64_t a = map[i].addr, b = map[i].addr + map[i].size;

		if (map[i].type != RAM)
			continue;
		a = a > s ? a : s;
		b = b < e ? b : e;
		if (a < b)
			pages += (b - a) >> PAGE_SHIFT;
	}
	return pages;
}

/* RAM pages of @map on node @node, by the blocks. */
static unsigned long ram_on(const struct host_mem *m, int nr, nodeid_t node)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < m->req.nr_blks; i++)
		if (m->blks[i].node == node)
			pages += ram_in(m->out, nr, m->blks[i].start,
					m->blks[i].end);
	return pages;
}

/*
 * What every map must be, whatever the host: sorted, no overlap, adjacent
 * entries of one type merged, page-aligned RAM, exactly nr_pages of RAM,
 * only where the host has RAM, what the host has elsewhere unchanged, and
 * the nodes' totals as reported.
 */
static int check_map(struct __test_metadata *_metadata, struct host_mem *m,
		     int nr)
{
	unsigned long total = 0;
	int i;
	unsigned int j;

	EXPECT_GT(nr, 0);
	EXPECT_LE(nr, DOM0_E820_MAX);
	for (i = 0; i < nr; i++) {
		const struct e820entry *e = &m->out[i];

		EXPECT_GT(e->size, 0);
		if (i) {
			const struct e820entry *p = &m->out[i - 1];

			EXPECT_LE(p->addr + p->size, e->addr);
			if (p->addr + p->size == e->addr)
				EXPECT_NE(p->type, e->type);
		}
		if (e->type == RAM) {
			EXPECT_EQ(0, e->addr & (PAGE_SIZE - 1));
			EXPECT_EQ(0, e->size & (PAGE_SIZE - 1));
			total += e->size >> PAGE_SHIFT;
		}
		/* RAM and UNUSABLE only where the host has RAM. */
		if (e->type == RAM || e->type == UNU) {
			uint64_t covered = 0;

			for (j = 0; j < m->req.nr_host; j++) {
				uint64_t a = m->host[j].addr;
				uint64_t b = a + m->host[j].size;

				if (m->host[j].type != RAM)
					continue;
				a = a > e->addr ? a : e->addr;
				b = b < e->addr + e->size ? b : e->addr + e->size;
				covered += a < b ? b - a : 0;
			}
			EXPECT_EQ(e->size, covered);
		}
	}
	EXPECT_EQ(m->req.nr_pages, total);
	for (j = 0; j < m->req.nr_blks; j++) {
		EXPECT_EQ(ram_on(m, nr, m->blks[j].node),
			  m->nodes[m->blks[j].node].pages);
	}
	return 0;
}

/* The rig's 2node host, dom0_mem=1536M: the map dom0 boots with there. */
TEST(spread_rig_2node)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(2), GB(2) };
	const struct e820entry want[] = {
		E(0, 0x9f000, RAM),
		E(0x9fc00, 0xa0000, RES),
		E(0xf0000, 0x100000, RES),
		/* 159 + 196474 pages on node 0, all below 2G. */
		E(0x100000, 0x100000 + 196474UL * 4096, RAM),
		E(0x100000 + 196474UL * 4096, 0x7ffe0000, UNU),
		E(0x7ffe0000, 0x80000000, RES),
		E(0xb0000000, 0xc0000000, RES),
		E(0xfed1c000, 0xfed20000, RES),
		E(0xfffc0000, 0x100000000, RES),
		/* 196583 pages on node 1. */
		E(GB(4), GB(4) + 196583UL * 4096, RAM),
		E(GB(4) + 196583UL * 4096, GB(6), UNU),
	};
	int nr, i;

	host_mem_init(&m, sizes, 2);
	m.req.nr_pages = PFN_DOWN(MB(1536));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_EQ(ARRAY_SIZE(want), nr);
	for (i = 0; i < nr; i++) {
		EXPECT_EQ(want[i].addr, m.out[i].addr);
		EXPECT_EQ(want[i].size, m.out[i].size);
		EXPECT_EQ(want[i].type, m.out[i].type);
	}
	check_map(_metadata, &m, nr);
	EXPECT_EQ(196633, m.nodes[0].pages);
	EXPECT_EQ(196583, m.nodes[1].pages);
}

/*
 * A host with far more RAM than dom0 (2 nodes of 512 GiB, dom0_mem=8G: 1/128
 * of it): dom0 still has what it needs below 4GiB, the boot images fit from
 * 1MiB, and above 4GiB both nodes give the same share of their RAM.
 */
TEST(spread_big_host_small_dom0)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(512), GB(512) };
	unsigned long low, n0_high, n1_high;
	int nr;

	host_mem_init(&m, sizes, 2);
	m.req.nr_pages = PFN_DOWN(GB(8));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);

	low = ram_in(m.out, nr, MB(1), GB(4));
	EXPECT_EQ(m.req.low_pages, low);
	/* One RAM entry from 1MiB holds at least the boot images. */
	EXPECT_EQ(MB(1), m.out[3].addr);
	EXPECT_EQ(RAM, m.out[3].type);
	EXPECT_GE(m.out[3].size >> PAGE_SHIFT, m.req.boot_pages);

	/*
	 * Node 0 has 510G above 4G, node 1 512G: shares of 510 to 512, each
	 * rounded by less than a page.
	 */
	n0_high = ram_in(m.out, nr, GB(4), m.blks[0].end);
	n1_high = ram_in(m.out, nr, m.blks[1].start, m.blks[1].end);
	EXPECT_EQ(m.req.nr_pages - 159 - low, n0_high + n1_high);
	EXPECT_NEAR(n0_high * 512, n1_high * 510, 512 + 510);
}

/* Below what dom0 needs under 4GiB (16 GiB host, dom0_mem=512M): all there. */
TEST(spread_dom0_mem_below_the_low_need)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(8), GB(8) };
	int nr;

	host_mem_init(&m, sizes, 2);
	m.req.nr_pages = PFN_DOWN(MB(512));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(m.req.nr_pages - 159, ram_in(m.out, nr, MB(1), GB(2)));
	EXPECT_EQ(0, m.nodes[1].pages);
	EXPECT_EQ(MB(1), m.out[3].addr);
	EXPECT_EQ(MB(1) + ((m.req.nr_pages - 159) << PAGE_SHIFT),
		  m.out[3].addr + m.out[3].size);
}

/*
 * Three nodes of 6, 6 and 4 GiB, dom0_mem=1280M: the shape whose dom0 was
 * handed a start info above 4GiB.  The boot images fit in the first RAM
 * entry, from 1MiB.
 */
TEST(spread_three_nodes_6_6_4)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(6), GB(6), GB(4) };
	int nr;

	host_mem_init(&m, sizes, 3);
	m.req.nr_pages = PFN_DOWN(MB(1280));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(MB(1), m.out[3].addr);
	EXPECT_GE(m.out[3].size >> PAGE_SHIFT, m.req.boot_pages);
	EXPECT_EQ(m.req.low_pages, ram_in(m.out, nr, MB(1), GB(4)));
	/* Above 4GiB: 4, 6 and 4 GiB of RAM give equal shares. */
	EXPECT_NEAR(ram_in(m.out, nr, GB(4), m.blks[0].end) * 6,
		    ram_in(m.out, nr, m.blks[1].start, m.blks[1].end) * 4, 6);
	EXPECT_NEAR(ram_in(m.out, nr, m.blks[2].start, m.blks[2].end),
		    ram_in(m.out, nr, GB(4), m.blks[0].end), 1);
}

/*
 * A node that cannot give its share (Xen's heap and the DMA zone on node 0):
 * the others take the rest, in proportion to their RAM; the DMA zone only
 * when the preferred memory of every node is gone.
 */
TEST(spread_short_node)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(4), GB(4), GB(4) };
	int nr;

	host_mem_init(&m, sizes, 3);
	m.req.nr_pages = PFN_DOWN(GB(6));
	/* Node 0 can give 2.5G without its DMA zone, 3.5G at most. */
	m.nodes[0].preferred = PFN_DOWN(MB(2560));
	m.nodes[0].most = PFN_DOWN(MB(3584));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	/* Node 0 can give its share: 2G of RAM above 4G to the others' 4G. */
	EXPECT_LT(m.nodes[0].pages, m.nodes[0].preferred);
	EXPECT_NEAR(ram_in(m.out, nr, GB(4), GB(6)) * 2, m.nodes[1].pages, 2);
	EXPECT_NEAR(m.nodes[1].pages, m.nodes[2].pages, 1);

	m.req.nr_pages = PFN_DOWN(GB(9));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	/* 3G is its share: it gives its preferred 2.5G, the others 3.25G. */
	EXPECT_EQ(PFN_DOWN(MB(2560)), m.nodes[0].pages);
	EXPECT_NEAR(m.nodes[1].pages, m.nodes[2].pages, 1);

	/* Nodes 1 and 2 cannot take it all without their DMA zones... */
	m.req.nr_pages = PFN_DOWN(GB(11));
	m.nodes[1].preferred = m.nodes[2].preferred = PFN_DOWN(GB(4));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(PFN_DOWN(GB(4)), m.nodes[1].pages);
	EXPECT_EQ(PFN_DOWN(GB(4)), m.nodes[2].pages);
	EXPECT_EQ(PFN_DOWN(GB(3)), m.nodes[0].pages);

	/* ...and beyond what every node can give, the plan still adds up. */
	m.req.nr_pages = PFN_DOWN(GB(12) - MB(16));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
}

/*
 * Xen's default dom0_mem on the rig's 4node-order host (four 1G nodes, two
 * below 4GiB): the nodes above 4GiB hold Xen's heap and cannot give their
 * share, and the only free memory left is on the nodes below 4GiB, beyond
 * dom0's share there.  dom0 takes it there rather than from RAM a node
 * does not have free (which the allocation would have to move elsewhere).
 */
TEST(spread_high_nodes_full)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(1), GB(1), GB(1), GB(1) };
	unsigned long low_share[2];
	unsigned int i;
	int nr;

	host_mem_init(&m, sizes, 4);
	m.req.nr_pages = 958924;
	/* Nothing outside the DMA zone below 4GiB; Xen's heap above. */
	m.nodes[0].preferred = m.nodes[1].preferred = 0;
	m.nodes[0].most = 250000;
	m.nodes[1].most = 255000;
	m.nodes[2].preferred = m.nodes[2].most = 230000;
	m.nodes[3].preferred = m.nodes[3].most = 232000;

	/* Without the shortage: the nodes below 4GiB give their share. */
	m.nodes[2].preferred = m.nodes[2].most = ~0UL;
	m.nodes[3].preferred = m.nodes[3].most = ~0UL;
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	low_share[0] = m.nodes[0].pages;
	low_share[1] = m.nodes[1].pages;

	m.nodes[2].preferred = m.nodes[2].most = 230000;
	m.nodes[3].preferred = m.nodes[3].most = 232000;
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	for (i = 0; i < 4; i++) {
		EXPECT_LE(m.nodes[i].pages, m.nodes[i].most)
			TH_LOG("node %u backs %lu pages, has %lu free", i,
			       m.nodes[i].pages, m.nodes[i].most);
	}
	EXPECT_EQ(230000, m.nodes[2].pages);
	EXPECT_EQ(232000, m.nodes[3].pages);
	/*
	 * The rest below 4GiB, in proportion to the nodes' RAM from 1MiB
	 * there: 261888 pages on node 0, 262112 on node 1.
	 */
	EXPECT_GT(m.nodes[0].pages, low_share[0]);
	EXPECT_NEAR((m.nodes[0].pages - low_share[0]) * 262112,
		    (m.nodes[1].pages - low_share[1]) * 261888, 2 * 262112);

	/* With no free memory anywhere, the plan still adds up. */
	m.nodes[0].most = m.nodes[1].most = 200000;
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
}

/* dom0_nodes=: a node dom0 must not use backs nothing above 4GiB. */
TEST(spread_dom0_nodes)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(4), GB(4) };
	int nr;

	host_mem_init(&m, sizes, 2);
	m.req.nr_pages = PFN_DOWN(GB(3));
	m.nodes[1].preferred = m.nodes[1].most = 0;
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(0, m.nodes[1].pages);

	/* More than node 0 and the low RAM hold: cannot spread. */
	m.req.nr_pages = PFN_DOWN(GB(5));
	EXPECT_EQ(-EINVAL, dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX));
}

/*
 * RAM cut into many node pieces: the map dom0 reads has 128 entries, so a
 * plan that needs more than DOM0_E820_MAX is refused (Xen then trims
 * first-fit), and adjacent pieces dom0 has whole are merged.
 */
TEST(spread_many_pieces)
{
	static struct host_mem m;
	uint64_t sizes[] = { GB(2), GB(2) };
	unsigned int i;
	int nr;

	host_mem_init(&m, sizes, 2);
	/* Above 4G, 60 blocks of 1G alternating between the nodes. */
	m.host[m.req.nr_host - 1] = (struct e820entry)E(GB(4), GB(64), RAM);
	m.req.nr_blks = 61;
	m.blks[0] = (struct dom0_memblk){ 0, GB(2), 0 };
	for (i = 1; i < 61; i++)
		m.blks[i] = (struct dom0_memblk){ GB(3 + i), GB(4 + i), i & 1 };
	m.req.nr_pages = PFN_DOWN(GB(16));
	EXPECT_EQ(-ENOSPC, dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX));

	/* Each piece whole: every RAM piece merges into one entry. */
	m.req.nr_pages = 159 + PFN_DOWN(GB(60)) + PFN_DOWN(0x7ffe0000 - MB(1));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(GB(4), m.out[nr - 1].addr);
	EXPECT_EQ(GB(60), m.out[nr - 1].size);

	/* Adjacent host RAM entries are merged too (a 2 GiB host, all low). */
	sizes[0] = sizes[1] = GB(1);
	host_mem_init(&m, sizes, 2);
	m.host[3] = (struct e820entry)E(0x100000, 0x40000000, RAM);
	memmove(&m.host[5], &m.host[4], sizeof(m.host[0]) * (m.req.nr_host - 4));
	m.host[4] = (struct e820entry)E(0x40000000, 0x7ffe0000, RAM);
	m.req.nr_host++;
	m.req.nr_pages = 159 + PFN_DOWN(0x7ffe0000 - MB(1));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	check_map(_metadata, &m, nr);
	EXPECT_EQ(MB(1), m.out[3].addr);
	EXPECT_EQ(0x7ffe0000 - MB(1), m.out[3].size);
}

/*
 * A block boundary in the middle of a page: the page is the node's of the
 * block holding its first byte, in the map's accounting as in dom0's SRAT.
 */
TEST(spread_unaligned_block)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(4), GB(4) };
	int nr;

	host_mem_init(&m, sizes, 2);
	/* Node 0 ends 2 KiB into the page at 6 GiB, which stays node 0's. */
	m.blks[0].end = GB(6) + 0x800;
	m.blks[1].start = GB(6) + 0x800;
	m.req.nr_pages = 159 + PFN_DOWN(0x7ffe0000 - MB(1)) + PFN_DOWN(GB(6));
	nr = dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX);
	ASSERT_GT(nr, 0);
	EXPECT_EQ(159 + PFN_DOWN(0x7ffe0000 - MB(1)) + PFN_DOWN(GB(2)) + 1,
		  m.nodes[0].pages);
	EXPECT_EQ(PFN_DOWN(GB(4)) - 1, m.nodes[1].pages);
	EXPECT_EQ(0, dom0_ram_outside_blocks(m.host, m.req.nr_host, m.blks, 2));

	/* A gap between the blocks: RAM no block holds. */
	m.blks[1].start = GB(6) + MB(3);
	EXPECT_EQ(PFN_DOWN(MB(3)) - 1,
		  dom0_ram_outside_blocks(m.host, m.req.nr_host, m.blks, 2));
}

/* Asking for more than there is, or less than below 1MiB: refused. */
TEST(spread_bad_requests)
{
	static struct host_mem m;
	const uint64_t sizes[] = { GB(2), GB(2) };

	host_mem_init(&m, sizes, 2);
	m.req.nr_pages = PFN_DOWN(GB(5));
	EXPECT_EQ(-EINVAL, dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX));
	m.req.nr_pages = 100;
	EXPECT_EQ(-EINVAL, dom0_memmap_spread(&m.req, m.out, DOM0_E820_MAX));
}

TEST_HARNESS_MAIN
