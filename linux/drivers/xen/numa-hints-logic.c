// SPDX-License-Identifier: GPL-2.0
/*
 * The pure logic of xen-numa-hints; see numa-hints-logic.h for why it is
 * kept apart from the kernel.
 */
#include "numa-hints-logic.h"

/* Fibonacci hashing: consecutive frames land in unrelated sets. */
#define XNH_HASH_MUL	0x9e3779b97f4a7c15ULL

void xnh_pxm_map_build(struct xnh_pxm_map *map, int *node, unsigned int limit,
		       int (*pxm_to_node)(int pxm), bool (*usable)(int node))
{
	unsigned int pxm;

	map->node = node;
	map->limit = limit;
	map->nr = 0;
	map->nr_mapped = 0;
	map->usable = usable;
	for (pxm = 0; pxm < limit; pxm++)
		node[pxm] = XNH_NO_NODE;
	xnh_pxm_map_update(map, pxm_to_node);
}

/*
 * Read the kernel's map again; returns how many PXMs changed node.  The
 * caller serialises updates; lookups may run meanwhile and see each PXM
 * either before or after.
 */
unsigned int xnh_pxm_map_update(struct xnh_pxm_map *map,
				int (*pxm_to_node)(int pxm))
{
	unsigned int pxm, changed = 0, mapped = 0;

	for (pxm = 0; pxm < map->limit; pxm++) {
		int n = pxm_to_node((int)pxm);

		if (n < 0)
			n = XNH_NO_NODE;
		if (n != map->node[pxm]) {
			WRITE_ONCE(map->node[pxm], n);
			changed++;
		}
		if (n == XNH_NO_NODE)
			continue;
		if (pxm >= map->nr)
			WRITE_ONCE(map->nr, pxm + 1);
		if (!map->usable || map->usable(n))
			mapped++;
	}
	WRITE_ONCE(map->nr_mapped, mapped);
	return changed;
}

/*
 * The dom0 node of @pxm; XNH_NO_NODE for XNH_INVALID_PXM, holes and a node
 * that is not usable now.
 */
int xnh_pxm_map_node(const struct xnh_pxm_map *map, u32 pxm)
{
	int n;

	if (pxm >= READ_ONCE(map->nr))
		return XNH_NO_NODE;
	n = READ_ONCE(map->node[pxm]);
	if (n == XNH_NO_NODE || (map->usable && !map->usable(n)))
		return XNH_NO_NODE;
	return n;
}

/* The first PXM >= @pxm with a usable node, or map->nr if there is none. */
unsigned int xnh_pxm_map_next(const struct xnh_pxm_map *map, unsigned int pxm)
{
	unsigned int nr = READ_ONCE(map->nr);

	for (; pxm < nr; pxm++)
		if (xnh_pxm_map_node(map, pxm) != XNH_NO_NODE)
			return pxm;
	return nr;
}

/* Sets for a cache of at most @entries frames: a power of two, or 0. */
unsigned int xnh_cache_sets_for(unsigned long entries)
{
	unsigned long sets = entries / XNH_CACHE_WAYS;
	unsigned int pow = 1;

	if (!sets)
		return 0;
	while (pow <= sets / 2 && pow < (1U << 30))
		pow *= 2;
	return pow;
}

/*
 * @slot must hold nr_sets * XNH_CACHE_WAYS entries and @clock nr_sets.
 * Returns 0, or -1 if @nr_sets is not a nonzero power of two.
 */
int xnh_cache_init(struct xnh_cache *cache, struct xnh_cache_slot *slot,
		   u32 *clock, unsigned int nr_sets)
{
	unsigned int set, bits = 0;

	if (!nr_sets || (nr_sets & (nr_sets - 1)))
		return -1;
	while ((1U << bits) < nr_sets)
		bits++;
	cache->slot = slot;
	cache->clock = clock;
	cache->nr_sets = nr_sets;
	cache->set_shift = 64 - bits;
	for (set = 0; set < nr_sets; set++)
		xnh_cache_flush_set(cache, set);
	return 0;
}

unsigned int xnh_cache_set_of(const struct xnh_cache *cache,
			      unsigned long frame)
{
	/* A shift by 64 is undefined: one set needs no hash. */
	if (cache->nr_sets == 1)
		return 0;
	return (unsigned int)(((u64)frame * XNH_HASH_MUL) >> cache->set_shift);
}

static struct xnh_cache_slot *xnh_set(struct xnh_cache *cache,
				      unsigned int set)
{
	return &cache->slot[(unsigned long)set * XNH_CACHE_WAYS];
}

bool xnh_cache_lookup(struct xnh_cache *cache, unsigned int set,
		      unsigned long frame, u32 *pxm)
{
	struct xnh_cache_slot *s = xnh_set(cache, set);
	unsigned int way;

	for (way = 0; way < XNH_CACHE_WAYS; way++) {
		if (s[way].pxm == XNH_INVALID_PXM || s[way].frame != frame)
			continue;
		s[way].stamp = ++cache->clock[set];
		*pxm = s[way].pxm;
		return true;
	}
	return false;
}

/*
 * Remember that @frame is on @pxm.  XNH_INVALID_PXM is never remembered:
 * a frame that is not RAM today may be RAM after a memory hot-add.
 */
void xnh_cache_insert(struct xnh_cache *cache, unsigned int set,
		      unsigned long frame, u32 pxm)
{
	struct xnh_cache_slot *s = xnh_set(cache, set);
	struct xnh_cache_slot *victim = NULL;
	u32 now = cache->clock[set];
	unsigned int way;

	if (pxm == XNH_INVALID_PXM)
		return;
	for (way = 0; way < XNH_CACHE_WAYS; way++) {
		if (s[way].pxm == XNH_INVALID_PXM) {
			if (!victim || victim->pxm != XNH_INVALID_PXM)
				victim = &s[way];
			continue;
		}
		/* Two callers missed the same frame: keep one entry. */
		if (s[way].frame == frame) {
			victim = &s[way];
			break;
		}
		/* Ages are differences, so a wrapped clock still compares. */
		if (!victim || (victim->pxm != XNH_INVALID_PXM &&
				(u32)(now - s[way].stamp) >
				(u32)(now - victim->stamp)))
			victim = &s[way];
	}
	victim->frame = frame;
	victim->pxm = pxm;
	victim->stamp = ++cache->clock[set];
}

void xnh_cache_flush_set(struct xnh_cache *cache, unsigned int set)
{
	struct xnh_cache_slot *s = xnh_set(cache, set);
	unsigned int way;

	for (way = 0; way < XNH_CACHE_WAYS; way++) {
		s[way].frame = 0;
		s[way].pxm = XNH_INVALID_PXM;
		s[way].stamp = 0;
	}
	cache->clock[set] = 0;
}

/* Ask about the @nr frames gathered in @s and spread the answers. */
static int xnh_flush_pending(const struct xnh_resolver *r,
			     const struct xnh_scratch *s, unsigned int nr,
			     u32 *pxms, struct xnh_stats *stats)
{
	unsigned int i;
	int rc;

	stats->hypercalls++;
	rc = r->query(r->ctx, s->frames, s->pxms, nr);
	if (rc < 0) {
		stats->errors++;
		return rc;
	}
	for (i = 0; i < nr; i++) {
		pxms[s->index[i]] = s->pxms[i];
		if (r->cache && s->pxms[i] != XNH_INVALID_PXM) {
			unsigned int set = xnh_cache_set_of(r->cache,
							    s->frames[i]);

			r->lock(r->ctx, set);
			xnh_cache_insert(r->cache, set, s->frames[i],
					 s->pxms[i]);
			r->unlock(r->ctx, set);
		}
	}
	return 0;
}

/**
 * xnh_resolve() - PXM (and dom0 node) of each of @nr frames
 * @r: how to query, lock, cache and map
 * @s: room for one batch of misses
 * @frames: the frames
 * @nr: number of frames
 * @pxms: OUT: PXM of each frame, or XNH_INVALID_PXM
 * @nodes: OUT, may be NULL: dom0 node of each frame, or XNH_NO_NODE
 * @stats: what was done is added here
 *
 * Frames found in the cache cost nothing; the others are gathered into
 * batches of at most @s->cap frames, one query each, so n uncached frames
 * cost ceil(n / cap) queries.  Valid answers are added to the cache.
 *
 * Return: 0, or the first query's negative errno; @pxms and @nodes are
 * then incomplete and the caller must not use them.
 */
int xnh_resolve(const struct xnh_resolver *r, const struct xnh_scratch *s,
		const unsigned long *frames, unsigned int nr, u32 *pxms,
		int *nodes, struct xnh_stats *stats)
{
	unsigned int i, pending = 0;
	int rc;

	stats->frames += nr;
	for (i = 0; i < nr; i++) {
		if (r->cache) {
			unsigned int set = xnh_cache_set_of(r->cache, frames[i]);
			bool hit;

			r->lock(r->ctx, set);
			hit = xnh_cache_lookup(r->cache, set, frames[i],
					       &pxms[i]);
			r->unlock(r->ctx, set);
			if (hit) {
				stats->cache_hits++;
				continue;
			}
			stats->cache_misses++;
		}
		s->frames[pending] = frames[i];
		s->index[pending] = i;
		if (++pending == s->cap) {
			rc = xnh_flush_pending(r, s, pending, pxms, stats);
			if (rc)
				return rc;
			pending = 0;
		}
	}
	if (pending) {
		rc = xnh_flush_pending(r, s, pending, pxms, stats);
		if (rc)
			return rc;
	}

	for (i = 0; i < nr; i++) {
		int node = r->map ? xnh_pxm_map_node(r->map, pxms[i]) :
				    XNH_NO_NODE;

		if (pxms[i] == XNH_INVALID_PXM)
			stats->invalid_frames++;
		else if (node == XNH_NO_NODE)
			stats->no_node_frames++;
		if (nodes)
			nodes[i] = node;
	}
	return 0;
}

/* Distinct nodes counted without a second pass; more is rare but handled. */
#define XNH_PLURALITY_TRACKED	16

struct xnh_tally {
	int node;
	unsigned int count;
	unsigned int first;	/* index of the node's first frame */
};

static bool xnh_tally_beats(const struct xnh_tally *a,
			    const struct xnh_tally *b)
{
	return a->count > b->count ||
	       (a->count == b->count && a->first < b->first);
}

/* The node with the most entries in @nodes, its count and first index. */
static struct xnh_tally xnh_plurality(const int *nodes, unsigned int nr)
{
	struct xnh_tally t[XNH_PLURALITY_TRACKED];
	struct xnh_tally best = { XNH_NO_NODE, 0, 0 };
	unsigned int i, j, nt = 0;
	bool overflow = false;

	for (i = 0; i < nr; i++) {
		if (nodes[i] < 0)
			continue;
		for (j = 0; j < nt && t[j].node != nodes[i]; j++)
			;
		if (j < nt) {
			t[j].count++;
		} else if (nt < XNH_PLURALITY_TRACKED) {
			t[nt].node = nodes[i];
			t[nt].count = 1;
			t[nt].first = i;
			nt++;
		} else {
			overflow = true;
		}
	}
	for (j = 0; j < nt; j++)
		if (xnh_tally_beats(&t[j], &best))
			best = t[j];
	if (!overflow)
		return best;

	/* Count each untracked node from its first frame on: O(nr^2). */
	for (i = 0; i < nr; i++) {
		struct xnh_tally u = { nodes[i], 0, i };
		unsigned int k;

		if (nodes[i] < 0)
			continue;
		for (j = 0; j < nt && t[j].node != nodes[i]; j++)
			;
		if (j < nt)
			continue;
		for (k = 0; k < i && nodes[k] != nodes[i]; k++)
			;
		if (k < i)
			continue;
		for (k = i; k < nr; k++)
			u.count += nodes[k] == nodes[i];
		if (xnh_tally_beats(&u, &best))
			best = u;
	}
	return best;
}

/**
 * xnh_plurality_node() - the node most of a set of frames live on
 * @nodes: node of each frame; negative entries (no node) are ignored
 * @nr: number of entries
 *
 * Ties go to the tied node that appears first in @nodes.
 *
 * Return: that node, or XNH_NO_NODE if no entry names a node.
 */
int xnh_plurality_node(const int *nodes, unsigned int nr)
{
	return xnh_plurality(nodes, nr).node;
}

/**
 * xnh_vote() - whether one node holds enough of a set of frames to serve it
 * @nodes: node of each frame; negative entries (no node) are ignored
 * @nr: number of entries
 * @min_share: percent (0..99) of the frames with a node that the winner
 *	must hold more than
 * @v: OUT: the vote
 *
 * The plurality node (ties as xnh_plurality_node()) wins when it holds
 * more than @min_share percent of the frames that have a node: with 50, a
 * ring split evenly over two nodes is not placed, and one split 3:1 is.
 */
void xnh_vote(const int *nodes, unsigned int nr, unsigned int min_share,
	      struct xnh_vote *v)
{
	struct xnh_tally best = xnh_plurality(nodes, nr);
	unsigned int i;

	v->hinted = 0;
	for (i = 0; i < nr; i++)
		v->hinted += nodes[i] >= 0;
	v->plurality = best.node;
	v->votes = best.count;
	v->node = XNH_NO_NODE;
	if (!v->hinted) {
		v->verdict = XNH_VOTE_NO_HINT;
	} else if ((u64)v->votes * 100 > (u64)v->hinted * min_share) {
		v->verdict = XNH_VOTE_PLACED;
		v->node = best.node;
	} else {
		v->verdict = XNH_VOTE_SPLIT;
	}
}

/**
 * xnh_svc_name_valid() - whether @s can name a backend or device in the view
 * @s: the name
 * @len: the size of the field it is kept in, NUL included
 *
 * The view's lines are split at spaces: 1 to @len - 1 printable ASCII
 * characters other than space.  At most @len bytes of @s are read.
 *
 * Return: true if it can.
 */
bool xnh_svc_name_valid(const char *s, size_t len)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < len && s[i]; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return i > 0 && i < len;
}

static bool xnh_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* Runs of digits compare as numbers: "vif1.2" before "vif1.10". */
static int xnh_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea, *eb;

		if (!xnh_isdigit(*a) || !xnh_isdigit(*b)) {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ?
				       -1 : 1;
			a++;
			b++;
			continue;
		}
		while (*a == '0' && xnh_isdigit(a[1]))
			a++;
		while (*b == '0' && xnh_isdigit(b[1]))
			b++;
		for (ea = a; xnh_isdigit(*ea); ea++)
			;
		for (eb = b; xnh_isdigit(*eb); eb++)
			;
		if (ea - a != eb - b)
			return ea - a < eb - b ? -1 : 1;
		for (; a < ea; a++, b++)
			if (*a != *b)
				return *a < *b ? -1 : 1;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int xnh_strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a < (unsigned char)*b ? -1 :
	       (unsigned char)*a > (unsigned char)*b;
}

/* Names in natural order; names equal as numbers ("01", "1") by bytes. */
static int xnh_namecmp(const char *a, const char *b)
{
	int r = xnh_natcmp(a, b);

	return r ? r : xnh_strcmp(a, b);
}

/**
 * xnh_svc_cmp() - the order of the view's lines
 * @a: a key
 * @b: another
 *
 * By domain, then backend, device (runs of digits as numbers) and queue.
 * Zero only for equal keys, which name the same line.
 *
 * Return: negative, zero or positive as @a sorts before, with or after @b.
 */
int xnh_svc_cmp(const struct xnh_svc_key *a, const struct xnh_svc_key *b)
{
	int r;

	if (a->domid != b->domid)
		return a->domid < b->domid ? -1 : 1;
	r = xnh_namecmp(a->backend, b->backend);
	if (r)
		return r;
	r = xnh_namecmp(a->dev, b->dev);
	if (r)
		return r;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/**
 * xnh_local_of() - whether a queue is served from its node
 * @node: the node it is served from, or negative for none
 * @checked: its kthreads and IRQs that still exist
 * @outside: those of them allowed or delivered outside the node's CPUs
 *
 * Return: XNH_LOCAL_NA without a node or with nothing to look at,
 * otherwise XNH_LOCAL_YES if nothing is outside, XNH_LOCAL_NO if anything is.
 */
enum xnh_local xnh_local_of(int node, unsigned int checked,
			    unsigned int outside)
{
	if (node < 0 || !checked)
		return XNH_LOCAL_NA;
	return outside ? XNH_LOCAL_NO : XNH_LOCAL_YES;
}

/* snprintf() without the C library or the kernel's: what fits, and the count. */
struct xnh_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void xnh_put(struct xnh_out *o, const char *s)
{
	for (; *s; s++, o->pos++)
		if (o->pos + 1 < o->len)
			o->buf[o->pos] = *s;
}

static void xnh_put_uint(struct xnh_out *o, unsigned long v)
{
	char d[24];
	unsigned int i = sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	xnh_put(o, d + i);
}

static void xnh_put_int(struct xnh_out *o, long v)
{
	if (v < 0) {
		xnh_put(o, "-");
		xnh_put_uint(o, 0UL - (unsigned long)v);
	} else {
		xnh_put_uint(o, (unsigned long)v);
	}
}

static const char *xnh_local_name(enum xnh_local local)
{
	switch (local) {
	case XNH_LOCAL_YES:
		return "yes";
	case XNH_LOCAL_NO:
		return "no";
	case XNH_LOCAL_NA:
		break;
	}
	return "-";
}

/**
 * xnh_svc_format() - one line of the per-domain view
 * @buf: where to write it
 * @len: size of @buf; at most @len - 1 characters and a NUL are written
 * @l: what the line says
 *
 *   d<domid> <backend> <dev> q<id> <verdict> node=<node> votes=<v>/<h>
 *   cpus=<cpulist|-> kthreads=<pid,...|-> irqs=<irq,...|-> local=<yes|no|->
 *
 * on one line, ending in a newline.  A kthread whose pid is 0 or less (it
 * has exited) is listed as "-", in its place.
 *
 * Return: the length of the whole line, as snprintf(): the line was cut
 * short if that is @len or more.
 */
size_t xnh_svc_format(char *buf, size_t len, const struct xnh_svc_line *l)
{
	struct xnh_out o = { .buf = buf, .len = len, .pos = 0 };
	unsigned int i;

	xnh_put(&o, "d");
	xnh_put_uint(&o, l->key->domid);
	xnh_put(&o, " ");
	xnh_put(&o, l->key->backend);
	xnh_put(&o, " ");
	xnh_put(&o, l->key->dev);
	xnh_put(&o, " q");
	xnh_put_uint(&o, l->key->id);
	xnh_put(&o, " ");
	xnh_put(&o, l->verdict ? l->verdict : "unknown");
	xnh_put(&o, " node=");
	xnh_put_int(&o, l->node);
	xnh_put(&o, " votes=");
	xnh_put_uint(&o, l->votes);
	xnh_put(&o, "/");
	xnh_put_uint(&o, l->hinted);
	xnh_put(&o, " cpus=");
	xnh_put(&o, l->cpus && *l->cpus ? l->cpus : "-");
	xnh_put(&o, " kthreads=");
	for (i = 0; i < l->nr_pids; i++) {
		if (i)
			xnh_put(&o, ",");
		if (l->pids[i] > 0)
			xnh_put_int(&o, l->pids[i]);
		else
			xnh_put(&o, "-");
	}
	if (!l->nr_pids)
		xnh_put(&o, "-");
	xnh_put(&o, " irqs=");
	for (i = 0; i < l->nr_irqs; i++) {
		if (i)
			xnh_put(&o, ",");
		xnh_put_uint(&o, l->irqs[i]);
	}
	if (!l->nr_irqs)
		xnh_put(&o, "-");
	xnh_put(&o, " local=");
	xnh_put(&o, xnh_local_name(l->local));
	xnh_put(&o, "\n");
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}
