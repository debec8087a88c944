// SPDX-License-Identifier: GPL-2.0
/*
 * The patched xen-gntdev's IOCTL_GNTDEV_GET_NODE, in a real dom0 on a real
 * Xen, as root, while the rig's guest runs: what a user-space backend
 * would see for the guest's shared rings.
 *
 * The test maps the guest's netfront TX and RX ring grants and its
 * blkfront ring grant through /dev/xen/gntdev (read-only: netback and
 * blkback keep serving them), mmap()s them and asks on which node they
 * are.  Where dom0 vNUMA is on and FLASK does not deny dom0 the op (as
 * xen_backend_placement decides it), the answer must be "placed" on the
 * node the patched netback (blkback) placed the ring's queue on, as its
 * log line says, and that node must be the PXM the rig put the guest on
 * (the last entry of PXM_CPUS) whenever netback placed it there;
 * xen_backend_placement holds netback's node to Xen's own account of
 * the guest's memory.  Anywhere else (the stock Xen, vNUMA off, FLASK)
 * the answer is "unavailable", node -1, as netback's.
 *
 * Bad input gets the documented errno (linux/include/uapi/xen/gntdev_numa.h):
 * ENXIO before mmap(), ENOENT for an offset no map holds (also after
 * UNMAP_GRANT_REF), EINVAL for count 0, an unaligned offset, a range past
 * its map and a non-zero reserved field, EFAULT for no argument.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>

/* what user space of <xen/gntdev.h> defines (libxengnttab does the same) */
typedef __u32 grant_ref_t;
typedef __u16 domid_t;
#include <xen/gntdev.h>
#include <xen/gntdev_numa.h>

#include "kselftest_harness.h"
#include "../lib/xnh_expect.h"
#include "backends.h"

#define GUEST_NAME	"xnh-guest"
#define GNTDEV		"/dev/xen/gntdev"
#define VBD_DEV		51712	/* xvda */
#define PAGE		4096UL

/* The PXM the rig put the guest on: the last entry of PXM_CPUS. */
static int rig_pxm(void)
{
	struct xnh_pxm_cpus c[XNH_MAX_NODES];
	int n = xnh_expect_pxm_cpus(c, XNH_MAX_NODES);

	return n > 0 ? (int)c[n - 1].pxm : -1;
}

/*
 * A grant reference the frontend wrote under
 * /local/domain/<domid>/device/<dir>: "<key>" for a single-queue
 * frontend, "queue-0/<key>" for a multi-queue one.  0 if neither exists.
 */
static grant_ref_t frontend_ref(int domid, const char *dir, const char *key)
{
	static const char * const where[] = { "", "queue-0/" };
	char cmd[200], out[64];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd),
			 "xenstore-read /local/domain/%d/device/%s/%s%s 2>/dev/null",
			 domid, dir, where[i], key);
		if (!run_cmd(cmd, out, sizeof(out)) && out[0] >= '0' &&
		    out[0] <= '9')
			return (grant_ref_t)strtoul(out, NULL, 10);
	}
	return 0;
}

/* What the patched backend logged last for queue (ring) 0 of the guest. */
struct backend_line {
	int found;
	struct placement p;
};

static void backend_placement(int domid, const char *key,
			      struct backend_line *b)
{
	struct placement pl[MAX_QUEUES];
	int n = read_placements(domid, key, pl, MAX_QUEUES), i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < n; i++)
		if (pl[i].id == 0) {
			b->p = pl[i];
			b->found = 1;
		}
}

struct ctx {
	int fd;
	int domid;
	int placed;
	int pxm;
	grant_ref_t tx, rx, vbd;
	struct backend_line netback, blkback;
};

FIXTURE(gntdev) {
	struct ctx c;
};

FIXTURE_SETUP(gntdev)
{
	char out[64];

	self->c.fd = -1;
	ASSERT_EQ(0, run_cmd("xl domid " GUEST_NAME, out, sizeof(out)))
		TH_LOG("xl domid %s: %s", GUEST_NAME, out);
	self->c.domid = atoi(out);
	ASSERT_LT(0, self->c.domid);
	self->c.placed = xnh_expect_backends_placed();
	self->c.pxm = rig_pxm();
	ASSERT_LE(0, self->c.pxm) TH_LOG("no PXM_CPUS in %s", XNH_EXPECT_PATH);
	self->c.tx = frontend_ref(self->c.domid, "vif/0", "tx-ring-ref");
	self->c.rx = frontend_ref(self->c.domid, "vif/0", "rx-ring-ref");
	snprintf(out, sizeof(out), "vbd/%d", VBD_DEV);
	self->c.vbd = frontend_ref(self->c.domid, out, "ring-ref");
	ASSERT_NE(0, self->c.tx) TH_LOG("no tx-ring-ref of d%d", self->c.domid);
	ASSERT_NE(0, self->c.rx) TH_LOG("no rx-ring-ref of d%d", self->c.domid);
	ASSERT_NE(0, self->c.vbd) TH_LOG("no vbd ring-ref of d%d", self->c.domid);
	backend_placement(self->c.domid, "queue", &self->c.netback);
	backend_placement(self->c.domid, "ring", &self->c.blkback);
	ASSERT_TRUE(self->c.netback.found)
		TH_LOG("no netback placement line for d%d queue 0", self->c.domid);
	ASSERT_TRUE(self->c.blkback.found)
		TH_LOG("no blkback placement line for d%d ring 0", self->c.domid);
	self->c.fd = open(GNTDEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->c.fd) TH_LOG("%s: %s", GNTDEV, strerror(errno));
}

FIXTURE_TEARDOWN(gntdev)
{
	if (self->c.fd >= 0)
		close(self->c.fd);
}

/* IOCTL_GNTDEV_MAP_GRANT_REF of @n refs of @domid; the offset, or -errno. */
static long long map_refs(int fd, int domid, const grant_ref_t *refs, int n)
{
	struct ioctl_gntdev_map_grant_ref *op;
	long long rc;
	int i;

	op = calloc(1, sizeof(*op) + n * sizeof(op->refs[0]));
	if (!op)
		return -ENOMEM;
	op->count = n;
	for (i = 0; i < n; i++) {
		op->refs[i].domid = domid;
		op->refs[i].ref = refs[i];
	}
	rc = ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, op) ? -errno :
	     (long long)op->index;
	free(op);
	return rc;
}

/* IOCTL_GNTDEV_GET_NODE; 0 or -errno, the answer in @op. */
static int get_node(int fd, __u64 index, __u32 count,
		    struct ioctl_gntdev_get_node *op)
{
	memset(op, 0, sizeof(*op));
	op->index = index;
	op->count = count;
	return ioctl(fd, IOCTL_GNTDEV_GET_NODE, op) ? -errno : 0;
}

static const char *verdict_name(__u32 v)
{
	static const char * const names[] = {
		"placed", "split", "no-hint", "unavailable", "failed",
	};

	return v < 5 ? names[v] : "unknown";
}

/*
 * The answer for a ring of the guest against what the rig expects and
 * what its backend logged (@b: netback's queue 0, blkback's ring 0).
 */
static void check_answer(struct __test_metadata *_metadata,
			 struct ctx *c, const char *what,
			 const struct ioctl_gntdev_get_node *op,
			 unsigned int frames, const struct backend_line *b)
{
	unsigned int i;
	int whole;

	TH_LOG("d%d %s: %s node=%d votes=%u/%u plurality=%d",
	       c->domid, what, verdict_name(op->verdict), op->node,
	       op->votes, op->hinted, op->plurality);
	TH_LOG("%s logged %s node=%d votes=%u/%u; the rig's PXM is %d",
	       b == &c->netback ? "netback" : "blkback", b->p.verdict,
	       b->p.node, b->p.votes, b->p.hinted, c->pxm);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, op->reserved[i]);
	if (!c->placed) {
		EXPECT_EQ(GNTDEV_NODE_UNAVAILABLE, op->verdict);
		EXPECT_EQ(-1, op->node);
		EXPECT_EQ(-1, op->plurality);
		EXPECT_EQ(0, op->hinted);
		EXPECT_EQ(0, op->votes);
		EXPECT_STREQ("unavailable", b->p.verdict);
		return;
	}
	EXPECT_EQ(GNTDEV_NODE_PLACED, op->verdict);
	EXPECT_EQ(frames, op->hinted);
	EXPECT_EQ(frames, op->votes);
	EXPECT_EQ(op->node, op->plurality);
	/* the backend voted over these frames and its queue's others */
	whole = !strcmp(b->p.verdict, "placed") && b->p.votes == b->p.hinted;
	if (!whole)
		TH_LOG("the backend's rings are not all on one node: not compared");
	EXPECT_TRUE(!whole || b->p.node == op->node)
		TH_LOG("the backend placed them on %d", b->p.node);
	if (b->p.node == c->pxm) {
		EXPECT_EQ(c->pxm, op->node);
	} else {
		TH_LOG("the backend placed d%d on %d, not on the rig's PXM %d",
		       c->domid, b->p.node, c->pxm);
		TH_LOG("xen_backend_placement holds the backend to Xen's word");
	}
}

/* Map @n refs, mmap them read-only, ask about all; the mapping in @addr. */
static void map_and_ask(struct __test_metadata *_metadata,
			struct ctx *c, const grant_ref_t *refs,
			int n, long long *index, void **addr,
			struct ioctl_gntdev_get_node *op)
{
	*index = map_refs(c->fd, c->domid, refs, n);
	ASSERT_LE(0, *index) TH_LOG("MAP_GRANT_REF: %s", strerror(-*index));
	*addr = mmap(NULL, n * PAGE, PROT_READ, MAP_SHARED, c->fd, *index);
	ASSERT_NE(MAP_FAILED, *addr) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, get_node(c->fd, *index, n, op))
		TH_LOG("GET_NODE: %s", strerror(errno));
}

TEST_F(gntdev, netfront_tx_ring)
{
	struct ioctl_gntdev_get_node op;
	long long index;
	void *addr;

	map_and_ask(_metadata, &self->c, &self->c.tx, 1, &index, &addr, &op);
	check_answer(_metadata, &self->c, "netfront TX ring", &op, 1,
		     &self->c.netback);
	EXPECT_EQ(0, munmap(addr, PAGE));
}

TEST_F(gntdev, blkfront_ring)
{
	struct ioctl_gntdev_get_node op;
	long long index;
	void *addr;

	map_and_ask(_metadata, &self->c, &self->c.vbd, 1, &index, &addr, &op);
	check_answer(_metadata, &self->c, "blkfront ring", &op, 1, &self->c.blkback);
	EXPECT_EQ(0, munmap(addr, PAGE));
}

/* Is dom0 auto-translated (PVH)?  /sys/hypervisor/guest_type says. */
static int dom0_pvh(void)
{
	char buf[16] = "";
	FILE *f = fopen("/sys/hypervisor/guest_type", "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "PVH", 3);
}

/*
 * TX and RX rings in one map: the whole map and its second page alone.
 * munmap() unmaps the grants in a PV dom0 (ENXIO from then on); in a PVH
 * dom0 they stay mapped until UNMAP_GRANT_REF, and the range still
 * answers.  After UNMAP_GRANT_REF the offset names no map (ENOENT).
 */
TEST_F(gntdev, both_vif_rings_one_map)
{
	grant_ref_t refs[2] = { self->c.tx, self->c.rx };
	struct ioctl_gntdev_unmap_grant_ref unmap;
	struct ioctl_gntdev_get_node op;
	long long index;
	void *addr;

	map_and_ask(_metadata, &self->c, refs, 2, &index, &addr, &op);
	check_answer(_metadata, &self->c, "netfront TX+RX rings", &op, 2,
		     &self->c.netback);
	ASSERT_EQ(0, get_node(self->c.fd, index + PAGE, 1, &op))
		TH_LOG("GET_NODE of the second page: %s", strerror(errno));
	check_answer(_metadata, &self->c, "netfront RX ring", &op, 1,
		     &self->c.netback);
	EXPECT_EQ(-EINVAL, get_node(self->c.fd, index + PAGE, 2, &op));
	EXPECT_EQ(0, munmap(addr, 2 * PAGE));
	EXPECT_EQ(dom0_pvh() ? 0 : -ENXIO, get_node(self->c.fd, index, 2, &op))
		TH_LOG("after munmap() in a %s dom0",
		       dom0_pvh() ? "PVH" : "PV");
	memset(&unmap, 0, sizeof(unmap));
	unmap.index = index;
	unmap.count = 2;
	ASSERT_EQ(0, ioctl(self->c.fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap))
		TH_LOG("UNMAP_GRANT_REF: %s", strerror(errno));
	EXPECT_EQ(-ENOENT, get_node(self->c.fd, index, 2, &op));
	EXPECT_EQ(-ENOENT, get_node(self->c.fd, index + PAGE, 1, &op));
}

/* Mapped with MAP_GRANT_REF but not mmap()ed: no grant mapped yet. */
TEST_F(gntdev, before_mmap_enxio)
{
	struct ioctl_gntdev_get_node op;
	long long index;
	void *addr;

	index = map_refs(self->c.fd, self->c.domid, &self->c.tx, 1);
	ASSERT_LE(0, index) TH_LOG("MAP_GRANT_REF: %s", strerror(-index));
	EXPECT_EQ(-ENXIO, get_node(self->c.fd, index, 1, &op));
	addr = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->c.fd, index);
	ASSERT_NE(MAP_FAILED, addr) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(0, get_node(self->c.fd, index, 1, &op));
	EXPECT_EQ(0, munmap(addr, PAGE));
}

TEST_F(gntdev, bad_input)
{
	struct ioctl_gntdev_get_node op;
	long long index;
	void *addr;
	int i;

	/* no map at all yet on this file */
	EXPECT_EQ(-ENOENT, get_node(self->c.fd, 0, 1, &op));

	index = map_refs(self->c.fd, self->c.domid, &self->c.tx, 1);
	ASSERT_LE(0, index) TH_LOG("MAP_GRANT_REF: %s", strerror(-index));
	addr = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->c.fd, index);
	ASSERT_NE(MAP_FAILED, addr) TH_LOG("mmap: %s", strerror(errno));

	EXPECT_EQ(0, get_node(self->c.fd, index, 1, &op));
	EXPECT_EQ(-ENOENT, get_node(self->c.fd, index + PAGE, 1, &op));
	EXPECT_EQ(-ENOENT, get_node(self->c.fd, index + (1ULL << 40), 1, &op));
	EXPECT_EQ(-EINVAL, get_node(self->c.fd, index, 0, &op));
	EXPECT_EQ(-EINVAL, get_node(self->c.fd, index, 2, &op));
	EXPECT_EQ(-EINVAL, get_node(self->c.fd, index, 0xffffffffU, &op));
	EXPECT_EQ(-EINVAL, get_node(self->c.fd, index + 8, 1, &op));
	for (i = 0; i < 4; i++) {
		memset(&op, 0, sizeof(op));
		op.index = index;
		op.count = 1;
		op.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->c.fd, IOCTL_GNTDEV_GET_NODE, &op));
		EXPECT_EQ(EINVAL, errno) TH_LOG("reserved[%d] = 1", i);
	}
	/* an unreadable argument */
	EXPECT_EQ(-1, ioctl(self->c.fd, IOCTL_GNTDEV_GET_NODE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, munmap(addr, PAGE));
}

TEST_HARNESS_MAIN
