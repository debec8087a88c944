// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of xen-numa-hints' pure logic (linux/drivers/xen/
 * numa-hints-logic.c, the same file the module is built from): batch
 * splitting, the MFN -> PXM cache, the PXM -> node map, the plurality
 * helper and the per-domain view's order and format.  A fake hypervisor
 * records every query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "numa-hints-logic.h"

#define FAKE_MAX_CALLS	256

/* The fake hypervisor: frame f is on PXM f % 5, unless it is "not RAM". */
struct fake {
	unsigned int calls;
	unsigned int sizes[FAKE_MAX_CALLS];
	unsigned long first[FAKE_MAX_CALLS];
	unsigned long asked;		/* frames asked about in all */
	unsigned long invalid_from;	/* frames >= this are not RAM */
	int fail_call;			/* 1-based call that fails, or 0 */
	int fail_rc;
	int locked;			/* set held, or -1 */
	unsigned int locks;
	int lock_errors;
};

static u32 fake_pxm(const struct fake *f, unsigned long frame)
{
	return frame >= f->invalid_from ? XNH_INVALID_PXM : (u32)(frame % 5);
}

static int fake_query(void *ctx, const unsigned long *frames, u32 *pxms,
		      unsigned int nr)
{
	struct fake *f = ctx;
	unsigned int i;

	if (f->locked != -1)
		f->lock_errors++;
	if (nr == 0 || nr > XNH_BATCH_MAX)
		f->lock_errors++;
	if (f->calls < FAKE_MAX_CALLS) {
		f->sizes[f->calls] = nr;
		f->first[f->calls] = frames[0];
	}
	f->calls++;
	if (f->fail_call && f->calls == (unsigned int)f->fail_call)
		return f->fail_rc;
	for (i = 0; i < nr; i++)
		pxms[i] = fake_pxm(f, frames[i]);
	f->asked += nr;
	return 0;
}

static void fake_lock(void *ctx, unsigned int set)
{
	struct fake *f = ctx;

	if (f->locked != -1)
		f->lock_errors++;
	f->locked = (int)set;
	f->locks++;
}

static void fake_unlock(void *ctx, unsigned int set)
{
	struct fake *f = ctx;

	if (f->locked != (int)set)
		f->lock_errors++;
	f->locked = -1;
}

/* PXMs 0, 2 and 5 exist (nodes 0, 1, 2); 3 says -5, which means none. */
static int holey_pxm_to_node(int pxm)
{
	switch (pxm) {
	case 0:
		return 0;
	case 2:
		return 1;
	case 3:
		return -5;
	case 5:
		return 2;
	default:
		return -1;
	}
}

static int no_pxm_to_node(int pxm)
{
	return -1;
}

/* One resolver with a fake hypervisor, a cache and a holey PXM map. */
struct bench {
	struct fake fake;
	struct xnh_resolver r;
	struct xnh_scratch s;
	struct xnh_cache cache;
	struct xnh_cache_slot *slot;
	u32 *clock;
	struct xnh_pxm_map map;
	int map_node[256];
	unsigned long *frames;
	u32 *pxms;
	int *nodes;
	struct xnh_stats st;
};

#define NR_FRAMES_MAX	100000U

static void bench_setup(struct __test_metadata *_metadata, struct bench *b)
{
	memset(b, 0, sizeof(*b));
	b->fake.locked = -1;
	b->fake.invalid_from = ~0UL;
	b->s.frames = calloc(XNH_BATCH_MAX, sizeof(*b->s.frames));
	b->s.pxms = calloc(XNH_BATCH_MAX, sizeof(*b->s.pxms));
	b->s.index = calloc(XNH_BATCH_MAX, sizeof(*b->s.index));
	b->s.cap = XNH_BATCH_MAX;
	/* 4096 sets of 8: room for every frame the tests use */
	b->slot = calloc(4096 * XNH_CACHE_WAYS, sizeof(*b->slot));
	b->clock = calloc(4096, sizeof(*b->clock));
	b->frames = calloc(NR_FRAMES_MAX, sizeof(*b->frames));
	b->pxms = calloc(NR_FRAMES_MAX, sizeof(*b->pxms));
	b->nodes = calloc(NR_FRAMES_MAX, sizeof(*b->nodes));
	ASSERT_NE(NULL, b->s.frames);
	ASSERT_NE(NULL, b->s.pxms);
	ASSERT_NE(NULL, b->s.index);
	ASSERT_NE(NULL, b->slot);
	ASSERT_NE(NULL, b->clock);
	ASSERT_NE(NULL, b->frames);
	ASSERT_NE(NULL, b->pxms);
	ASSERT_NE(NULL, b->nodes);
	ASSERT_EQ(0, xnh_cache_init(&b->cache, b->slot, b->clock, 4096));
	xnh_pxm_map_build(&b->map, b->map_node, 256, holey_pxm_to_node, NULL);
	b->r.query = fake_query;
	b->r.lock = fake_lock;
	b->r.unlock = fake_unlock;
	b->r.ctx = &b->fake;
	b->r.map = &b->map;
}

static void bench_teardown(struct __test_metadata *_metadata, struct bench *b)
{
	/* every lock taken was dropped, none twice, none around a query */
	EXPECT_EQ(0, b->fake.lock_errors);
	EXPECT_EQ(-1, b->fake.locked);
	free(b->s.frames);
	free(b->s.pxms);
	free(b->s.index);
	free(b->slot);
	free(b->clock);
	free(b->frames);
	free(b->pxms);
	free(b->nodes);
}

/* batches: one variant per request size */
FIXTURE(batches) {
	struct bench b;
};

FIXTURE_SETUP(batches)
{
	bench_setup(_metadata, &self->b);
}

FIXTURE_TEARDOWN(batches)
{
	bench_teardown(_metadata, &self->b);
}

FIXTURE_VARIANT(batches) {
	unsigned int nr;
};

FIXTURE_VARIANT_ADD(batches, n0) { .nr = 0 };
FIXTURE_VARIANT_ADD(batches, n1) { .nr = 1 };
FIXTURE_VARIANT_ADD(batches, n1023) { .nr = 1023 };
FIXTURE_VARIANT_ADD(batches, n1024) { .nr = 1024 };
FIXTURE_VARIANT_ADD(batches, n1025) { .nr = 1025 };
FIXTURE_VARIANT_ADD(batches, n100000) { .nr = 100000 };

/* resolver: everything else about xnh_resolve() */
FIXTURE(resolver) {
	struct bench b;
};

FIXTURE_SETUP(resolver)
{
	bench_setup(_metadata, &self->b);
}

FIXTURE_TEARDOWN(resolver)
{
	bench_teardown(_metadata, &self->b);
}

/* Frames whose answered PXM is not the fake hypervisor's. */
static unsigned int wrong_pxms(const struct bench *b, unsigned int nr)
{
	unsigned int i, wrong = 0;

	for (i = 0; i < nr; i++)
		wrong += b->pxms[i] != b->frames[i] % 5;
	return wrong;
}

static void fill_frames(unsigned long *frames, unsigned int nr,
			unsigned long base)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		frames[i] = base + i;
}

/* n uncached frames: ceil(n / 1024) queries, all full but the last. */
TEST_F(batches, uncached)
{
	unsigned int nr = variant->nr, i, want_calls = (nr + 1023) / 1024;

	fill_frames(self->b.frames, nr, 0x100000);
	self->b.r.cache = NULL;
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	ASSERT_EQ(want_calls, self->b.fake.calls);
	EXPECT_EQ(want_calls, xnh_nr_batches(nr));
	EXPECT_EQ(want_calls, self->b.st.hypercalls);
	EXPECT_EQ(nr, self->b.st.frames);
	EXPECT_EQ(nr, self->b.fake.asked);
	EXPECT_EQ(0, self->b.st.cache_hits);
	EXPECT_EQ(0, self->b.st.cache_misses);
	for (i = 0; i < want_calls; i++) {
		unsigned int want = i + 1 < want_calls ? 1024 : nr - 1024 * i;

		EXPECT_EQ(want, self->b.fake.sizes[i]);
		/* batches go out in order */
		EXPECT_EQ(0x100000UL + 1024UL * i, self->b.fake.first[i]);
	}
	for (i = 0; i < nr; i++) {
		ASSERT_EQ((self->b.frames[i] % 5), self->b.pxms[i]);
		ASSERT_EQ(holey_pxm_to_node(self->b.pxms[i]) < 0 ? -1 :
			  holey_pxm_to_node(self->b.pxms[i]), self->b.nodes[i]);
	}
	/* PXMs 1, 3 and 4 are answered but map to no dom0 node */
	EXPECT_EQ(0, self->b.st.invalid_frames);
	for (i = 0; i < nr; i++)
		if (self->b.nodes[i] == XNH_NO_NODE)
			self->b.st.no_node_frames--;
	EXPECT_EQ(0, self->b.st.no_node_frames);
}

/* Cached: the second pass costs nothing as long as the cache holds it all. */
TEST_F(batches, second_pass_hits)
{
	unsigned int nr = variant->nr > 8192 ? 8192 : variant->nr;
	unsigned int calls;

	fill_frames(self->b.frames, nr, 0x200000);
	self->b.r.cache = &self->b.cache;
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	calls = self->b.fake.calls;
	EXPECT_EQ(xnh_nr_batches(nr), calls);
	EXPECT_EQ(nr, self->b.st.cache_misses);
	EXPECT_EQ(0, self->b.st.cache_hits);

	memset(&self->b.st, 0, sizeof(self->b.st));
	memset(self->b.pxms, 0xaa, nr * sizeof(*self->b.pxms));
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(calls, self->b.fake.calls);
	EXPECT_EQ(0, self->b.st.hypercalls);
	EXPECT_EQ(nr, self->b.st.cache_hits);
	EXPECT_EQ(0, self->b.st.cache_misses);
	EXPECT_EQ(0, wrong_pxms(&self->b, nr));
}

TEST(nr_batches)
{
	EXPECT_EQ(0, xnh_nr_batches(0));
	EXPECT_EQ(1, xnh_nr_batches(1));
	EXPECT_EQ(1, xnh_nr_batches(1023));
	EXPECT_EQ(1, xnh_nr_batches(1024));
	EXPECT_EQ(2, xnh_nr_batches(1025));
	EXPECT_EQ(98, xnh_nr_batches(100000));
	EXPECT_EQ(1024, xnh_nr_batches(1UL << 20));
}

/* Misses are gathered across hits: 1024 misses among 2048 frames, one query. */
TEST_F(resolver, misses_gathered_across_hits)
{
	unsigned int i;

	self->b.r.cache = &self->b.cache;
	for (i = 0; i < 1024; i++)
		self->b.frames[i] = 0x300000 + 2 * i;
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 1024,
				 self->b.pxms, self->b.nodes, &self->b.st));
	ASSERT_EQ(1, self->b.fake.calls);
	fill_frames(self->b.frames, 2048, 0x300000);
	memset(&self->b.st, 0, sizeof(self->b.st));
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 2048,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(2, self->b.fake.calls);
	EXPECT_EQ(1024, self->b.fake.sizes[1]);
	EXPECT_EQ(1024, self->b.st.cache_hits);
	EXPECT_EQ(1024, self->b.st.cache_misses);
	EXPECT_EQ(0, wrong_pxms(&self->b, 2048));
}

/* Frames that are not RAM are answered every time: never cached. */
TEST_F(resolver, invalid_not_cached)
{
	unsigned int i, nr = 100;

	self->b.r.cache = &self->b.cache;
	self->b.fake.invalid_from = 0x400000 + 60;
	fill_frames(self->b.frames, nr, 0x400000);
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(40, self->b.st.invalid_frames);
	for (i = 60; i < nr; i++) {
		ASSERT_EQ(XNH_INVALID_PXM, self->b.pxms[i]);
		ASSERT_EQ(XNH_NO_NODE, self->b.nodes[i]);
	}

	memset(&self->b.st, 0, sizeof(self->b.st));
	self->b.fake.asked = 0;
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(60, self->b.st.cache_hits);
	EXPECT_EQ(40, self->b.st.cache_misses);
	EXPECT_EQ(40, self->b.fake.asked);
	EXPECT_EQ(1, self->b.st.hypercalls);
	EXPECT_EQ(40, self->b.st.invalid_frames);

	/* "hot-add": the frames become RAM and the next answer is cached */
	self->b.fake.invalid_from = ~0UL;
	memset(&self->b.st, 0, sizeof(self->b.st));
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(0, self->b.st.invalid_frames);
	EXPECT_EQ(40, self->b.st.cache_misses);
	memset(&self->b.st, 0, sizeof(self->b.st));
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, nr,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(nr, self->b.st.cache_hits);
	EXPECT_EQ(0, self->b.st.hypercalls);
}

/* The first failing query ends the call with its errno. */
TEST_F(resolver, query_error_propagates)
{
	self->b.r.cache = &self->b.cache;
	self->b.fake.fail_call = 2;
	self->b.fake.fail_rc = -14;
	fill_frames(self->b.frames, 3000, 0x500000);
	EXPECT_EQ(-14, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 3000,
				   self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(2, self->b.fake.calls);
	EXPECT_EQ(2, self->b.st.hypercalls);
	EXPECT_EQ(1, self->b.st.errors);
	/* what the first query answered stays cached and valid */
	memset(&self->b.st, 0, sizeof(self->b.st));
	self->b.fake.fail_call = 0;
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 3000,
				 self->b.pxms, self->b.nodes, &self->b.st));
	EXPECT_EQ(1024, self->b.st.cache_hits);
	EXPECT_EQ(2, self->b.st.hypercalls);
}

/* A small scratch (the module sizes it to the request) still works. */
TEST_F(resolver, small_scratch)
{
	self->b.s.cap = 7;
	fill_frames(self->b.frames, 50, 0x600000);
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 50,
				 self->b.pxms, NULL, &self->b.st));
	EXPECT_EQ(8, self->b.fake.calls);
	EXPECT_EQ(1, self->b.fake.sizes[7]);
	EXPECT_EQ(0, wrong_pxms(&self->b, 50));
}

/* Without a map every node is NO_NODE, PXMs are still answered. */
TEST_F(resolver, no_map)
{
	unsigned int i;

	self->b.r.map = NULL;
	fill_frames(self->b.frames, 10, 0x700000);
	ASSERT_EQ(0, xnh_resolve(&self->b.r, &self->b.s, self->b.frames, 10,
				 self->b.pxms, self->b.nodes, &self->b.st));
	for (i = 0; i < 10; i++) {
		EXPECT_EQ(self->b.frames[i] % 5, self->b.pxms[i]);
		EXPECT_EQ(XNH_NO_NODE, self->b.nodes[i]);
	}
	EXPECT_EQ(10, self->b.st.no_node_frames);
}

/* --- the cache on its own ------------------------------------------------ */

FIXTURE(cache) {
	struct xnh_cache c;
	struct xnh_cache_slot slot[XNH_CACHE_WAYS];
	u32 clock;
};

FIXTURE_SETUP(cache)
{
	ASSERT_EQ(0, xnh_cache_init(&self->c, self->slot, &self->clock, 1));
}

FIXTURE_TEARDOWN(cache)
{
}

static bool present(struct xnh_cache *c, unsigned long frame, u32 *pxm)
{
	return xnh_cache_lookup(c, xnh_cache_set_of(c, frame), frame, pxm);
}

/* How many of the frames [from, to) the cache holds. */
static unsigned int count_present(struct xnh_cache *c, unsigned long from,
				  unsigned long to)
{
	unsigned int n = 0;
	u32 pxm;

	for (; from < to; from++)
		n += present(c, from, &pxm);
	return n;
}

TEST_F(cache, hit_and_miss)
{
	u32 pxm = 0;

	EXPECT_FALSE(present(&self->c, 42, &pxm));
	xnh_cache_insert(&self->c, 0, 42, 3);
	EXPECT_TRUE(present(&self->c, 42, &pxm));
	EXPECT_EQ(3, pxm);
	EXPECT_FALSE(present(&self->c, 43, &pxm));
	/* frame 0 is a frame like any other */
	xnh_cache_insert(&self->c, 0, 0, 7);
	EXPECT_TRUE(present(&self->c, 0, &pxm));
	EXPECT_EQ(7, pxm);
}

TEST_F(cache, invalid_is_never_stored)
{
	unsigned long f;
	u32 pxm;

	xnh_cache_insert(&self->c, 0, 42, XNH_INVALID_PXM);
	EXPECT_FALSE(present(&self->c, 42, &pxm));
	/* nor does it push a valid entry out of a full set */
	for (f = 0; f < XNH_CACHE_WAYS; f++)
		xnh_cache_insert(&self->c, 0, 100 + f, 1);
	xnh_cache_insert(&self->c, 0, 42, XNH_INVALID_PXM);
	EXPECT_EQ(XNH_CACHE_WAYS, count_present(&self->c, 100, 100 + XNH_CACHE_WAYS));
}

/* The least recently used entry goes; a lookup counts as a use. */
TEST_F(cache, evicts_least_recently_used)
{
	unsigned long f;
	u32 pxm;

	for (f = 0; f < XNH_CACHE_WAYS; f++)
		xnh_cache_insert(&self->c, 0, 100 + f, (u32)f);
	EXPECT_TRUE(present(&self->c, 100, &pxm));
	xnh_cache_insert(&self->c, 0, 200, 9);
	EXPECT_TRUE(present(&self->c, 100, &pxm));
	EXPECT_FALSE(present(&self->c, 101, &pxm));
	EXPECT_TRUE(present(&self->c, 200, &pxm));
	EXPECT_EQ(XNH_CACHE_WAYS - 2,
		  count_present(&self->c, 102, 100 + XNH_CACHE_WAYS));
	/* now 100 is the oldest again */
	xnh_cache_insert(&self->c, 0, 201, 9);
	EXPECT_FALSE(present(&self->c, 100, &pxm));
}

/* Ages are differences: a wrapping clock still finds the oldest. */
TEST_F(cache, clock_wraps)
{
	unsigned long f;
	u32 pxm;

	*self->c.clock = 0xfffffffcU;
	for (f = 0; f < XNH_CACHE_WAYS; f++)
		xnh_cache_insert(&self->c, 0, 100 + f, 1);
	EXPECT_LT(*self->c.clock, 8U);
	xnh_cache_insert(&self->c, 0, 300, 1);
	EXPECT_FALSE(present(&self->c, 100, &pxm));
	EXPECT_TRUE(present(&self->c, 107, &pxm));
}

/* Two callers missing the same frame leave one entry, with the last answer. */
TEST_F(cache, duplicate_insert_updates)
{
	unsigned long f;
	u32 pxm;

	xnh_cache_insert(&self->c, 0, 42, 1);
	xnh_cache_insert(&self->c, 0, 42, 2);
	EXPECT_TRUE(present(&self->c, 42, &pxm));
	EXPECT_EQ(2, pxm);
	for (f = 1; f < XNH_CACHE_WAYS; f++)
		xnh_cache_insert(&self->c, 0, 500 + f, 3);
	EXPECT_TRUE(present(&self->c, 42, &pxm));
	EXPECT_EQ(2, pxm);
	EXPECT_EQ(XNH_CACHE_WAYS - 1,
		  count_present(&self->c, 501, 500 + XNH_CACHE_WAYS));
}

TEST_F(cache, flush)
{
	unsigned long f;
	u32 pxm;

	for (f = 0; f < XNH_CACHE_WAYS; f++)
		xnh_cache_insert(&self->c, 0, f, 1);
	xnh_cache_flush_set(&self->c, 0);
	EXPECT_EQ(0, count_present(&self->c, 0, XNH_CACHE_WAYS));
	EXPECT_EQ(0, *self->c.clock);
	xnh_cache_insert(&self->c, 0, 5, 4);
	EXPECT_TRUE(present(&self->c, 5, &pxm));
	EXPECT_EQ(4, pxm);
}

TEST(cache_geometry)
{
	struct xnh_cache c;
	struct xnh_cache_slot slot[3 * XNH_CACHE_WAYS];
	u32 clock[3];

	EXPECT_EQ(0, xnh_cache_sets_for(0));
	EXPECT_EQ(0, xnh_cache_sets_for(XNH_CACHE_WAYS - 1));
	EXPECT_EQ(1, xnh_cache_sets_for(XNH_CACHE_WAYS));
	EXPECT_EQ(1, xnh_cache_sets_for(2 * XNH_CACHE_WAYS - 1));
	EXPECT_EQ(8192, xnh_cache_sets_for(65536));
	EXPECT_EQ(8192, xnh_cache_sets_for(65537));
	EXPECT_EQ(8192, xnh_cache_sets_for(100000));
	EXPECT_EQ(524288, xnh_cache_sets_for(4194304));
	EXPECT_EQ(-1, xnh_cache_init(&c, slot, clock, 0));
	EXPECT_EQ(-1, xnh_cache_init(&c, slot, clock, 3));
}

static unsigned int worst_set(struct xnh_cache *c, unsigned long base,
			      unsigned long stride, unsigned int nr)
{
	unsigned int per_set[1024] = { 0 }, max = 0, i;

	for (i = 0; i < nr; i++) {
		unsigned int set = xnh_cache_set_of(c, base + i * stride);

		if (set >= 1024)
			return ~0U;
		if (++per_set[set] > max)
			max = per_set[set];
	}
	return max;
}

/*
 * Frames spread evenly over the sets whether they are consecutive (a
 * guest's buffer) or 2 MiB apart (the first frame of each huge page).
 */
TEST(cache_spread)
{
	static struct xnh_cache_slot slot[1024 * XNH_CACHE_WAYS];
	static u32 clock[1024];
	struct xnh_cache c;
	unsigned int max;

	ASSERT_EQ(0, xnh_cache_init(&c, slot, clock, 1024));
	max = worst_set(&c, 0x100000, 1, 8192);
	EXPECT_LE(max, 12U) TH_LOG("a set got %u of 8192 consecutive frames", max);
	max = worst_set(&c, 0x100000, 512, 8192);
	EXPECT_LE(max, 16U) TH_LOG("a set got %u of 8192 frames 2 MiB apart", max);
	max = worst_set(&c, 0, 1UL << 18, 4096);
	EXPECT_LE(max, 16U) TH_LOG("a set got %u of 4096 frames 1 GiB apart", max);
}

/* --- the PXM -> node map -------------------------------------------------- */

TEST(pxm_map_with_holes)
{
	struct xnh_pxm_map m;
	int node[256];

	xnh_pxm_map_build(&m, node, 256, holey_pxm_to_node, NULL);
	EXPECT_EQ(6, m.nr);
	EXPECT_EQ(3, m.nr_mapped);
	EXPECT_EQ(0, xnh_pxm_map_node(&m, 0));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 1));
	EXPECT_EQ(1, xnh_pxm_map_node(&m, 2));
	/* any negative node means none */
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 3));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 4));
	EXPECT_EQ(2, xnh_pxm_map_node(&m, 5));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 6));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 255));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 256));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, XNH_INVALID_PXM));
	EXPECT_EQ(0, xnh_pxm_map_next(&m, 0));
	EXPECT_EQ(2, xnh_pxm_map_next(&m, 1));
	EXPECT_EQ(5, xnh_pxm_map_next(&m, 3));
	EXPECT_EQ(6, xnh_pxm_map_next(&m, 6));
	EXPECT_EQ(6, xnh_pxm_map_next(&m, 1000));
}

/* Stock dom0: no SRAT, nothing maps. */
TEST(pxm_map_empty)
{
	struct xnh_pxm_map m;
	int node[64];

	xnh_pxm_map_build(&m, node, 64, no_pxm_to_node, NULL);
	EXPECT_EQ(0, m.nr);
	EXPECT_EQ(0, m.nr_mapped);
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 0));
	EXPECT_EQ(0, xnh_pxm_map_next(&m, 0));
}

/*
 * Hotplug: a PXM the kernel maps later, a node that goes offline and comes
 * back, a PXM that moves.  The map follows each update; an unusable node
 * is never answered, even before the next update.
 */
static int hotplug_nodes[8] = { 0, -1, 1, -1, -1, -1, -1, -1 };
static bool hotplug_online[4] = { true, true, false, false };

static int hotplug_pxm_to_node(int pxm)
{
	return pxm < 8 ? hotplug_nodes[pxm] : -1;
}

static bool hotplug_usable(int node)
{
	return node >= 0 && node < 4 && hotplug_online[node];
}

TEST(pxm_map_follows_hotplug)
{
	struct xnh_pxm_map m;
	int node[8];

	xnh_pxm_map_build(&m, node, 8, hotplug_pxm_to_node, hotplug_usable);
	EXPECT_EQ(3, m.nr);
	EXPECT_EQ(2, m.nr_mapped);
	EXPECT_EQ(0, xnh_pxm_map_node(&m, 0));
	EXPECT_EQ(1, xnh_pxm_map_node(&m, 2));
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 6));

	/* memory hot-added on PXM 6, which the SRAT did not name */
	hotplug_nodes[6] = 2;
	hotplug_online[2] = true;
	EXPECT_EQ(1, xnh_pxm_map_update(&m, hotplug_pxm_to_node));
	EXPECT_EQ(7, m.nr);
	EXPECT_EQ(3, m.nr_mapped);
	EXPECT_EQ(2, xnh_pxm_map_node(&m, 6));
	EXPECT_EQ(6, xnh_pxm_map_next(&m, 3));

	/* node 1 goes offline: never answered, before any update */
	hotplug_online[1] = false;
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 2));
	EXPECT_EQ(6, xnh_pxm_map_next(&m, 1));
	EXPECT_EQ(0, xnh_pxm_map_update(&m, hotplug_pxm_to_node));
	EXPECT_EQ(2, m.nr_mapped);
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 2));

	/* and back */
	hotplug_online[1] = true;
	EXPECT_EQ(1, xnh_pxm_map_node(&m, 2));

	/* the kernel forgets PXM 6: nr never shrinks, the PXM has no node */
	hotplug_nodes[6] = -1;
	EXPECT_EQ(1, xnh_pxm_map_update(&m, hotplug_pxm_to_node));
	EXPECT_EQ(7, m.nr);
	EXPECT_EQ(2, m.nr_mapped);
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 6));
	EXPECT_EQ(7, xnh_pxm_map_next(&m, 3));
	EXPECT_EQ(0, xnh_pxm_map_update(&m, hotplug_pxm_to_node));
}

/* The map asks only below its limit: PXMs above it have no node. */
TEST(pxm_map_limit)
{
	struct xnh_pxm_map m;
	int node[3];

	xnh_pxm_map_build(&m, node, 3, holey_pxm_to_node, NULL);
	EXPECT_EQ(3, m.nr);
	EXPECT_EQ(2, m.nr_mapped);
	EXPECT_EQ(XNH_NO_NODE, xnh_pxm_map_node(&m, 5));
}

/* --- plurality ------------------------------------------------------------ */

TEST(plurality)
{
	const int none[] = { -1, -1 };
	const int simple[] = { 1, 1, 0 };
	const int tie01[] = { 0, 1 };
	const int tie10[] = { 1, 0 };
	const int tie_later[] = { 2, 1, 0, 0, 1, -1, -1, -1 };
	const int mostly_none[] = { -1, -1, -1, 3 };

	EXPECT_EQ(XNH_NO_NODE, xnh_plurality_node(NULL, 0));
	EXPECT_EQ(XNH_NO_NODE, xnh_plurality_node(none, 2));
	EXPECT_EQ(1, xnh_plurality_node(simple, 3));
	EXPECT_EQ(0, xnh_plurality_node(tie01, 2));
	EXPECT_EQ(1, xnh_plurality_node(tie10, 2));
	/* 1 and 0 tie at two; 1 appears first */
	EXPECT_EQ(1, xnh_plurality_node(tie_later, 8));
	EXPECT_EQ(3, xnh_plurality_node(mostly_none, 4));
}

/* A ring's vote: more than min_share percent of the hinted frames wins. */
TEST(vote)
{
	const int none[] = { -1, -1, -1 };
	const int one[] = { 1 };
	const int even[] = { 0, 1, 1, 0 };
	const int three_one[] = { 1, 0, 1, 1 };
	const int two_one_holes[] = { -1, 2, 3, -1, 2 };
	const int thirds[] = { 0, 1, 2, 0, 1, 2 };
	struct xnh_vote v;

	xnh_vote(NULL, 0, 50, &v);
	EXPECT_EQ(XNH_VOTE_NO_HINT, v.verdict);
	EXPECT_EQ(XNH_NO_NODE, v.node);
	EXPECT_EQ(XNH_NO_NODE, v.plurality);
	EXPECT_EQ(0, v.hinted);

	xnh_vote(none, 3, 50, &v);
	EXPECT_EQ(XNH_VOTE_NO_HINT, v.verdict);
	EXPECT_EQ(XNH_NO_NODE, v.node);
	EXPECT_EQ(0, v.votes);

	xnh_vote(one, 1, 50, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);
	EXPECT_EQ(1, v.node);
	EXPECT_EQ(1, v.hinted);
	EXPECT_EQ(1, v.votes);

	/* 2:2 is no majority: no placement, but the plurality is told */
	xnh_vote(even, 4, 50, &v);
	EXPECT_EQ(XNH_VOTE_SPLIT, v.verdict);
	EXPECT_EQ(XNH_NO_NODE, v.node);
	EXPECT_EQ(0, v.plurality);
	EXPECT_EQ(4, v.hinted);
	EXPECT_EQ(2, v.votes);
	/* ... unless any plurality will do */
	xnh_vote(even, 4, 0, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);
	EXPECT_EQ(0, v.node);

	xnh_vote(three_one, 4, 50, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);
	EXPECT_EQ(1, v.node);
	EXPECT_EQ(3, v.votes);
	/* 75% is not more than 75% */
	xnh_vote(three_one, 4, 75, &v);
	EXPECT_EQ(XNH_VOTE_SPLIT, v.verdict);
	EXPECT_EQ(1, v.plurality);
	xnh_vote(three_one, 4, 74, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);

	/* frames without a node do not vote: 2 of 3 hinted on node 2 */
	xnh_vote(two_one_holes, 5, 50, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);
	EXPECT_EQ(2, v.node);
	EXPECT_EQ(3, v.hinted);
	EXPECT_EQ(2, v.votes);

	/* a third each: split at 50, placed on the first at 33 */
	xnh_vote(thirds, 6, 50, &v);
	EXPECT_EQ(XNH_VOTE_SPLIT, v.verdict);
	EXPECT_EQ(0, v.plurality);
	xnh_vote(thirds, 6, 33, &v);
	EXPECT_EQ(XNH_VOTE_PLACED, v.verdict);
	EXPECT_EQ(0, v.node);
}

/* More distinct nodes than the tally tracks: counted the slow way. */
TEST(plurality_many_nodes)
{
	int nodes[64];
	unsigned int i;

	/* 0..19 once each, then 19 twice more: 19 wins, untracked */
	for (i = 0; i < 20; i++)
		nodes[i] = (int)i;
	nodes[20] = 19;
	nodes[21] = 19;
	EXPECT_EQ(19, xnh_plurality_node(nodes, 22));

	/* 0..16 once, then 16 and 3 again: tied at two, 3 appears first */
	for (i = 0; i < 17; i++)
		nodes[i] = (int)i;
	nodes[17] = 16;
	nodes[18] = 3;
	EXPECT_EQ(3, xnh_plurality_node(nodes, 19));

	/* same, but 3 repeats first: still 3 */
	nodes[17] = 3;
	nodes[18] = 16;
	EXPECT_EQ(3, xnh_plurality_node(nodes, 19));

	/* an untracked node tied with nobody better: it wins */
	for (i = 0; i < 17; i++)
		nodes[i] = (int)i;
	nodes[17] = 16;
	EXPECT_EQ(16, xnh_plurality_node(nodes, 18));
}

/* --- the per-domain view -------------------------------------------------- */

TEST(svc_name_valid)
{
	char longest[XNH_SVC_DEV_LEN], too_long[XNH_SVC_DEV_LEN + 1];

	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';

	EXPECT_TRUE(xnh_svc_name_valid("vif", XNH_SVC_NAME_LEN));
	EXPECT_TRUE(xnh_svc_name_valid("vif1.0", XNH_SVC_DEV_LEN));
	EXPECT_TRUE(xnh_svc_name_valid("51712", XNH_SVC_DEV_LEN));
	EXPECT_TRUE(xnh_svc_name_valid(longest, XNH_SVC_DEV_LEN));
	/* no room for the NUL: only XNH_SVC_DEV_LEN bytes are read */
	EXPECT_FALSE(xnh_svc_name_valid(too_long, XNH_SVC_DEV_LEN));
	EXPECT_FALSE(xnh_svc_name_valid(NULL, XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("", XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("vif", 0));
	EXPECT_FALSE(xnh_svc_name_valid("vif 1", XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("vif\n", XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("vif\t", XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("v\x7f", XNH_SVC_NAME_LEN));
	EXPECT_FALSE(xnh_svc_name_valid("v\xc3\xa9", XNH_SVC_NAME_LEN));
}

static int svc_qsort_cmp(const void *a, const void *b)
{
	return xnh_svc_cmp(a, b);
}

/* Sorted by domain, backend, device (numbers as numbers) and queue. */
TEST(svc_order)
{
	static const struct xnh_svc_key want[] = {
		{ 1, "vbd", "51712", 0 },
		{ 1, "vbd", "51712", 1 },
		{ 1, "vbd", "51728", 0 },
		{ 1, "vif", "vif1.0", 0 },
		{ 1, "vif", "vif1.0", 2 },
		{ 1, "vif", "vif1.0", 10 },
		{ 1, "vif", "vif1.2", 0 },
		{ 1, "vif", "vif1.10", 0 },
		{ 2, "vbd", "768", 0 },
		{ 2, "vbd", "51712", 0 },
		{ 10, "vif", "vif10.0", 0 },
		{ 32752, "vif", "vif32752.0", 4294967295U },
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	struct xnh_svc_key k[N];
	unsigned int i, j;

	/* every order of input sorts the same: reversed and rotated */
	for (j = 0; j < N; j++) {
		for (i = 0; i < N; i++)
			k[i] = want[(N - 1 - i + j) % N];
		qsort(k, N, sizeof(k[0]), svc_qsort_cmp);
		for (i = 0; i < N; i++) {
			EXPECT_EQ(want[i].domid, k[i].domid);
			EXPECT_STREQ(want[i].backend, k[i].backend);
			EXPECT_STREQ(want[i].dev, k[i].dev);
			EXPECT_EQ(want[i].id, k[i].id);
		}
	}
	/* zero only for the same key; antisymmetric */
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++) {
			int r = xnh_svc_cmp(&want[i], &want[j]);

			if (i == j) {
				EXPECT_EQ(0, r);
			} else {
				EXPECT_EQ(i < j ? -1 : 1, r < 0 ? -1 : 1);
				EXPECT_EQ(r < 0, xnh_svc_cmp(&want[j], &want[i]) > 0);
			}
		}
}

/* Names equal as numbers are still different names. */
TEST(svc_order_leading_zeros)
{
	struct xnh_svc_key a = { 1, "vbd", "01", 0 };
	struct xnh_svc_key b = { 1, "vbd", "1", 0 };
	struct xnh_svc_key c = { 1, "vbd", "2", 0 };
	struct xnh_svc_key d = { 1, "vbd", "1a", 0 };

	EXPECT_NE(0, xnh_svc_cmp(&a, &b));
	EXPECT_EQ(xnh_svc_cmp(&a, &b) < 0, xnh_svc_cmp(&b, &a) > 0);
	EXPECT_GT(0, xnh_svc_cmp(&a, &c));
	EXPECT_GT(0, xnh_svc_cmp(&b, &c));
	EXPECT_GT(0, xnh_svc_cmp(&b, &d));
	EXPECT_LT(0, xnh_svc_cmp(&c, &d));
}

TEST(local_of)
{
	EXPECT_EQ(XNH_LOCAL_NA, xnh_local_of(-1, 3, 0));
	EXPECT_EQ(XNH_LOCAL_NA, xnh_local_of(-1, 3, 3));
	EXPECT_EQ(XNH_LOCAL_NA, xnh_local_of(1, 0, 0));
	EXPECT_EQ(XNH_LOCAL_YES, xnh_local_of(0, 4, 0));
	EXPECT_EQ(XNH_LOCAL_YES, xnh_local_of(1, 1, 0));
	EXPECT_EQ(XNH_LOCAL_NO, xnh_local_of(1, 4, 1));
	EXPECT_EQ(XNH_LOCAL_NO, xnh_local_of(0, 1, 1));
}

TEST(svc_format)
{
	static const struct xnh_svc_key vif = { 1, "vif", "vif1.0", 0 };
	static const struct xnh_svc_key vbd = { 32752, "vbd", "51712", 15 };
	const int pids[] = { 123, 124, 4194304 };
	const int gone[] = { 0, 124, -1 };
	const unsigned int irqs[] = { 45, 46 };
	struct xnh_svc_line l = {
		.key = &vif, .verdict = "placed", .node = 1, .votes = 2,
		.hinted = 2, .cpus = "2-3", .nr_pids = 2, .pids = pids,
		.nr_irqs = 2, .irqs = irqs, .local = XNH_LOCAL_YES,
	};
	const char *want;
	char buf[256];

	want = "d1 vif vif1.0 q0 placed node=1 votes=2/2 cpus=2-3 kthreads=123,124 irqs=45,46 local=yes\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);

	l.local = XNH_LOCAL_NO;
	l.nr_irqs = 1;
	l.cpus = "0-15,64-79";
	want = "d1 vif vif1.0 q0 placed node=1 votes=2/2 cpus=0-15,64-79 kthreads=123,124 irqs=45 local=no\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);

	/* nothing placed: no node, no CPUs, nothing to judge */
	l.key = &vbd;
	l.verdict = "unavailable";
	l.node = -1;
	l.votes = 0;
	l.hinted = 0;
	l.cpus = NULL;
	l.nr_pids = 1;
	l.pids = &pids[2];
	l.local = XNH_LOCAL_NA;
	want = "d32752 vbd 51712 q15 unavailable node=-1 votes=0/0 cpus=- kthreads=4194304 irqs=45 local=-\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);

	/* threads that have exited keep their place, as "-" */
	l.nr_pids = 3;
	l.pids = gone;
	want = "d32752 vbd 51712 q15 unavailable node=-1 votes=0/0 cpus=- kthreads=-,124,- irqs=45 local=-\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);
	l.nr_pids = 1;
	want = "d32752 vbd 51712 q15 unavailable node=-1 votes=0/0 cpus=- kthreads=- irqs=45 local=-\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);

	l.cpus = "";
	l.nr_pids = 0;
	l.nr_irqs = 0;
	l.verdict = NULL;
	l.node = -2147483647 - 1;
	l.votes = 4294967295U;
	want = "d32752 vbd 51712 q15 unknown node=-2147483648 votes=4294967295/0 cpus=- kthreads=- irqs=- local=-\n";
	EXPECT_EQ(strlen(want), xnh_svc_format(buf, sizeof(buf), &l));
	EXPECT_STREQ(want, buf);
}

/* Cut short like snprintf(): a prefix, NUL-terminated, never past @len. */
TEST(svc_format_short_buffer)
{
	static const struct xnh_svc_key k = { 3, "vif", "vif3.1", 7 };
	const int pids[] = { 1000, 1001 };
	const unsigned int irqs[] = { 70, 71 };
	const struct xnh_svc_line l = {
		.key = &k, .verdict = "split", .node = -1, .votes = 1,
		.hinted = 2, .nr_pids = 2, .pids = pids, .nr_irqs = 2,
		.irqs = irqs, .local = XNH_LOCAL_NA,
	};
	char full[256];
	size_t n = xnh_svc_format(full, sizeof(full), &l), len;

	EXPECT_STREQ("d3 vif vif3.1 q7 split node=-1 votes=1/2 cpus=- kthreads=1000,1001 irqs=70,71 local=-\n",
		     full);
	EXPECT_EQ(0, xnh_svc_format(NULL, 0, &l) - n);
	for (len = 1; len <= n + 1; len++) {
		char *buf = malloc(len);

		ASSERT_NE(NULL, buf);
		EXPECT_EQ(n, xnh_svc_format(buf, len, &l));
		EXPECT_EQ(len - 1, strlen(buf));
		EXPECT_EQ(0, strncmp(full, buf, len - 1));
		free(buf);
	}
}

TEST_HARNESS_MAIN
