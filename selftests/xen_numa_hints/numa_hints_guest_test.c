// SPDX-License-Identifier: GPL-2.0
/*
 * Runs as root in the rig's unprivileged PVH guest.  XENMEM_get_mfn_pxms
 * (40) and XENMEM_get_gfn_pxms (41) are decided by their XSM hook before
 * anything else:
 *
 *  refused  With the dummy XSM module (every boot but the FLASK one) they
 *           must refuse a domain that is not the hardware domain, whatever
 *           the arguments, and write nothing: the patched Xen answers
 *           EPERM; the stock Xen has no such op and answers ENOSYS.
 *  granted  Under FLASK the guest is labelled with the rig's driver-domain
 *           type, to which the rig's policy grants xen2:get_mfn_pxms: the
 *           ops answer as they answer dom0 (0 for a probe, host PXMs for
 *           host frames and for the guest's own pages, EINVAL, EFAULT and
 *           E2BIG for bad arguments, in the order memory_pxms.h lists).
 *
 * The guest cannot see which Xen it runs on, so the rig says so on the
 * guest's command line: xnh.variant=patched|stock, xnh.xsm=dummy|
 * flask-granted, and xnh.pxms=P,Q,... (the host's PXMs, the one holding
 * the host's lowest RAM first; rig/vm/dom0-init).
 *
 * The guest asks through its own /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL),
 * which passes the hypercall's result through as -1/errno.  Linux 6.12's
 * privcmd refuses every hypercall with EPERM itself in a domU unless
 * loaded with unrestricted=1: an EPERM would then prove nothing about Xen.
 * Each test first checks that a harmless hypercall (xen_version) reaches
 * Xen through the same fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>

#include "kselftest_harness.h"

/* include/uapi/xen/privcmd.h */
struct privcmd_hypercall {
	__u64 op;
	__u64 arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

/* Xen's public xen.h, version.h and memory.h */
#define HYPERVISOR_MEMORY_OP	12
#define HYPERVISOR_XEN_VERSION	17
#define XENVER_VERSION		0
#define XENMEM_GET_MFN_PXMS	40
#define XENMEM_GET_GFN_PXMS	41
#define MEMOP_EXTENT_SHIFT	6

/* struct xen_get_mfn_pxms, as a 64-bit guest lays it out */
struct get_pxms {
	__u64 frames;		/* XEN_GUEST_HANDLE(xen_pfn_t) */
	__u64 pxms;		/* XEN_GUEST_HANDLE(uint32) */
	__u32 nr;
	__u32 flags;
};

#define POISON	0x5a5a5a5aU
#define INVALID_PXM	(~0U)	/* XEN_INVALID_NUMA_ID */
#define MAX_PXMS	64

/*
 * Xen's errno for an op it does not have.  Named here because it is the
 * hypervisor's answer that privcmd hands through, not a syscall's.
 */
#define XEN_ENOSYS	38

/* The value of @name=... on the guest's command line; 0, or -1 if absent. */
static int cmdline_param(const char *name, char *buf, size_t len)
{
	char cmdline[4096], key[64], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t got;

	if (!f)
		return -1;
	/* a blank before the first parameter too */
	cmdline[0] = ' ';
	got = fread(cmdline + 1, 1, sizeof(cmdline) - 2, f);
	fclose(f);
	cmdline[got + 1] = '\0';
	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(cmdline, key);
	if (!p)
		return -1;
	p += strlen(key);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n\t "), p);
	return 0;
}

/*
 * What the rig told the guest: sets @granted if Xen is to answer it, and
 * returns the errno of a refusal otherwise (0 if the command line names
 * no boot the test knows).
 */
static int expected_errno(char *variant, size_t len, char *xsm, size_t xlen,
			  int *granted)
{
	int want = 0;

	*granted = 0;
	if (cmdline_param("xnh.variant", variant, len))
		return 0;
	if (cmdline_param("xnh.xsm", xsm, xlen))
		snprintf(xsm, xlen, "dummy");
	if (!strcmp(xsm, "flask-granted"))
		*granted = !strcmp(variant, "patched");
	else if (!strcmp(xsm, "dummy") && !strcmp(variant, "patched"))
		want = EPERM;
	else if (!strcmp(xsm, "dummy") && !strcmp(variant, "stock"))
		want = XEN_ENOSYS;
	return want;
}

/* The host's PXMs from xnh.pxms=P,Q,...; returns their number. */
static int host_pxms(unsigned int *pxms, int max)
{
	char buf[512], *tok, *save;
	int n = 0;

	if (cmdline_param("xnh.pxms", buf, sizeof(buf)))
		return 0;
	for (tok = strtok_r(buf, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		pxms[n++] = strtoul(tok, NULL, 0);
	return n;
}

/* Xen's major version through privcmd, or -errno if privcmd refused. */
static long xen_major(int fd)
{
	struct privcmd_hypercall h = {
		.op = HYPERVISOR_XEN_VERSION,
		.arg = { XENVER_VERSION, 0 },
	};
	long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h);

	if (rc < 0)
		return -errno;
	return rc >> 16;
}

/* What the rig's command line makes the guest expect of Xen. */
struct guest_expect {
	int want;		/* the errno of a refusal; 0 when granted */
	int granted;		/* Xen answers this guest (FLASK, granted) */
	unsigned int host_pxms[MAX_PXMS];
	int nr_host_pxms;
};

/* The errno Xen answers a granted guest with, or the refusal's. */
static int want_or(const struct guest_expect *ex, int err)
{
	return ex->granted ? err : ex->want;
}

/* Is @pxm one of the host's (xnh.pxms)? */
static int is_host_pxm(const struct guest_expect *ex, __u32 pxm)
{
	int i;

	for (i = 0; i < ex->nr_host_pxms; i++)
		if (ex->host_pxms[i] == pxm)
			return 1;
	return 0;
}

FIXTURE(privcmd) {
	int fd;
	struct guest_expect ex;
	int answered;		/* a test that lets Xen write pxms[] */
	char variant[32];
	char xsm[32];
	__u64 frames[4];
	__u32 pxms[4];
	struct get_pxms arg;
	void *none;
};

FIXTURE_VARIANT(privcmd) {
	unsigned int op;
};

FIXTURE_VARIANT_ADD(privcmd, mfn_pxms) { .op = XENMEM_GET_MFN_PXMS };
FIXTURE_VARIANT_ADD(privcmd, gfn_pxms) { .op = XENMEM_GET_GFN_PXMS };

FIXTURE_SETUP(privcmd)
{
	int i;

	self->ex.want = expected_errno(self->variant, sizeof(self->variant),
				       self->xsm, sizeof(self->xsm),
				       &self->ex.granted);
	ASSERT_TRUE(self->ex.want || self->ex.granted)
		TH_LOG("the command line names no known boot: xnh.variant=%s xnh.xsm=%s",
		       self->variant, self->xsm);
	self->ex.nr_host_pxms = host_pxms(self->ex.host_pxms, MAX_PXMS);
	if (self->ex.granted)
		ASSERT_LT(0, self->ex.nr_host_pxms)
			TH_LOG("no xnh.pxms= on the guest's command line");
	self->fd = open("/dev/xen/privcmd", O_RDWR);
	ASSERT_LE(0, self->fd)
		TH_LOG("open /dev/xen/privcmd: %s (CONFIG_XEN_PRIVCMD, xenfs)",
		       strerror(errno));
	ASSERT_EQ(4, xen_major(self->fd))
		TH_LOG("privcmd does not pass hypercalls: %s",
		       "load xen-privcmd with unrestricted=1");
	/* frames a dom0 would ask about: low RAM, 4 GiB, and guest RAM */
	self->frames[0] = 0x100;
	self->frames[1] = 0x100000;
	self->frames[2] = 0x1000;
	self->frames[3] = 0;
	for (i = 0; i < 4; i++)
		self->pxms[i] = POISON;
	self->arg.frames = (unsigned long)self->frames;
	self->arg.pxms = (unsigned long)self->pxms;
	self->arg.nr = 4;
	self->arg.flags = 0;
	self->none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_NE(MAP_FAILED, self->none);
	TH_LOG("Xen variant %s, XSM %s: expecting %s", self->variant,
	       self->xsm, self->ex.granted ? "answers" : strerror(self->ex.want));
}

FIXTURE_TEARDOWN(privcmd)
{
	int i, written = 0;

	/* nothing may have been written but by a request Xen answered */
	for (i = 0; i < 4; i++)
		written += self->pxms[i] != POISON;
	if (!self->answered)
		EXPECT_EQ(0, written) TH_LOG("Xen wrote PXMs it was not asked for");
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->none, 4096);
}

/* The memory op through privcmd: 0, the saved errno, or -2 for rc > 0. */
static int memory_op(int fd, __u64 cmd, __u64 arg)
{
	struct privcmd_hypercall h = {
		.op = HYPERVISOR_MEMORY_OP,
		.arg = { cmd, arg },
	};
	long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h);

	if (rc == -1)
		return errno;
	/* no memory op here answers a positive value */
	return rc ? -2 : 0;
}

TEST_F(privcmd, well_formed_request)
{
	ASSERT_EQ(self->ex.want, memory_op(self->fd, variant->op,
					   (unsigned long)&self->arg));
	if (!self->ex.granted)
		return;
	self->answered = 1;
	if (variant->op == XENMEM_GET_MFN_PXMS) {
		/*
		 * Host frames: 1 MiB and 16 MiB are RAM of the node the rig
		 * lays out first, the first of xnh.pxms; 4 GiB and frame 0
		 * are the host's RAM or not, depending on the host.
		 */
		EXPECT_EQ(self->ex.host_pxms[0], self->pxms[0]);
		EXPECT_EQ(self->ex.host_pxms[0], self->pxms[2]);
		EXPECT_TRUE(is_host_pxm(&self->ex, self->pxms[1]) ||
			    self->pxms[1] == INVALID_PXM)
			TH_LOG("MFN 0x100000: %u", self->pxms[1]);
	} else {
		/*
		 * The guest's own frames: its 256 MiB of RAM start at 0, so
		 * 1 MiB and 16 MiB are RAM on some host node and 4 GiB is
		 * nothing.
		 */
		EXPECT_TRUE(is_host_pxm(&self->ex, self->pxms[0]))
			TH_LOG("GFN 0x100: %u", self->pxms[0]);
		EXPECT_TRUE(is_host_pxm(&self->ex, self->pxms[2]))
			TH_LOG("GFN 0x1000: %u", self->pxms[2]);
		EXPECT_EQ(INVALID_PXM, self->pxms[1]);
	}
	EXPECT_TRUE(is_host_pxm(&self->ex, self->pxms[3]) ||
		    self->pxms[3] == INVALID_PXM)
		TH_LOG("frame 0: %u", self->pxms[3]);
}

/*
 * The probe dom0 uses (no frames) must not tell a refused guest that the
 * op exists; a granted one gets 0.
 */
TEST_F(privcmd, probe_with_no_frames)
{
	struct get_pxms probe = { 0 };

	EXPECT_EQ(self->ex.want, memory_op(self->fd, variant->op,
					   (unsigned long)&probe));
	self->arg.nr = 0;
	EXPECT_EQ(self->ex.want, memory_op(self->fd, variant->op,
					   (unsigned long)&self->arg));
}

/*
 * Refused before the arguments are even read; when granted, each error
 * memory_pxms.h documents, checked in its order (flags before the frame
 * count, both before any frame is read).
 */
TEST_F(privcmd, garbage_arguments)
{
	struct get_pxms bad = {
		.frames = (unsigned long)self->none,
		.pxms = 0xffff800000000000ULL,
		.nr = 0xffffffffU,
		.flags = 0xffffffffU,
	};

	EXPECT_EQ(want_or(&self->ex, EINVAL), memory_op(self->fd, variant->op,
							(unsigned long)&bad));
	EXPECT_EQ(want_or(&self->ex, EFAULT), memory_op(self->fd, variant->op, 0));
	EXPECT_EQ(want_or(&self->ex, EFAULT),
		  memory_op(self->fd, variant->op, (unsigned long)self->none));
	EXPECT_EQ(want_or(&self->ex, EFAULT),
		  memory_op(self->fd, variant->op, 0xdead0000beef0000ULL));
	self->arg.flags = 1;
	EXPECT_EQ(want_or(&self->ex, EINVAL), memory_op(self->fd, variant->op,
							(unsigned long)&self->arg));
	self->arg.flags = 0;
	self->arg.nr = 1025;
	EXPECT_EQ(want_or(&self->ex, E2BIG), memory_op(self->fd, variant->op,
						       (unsigned long)&self->arg));
	self->arg.nr = 0xffffffffU;
	EXPECT_EQ(want_or(&self->ex, E2BIG), memory_op(self->fd, variant->op,
						       (unsigned long)&self->arg));
	/* frames Xen cannot read, PXMs it cannot write */
	self->arg.nr = 4;
	self->arg.frames = (unsigned long)self->none;
	EXPECT_EQ(want_or(&self->ex, EFAULT), memory_op(self->fd, variant->op,
							(unsigned long)&self->arg));
	self->arg.frames = (unsigned long)self->frames;
	self->arg.pxms = (unsigned long)self->none;
	EXPECT_EQ(want_or(&self->ex, EFAULT), memory_op(self->fd, variant->op,
							(unsigned long)&self->arg));
	self->arg.pxms = (unsigned long)self->pxms;
}

/* A continuation-style start extent in the command: never continued. */
TEST_F(privcmd, start_extent_in_cmd)
{
	EXPECT_EQ(want_or(&self->ex, EINVAL),
		  memory_op(self->fd, variant->op | (5ULL << MEMOP_EXTENT_SHIFT),
			    (unsigned long)&self->arg));
}

/*
 * The guest's own pages, by the GFNs /proc/self/pagemap gives: refused
 * like any request, or, when granted, each on a host PXM through op 41.
 * Op 40 takes the same numbers as host frames: whatever it answers is a
 * host PXM or none.
 */
TEST_F(privcmd, own_pages)
{
	enum { NPAGES = 64 };
	long psz = sysconf(_SC_PAGESIZE);
	__u64 gfn[NPAGES];
	__u32 pxm[NPAGES];
	struct get_pxms req = {
		.frames = (unsigned long)gfn,
		.pxms = (unsigned long)pxm,
		.nr = NPAGES,
	};
	int i, pm, written = 0;
	char *buf;

	buf = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mlock(buf, NPAGES * psz));
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	for (i = 0; i < NPAGES; i++) {
		__u64 e;

		buf[i * psz] = 1;
		ASSERT_EQ(sizeof(e),
			  pread(pm, &e, sizeof(e),
				((unsigned long)(buf + i * psz) / psz) * sizeof(e)));
		gfn[i] = e & ((1ULL << 55) - 1);
		ASSERT_NE(0, gfn[i]) TH_LOG("pagemap gives no frame: not root?");
		pxm[i] = POISON;
	}
	close(pm);

	EXPECT_EQ(self->ex.want, memory_op(self->fd, variant->op,
					   (unsigned long)&req));
	for (i = 0; i < NPAGES; i++) {
		written += pxm[i] != POISON;
		if (!self->ex.granted)
			continue;
		if (variant->op == XENMEM_GET_GFN_PXMS) {
			EXPECT_TRUE(is_host_pxm(&self->ex, pxm[i]))
				TH_LOG("GFN 0x%llx: %u", (unsigned long long)gfn[i], pxm[i]);
		} else {
			EXPECT_TRUE(is_host_pxm(&self->ex, pxm[i]) || pxm[i] == INVALID_PXM)
				TH_LOG("MFN 0x%llx: %u", (unsigned long long)gfn[i], pxm[i]);
		}
	}
	if (!self->ex.granted)
		EXPECT_EQ(0, written) TH_LOG("Xen wrote PXMs for a refused guest");
	munmap(buf, NPAGES * psz);
}

TEST_HARNESS_MAIN
