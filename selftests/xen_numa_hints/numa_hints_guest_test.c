// SPDX-License-Identifier: GPL-2.0
/*
 * Runs as root in the rig's unprivileged PVH guest: XENMEM_get_mfn_pxms
 * (40) and XENMEM_get_gfn_pxms (41) must refuse a domain that is not the
 * hardware domain, whatever the arguments, and must write nothing.  The
 * guest asks through its own /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL),
 * which passes the hypercall's result through as -1/errno.
 *
 * The patched Xen answers EPERM; the stock Xen has no such op and answers
 * ENOSYS.  The guest cannot see which Xen it runs on, so the rig says so
 * on the guest's command line: xnh.variant=patched|stock.
 *
 * Linux 6.12's privcmd refuses every hypercall with EPERM itself in a domU
 * unless loaded with unrestricted=1: an EPERM would then prove nothing
 * about Xen.  Each test first checks that a harmless hypercall
 * (xen_version) reaches Xen through the same fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/*
 * Xen's errno for an op it does not have.  Named here because it is the
 * hypervisor's answer that privcmd hands through, not a syscall's.
 */
#define XEN_ENOSYS	38

/* The errno the variant on the command line expects, or 0 if none. */
static int expected_errno(char *variant, size_t len)
{
	char cmdline[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t got;
	int want = 0;

	if (!f)
		return 0;
	got = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	cmdline[got] = '\0';
	p = strstr(cmdline, "xnh.variant=");
	if (!p)
		return 0;
	p += strlen("xnh.variant=");
	snprintf(variant, len, "%.*s", (int)strcspn(p, "\n\t "), p);
	if (!strcmp(variant, "patched"))
		want = EPERM;
	else if (!strcmp(variant, "stock"))
		want = XEN_ENOSYS;
	return want;
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

FIXTURE(privcmd) {
	int fd;
	int want;
	char variant[32];
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

	self->want = expected_errno(self->variant, sizeof(self->variant));
	ASSERT_NE(0, self->want)
		TH_LOG("no xnh.variant=patched|stock on the guest's command line");
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
	TH_LOG("Xen variant %s: expecting %s", self->variant,
	       strerror(self->want));
}

FIXTURE_TEARDOWN(privcmd)
{
	int i, written = 0;

	/* nothing may have been written, whatever the answer */
	for (i = 0; i < 4; i++)
		written += self->pxms[i] != POISON;
	EXPECT_EQ(0, written) TH_LOG("Xen wrote PXMs for a guest");
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->none, 4096);
}

/* The memory op through privcmd; returns 0 or the saved errno. */
static int memory_op(int fd, __u64 cmd, __u64 arg)
{
	struct privcmd_hypercall h = {
		.op = HYPERVISOR_MEMORY_OP,
		.arg = { cmd, arg },
	};
	long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h);

	if (rc == -1)
		return errno;
	/* success, or a positive value: both are wrong here */
	return rc ? -2 : -1;
}

TEST_F(privcmd, well_formed_request)
{
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&self->arg));
}

/* The probe dom0 uses (no frames) must not tell a guest the op exists. */
TEST_F(privcmd, probe_with_no_frames)
{
	struct get_pxms probe = { 0 };

	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&probe));
	self->arg.nr = 0;
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&self->arg));
}

/* Refused before the arguments are even read. */
TEST_F(privcmd, garbage_arguments)
{
	struct get_pxms bad = {
		.frames = (unsigned long)self->none,
		.pxms = 0xffff800000000000ULL,
		.nr = 0xffffffffU,
		.flags = 0xffffffffU,
	};

	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&bad));
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op, 0));
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)self->none));
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					0xdead0000beef0000ULL));
	self->arg.flags = 1;
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&self->arg));
	self->arg.flags = 0;
	self->arg.nr = 1025;
	EXPECT_EQ(self->want, memory_op(self->fd, variant->op,
					(unsigned long)&self->arg));
}

/* A continuation-style start extent in the command changes nothing. */
TEST_F(privcmd, start_extent_in_cmd)
{
	EXPECT_EQ(self->want,
		  memory_op(self->fd, variant->op | (5ULL << MEMOP_EXTENT_SHIFT),
			    (unsigned long)&self->arg));
}

TEST_HARNESS_MAIN
