// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the x2APIC ID encoding that the Xen series uses for
 * domains created with XEN_DOMCTL_CDF_vnuma_apic_topology:
 *   x2APIC ID = (vnode << pkg_shift) | (2 * rank within the vnode),
 *   pkg_shift = fls(2 * max_per_node - 1).
 * The code under test is vnuma_apic_topology_build() from
 * xen/arch/x86/include/asm/vnuma-topology.h, taken from the patch of the
 * series that adds it (see unit/Makefile), with unit/xen_shim.h standing in
 * for the hypervisor headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_shim.h"
#include "vnuma-topology.h"

#include "kselftest_harness.h"

#define MAX_VCPUS 512

/* A layout: vcpu_to_vnode[] as the toolstack hands it to Xen. */
struct layout {
	unsigned int nr_vcpus, nr_vnodes;
	unsigned int vcpu_to_vnode[MAX_VCPUS];
};

/* Contiguous layout: counts[n] vCPUs in vnode n, in vCPU ID order. */
static void layout_blocks(struct layout *l, const unsigned int *counts,
			  unsigned int nr_vnodes)
{
	unsigned int n, i;

	l->nr_vcpus = 0;
	l->nr_vnodes = nr_vnodes;
	for (n = 0; n < nr_vnodes; n++)
		for (i = 0; i < counts[n]; i++)
			l->vcpu_to_vnode[l->nr_vcpus++] = n;
}

/* Round-robin layout: vCPU i in vnode i % nr_vnodes. */
static void layout_interleaved(struct layout *l, unsigned int nr_vcpus,
			       unsigned int nr_vnodes)
{
	unsigned int i;

	l->nr_vcpus = nr_vcpus;
	l->nr_vnodes = nr_vnodes;
	for (i = 0; i < nr_vcpus; i++)
		l->vcpu_to_vnode[i] = i % nr_vnodes;
}

/*
 * Check every property the encoding promises, independently of how it is
 * computed; returns the number of violations (each one logged).
 */
static int check_layout(const struct layout *l, const char *what)
{
	struct vnuma_apic_topology topo = { 0, 0 };
	uint32_t ids[MAX_VCPUS];
	unsigned int count[MAX_VCPUS] = { 0 }, seen[MAX_VCPUS] = { 0 };
	unsigned int i, j, max = 0, want_shift = 0;
	int bad = 0, rc;

	for (i = 0; i < l->nr_vcpus; i++)
		if (++count[l->vcpu_to_vnode[i]] > max)
			max = count[l->vcpu_to_vnode[i]];
	/* Smallest window of even IDs that holds the largest vnode. */
	while ((1U << want_shift) < 2 * max)
		want_shift++;

	memset(ids, 0xa5, sizeof(ids));
	rc = vnuma_apic_topology_build(&topo, ids, l->vcpu_to_vnode,
				       l->nr_vcpus, l->nr_vnodes);
	if (rc) {
		printf("# %s: build failed: %d\n", what, rc);
		return 1;
	}
	if (topo.max_per_node != max) {
		printf("# %s: max_per_node %u, want %u\n", what,
		       topo.max_per_node, max);
		bad++;
	}
	if (topo.pkg_shift != want_shift) {
		printf("# %s: pkg_shift %u, want %u\n", what, topo.pkg_shift,
		       want_shift);
		bad++;
	}

	for (i = 0; i < l->nr_vcpus; i++) {
		unsigned int vnode = l->vcpu_to_vnode[i];
		uint32_t offset = ids[i] & ((1U << topo.pkg_shift) - 1);
		unsigned int rank = seen[vnode]++;

		if (ids[i] >> topo.pkg_shift != vnode) {
			printf("# %s: vCPU %u id %#x: package %u, want vnode %u\n",
			       what, i, ids[i], ids[i] >> topo.pkg_shift, vnode);
			bad++;
		}
		if (offset != 2 * rank) {
			printf("# %s: vCPU %u id %#x: offset %u, want %u\n",
			       what, i, ids[i], offset, 2 * rank);
			bad++;
		}
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i]) {
				printf("# %s: vCPUs %u and %u share id %#x\n",
				       what, j, i, ids[i]);
				bad++;
			}
	}
	return bad;
}

/* The IDs of a contiguous layout, compared with a literal list. */
static int check_ids(const unsigned int *counts, unsigned int nr_vnodes,
		     unsigned int want_shift, const uint32_t *want,
		     const char *what)
{
	struct vnuma_apic_topology topo;
	struct layout l;
	uint32_t ids[MAX_VCPUS];
	unsigned int i;
	int bad = 0;

	layout_blocks(&l, counts, nr_vnodes);
	if (vnuma_apic_topology_build(&topo, ids, l.vcpu_to_vnode, l.nr_vcpus,
				      l.nr_vnodes)) {
		printf("# %s: build failed\n", what);
		return 1;
	}
	if (topo.pkg_shift != want_shift) {
		printf("# %s: pkg_shift %u, want %u\n", what, topo.pkg_shift,
		       want_shift);
		bad++;
	}
	for (i = 0; i < l.nr_vcpus; i++)
		if (ids[i] != want[i]) {
			printf("# %s: vCPU %u id %#x, want %#x\n", what, i,
			       ids[i], want[i]);
			bad++;
		}
	return bad + check_layout(&l, what);
}

TEST(npot_3_2)
{
	static const unsigned int counts[] = { 3, 2 };
	static const uint32_t want[] = { 0, 2, 4, 8, 10 };

	EXPECT_EQ(0, check_ids(counts, 2, 3, want, "3+2"));
}

TEST(npot_5_3_2)
{
	static const unsigned int counts[] = { 5, 3, 2 };
	static const uint32_t want[] = { 0, 2, 4, 6, 8, 16, 18, 20, 32, 34 };

	EXPECT_EQ(0, check_ids(counts, 3, 4, want, "5+3+2"));
}

/* 24 is not a power of two: the second package starts at 64, not 48. */
TEST(npot_24_24)
{
	static const unsigned int counts[] = { 24, 24 };
	uint32_t want[48];
	unsigned int i;

	for (i = 0; i < 24; i++) {
		want[i] = 2 * i;
		want[24 + i] = 64 + 2 * i;
	}
	EXPECT_EQ(0, check_ids(counts, 2, 6, want, "24+24"));
}

TEST(unbalanced_25_24)
{
	static const unsigned int counts[] = { 25, 24 };
	uint32_t want[49];
	unsigned int i;

	for (i = 0; i < 25; i++)
		want[i] = 2 * i;
	for (i = 0; i < 24; i++)
		want[25 + i] = 64 + 2 * i;
	EXPECT_EQ(0, check_ids(counts, 2, 6, want, "25+24"));
}

/* The largest vnode need not come first, and vnodes may hold no vCPU. */
TEST(unbalanced_small_first_and_empty_vnode)
{
	static const unsigned int counts[] = { 1, 0, 3 };
	static const uint32_t want[] = { 0, 16, 18, 20 };

	EXPECT_EQ(0, check_ids(counts, 3, 3, want, "1+0+3"));
}

/* Round-robin placement: ranks follow vCPU ID order within each vnode. */
TEST(interleaved_2_vnodes)
{
	struct vnuma_apic_topology topo;
	struct layout l;
	uint32_t ids[6];
	static const uint32_t want[] = { 0, 8, 2, 10, 4, 12 };
	unsigned int i;

	layout_interleaved(&l, 6, 2);
	ASSERT_EQ(0, vnuma_apic_topology_build(&topo, ids, l.vcpu_to_vnode,
					       l.nr_vcpus, l.nr_vnodes));
	EXPECT_EQ(3U, topo.max_per_node);
	EXPECT_EQ(3U, topo.pkg_shift);
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(want[i], ids[i])
			TH_LOG("vCPU %u", i);
	}
	EXPECT_EQ(0, check_layout(&l, "interleaved 6/2"));
}

/*
 * Balanced power-of-two layouts in vCPU ID order must keep the IDs Xen has
 * always given (vcpu_id * 2): toolstacks that opt in see no change there.
 */
TEST(pot_balanced_is_legacy)
{
	unsigned int nr_vnodes, per, i, n;

	for (nr_vnodes = 1; nr_vnodes <= 8; nr_vnodes++) {
		for (per = 1; per <= 32; per *= 2) {
			unsigned int counts[8];
			struct vnuma_apic_topology topo;
			struct layout l;
			uint32_t ids[MAX_VCPUS];

			for (n = 0; n < nr_vnodes; n++)
				counts[n] = per;
			layout_blocks(&l, counts, nr_vnodes);
			ASSERT_EQ(0, vnuma_apic_topology_build(&topo, ids,
							       l.vcpu_to_vnode,
							       l.nr_vcpus,
							       l.nr_vnodes));
			for (i = 0; i < l.nr_vcpus; i++) {
				ASSERT_EQ(2 * i, ids[i])
					TH_LOG("%u vnodes x %u vCPUs, vCPU %u",
					       nr_vnodes, per, i);
			}
		}
	}
}

/* A single vnode is a single package: legacy IDs whatever its size. */
TEST(single_vnode_is_legacy)
{
	unsigned int nr, i;

	for (nr = 1; nr <= 128; nr++) {
		struct vnuma_apic_topology topo;
		struct layout l;
		uint32_t ids[MAX_VCPUS];

		layout_blocks(&l, &nr, 1);
		ASSERT_EQ(0, vnuma_apic_topology_build(&topo, ids,
						       l.vcpu_to_vnode,
						       l.nr_vcpus, 1));
		for (i = 0; i < nr; i++) {
			ASSERT_EQ(2 * i, ids[i])
				TH_LOG("%u vCPUs", nr);
		}
	}
}

/* Every count of 1..8 vnodes, balanced or not, contiguous or round-robin. */
TEST(properties_1_to_8_vnodes)
{
	static const unsigned int sizes[] = { 1, 2, 3, 5, 6, 7, 8, 9, 12, 17 };
	unsigned int nr_vnodes, a, b, n;
	int bad = 0;

	for (nr_vnodes = 1; nr_vnodes <= 8; nr_vnodes++) {
		for (a = 0; a < ARRAY_SIZE(sizes); a++) {
			for (b = 0; b < ARRAY_SIZE(sizes); b++) {
				unsigned int counts[8];
				struct layout l;
				char what[64];

				/* Balanced when a == b, else alternating. */
				for (n = 0; n < nr_vnodes; n++)
					counts[n] = n % 2 ? sizes[b] : sizes[a];
				layout_blocks(&l, counts, nr_vnodes);
				snprintf(what, sizeof(what), "%u vnodes %u/%u",
					 nr_vnodes, sizes[a], sizes[b]);
				bad += check_layout(&l, what);
			}
			if (sizes[a] * nr_vnodes <= MAX_VCPUS) {
				struct layout l;
				char what[64];

				layout_interleaved(&l, sizes[a] * nr_vnodes,
						   nr_vnodes);
				snprintf(what, sizeof(what),
					 "%u vnodes round-robin %u", nr_vnodes,
					 sizes[a] * nr_vnodes);
				bad += check_layout(&l, what);
			}
		}
	}
	EXPECT_EQ(0, bad);
}

/*
 * Xen's own bounds (128 vCPUs for HVM, at most 32 vnodes) keep IDs below
 * 2^13, which the hypervisor relies on when it asserts success.
 */
TEST(xen_limits_fit)
{
	struct vnuma_apic_topology topo;
	struct layout l;
	uint32_t ids[MAX_VCPUS];
	unsigned int i, counts[32] = { 97 };

	for (i = 1; i < 32; i++)
		counts[i] = 1;
	layout_blocks(&l, counts, 32);
	ASSERT_EQ(128U, l.nr_vcpus);
	ASSERT_EQ(0, vnuma_apic_topology_build(&topo, ids, l.vcpu_to_vnode,
					       l.nr_vcpus, l.nr_vnodes));
	EXPECT_EQ(8U, topo.pkg_shift);
	for (i = 0; i < l.nr_vcpus; i++)
		EXPECT_GT(1U << 13, ids[i]);
	EXPECT_EQ(0, check_layout(&l, "97+31x1"));
}

TEST(rejects_empty_layout)
{
	struct vnuma_apic_topology topo = { 7, 7 };
	unsigned int map[1] = { 0 };
	uint32_t ids[1] = { 0xdead };

	EXPECT_EQ(-EINVAL, vnuma_apic_topology_build(&topo, ids, map, 0, 1));
	EXPECT_EQ(-EINVAL, vnuma_apic_topology_build(&topo, ids, map, 1, 0));
	EXPECT_EQ(7U, topo.max_per_node);
	EXPECT_EQ(7U, topo.pkg_shift);
	EXPECT_EQ(0xdeadU, ids[0]);
}

TEST(rejects_vnode_out_of_range)
{
	struct vnuma_apic_topology topo = { 7, 7 };
	unsigned int map[3] = { 0, 1, 2 };
	uint32_t ids[3] = { 0xdead, 0xdead, 0xdead };
	unsigned int i;

	EXPECT_EQ(-EINVAL, vnuma_apic_topology_build(&topo, ids, map, 3, 2));
	EXPECT_EQ(7U, topo.max_per_node);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0xdeadU, ids[i]);
}

/* The highest vnode index decides whether IDs fit in 32 bits. */
TEST(range_boundary)
{
	struct vnuma_apic_topology topo;
	unsigned int map[1];
	uint32_t ids[1] = { 0 };

	/* One vCPU: pkg_shift 1, so vnode 2^31 - 1 is the last that fits. */
	map[0] = 0x7fffffffU;
	ASSERT_EQ(0, vnuma_apic_topology_build(&topo, ids, map, 1,
					       0x80000000U));
	EXPECT_EQ(1U, topo.pkg_shift);
	EXPECT_EQ(0xfffffffeU, ids[0]);

	map[0] = 0x80000000U;
	ids[0] = 0xdead;
	EXPECT_EQ(-ERANGE, vnuma_apic_topology_build(&topo, ids, map, 1,
						     0x80000001U));
	EXPECT_EQ(0xdeadU, ids[0]);
}

TEST_HARNESS_MAIN
