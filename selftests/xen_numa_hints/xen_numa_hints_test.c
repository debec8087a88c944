// SPDX-License-Identifier: GPL-2.0
/*
 * xen-numa-hints in a real dom0 on a real Xen, as root.
 *
 * The rig's /etc/xnh/expect says which Xen runs (XEN_VARIANT, XSM) and
 * what the host looks like (PXMS, PXM_CPUS, PXM_MEM).  The "common" tests
 * run on every Xen; "patched" and "batches" need the Xen that has
 * XENMEM_get_{mfn,gfn}_pxms, "stock" the one without, "denied" the patched
 * Xen under FLASK with the rig's policy, which denies dom0 both ops: main()
 * picks the fixtures for the boot, so no test is skipped.
 *
 * Frames tested as RAM are taken from PXM_MEM ranges, one MiB inside each
 * end and never below 2 MiB (firmware keeps holes and tables there).
 * Frames tested as not RAM are: the first frame after each range that no
 * other range holds, the legacy VGA window (0xa0: no PC's E820 lists it as
 * RAM, although the SRAT range around it is its PXM's), the local APIC
 * page, and frames beyond any machine's memory.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "xnh_dom0.h"
#include "../xen_apic_topology/xen_domctl.h"

#define NOBODY		65534
#define MAX_PXMS	XNH_MAX_NODES
#define NON_RAM_MAX	(XNH_MAX_RANGES + 8)

struct env {
	int fd;
	struct xnh_ram ram[XNH_MAX_RANGES];
	int nram;
	unsigned int pxms[MAX_PXMS];
	int npxms;
	int srat;		/* dom0 should have a SRAT: dom0 vNUMA on */
	int has_srat;		/* dom0 has a SRAT of its own */
};

static void env_setup(struct __test_metadata *_metadata, struct env *e)
{
	int rc = system("modprobe xen-numa-hints");

	ASSERT_EQ(0, rc) TH_LOG("modprobe xen-numa-hints failed: status %d", rc);
	e->fd = open(XNH_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, e->fd) TH_LOG("open %s: %s", XNH_DEV, strerror(errno));
	e->nram = xnh_ram_ranges(e->ram, XNH_MAX_RANGES);
	ASSERT_LT(0, e->nram) TH_LOG("no usable PXM_MEM in %s", XNH_EXPECT_PATH);
	e->npxms = xnh_expect_pxms(e->pxms, MAX_PXMS);
	ASSERT_LT(0, e->npxms) TH_LOG("no PXMS in %s", XNH_EXPECT_PATH);
	e->srat = xnh_dom0_expect_srat();
	e->has_srat = xnh_dom0_has_srat();
}

static void env_teardown(struct env *e)
{
	if (e->fd >= 0)
		close(e->fd);
}

static int is_host_pxm(const struct env *e, __u32 pxm)
{
	int i;

	for (i = 0; i < e->npxms; i++)
		if (e->pxms[i] == pxm)
			return 1;
	return 0;
}

static void read_status(struct __test_metadata *_metadata, char *buf,
			size_t len)
{
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/status", buf, len));
}

/* Frames that are not RAM; see the comment at the top.  Returns count. */
static int non_ram_frames(const struct env *e, __u64 *out)
{
	int i, k = 0;

	for (i = 0; i < e->nram; i++)
		if (!xnh_in_any_range(e->ram, e->nram, e->ram[i].end))
			out[k++] = e->ram[i].end;
	out[k++] = 0xa0;
	out[k++] = 0xfee00;
	out[k++] = 1ULL << 40;
	out[k++] = (~0ULL) >> XNH_PAGE_SHIFT;
	out[k++] = ~0ULL;
	return k;
}

/* ---------------------------------------------------------------------- */
/* common: every Xen                                                      */
/* ---------------------------------------------------------------------- */

FIXTURE(common) {
	struct env e;
};

FIXTURE_SETUP(common)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(common)
{
	env_teardown(&self->e);
}

TEST_F(common, device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(XNH_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, access("/sys/module/xen_numa_hints", F_OK));
}

TEST_F(common, sysfs_files_are_well_formed)
{
	static const char * const counters[] = {
		"hypercalls", "frames", "cache_hits", "cache_misses",
		"invalid_frames", "no_node_frames", "errors", "map_rereads",
	};
	char buf[512], path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	unsigned int i;
	DIR *dir;

	read_status(_metadata, buf, sizeof(buf));
	EXPECT_TRUE(!strcmp(buf, "active") || !strcmp(buf, "pxm-only") ||
		    !strcmp(buf, "unsupported") || !strcmp(buf, "unavailable") ||
		    !strcmp(buf, "denied"))
		TH_LOG("status '%s'", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/reason", buf, sizeof(buf)));
	EXPECT_LT(10, strlen(buf)) TH_LOG("reason '%s'", buf);
	TH_LOG("reason: %s", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/cache_entries", buf, sizeof(buf)));
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		EXPECT_NE(~0ULL, xnh_counter(counters[i]))
			TH_LOG("counters/%s unreadable", counters[i]);
	}
	EXPECT_EQ(0, xnh_counter("errors"));

	/* files that reveal topology are root-only, one number each */
	ASSERT_EQ(0, stat(XNH_SYSFS "/cache_flush", &st));
	EXPECT_EQ(0200, st.st_mode & 0777);
	dir = opendir(XNH_SYSFS "/pxm_to_node");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		char *end;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), XNH_SYSFS "/pxm_to_node/%s",
			 d->d_name);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0400, st.st_mode & 0777) TH_LOG("%s", path);
		ASSERT_EQ(0, xnh_read_line(path, buf, sizeof(buf)));
		EXPECT_LE(0, strtol(buf, &end, 10)) TH_LOG("%s: '%s'", path, buf);
		EXPECT_EQ('\0', *end);
	}
	closedir(dir);
}

/* One ioctl; returns 0 or the errno it failed with, saved at once. */
static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int raw_query(int fd, struct xen_numa_hints_query *q)
{
	return ioctl_errno(fd, IOCTL_XEN_NUMA_HINTS_QUERY, q);
}

TEST_F(common, unknown_ioctls_are_enotty)
{
	struct xen_numa_hints_query q = { 0 };
	__u64 big[8] = { 0 };
	int fd = self->e.fd;

	EXPECT_EQ(ENOTTY, ioctl_errno(fd, _IOWR(0xB9, 1, struct xen_numa_hints_query), &q));
	/* the right number with the wrong size is another command */
	EXPECT_EQ(ENOTTY, ioctl_errno(fd, _IOWR(0xB9, 0, __u64[8]), big));
	EXPECT_EQ(ENOTTY, ioctl_errno(fd, _IO(0xB9, 0), NULL));
	EXPECT_EQ(ENOTTY, ioctl_errno(fd, _IOR(0xB9, 0, struct xen_numa_hints_query), &q));
	/* another driver's command */
	EXPECT_EQ(ENOTTY, ioctl_errno(fd, _IOC(_IOC_NONE, 'P', 0, 48), &q));
}

TEST_F(common, malformed_requests_are_einval)
{
	__u64 frame = self->e.ram[0].first;
	__u32 pxm;
	__s32 node;
	struct xen_numa_hints_query good = {
		.frames = (unsigned long)&frame,
		.pxms = (unsigned long)&pxm,
		.nodes = (unsigned long)&node,
		.nr = 1,
		.kind = XEN_NUMA_HINTS_KIND_MFN,
	};
	struct xen_numa_hints_query q;

	q = good;
	EXPECT_EQ(0, raw_query(self->e.fd, &q));
	q = good;
	q.flags = 1;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	q = good;
	q.flags = 0x80000000U;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	q = good;
	q.kind = 0;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	q = good;
	q.kind = 3;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	q = good;
	q.reserved[0] = 1;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	q = good;
	q.reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, raw_query(self->e.fd, &q));
	/* @state is output only: whatever it holds on input is ignored */
	q = good;
	q.state = 0xffffffffU;
	EXPECT_EQ(0, raw_query(self->e.fd, &q));
}

TEST_F(common, too_many_frames_is_e2big)
{
	struct xen_numa_hints_query q = {
		.nr = XEN_NUMA_HINTS_MAX_FRAMES + 1,
		.kind = XEN_NUMA_HINTS_KIND_MFN,
	};

	EXPECT_EQ(E2BIG, raw_query(self->e.fd, &q));
	q.nr = 0xffffffffU;
	EXPECT_EQ(E2BIG, raw_query(self->e.fd, &q));
	/* the maximum itself is accepted: it fails on the NULL buffers */
	q.nr = XEN_NUMA_HINTS_MAX_FRAMES;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
}

TEST_F(common, bad_pointers_are_efault)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *none, *ro, *rw;
	struct xen_numa_hints_query q;
	__u64 *frames;
	__u32 pxms[1025];
	__s32 nodes[1025];
	unsigned int i;

	none = mmap(NULL, psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* 1024 frames, then a frame on a page that is not there */
	rw = mmap(NULL, 4 * psz, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, rw);
	ASSERT_EQ(0, munmap(rw + 2 * psz, 2 * psz));
	frames = (__u64 *)(rw + 2 * psz) - 1024;
	for (i = 0; i < 1024; i++)
		frames[i] = self->e.ram[0].first + i;

	EXPECT_EQ(EFAULT, ioctl_errno(self->e.fd, IOCTL_XEN_NUMA_HINTS_QUERY, NULL));
	EXPECT_EQ(EFAULT, ioctl_errno(self->e.fd, IOCTL_XEN_NUMA_HINTS_QUERY, none));

	memset(&q, 0, sizeof(q));
	q.kind = XEN_NUMA_HINTS_KIND_MFN;
	q.nr = 1;
	q.pxms = (unsigned long)pxms;
	q.nodes = (unsigned long)nodes;
	q.frames = 0;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	q.frames = (unsigned long)none;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	q.frames = (unsigned long)frames;
	q.pxms = (unsigned long)ro;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	q.pxms = (unsigned long)pxms;
	q.nodes = (unsigned long)ro;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	q.nodes = (unsigned long)none;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	/* a kernel address is not a user buffer */
	q.nodes = 0xffff888000000000ULL;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	q.nodes = (unsigned long)nodes;
	/* 1024 readable frames, then the 1025th is not */
	q.nr = 1024;
	EXPECT_EQ(0, raw_query(self->e.fd, &q));
	q.nr = 1025;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));
	/* GFN requests are checked the same way */
	q.kind = XEN_NUMA_HINTS_KIND_GFN;
	EXPECT_EQ(EFAULT, raw_query(self->e.fd, &q));

	munmap(none, psz);
	munmap(ro, psz);
	munmap(rw, 2 * psz);
}

static __u32 variant_state(const struct env *e)
{
	char v[32] = "";

	xnh_expect_get("XEN_VARIANT", v, sizeof(v));
	if (!strcmp(v, "stock"))
		return XEN_NUMA_HINTS_STATE_UNSUPPORTED;
	if (xnh_expect_flask())
		return XEN_NUMA_HINTS_STATE_DENIED;
	return e->srat ? XEN_NUMA_HINTS_STATE_ACTIVE :
			 XEN_NUMA_HINTS_STATE_PXM_ONLY;
}

TEST_F(common, zero_frames_report_state)
{
	struct xen_numa_hints_query q = {
		.nr = 0,
		.kind = XEN_NUMA_HINTS_KIND_MFN,
	};
	__u32 want = variant_state(&self->e);

	TH_LOG("dom0 %s a SRAT, %s", self->e.has_srat ? "has" : "has no",
	       self->e.srat ? "dom0 vNUMA on" : "no dom0 vNUMA");
	EXPECT_EQ(0, raw_query(self->e.fd, &q));
	EXPECT_EQ(want, q.state);
	q.kind = XEN_NUMA_HINTS_KIND_GFN;
	q.state = 0;
	EXPECT_EQ(0, raw_query(self->e.fd, &q));
	EXPECT_EQ(want, q.state);
}

static const char * const nobody_checks[] = {
	"all checks passed", "setuid failed", "euid is not nobody",
	"the device opened", "ioctl on an inherited fd worked",
	"pxm_to_node not listable", "a pxm_to_node file was readable",
	"cache_flush was writable", "status was unreadable",
};

/* Child side of the unprivileged test: returns which check failed. */
static int as_nobody(int root_fd)
{
	struct xen_numa_hints_query q = {
		.kind = XEN_NUMA_HINTS_KIND_MFN,
	};
	char path[PATH_MAX], buf[64];
	struct dirent *d;
	DIR *dir;
	int fd;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 1;
	if (geteuid() != NOBODY)
		return 2;
	fd = open(XNH_DEV, O_RDWR);
	if (fd >= 0 || (errno != EACCES && errno != EPERM))
		return 3;
	/* an fd opened by root and handed down is no way around it */
	if (ioctl(root_fd, IOCTL_XEN_NUMA_HINTS_QUERY, &q) != -1 ||
	    errno != EPERM)
		return 4;
	dir = opendir(XNH_SYSFS "/pxm_to_node");
	if (!dir)
		return 5;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), XNH_SYSFS "/pxm_to_node/%s",
			 d->d_name);
		if (xnh_read_line(path, buf, sizeof(buf)) != -EACCES)
			return 6;
	}
	closedir(dir);
	if (xnh_write(XNH_SYSFS "/cache_flush", "1\n") != -EACCES)
		return 7;
	/* what does not reveal the host stays readable */
	if (xnh_read_line(XNH_SYSFS "/status", buf, sizeof(buf)))
		return 8;
	return 0;
}

TEST_F(common, unprivileged_callers_are_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(as_nobody(self->e.fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("as uid %d: %s", NOBODY, nobody_checks[WEXITSTATUS(status) % 9]);
}

/* ---------------------------------------------------------------------- */
/* patched: a Xen with XENMEM_get_{mfn,gfn}_pxms                          */
/* ---------------------------------------------------------------------- */

FIXTURE(patched) {
	struct env e;
};

FIXTURE_SETUP(patched)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(patched)
{
	env_teardown(&self->e);
}

TEST_F(patched, status_matches_dom0)
{
	char status[64], buf[64], path[PATH_MAX];
	unsigned int pxm, max_pxm = 0;
	int i, files = 0;
	struct dirent *d;
	DIR *dir;

	read_status(_metadata, status, sizeof(status));
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/mfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/gfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	/* dom0 has a SRAT exactly when Xen's dom0 vNUMA is on */
	EXPECT_EQ(self->e.srat, self->e.has_srat)
		TH_LOG("dom0 vNUMA %s, but dom0 %s /sys/firmware/acpi/tables/SRAT",
		       self->e.srat ? "on" : "off", self->e.has_srat ? "has" : "has no");
	if (self->e.srat) {
		TH_LOG("dom0 vNUMA on: PXMs map to dom0 nodes");
		EXPECT_STREQ("active", status);
	} else {
		TH_LOG("dom0 vNUMA off, no SRAT: nodes are NUMA_NO_NODE");
		EXPECT_STREQ("pxm-only", status);
	}

	dir = opendir(XNH_SYSFS "/pxm_to_node");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)))
		files += d->d_name[0] != '.';
	closedir(dir);
	if (!self->e.srat) {
		EXPECT_EQ(0, files);
		return;
	}
	/*
	 * Every host PXM has dom0 vCPUs, so dom0's SRAT maps every one.  It
	 * also names each PXM hole below the highest host PXM (an absent
	 * processor), so that Linux's node ids are the PXMs; Linux reserves an
	 * offline node for each hole, which the module leaves unmapped: a hint
	 * to an offline node places nothing.
	 */
	for (i = 0; i < self->e.npxms; i++)
		if (self->e.pxms[i] > max_pxm)
			max_pxm = self->e.pxms[i];
	EXPECT_EQ(self->e.npxms, files);
	for (i = 0; i < self->e.npxms; i++) {
		int want = xnh_expected_node(self->e.pxms[i]);

		snprintf(path, sizeof(path), XNH_SYSFS "/pxm_to_node/%u",
			 self->e.pxms[i]);
		ASSERT_EQ(0, xnh_read_line(path, buf, sizeof(buf)))
			TH_LOG("%s missing", path);
		ASSERT_LE(0, want) TH_LOG("no dom0 CPU tells PXM %u's node",
					  self->e.pxms[i]);
		EXPECT_EQ(want, atoi(buf)) TH_LOG("PXM %u", self->e.pxms[i]);
		/* dom0's node ids are the host's PXMs */
		EXPECT_EQ((int)self->e.pxms[i], atoi(buf)) TH_LOG("PXM %u", self->e.pxms[i]);
	}
	for (pxm = 0; pxm <= max_pxm; pxm++) {
		if (is_host_pxm(&self->e, pxm))
			continue;
		snprintf(path, sizeof(path), XNH_SYSFS "/pxm_to_node/%u", pxm);
		EXPECT_NE(0, access(path, F_OK))
			TH_LOG("%s: a PXM hole maps to a node", path);
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u", pxm);
		EXPECT_NE(0, access(path, F_OK)) TH_LOG("PXM hole %u: %s is online", pxm, path);
	}
}

/* PXMs whose pxm_to_node file is compared; the rig's highest is below. */
#define PXM_FILES_MAX	64

static void read_pxm_files(struct __test_metadata *_metadata, int *node,
			   unsigned int nr)
{
	char path[PATH_MAX], buf[64];
	unsigned int pxm;

	for (pxm = 0; pxm < nr; pxm++) {
		snprintf(path, sizeof(path), XNH_SYSFS "/pxm_to_node/%u", pxm);
		node[pxm] = xnh_read_line(path, buf, sizeof(buf)) ? -2 : atoi(buf);
	}
}

/*
 * A CPU to take offline: the highest one (not CPU 0) whose node keeps
 * another online CPU, so that no node loses its last CPU and with it the
 * affinity of the backends' threads placed there; the highest one if
 * every node has a single CPU.  -1 if dom0 has one CPU.
 */
static long cpu_to_offline(void)
{
	long cpu, last = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	char path[PATH_MAX], buf[256];
	struct dirent *d;
	DIR *dir;

	for (cpu = last; cpu > 0; cpu--) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld", cpu);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((d = readdir(dir)))
			if (!strncmp(d->d_name, "node", 4))
				break;
		snprintf(path, sizeof(path), "/sys/devices/system/%s/cpulist",
			 d ? d->d_name : "node/node0");
		closedir(dir);
		/* a list of one CPU has neither ',' nor '-' */
		if (!xnh_read_line(path, buf, sizeof(buf)) && strpbrk(buf, ",-"))
			return cpu;
	}
	return last > 0 ? last : -1;
}

/*
 * The PXM -> node map is read again when a CPU comes online (and when
 * memory is onlined or offlined: xen_dom0_numa's balloon test): take a
 * dom0 CPU offline and bring it back; the map is read once, for the
 * online, and says what it said before.  This proves the hotplug state
 * is registered and runs; what a re-read changes is unit-tested
 * (pxm_map_follows_hotplug), since no CPU of a PXM the SRAT did not name
 * can be hot-added here.
 */
TEST_F(patched, map_follows_cpu_hotplug)
{
	int before[PXM_FILES_MAX], after[PXM_FILES_MAX];
	unsigned long long r0, r1, r2;
	char path[PATH_MAX];
	long cpu = cpu_to_offline();
	int off, on;

	ASSERT_LT(0, cpu) TH_LOG("dom0 has one CPU: nothing to take offline");
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/online", cpu);
	read_pxm_files(_metadata, before, PXM_FILES_MAX);
	r0 = xnh_counter("map_rereads");
	off = xnh_write(path, "0\n");
	r1 = xnh_counter("map_rereads");
	/* whatever happened, the CPU must come back */
	on = xnh_write(path, "1\n");
	r2 = xnh_counter("map_rereads");
	ASSERT_EQ(0, off) TH_LOG("offlining dom0 CPU %ld", cpu);
	ASSERT_EQ(0, on) TH_LOG("onlining dom0 CPU %ld", cpu);
	TH_LOG("CPU %ld off and on: map_rereads %llu, %llu, %llu", cpu, r0, r1, r2);
	EXPECT_EQ(r0, r1);
	EXPECT_EQ(r1 + 1, r2);
	read_pxm_files(_metadata, after, PXM_FILES_MAX);
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
}

/* First, middle and last RAM frame of every range answer the range's PXM. */
TEST_F(patched, ram_frames_answer_their_pxm)
{
	__u64 frames[3 * XNH_MAX_RANGES];
	__u32 pxms[3 * XNH_MAX_RANGES], want_pxm[3 * XNH_MAX_RANGES], state = 0;
	__s32 nodes[3 * XNH_MAX_RANGES];
	struct xnh_counters before, after;
	unsigned int n = 0, i;
	int r;

	for (r = 0; r < self->e.nram; r++) {
		const struct xnh_ram *ram = &self->e.ram[r];

		frames[n] = ram->first;
		frames[n + 1] = ram->first + (ram->last - ram->first) / 2;
		frames[n + 2] = ram->last;
		want_pxm[n] = ram->pxm;
		want_pxm[n + 1] = ram->pxm;
		want_pxm[n + 2] = ram->pxm;
		n += 3;
	}
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames, n,
			       pxms, nodes, &state));
	xnh_counters_read(&after);
	EXPECT_EQ(variant_state(&self->e), state);
	for (i = 0; i < n; i++) {
		int want_node = xnh_expected_node(want_pxm[i]);

		EXPECT_EQ(want_pxm[i], pxms[i])
			TH_LOG("frame 0x%llx", (unsigned long long)frames[i]);
		if (want_node == -2) {
			EXPECT_LE(0, nodes[i]);
		} else {
			EXPECT_EQ(want_node, nodes[i])
				TH_LOG("frame 0x%llx PXM %u",
				       (unsigned long long)frames[i], pxms[i]);
		}
	}
	EXPECT_EQ(n, after.frames - before.frames);
	EXPECT_EQ(0, after.invalid_frames - before.invalid_frames);
	EXPECT_EQ(self->e.srat ? 0 : n,
		  after.no_node_frames - before.no_node_frames);
	EXPECT_EQ(0, after.errors - before.errors);
}

TEST_F(patched, non_ram_frames_answer_invalid)
{
	__u64 frames[2 * NON_RAM_MAX];
	__u32 pxms[2 * NON_RAM_MAX];
	__s32 nodes[2 * NON_RAM_MAX];
	struct xnh_counters before, after;
	int n = non_ram_frames(&self->e, frames), i;

	/* interleaved with RAM frames: one bad frame does not end the batch */
	for (i = n - 1; i >= 0; i--) {
		frames[2 * i + 1] = frames[i];
		frames[2 * i] = self->e.ram[i % self->e.nram].first + i;
	}
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames,
			       2 * n, pxms, nodes, NULL));
	xnh_counters_read(&after);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(XEN_NUMA_HINTS_INVALID_PXM, pxms[2 * i + 1])
			TH_LOG("frame 0x%llx answered PXM %u",
			       (unsigned long long)frames[2 * i + 1],
			       pxms[2 * i + 1]);
		EXPECT_EQ(-1, nodes[2 * i + 1]);
		EXPECT_EQ(self->e.ram[i % self->e.nram].pxm, pxms[2 * i]);
	}
	EXPECT_EQ(n, after.invalid_frames - before.invalid_frames);

	/* invalid answers are not cached: asking again asks Xen again */
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames + 1,
			       1, pxms, nodes, NULL));
	xnh_counters_read(&after);
	EXPECT_EQ(1, after.hypercalls - before.hypercalls);
	EXPECT_EQ(1, after.cache_misses - before.cache_misses);
}

TEST_F(patched, cache_flush_file)
{
	__u64 frames[16];
	__u32 pxms[16];
	__s32 nodes[16];
	struct xnh_counters before, after;

	ASSERT_EQ(0, xnh_pick_frames(self->e.ram, self->e.nram, frames, NULL,
				     16, 4096));
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames, 16,
			       pxms, nodes, NULL));
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames, 16,
			       pxms, nodes, NULL));
	xnh_counters_read(&after);
	EXPECT_EQ(16, after.cache_hits - before.cache_hits);
	EXPECT_EQ(0, after.hypercalls - before.hypercalls);

	ASSERT_EQ(0, xnh_cache_flush());
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames, 16,
			       pxms, nodes, NULL));
	xnh_counters_read(&after);
	EXPECT_EQ(0, after.cache_hits - before.cache_hits);
	EXPECT_EQ(16, after.cache_misses - before.cache_misses);
	EXPECT_EQ(1, after.hypercalls - before.hypercalls);

	EXPECT_EQ(-EINVAL, xnh_write(XNH_SYSFS "/cache_flush", "0\n"));
	EXPECT_EQ(-EINVAL, xnh_write(XNH_SYSFS "/cache_flush", "flush\n"));
}

/* dom0's own pages by GFN: PFNs from /proc/self/pagemap (GFNs in PVH). */
TEST_F(patched, own_pages_by_gfn)
{
	enum { NPAGES = 64 };
	long psz = sysconf(_SC_PAGESIZE);
	__u64 gfns[NPAGES + 1];
	__u32 pxms[NPAGES + 1], state = 0;
	__s32 nodes[NPAGES + 1];
	void *pages[NPAGES];
	int moved[NPAGES];
	struct xnh_counters before, after;
	char *buf;
	int pm, i;

	buf = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mlock(buf, NPAGES * psz));
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	for (i = 0; i < NPAGES; i++) {
		__u64 entry;

		buf[i * psz] = (char)i;
		pages[i] = buf + i * psz;
		ASSERT_EQ(sizeof(entry),
			  pread(pm, &entry, sizeof(entry),
				((unsigned long)pages[i] / psz) * sizeof(entry)));
		ASSERT_TRUE(entry >> 63) TH_LOG("page %d not present", i);
		gfns[i] = entry & ((1ULL << 55) - 1);
		ASSERT_NE(0, gfns[i]) TH_LOG("pagemap hides PFNs: not root?");
	}
	close(pm);
	gfns[NPAGES] = 1ULL << 40;	/* no dom0 memory there */

	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_GFN, gfns,
			       NPAGES + 1, pxms, nodes, &state));
	xnh_counters_read(&after);
	EXPECT_EQ(variant_state(&self->e), state);
	for (i = 0; i < NPAGES; i++) {
		int want = xnh_expected_node(pxms[i]);

		EXPECT_TRUE(is_host_pxm(&self->e, pxms[i]))
			TH_LOG("GFN 0x%llx: PXM %u is no host PXM",
			       (unsigned long long)gfns[i], pxms[i]);
		if (want != -2) {
			EXPECT_EQ(want, nodes[i])
				TH_LOG("PXM %u", pxms[i]);
		}
	}
	EXPECT_EQ(XEN_NUMA_HINTS_INVALID_PXM, pxms[NPAGES]);
	EXPECT_EQ(-1, nodes[NPAGES]);
	/* GFN answers never touch the cache */
	EXPECT_EQ(0, after.cache_hits - before.cache_hits);
	EXPECT_EQ(0, after.cache_misses - before.cache_misses);
	EXPECT_EQ(1, after.hypercalls - before.hypercalls);

	/*
	 * With a SRAT, dom0's vNUMA promises that a page on dom0 node N is
	 * backed by host memory of node N's PXM: the node Linux gives the
	 * page (move_pages() without targets answers page_to_nid()) must be
	 * the node of the host frame behind it.
	 */
	if (self->e.srat) {
		ASSERT_EQ(0, syscall(SYS_move_pages, 0, NPAGES, pages, NULL,
				     moved, 0));
		for (i = 0; i < NPAGES; i++) {
			EXPECT_EQ(moved[i], nodes[i])
				TH_LOG("GFN 0x%llx: Linux says node %d, Xen's frame is on PXM %u",
				       (unsigned long long)gfns[i], moved[i],
				       pxms[i]);
		}
	}
	munmap(buf, NPAGES * psz);
}

/* Eight threads at once, some sharing an fd, while the cache is flushed. */
#define THREADS		8
#define THREAD_FRAMES	2048
#define THREAD_ROUNDS	40

struct shared {
	int fd;
	__u64 frames[THREAD_FRAMES];
	__u32 want_pxm[THREAD_FRAMES];
	__s32 want_node[THREAD_FRAMES];
	atomic_int stop;
};

struct worker {
	struct shared *sh;
	int own_fd;
	int wrong;	/* answers that differed */
	int failed;	/* errno of a failed ioctl, or 0 */
};

static void *worker_run(void *arg)
{
	static __thread __u32 pxms[THREAD_FRAMES];
	static __thread __s32 nodes[THREAD_FRAMES];
	struct worker *w = arg;
	int fd = w->sh->fd, round, i;

	if (w->own_fd)
		fd = open(XNH_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		w->failed = errno;
		return NULL;
	}
	for (round = 0; round < THREAD_ROUNDS && !w->failed; round++) {
		w->failed = xnh_query(fd, XEN_NUMA_HINTS_KIND_MFN,
				      w->sh->frames, THREAD_FRAMES, pxms,
				      nodes, NULL);
		for (i = 0; i < THREAD_FRAMES && !w->failed; i++)
			w->wrong += pxms[i] != w->sh->want_pxm[i] ||
				    nodes[i] != w->sh->want_node[i];
	}
	if (w->own_fd)
		close(fd);
	return NULL;
}

static void *flusher_run(void *arg)
{
	struct shared *sh = arg;

	while (!sh->stop) {
		xnh_cache_flush();
		usleep(2000);
	}
	return NULL;
}

TEST_F_TIMEOUT(patched, concurrent_queries, 200)
{
	struct worker w[THREADS];
	pthread_t t[THREADS], flusher;
	struct xnh_counters before, after;
	struct shared *sh;
	__u64 bad[NON_RAM_MAX];
	int nbad = non_ram_frames(&self->e, bad), i;

	sh = calloc(1, sizeof(*sh));
	ASSERT_NE(NULL, sh);
	sh->fd = self->e.fd;
	ASSERT_EQ(0, xnh_pick_frames(self->e.ram, self->e.nram, sh->frames,
				     sh->want_pxm, THREAD_FRAMES, 8192));
	/* every 64th frame is not RAM */
	for (i = 0; i < THREAD_FRAMES; i += 64) {
		sh->frames[i] = bad[(i / 64) % nbad];
		sh->want_pxm[i] = XEN_NUMA_HINTS_INVALID_PXM;
	}
	for (i = 0; i < THREAD_FRAMES; i++) {
		int node = sh->want_pxm[i] == XEN_NUMA_HINTS_INVALID_PXM ? -1 :
			   xnh_expected_node(sh->want_pxm[i]);

		ASSERT_NE(-2, node) TH_LOG("PXM %u has no CPU", sh->want_pxm[i]);
		sh->want_node[i] = node;
	}

	xnh_counters_read(&before);
	ASSERT_EQ(0, pthread_create(&flusher, NULL, flusher_run, sh));
	for (i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].sh = sh;
		w[i].own_fd = i % 2;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_run, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL))
			TH_LOG("thread %d", i);
	}
	sh->stop = 1;
	ASSERT_EQ(0, pthread_join(flusher, NULL));
	xnh_counters_read(&after);

	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, w[i].failed) TH_LOG("thread %d: %s", i,
						 strerror(w[i].failed));
		EXPECT_EQ(0, w[i].wrong) TH_LOG("thread %d: %d wrong answers",
						i, w[i].wrong);
	}
	EXPECT_EQ(0, after.errors - before.errors);
	EXPECT_EQ((unsigned long long)THREADS * THREAD_ROUNDS * THREAD_FRAMES,
		  after.frames - before.frames);
	TH_LOG("%llu hypercalls, %llu hits, %llu misses",
	       after.hypercalls - before.hypercalls,
	       after.cache_hits - before.cache_hits,
	       after.cache_misses - before.cache_misses);
	free(sh);
}

/* Run @cmd, collect stdout; returns the exit status or -1. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t got;
	int st;

	if (!p)
		return -1;
	got = fread(out, 1, len - 1, p);
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* run(), but as nobody; returns the exit status or -1. */
static int run_as_nobody(const char *cmd, char *out, size_t len)
{
	int fds[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < len - 1 &&
	       (n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The operators' CLI says what the ioctl says. */
TEST_F(patched, cli_matches_ioctl)
{
	__u64 frames[4];
	__u32 pxms[4];
	__s32 nodes[4];
	char cmd[512], out[2048], want[1024], *p = want;
	int i;

	frames[0] = self->e.ram[0].first;
	frames[1] = self->e.ram[self->e.nram - 1].last;
	frames[2] = 1ULL << 40;
	frames[3] = self->e.ram[self->e.nram / 2].first + 77;
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, frames, 4,
			       pxms, nodes, NULL));
	for (i = 0; i < 4; i++) {
		char pxm[16], node[16];

		snprintf(pxm, sizeof(pxm), "%u", pxms[i]);
		snprintf(node, sizeof(node), "%d", nodes[i]);
		p += sprintf(p, "0x%llx %s %s\n", (unsigned long long)frames[i],
			     pxms[i] == XEN_NUMA_HINTS_INVALID_PXM ? "invalid" : pxm,
			     nodes[i] < 0 ? "none" : node);
	}

	snprintf(cmd, sizeof(cmd), "xen-numa-query 0x%llx 0x%llx 0x%llx %llu",
		 (unsigned long long)frames[0], (unsigned long long)frames[1],
		 (unsigned long long)frames[2], (unsigned long long)frames[3]);
	EXPECT_EQ(0, run(cmd, out, sizeof(out))) TH_LOG("%s", cmd);
	EXPECT_STREQ(want, out);

	snprintf(cmd, sizeof(cmd),
		 "printf '0x%llx\\n0x%llx 0x%llx\\n%llu\\n' | xen-numa-query",
		 (unsigned long long)frames[0], (unsigned long long)frames[1],
		 (unsigned long long)frames[2], (unsigned long long)frames[3]);
	EXPECT_EQ(0, run(cmd, out, sizeof(out))) TH_LOG("%s", cmd);
	EXPECT_STREQ(want, out);

	/* nonsense is refused with a message and a nonzero exit */
	EXPECT_NE(0, run("xen-numa-query 0x12zz 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "0x12zz")) TH_LOG("said: %s", out);
	EXPECT_NE(0, run("xen-numa-query --bogus 2>&1", out, sizeof(out)));
	/* as nobody, the device is refused and the tool says why */
	EXPECT_NE(0, run_as_nobody("xen-numa-query 1 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "Permission denied")) TH_LOG("said: %s", out);
}

/* ---------------------------------------------------------------------- */
/* batches: counters prove the batching and the cache (patched Xen)        */
/* ---------------------------------------------------------------------- */

FIXTURE(batches) {
	struct env e;
	__u64 *frames;
	__u32 *want, *pxms;
	__s32 *nodes;
};

FIXTURE_VARIANT(batches) {
	unsigned int nr;
};

FIXTURE_VARIANT_ADD(batches, n1) { .nr = 1 };
FIXTURE_VARIANT_ADD(batches, n1024) { .nr = 1024 };
FIXTURE_VARIANT_ADD(batches, n1025) { .nr = 1025 };
FIXTURE_VARIANT_ADD(batches, n100000) { .nr = 100000 };

FIXTURE_SETUP(batches)
{
	unsigned int nr = variant->nr;

	env_setup(_metadata, &self->e);
	self->frames = calloc(nr, sizeof(*self->frames));
	self->want = calloc(nr, sizeof(*self->want));
	self->pxms = calloc(nr, sizeof(*self->pxms));
	self->nodes = calloc(nr, sizeof(*self->nodes));
	ASSERT_NE(NULL, self->frames);
	ASSERT_NE(NULL, self->want);
	ASSERT_NE(NULL, self->pxms);
	ASSERT_NE(NULL, self->nodes);
}

FIXTURE_TEARDOWN(batches)
{
	free(self->frames);
	free(self->want);
	free(self->pxms);
	free(self->nodes);
	env_teardown(&self->e);
}

static unsigned long long ceil_div(unsigned long long a, unsigned long long b)
{
	return (a + b - 1) / b;
}

TEST_F_TIMEOUT(batches, mfn_hypercalls_and_cache, 120)
{
	unsigned int nr = variant->nr, i;
	struct xnh_counters before, after;
	unsigned long long cache_entries;
	char buf[64];

	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/cache_entries", buf, sizeof(buf)));
	cache_entries = strtoull(buf, NULL, 10);
	ASSERT_LE(4096, cache_entries) TH_LOG("the cache is off or tiny");
	ASSERT_EQ(0, xnh_pick_frames(self->e.ram, self->e.nram, self->frames,
				     self->want, nr, 16384))
		TH_LOG("PXM_MEM holds fewer than %u frames", nr);

	/* uncached: ceil(n / 1024) hypercalls */
	ASSERT_EQ(0, xnh_cache_flush());
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, self->frames,
			       nr, self->pxms, self->nodes, NULL));
	xnh_counters_read(&after);
	EXPECT_EQ(ceil_div(nr, 1024), after.hypercalls - before.hypercalls);
	EXPECT_EQ(nr, after.frames - before.frames);
	EXPECT_EQ(nr, after.cache_misses - before.cache_misses);
	EXPECT_EQ(0, after.cache_hits - before.cache_hits);
	EXPECT_EQ(0, after.invalid_frames - before.invalid_frames);
	EXPECT_EQ(0, after.errors - before.errors);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(self->want[i], self->pxms[i])
			TH_LOG("frame 0x%llx", (unsigned long long)self->frames[i]);
	}

	/* again: from the cache, as far as it holds them */
	memset(self->pxms, 0, nr * sizeof(*self->pxms));
	xnh_counters_read(&before);
	ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN, self->frames,
			       nr, self->pxms, self->nodes, NULL));
	xnh_counters_read(&after);
	EXPECT_EQ(nr, (after.cache_hits - before.cache_hits) +
		      (after.cache_misses - before.cache_misses));
	if (nr <= cache_entries / 8) {
		EXPECT_EQ(nr, after.cache_hits - before.cache_hits);
		EXPECT_EQ(0, after.hypercalls - before.hypercalls);
	} else {
		/*
		 * A second in-order pass over more frames than the cache
		 * holds evicts every entry before its reuse (LRU, and the
		 * hash spreads consecutive frames evenly over the sets), so
		 * it may hit nothing.  What must hold: it costs no more
		 * hypercalls than the first pass, and the frames answered
		 * last are still cached.
		 */
		EXPECT_GE(ceil_div(nr, 1024), after.hypercalls - before.hypercalls);
	}
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(self->want[i], self->pxms[i])
			TH_LOG("cached frame 0x%llx", (unsigned long long)self->frames[i]);
	}

	/* the most recently answered frames come from the cache alone */
	if (nr > 1024) {
		unsigned int tail = nr - 1024;

		xnh_counters_read(&before);
		ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_MFN,
				       self->frames + tail, 1024,
				       self->pxms + tail, self->nodes + tail,
				       NULL));
		xnh_counters_read(&after);
		EXPECT_EQ(1024, after.cache_hits - before.cache_hits);
		EXPECT_EQ(0, after.hypercalls - before.hypercalls);
		for (i = tail; i < nr; i++) {
			ASSERT_EQ(self->want[i], self->pxms[i])
				TH_LOG("frame 0x%llx from the cache",
				       (unsigned long long)self->frames[i]);
		}
	}
}

/* GFNs are never cached: every round trips to Xen, ceil(n / 1024) times. */
TEST_F_TIMEOUT(batches, gfn_hypercalls_never_cached, 120)
{
	enum { NPAGES = 1025 };
	long psz = sysconf(_SC_PAGESIZE);
	unsigned int nr = variant->nr, i, round;
	__u64 gfn[NPAGES];
	char *buf;
	int pm;

	buf = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mlock(buf, NPAGES * psz));
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	for (i = 0; i < NPAGES; i++) {
		__u64 e;

		buf[i * psz] = 1;
		ASSERT_EQ(sizeof(e), pread(pm, &e, sizeof(e),
					   ((unsigned long)(buf + i * psz) / psz) * sizeof(e)));
		gfn[i] = e & ((1ULL << 55) - 1);
		ASSERT_NE(0, gfn[i]);
	}
	close(pm);
	/* more frames than pages: the same pages again, that is fine here */
	for (i = 0; i < nr; i++)
		self->frames[i] = gfn[i % NPAGES];

	for (round = 0; round < 2; round++) {
		struct xnh_counters before, after;

		xnh_counters_read(&before);
		ASSERT_EQ(0, xnh_query(self->e.fd, XEN_NUMA_HINTS_KIND_GFN,
				       self->frames, nr, self->pxms,
				       self->nodes, NULL));
		xnh_counters_read(&after);
		EXPECT_EQ(ceil_div(nr, 1024), after.hypercalls - before.hypercalls);
		EXPECT_EQ(0, after.cache_hits - before.cache_hits);
		EXPECT_EQ(0, after.cache_misses - before.cache_misses);
		EXPECT_EQ(0, after.invalid_frames - before.invalid_frames);
		for (i = 0; i < nr; i++) {
			ASSERT_TRUE(is_host_pxm(&self->e, self->pxms[i]))
				TH_LOG("GFN 0x%llx: PXM %u",
				       (unsigned long long)self->frames[i],
				       self->pxms[i]);
		}
	}
	munmap(buf, NPAGES * psz);
}

/* ---------------------------------------------------------------------- */
/* stock: a Xen without the op                                            */
/* ---------------------------------------------------------------------- */

FIXTURE(stock) {
	struct env e;
};

FIXTURE_SETUP(stock)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(stock)
{
	env_teardown(&self->e);
}

TEST_F(stock, status_is_unsupported)
{
	char buf[512];

	read_status(_metadata, buf, sizeof(buf));
	EXPECT_STREQ("unsupported", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/reason", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "XENMEM_get_mfn_pxms")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "ENOSYS")) TH_LOG("%s", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/mfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("-38", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/gfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("-38", buf);
	/* two probes at load, and never a hypercall again */
	EXPECT_EQ(2, xnh_counter("hypercalls"));
}

TEST_F(stock, queries_answer_nothing_and_cost_nothing)
{
	__u64 frames[64];
	__u32 pxms[64], state = 0;
	__s32 nodes[64];
	struct xnh_counters before, after;
	__u32 kind;
	int i;

	ASSERT_EQ(0, xnh_pick_frames(self->e.ram, self->e.nram, frames, NULL,
				     64, 0));
	for (kind = XEN_NUMA_HINTS_KIND_MFN; kind <= XEN_NUMA_HINTS_KIND_GFN;
	     kind++) {
		memset(pxms, 0, sizeof(pxms));
		memset(nodes, 0, sizeof(nodes));
		xnh_counters_read(&before);
		ASSERT_EQ(0, xnh_query(self->e.fd, kind, frames, 64, pxms,
				       nodes, &state));
		xnh_counters_read(&after);
		EXPECT_EQ(XEN_NUMA_HINTS_STATE_UNSUPPORTED, state);
		for (i = 0; i < 64; i++) {
			EXPECT_EQ(XEN_NUMA_HINTS_INVALID_PXM, pxms[i]);
			EXPECT_EQ(-1, nodes[i]);
		}
		EXPECT_EQ(0, after.hypercalls - before.hypercalls);
		EXPECT_EQ(64, after.frames - before.frames);
		EXPECT_EQ(0, after.errors - before.errors);
	}
}

/* ---------------------------------------------------------------------- */
/* denied: the patched Xen, whose FLASK policy denies dom0 both ops        */
/* ---------------------------------------------------------------------- */

FIXTURE(denied) {
	struct env e;
};

FIXTURE_SETUP(denied)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(denied)
{
	env_teardown(&self->e);
}

/* -EACCES is the policy's no: "denied", not a Xen without the op. */
TEST_F(denied, status_is_denied)
{
	char buf[512];
	struct dirent *d;
	int files = 0;
	DIR *dir;

	read_status(_metadata, buf, sizeof(buf));
	EXPECT_STREQ("denied", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/reason", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "XENMEM_get_mfn_pxms")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "EACCES")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "XSM (FLASK) policy")) TH_LOG("%s", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/mfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("-13", buf);
	ASSERT_EQ(0, xnh_read_line(XNH_SYSFS "/gfn_op_probe", buf, sizeof(buf)));
	EXPECT_STREQ("-13", buf);
	/* two probes at load, and never a hypercall again */
	EXPECT_EQ(2, xnh_counter("hypercalls"));
	EXPECT_EQ(0, xnh_counter("errors"));
	/* no PXM map is built for hints that cannot work */
	dir = opendir(XNH_SYSFS "/pxm_to_node");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)))
		files += d->d_name[0] != '.';
	closedir(dir);
	EXPECT_EQ(0, files);
}

TEST_F(denied, queries_answer_nothing_and_cost_nothing)
{
	__u64 frames[64];
	__u32 pxms[64], state = 0;
	__s32 nodes[64];
	struct xnh_counters before, after;
	__u32 kind;
	int i;

	ASSERT_EQ(0, xnh_pick_frames(self->e.ram, self->e.nram, frames, NULL,
				     64, 0));
	for (kind = XEN_NUMA_HINTS_KIND_MFN; kind <= XEN_NUMA_HINTS_KIND_GFN;
	     kind++) {
		memset(pxms, 0, sizeof(pxms));
		memset(nodes, 0, sizeof(nodes));
		xnh_counters_read(&before);
		ASSERT_EQ(0, xnh_query(self->e.fd, kind, frames, 64, pxms,
				       nodes, &state));
		xnh_counters_read(&after);
		EXPECT_EQ(XEN_NUMA_HINTS_STATE_DENIED, state);
		for (i = 0; i < 64; i++) {
			EXPECT_EQ(XEN_NUMA_HINTS_INVALID_PXM, pxms[i]);
			EXPECT_EQ(-1, nodes[i]);
		}
		EXPECT_EQ(0, after.hypercalls - before.hypercalls);
		EXPECT_EQ(64, after.frames - before.frames);
		EXPECT_EQ(0, after.cache_hits - before.cache_hits);
		EXPECT_EQ(0, after.cache_misses - before.cache_misses);
		EXPECT_EQ(0, after.errors - before.errors);
	}
	EXPECT_EQ(2, xnh_counter("hypercalls"));
}

/* struct xen_get_mfn_pxms, as a 64-bit caller lays it out */
struct raw_pxms_req {
	__u64 frames;
	__u64 pxms;
	__u32 nr;
	__u32 flags;
};

#define RAW_POISON	0x5a5a5a5aU
#define RAW_MEMORY_OP	12	/* __HYPERVISOR_memory_op */

/*
 * dom0 asks Xen itself, through privcmd: the policy's no is EACCES for
 * both ops, for a probe, a well-formed request and garbage alike (the hook
 * decides before the arguments are read), and nothing is written.
 */
TEST_F(denied, raw_hypercalls_are_eacces)
{
	static const __u32 ops[] = { 40, 41 };	/* XENMEM_get_{mfn,gfn}_pxms */
	struct {
		struct raw_pxms_req req;
		__u64 frames[4];
		__u32 pxms[4];
	} *b;
	unsigned long long calls = xnh_counter("hypercalls");
	struct xnh_xen x;
	unsigned int i, k;
	int err;

	err = xnh_xen_open(&x, 4096);
	ASSERT_EQ(0, err) TH_LOG("privcmd: %s", strerror(-err));
	b = x.buf;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		struct privcmd_hypercall call = {
			.op = RAW_MEMORY_OP,
			.arg = { ops[i], (unsigned long)&b->req },
		};
		/* a probe, a request for RAM frames, bad flags, too many */
		const struct raw_pxms_req reqs[] = {
			{ 0 },
			{ (unsigned long)b->frames, (unsigned long)b->pxms, 4, 0 },
			{ (unsigned long)b->frames, (unsigned long)b->pxms, 4, 1 },
			{ (unsigned long)b->frames, (unsigned long)b->pxms, 1025, 0 },
		};

		for (k = 0; k < ARRAY_SIZE(reqs); k++) {
			b->req = reqs[k];
			b->frames[0] = self->e.ram[0].first;
			b->frames[1] = self->e.ram[0].last;
			b->frames[2] = self->e.ram[self->e.nram - 1].first;
			b->frames[3] = 0;
			memset(b->pxms, 0x5a, sizeof(b->pxms));
			errno = 0;
			EXPECT_EQ(-1, ioctl(x.privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call))
				TH_LOG("op %u, request %u answered", ops[i], k);
			EXPECT_EQ(EACCES, errno)
				TH_LOG("op %u, request %u: %s", ops[i], k, strerror(errno));
			EXPECT_EQ(RAW_POISON, b->pxms[0]);
			EXPECT_EQ(RAW_POISON, b->pxms[3]);
		}
		/* the argument itself unreadable: refused all the same */
		call.arg[1] = 0;
		errno = 0;
		EXPECT_EQ(-1, ioctl(x.privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call));
		EXPECT_EQ(EACCES, errno) TH_LOG("op %u, NULL: %s", ops[i], strerror(errno));
	}
	xnh_xen_close(&x);
	/* the module was not asked */
	EXPECT_EQ(calls, xnh_counter("hypercalls"));
}

int main(int argc, char **argv)
{
	char variant[32];
	char *args[8];
	int n = 0;

	/* by hand, with filters: run what was asked */
	if (argc > 1)
		return test_harness_run(argc, argv);
	if (xnh_expect_get("XEN_VARIANT", variant, sizeof(variant)))
		ksft_exit_fail_msg("no XEN_VARIANT in %s\n", XNH_EXPECT_PATH);
	args[n++] = argv[0];
	args[n++] = "-f";
	args[n++] = "common";
	if (!strcmp(variant, "patched") && xnh_expect_flask()) {
		args[n++] = "-f";
		args[n++] = "denied";
	} else if (!strcmp(variant, "patched")) {
		args[n++] = "-f";
		args[n++] = "patched";
		args[n++] = "-f";
		args[n++] = "batches";
	} else if (!strcmp(variant, "stock")) {
		args[n++] = "-f";
		args[n++] = "stock";
	} else {
		ksft_exit_fail_msg("XEN_VARIANT=%s: neither patched nor stock\n",
				   variant);
	}
	args[n] = NULL;
	return test_harness_run(n, args);
}
