// SPDX-License-Identifier: GPL-2.0
/*
 * XEN_DOMCTL_get_vcpu_apicids and XEN_DOMCTL_CDF_vnuma_apic_topology, from
 * dom0 on the patched Xen:
 *  - the domctl's size query, exact, larger and short buffers and a bad
 *    domain ID, on dom0 itself;
 *  - dom0 is told vcpu_id * 2 when Xen's dom0 vNUMA is off (dom0 created
 *    without the flag); with it on (DOM0_VNUMA=on in the rig's expect
 *    file) dom0 is flagged and told the vNUMA encoding of the host layout:
 *    vnode = host PXM, ID = (PXM << pkg_shift) | (2 * rank in the PXM),
 *    computed here from PXM_CPUS (dom0 vCPU i is pinned to host CPU i);
 *    either way the domctl's IDs are the x2APIC IDs of dom0's MADT (by
 *    processor UID == vCPU id) and what each of its vCPUs finds in CPUID
 *    leaves 0x1 and 0xb;
 *  - bare HVM containers created here with the flag and a vNUMA layout get
 *    the layout's IDs in the domctl, in their vLAPIC ID registers and in
 *    the CPUID topology leaves of their policy; without the flag they keep
 *    vcpu_id * 2; the flag is refused for PV; and the layout is frozen once
 *    a flagged domain has run.
 * On the stock Xen (XEN_VARIANT=stock in the rig's /etc/xnh/expect) the
 * domctl must answer ENOSYS, the flag EINVAL, and CPUID vcpu_id * 2; main()
 * picks the fixtures for the variant, so no test is skipped.
 * Every domain created here is destroyed in the fixture's teardown.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/xnh_acpi.h"
#include "../lib/xnh_expect.h"
#include "xen_domctl.h"

#define BUF_SIZE	(64 * 1024)
#define MAX_IDS		1024
#define SENTINEL	0xa5a5a5a5U
#define MAX_DOMAINS	4

/* Where each hypercall argument lives inside the hypercall buffer. */
struct hc_buf {
	struct xen_domctl domctl;
	struct xen_sysctl sysctl;
	__u32 ids[MAX_IDS];
	unsigned int vdistance[16];
	unsigned int vcpu_to_vnode[16];
	unsigned int vnode_to_pnode[4];
	struct xen_vmemrange vmemrange[4];
	__u8 lapic[HVM_LAPIC_REGS_SIZE];
	struct xen_cpuid_leaf leaves[1024];
};

static_assert(sizeof(struct hc_buf) <= BUF_SIZE, "hypercall buffer");

static struct hc_buf *hc(struct xnh_xen *x)
{
	return x->buf;
}

static int get_apicids(struct xnh_xen *x, __u16 domid, __u32 capacity,
		       bool null_handle, __u32 *nr_vcpus, __u32 *nr_filled)
{
	struct xen_domctl *d = &hc(x)->domctl;
	int err;

	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_get_vcpu_apicids;
	d->domain = domid;
	d->u.get_vcpu_apicids.nr_vcpus = capacity;
	d->u.get_vcpu_apicids.nr_filled = SENTINEL;
	d->u.get_vcpu_apicids.apic_ids =
		null_handle ? 0 : (unsigned long)hc(x)->ids;
	err = xnh_domctl(x, d);
	*nr_vcpus = d->u.get_vcpu_apicids.nr_vcpus;
	*nr_filled = d->u.get_vcpu_apicids.nr_filled;
	return err;
}

static void fill_ids(struct xnh_xen *x)
{
	unsigned int i;

	for (i = 0; i < MAX_IDS; i++)
		hc(x)->ids[i] = SENTINEL;
}

/* dom0's vCPU count: one per host CPU in the rig, all online. */
static long dom0_vcpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static unsigned int fls32(__u32 x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/*
 * The IDs of a flagged domain whose vnodes are the host PXMs and whose vCPU
 * i runs on host CPU i (dom0 with Xen's dom0 vNUMA on), from PXM_CPUS:
 * max_per_node = most vCPUs in one PXM, pkg_shift = fls(2 * max_per_node -
 * 1), vCPU i gets (PXM << pkg_shift) | (2 * its rank among the vCPUs of
 * its PXM).  Returns 0, or -1 if PXM_CPUS does not cover vCPUs 0..nr-1.
 */
static int vnuma_ids_from_pxm_cpus(unsigned int nr, __u32 *ids)
{
	struct xnh_pxm_cpus c[XNH_MAX_NODES];
	int n = xnh_expect_pxm_cpus(c, XNH_MAX_NODES), i;
	unsigned int max_per_node = 0, shift, cpu;

	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].last - c[i].first + 1 > max_per_node)
			max_per_node = c[i].last - c[i].first + 1;
	shift = fls32(2 * max_per_node - 1);
	for (cpu = 0; cpu < nr; cpu++) {
		for (i = 0; i < n; i++)
			if (cpu >= c[i].first && cpu <= c[i].last)
				break;
		if (i == n)
			return -1;
		ids[cpu] = (c[i].pxm << shift) | (2 * (cpu - c[i].first));
	}
	return 0;
}

FIXTURE(dom0) {
	struct xnh_xen xen;
	unsigned int nr;
	bool vnuma;		/* Xen's dom0 vNUMA on: dom0 is flagged */
	__u32 want[MAX_IDS];	/* dom0's IDs, per vCPU */
};

FIXTURE_SETUP(dom0)
{
	long want = xnh_expect_long("NR_CPUS", -1);
	int err = xnh_xen_open(&self->xen, BUF_SIZE);
	unsigned int i;

	ASSERT_EQ(0, err) TH_LOG("%s / %s: %s (CONFIG_XEN_PRIVCMD, run as root in dom0)",
				 XNH_PRIVCMD, XNH_HYPERCALL_BUF, strerror(-err));
	self->nr = dom0_vcpus();
	ASSERT_LT(1, self->nr) TH_LOG("dom0 needs 2 vCPUs for the short-buffer case");
	ASSERT_GT(MAX_IDS, self->nr);
	if (want > 0) {
		ASSERT_EQ(want, self->nr)
			TH_LOG("dom0 vCPUs != NR_CPUS of %s", XNH_EXPECT_PATH);
	}
	self->vnuma = xnh_expect_dom0_vnuma() == XNH_DOM0_VNUMA_ON;
	if (self->vnuma) {
		ASSERT_EQ(0, vnuma_ids_from_pxm_cpus(self->nr, self->want))
			TH_LOG("PXM_CPUS of %s does not cover dom0's vCPUs", XNH_EXPECT_PATH);
	} else {
		for (i = 0; i < self->nr; i++)
			self->want[i] = 2 * i;
	}
}

FIXTURE_TEARDOWN(dom0)
{
	xnh_xen_close(&self->xen);
}

TEST_F(dom0, size_query_null_handle)
{
	__u32 nr_vcpus, nr_filled;

	fill_ids(&self->xen);
	ASSERT_EQ(0, get_apicids(&self->xen, 0, 64, true, &nr_vcpus, &nr_filled));
	EXPECT_EQ(self->nr, nr_filled);
	EXPECT_EQ(self->nr, nr_vcpus);
	EXPECT_EQ(SENTINEL, hc(&self->xen)->ids[0]);
}

TEST_F(dom0, size_query_zero_capacity)
{
	__u32 nr_vcpus, nr_filled;

	fill_ids(&self->xen);
	ASSERT_EQ(0, get_apicids(&self->xen, 0, 0, false, &nr_vcpus, &nr_filled));
	EXPECT_EQ(self->nr, nr_filled);
	EXPECT_EQ(self->nr, nr_vcpus);
	EXPECT_EQ(SENTINEL, hc(&self->xen)->ids[0]) TH_LOG("a size query wrote IDs");
}

/*
 * Without dom0 vNUMA dom0 has no XEN_DOMCTL_CDF_vnuma_apic_topology:
 * vcpu_id * 2.  With it, the encoding of the host layout (self->want).
 */
TEST_F(dom0, exact_buffer)
{
	__u32 nr_vcpus, nr_filled, i;

	TH_LOG("dom0 vNUMA %s: expecting %s IDs", self->vnuma ? "on" : "off",
	       self->vnuma ? "the host layout's" : "vcpu_id * 2");
	fill_ids(&self->xen);
	ASSERT_EQ(0, get_apicids(&self->xen, 0, self->nr, false, &nr_vcpus, &nr_filled));
	ASSERT_EQ(self->nr, nr_filled);
	EXPECT_EQ(self->nr, nr_vcpus);
	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(self->want[i], hc(&self->xen)->ids[i])
			TH_LOG("vCPU %u", i);
	}
	EXPECT_EQ(SENTINEL, hc(&self->xen)->ids[self->nr]);
}

TEST_F(dom0, larger_buffer)
{
	__u32 nr_vcpus, nr_filled, i;

	fill_ids(&self->xen);
	ASSERT_EQ(0, get_apicids(&self->xen, 0, self->nr + 3, false, &nr_vcpus, &nr_filled));
	ASSERT_EQ(self->nr, nr_filled);
	EXPECT_EQ(self->nr, nr_vcpus);
	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(self->want[i], hc(&self->xen)->ids[i])
			TH_LOG("vCPU %u", i);
	}
	for (i = self->nr; i < self->nr + 3; i++) {
		EXPECT_EQ(SENTINEL, hc(&self->xen)->ids[i])
			TH_LOG("slot %u written", i);
	}
}

TEST_F(dom0, short_buffer)
{
	__u32 nr_vcpus, nr_filled;

	fill_ids(&self->xen);
	EXPECT_EQ(ENOBUFS, get_apicids(&self->xen, 0, self->nr - 1, false,
				       &nr_vcpus, &nr_filled));
	EXPECT_EQ(self->nr, nr_filled) TH_LOG("size needed not reported");
	EXPECT_EQ(SENTINEL, hc(&self->xen)->ids[0]) TH_LOG("a short buffer was written");
}

TEST_F(dom0, bad_domid)
{
	__u32 nr_vcpus, nr_filled;

	/* The last ordinary domain ID: nothing in the rig gets that far. */
	EXPECT_EQ(ESRCH, get_apicids(&self->xen, DOMID_FIRST_RESERVED - 1, 8,
				     false, &nr_vcpus, &nr_filled));
}

/*
 * The x2APIC ID each online CPU of dom0 reads from CPUID, into @ids: leaf
 * 0xb EDX where the leaf exists, else leaf 0x1 EBX[31:24] (its low 8 bits,
 * which must then match).  Sets *@full if the IDs are whole (leaf 0xb).
 */
static void cpuid_ids(struct __test_metadata *_metadata, unsigned int nr,
		      __u32 *ids, bool *full)
{
	unsigned int eax, ebx, ecx, edx, max_leaf, cpu;

	__cpuid(0, max_leaf, ebx, ecx, edx);
	__cpuid(1, eax, ebx, ecx, edx);
	/* Leaf 0xb exists for the guest if in range and x2APIC is offered. */
	*full = max_leaf >= 0xb && (ecx & (1U << 21));
	TH_LOG("max basic leaf %#x, x2APIC %s: reading leaf 0x1%s", max_leaf,
	       ecx & (1U << 21) ? "yes" : "no", *full ? " and 0xb" : " only");

	for (cpu = 0; cpu < nr; cpu++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set))
			TH_LOG("pin to CPU %u: %s", cpu, strerror(errno));

		__cpuid(1, eax, ebx, ecx, edx);
		ids[cpu] = ebx >> 24;
		if (*full) {
			__cpuid_count(0xb, 0, eax, ebx, ecx, edx);
			EXPECT_EQ(edx & 0xff, ids[cpu])
				TH_LOG("CPU %u: leaf 0x1 and 0xb differ", cpu);
			ids[cpu] = edx;
		}
	}
}

/*
 * Linux CPU numbers need not be vCPU IDs: @seen (read from CPUID) and
 * @want (per vCPU) must be the same set, compared on the low 8 bits only
 * unless @full.
 */
static void expect_same_ids(struct __test_metadata *_metadata,
			    const __u32 *seen, const __u32 *want,
			    unsigned int nr, bool full)
{
	__u32 mask = full ? ~0U : 0xff;
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < i; j++) {
			EXPECT_NE(seen[j], seen[i])
				TH_LOG("CPUs %u and %u share an ID", j, i);
		}
		for (j = 0; j < nr; j++)
			if ((want[j] & mask) == seen[i])
				break;
		EXPECT_LT(j, nr) TH_LOG("CPU %u: CPUID ID %#x not expected", i, seen[i]);
	}
}

/*
 * What dom0's vCPUs read from CPUID must be the IDs the domctl reports.
 * With dom0 vNUMA, leaf 0xb must exist (the IDs need more than 8 bits in
 * general) and Linux CPU n, which is vCPU n (dom0's MADT lists the vCPUs
 * in order, and Linux numbers CPUs in MADT order), must read vCPU n's ID.
 */
TEST_F(dom0, ids_match_cpuid)
{
	__u32 nr_vcpus, nr_filled, seen[MAX_IDS], i;
	bool full;

	ASSERT_EQ(0, get_apicids(&self->xen, 0, MAX_IDS, false, &nr_vcpus, &nr_filled));
	ASSERT_EQ(self->nr, nr_filled);
	cpuid_ids(_metadata, self->nr, seen, &full);
	expect_same_ids(_metadata, seen, hc(&self->xen)->ids, self->nr, full);
	if (!self->vnuma)
		return;
	ASSERT_TRUE(full) TH_LOG("dom0 vNUMA: no CPUID leaf 0xb for the x2APIC IDs");
	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(self->want[i], seen[i])
			TH_LOG("CPUID 0xb EDX on CPU %u", i);
	}
}

/* dom0's MADT gives vCPU i (processor UID i) the ID the domctl reports. */
TEST_F(dom0, madt_matches_domctl)
{
	struct xnh_madt_cpu c[MAX_IDS];
	struct xnh_acpi_table madt;
	__u32 nr_vcpus, nr_filled, i;
	int n, j, err, found;

	err = xnh_acpi_read("APIC", &madt);
	ASSERT_EQ(0, err) TH_LOG("dom0's MADT: %s", strerror(-err));
	n = xnh_madt_cpus(&madt, c, MAX_IDS);
	xnh_acpi_free(&madt);
	ASSERT_LE(0, n) TH_LOG("dom0's MADT is malformed");
	ASSERT_EQ(0, get_apicids(&self->xen, 0, MAX_IDS, false, &nr_vcpus, &nr_filled));
	ASSERT_EQ(self->nr, nr_filled);
	for (i = 0; i < self->nr; i++) {
		for (j = 0, found = 0; j < n; j++) {
			if (c[j].uid != i)
				continue;
			found++;
			EXPECT_TRUE(c[j].flags & 1) TH_LOG("vCPU %u's MADT entry disabled", i);
			EXPECT_EQ(hc(&self->xen)->ids[i], c[j].apic_id)
				TH_LOG("vCPU %u: MADT %s entry", i,
				       c[j].type == XNH_MADT_X2APIC ? "x2APIC" : "LAPIC");
		}
		EXPECT_EQ(1, found) TH_LOG("MADT entries for processor UID %u", i);
	}
	/* and nothing Linux would take for another CPU */
	for (j = 0; j < n; j++)
		if (c[j].flags & 3) {
			EXPECT_GT(self->nr, c[j].uid)
				TH_LOG("MADT entry for UID %u", c[j].uid);
		}
}

/* --- Domains created here ------------------------------------------------ */

#define NR_TEST_VCPUS	5

/* The domains a test created, for the teardown to destroy. */
struct created {
	__u16 domids[MAX_DOMAINS];
	unsigned int nr;
};

FIXTURE(container) {
	struct xnh_xen xen;
	__u32 hvm_flags;
	bool have_pv;
	struct created created;
};

FIXTURE_SETUP(container)
{
	struct xen_sysctl *s;
	int err = xnh_xen_open(&self->xen, BUF_SIZE);

	ASSERT_EQ(0, err) TH_LOG("%s / %s: %s", XNH_PRIVCMD, XNH_HYPERCALL_BUF,
				 strerror(-err));
	self->created.nr = 0;

	s = &hc(&self->xen)->sysctl;
	memset(s, 0, sizeof(*s));
	s->cmd = XEN_SYSCTL_physinfo;
	ASSERT_EQ(0, xnh_sysctl(&self->xen, s));
	ASSERT_TRUE(s->u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_hvm)
		TH_LOG("Xen offers no HVM guests here");
	/* HAP when the (emulated) CPU has it, shadow paging otherwise. */
	self->hvm_flags = XEN_DOMCTL_CDF_hvm;
	if (s->u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_hap)
		self->hvm_flags |= XEN_DOMCTL_CDF_hap;
	self->have_pv = s->u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_pv;
}

/* Destroy every domain recorded in @created. */
static void destroy_created(struct xnh_xen *x, struct created *created,
			    struct __test_metadata *_metadata)
{
	struct xen_domctl *d = &hc(x)->domctl;
	unsigned int i;

	for (i = 0; i < created->nr; i++) {
		int err;

		memset(d, 0, sizeof(*d));
		d->cmd = XEN_DOMCTL_destroydomain;
		d->domain = created->domids[i];
		/* Destruction is preemptible: Xen asks to be called again. */
		do {
			err = xnh_domctl(x, d);
		} while (err == EAGAIN || err == ERESTART);
		EXPECT_EQ(0, err) TH_LOG("destroying d%u: %s",
					 created->domids[i], strerror(err));
	}
	created->nr = 0;
}

FIXTURE_TEARDOWN(container)
{
	destroy_created(&self->xen, &self->created, _metadata);
	xnh_xen_close(&self->xen);
}

/* Create a domain; 0 or the errno.  Created domains are recorded. */
static int create(struct __test_metadata *_metadata, struct xnh_xen *x,
		  struct created *created, __u32 flags, __u16 *domid)
{
	struct xen_domctl *d = &hc(x)->domctl;
	struct xen_domctl_createdomain *c = &d->u.createdomain;
	int err;

	ASSERT_GT(MAX_DOMAINS, created->nr);
	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_createdomain;
	d->domain = 0; /* let Xen choose */
	c->flags = flags;
	c->max_vcpus = NR_TEST_VCPUS;
	c->max_evtchn_port = 1023;
	c->max_grant_frames = -1;
	c->max_maptrack_frames = -1;
	c->grant_opts = XEN_DOMCTL_GRANT_version(1);
	/* A PVH-style container: only the local APIC is emulated. */
	c->emulation_flags = (flags & XEN_DOMCTL_CDF_hvm) ? XEN_X86_EMU_LAPIC : 0;
	err = xnh_domctl(x, d);
	if (!err) {
		created->domids[created->nr++] = d->domain;
		*domid = d->domain;
	}
	return err;
}

static int create_vcpus(struct xnh_xen *x, __u16 domid)
{
	struct xen_domctl *d = &hc(x)->domctl;

	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_max_vcpus;
	d->domain = domid;
	d->u.max_vcpus.max = NR_TEST_VCPUS;
	return xnh_domctl(x, d);
}

static int unpause(struct xnh_xen *x, __u16 domid)
{
	struct xen_domctl *d = &hc(x)->domctl;

	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_unpausedomain;
	d->domain = domid;
	return xnh_domctl(x, d);
}

/* Two vnodes; vCPU i in vnode @map[i]. */
static int set_vnuma(struct xnh_xen *x, __u16 domid, const unsigned int *map)
{
	struct hc_buf *b = hc(x);
	struct xen_domctl *d = &b->domctl;
	unsigned int i;

	for (i = 0; i < NR_TEST_VCPUS; i++)
		b->vcpu_to_vnode[i] = map[i];
	b->vdistance[0] = 10;
	b->vdistance[1] = 20;
	b->vdistance[2] = 20;
	b->vdistance[3] = 10;
	b->vnode_to_pnode[0] = 0;
	b->vnode_to_pnode[1] = 0;
	for (i = 0; i < 2; i++) {
		b->vmemrange[i].start = (__u64)i << 30;
		b->vmemrange[i].end = (__u64)(i + 1) << 30;
		b->vmemrange[i].flags = 0;
		b->vmemrange[i].nid = i;
	}

	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_setvnumainfo;
	d->domain = domid;
	d->u.vnuma.nr_vnodes = 2;
	d->u.vnuma.nr_vmemranges = 2;
	d->u.vnuma.nr_vcpus = NR_TEST_VCPUS;
	d->u.vnuma.vdistance = (unsigned long)b->vdistance;
	d->u.vnuma.vcpu_to_vnode = (unsigned long)b->vcpu_to_vnode;
	d->u.vnuma.vnode_to_pnode = (unsigned long)b->vnode_to_pnode;
	d->u.vnuma.vmemrange = (unsigned long)b->vmemrange;
	return xnh_domctl(x, d);
}

/* The domctl's IDs for the NR_TEST_VCPUS vCPUs must be @want. */
static void expect_domctl_ids(struct __test_metadata *_metadata,
			      struct xnh_xen *x, __u16 domid, const __u32 *want)
{
	__u32 nr_vcpus, nr_filled, i;

	fill_ids(x);
	ASSERT_EQ(0, get_apicids(x, domid, NR_TEST_VCPUS, false, &nr_vcpus, &nr_filled));
	ASSERT_EQ(NR_TEST_VCPUS, nr_filled);
	EXPECT_EQ(NR_TEST_VCPUS, nr_vcpus);
	for (i = 0; i < NR_TEST_VCPUS; i++) {
		EXPECT_EQ(want[i], hc(x)->ids[i])
			TH_LOG("d%u vCPU %u", domid, i);
	}
}

/* Each vLAPIC's ID register (xAPIC format: ID << 24) must hold @want. */
static void expect_vlapic_ids(struct __test_metadata *_metadata,
			      struct xnh_xen *x, __u16 domid, const __u32 *want)
{
	struct xen_domctl *d = &hc(x)->domctl;
	__u32 i, reg;

	for (i = 0; i < NR_TEST_VCPUS; i++) {
		memset(d, 0, sizeof(*d));
		memset(hc(x)->lapic, 0xa5, sizeof(hc(x)->lapic));
		d->cmd = XEN_DOMCTL_gethvmcontext_partial;
		d->domain = domid;
		d->u.hvmcontext_partial.type = HVM_SAVE_CODE_LAPIC_REGS;
		d->u.hvmcontext_partial.instance = i;
		d->u.hvmcontext_partial.bufsz = sizeof(hc(x)->lapic);
		d->u.hvmcontext_partial.buffer = (unsigned long)hc(x)->lapic;
		ASSERT_EQ(0, xnh_domctl(x, d)) TH_LOG("d%u vCPU %u LAPIC_REGS", domid, i);
		memcpy(&reg, hc(x)->lapic + APIC_ID_REG, sizeof(reg));
		EXPECT_EQ(want[i] << 24, reg) TH_LOG("d%u vCPU %u vLAPIC ID", domid, i);
	}
}

static const unsigned int layout_3_2[NR_TEST_VCPUS] = { 0, 0, 0, 1, 1 };
static const unsigned int layout_2_3[NR_TEST_VCPUS] = { 0, 0, 1, 1, 1 };
static const unsigned int layout_interleaved[NR_TEST_VCPUS] = { 0, 1, 0, 1, 0 };
static const __u32 legacy_ids[NR_TEST_VCPUS] = { 0, 2, 4, 6, 8 };
/* max_per_node 3: pkg_shift = fls(5) = 3, vnode 1 starts at 8. */
static const __u32 ids_3_2[NR_TEST_VCPUS] = { 0, 2, 4, 8, 10 };
static const __u32 ids_2_3[NR_TEST_VCPUS] = { 0, 2, 8, 10, 12 };
static const __u32 ids_interleaved[NR_TEST_VCPUS] = { 0, 8, 2, 10, 4 };

/* Layout set after the vCPUs exist: their vLAPICs are refreshed. */
TEST_F(container, flagged_layout_after_vcpus)
{
	__u32 flags = self->hvm_flags | XEN_DOMCTL_CDF_vnuma_apic_topology;
	__u16 domid;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, flags, &domid));
	ASSERT_EQ(0, create_vcpus(&self->xen, domid));
	/* No layout yet: nothing to derive IDs from. */
	expect_domctl_ids(_metadata, &self->xen, domid, legacy_ids);
	expect_vlapic_ids(_metadata, &self->xen, domid, legacy_ids);

	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_3_2));
	expect_domctl_ids(_metadata, &self->xen, domid, ids_3_2);
	expect_vlapic_ids(_metadata, &self->xen, domid, ids_3_2);

	/* A new layout before the domain runs replaces the IDs. */
	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_2_3));
	expect_domctl_ids(_metadata, &self->xen, domid, ids_2_3);
	expect_vlapic_ids(_metadata, &self->xen, domid, ids_2_3);
}

/* Layout set before the vCPUs exist: vlapic_init() takes the IDs. */
TEST_F(container, flagged_layout_before_vcpus)
{
	__u32 flags = self->hvm_flags | XEN_DOMCTL_CDF_vnuma_apic_topology;
	__u16 domid;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, flags, &domid));
	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_interleaved));
	expect_domctl_ids(_metadata, &self->xen, domid, ids_interleaved);
	ASSERT_EQ(0, create_vcpus(&self->xen, domid));
	expect_vlapic_ids(_metadata, &self->xen, domid, ids_interleaved);
}

TEST_F(container, unflagged_keeps_legacy)
{
	__u16 domid;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, self->hvm_flags, &domid));
	ASSERT_EQ(0, create_vcpus(&self->xen, domid));
	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_3_2));
	expect_domctl_ids(_metadata, &self->xen, domid, legacy_ids);
	expect_vlapic_ids(_metadata, &self->xen, domid, legacy_ids);
}

TEST_F(container, flag_rejected_for_pv)
{
	__u16 domid;

	ASSERT_TRUE(self->have_pv) TH_LOG("this Xen was built without PV support");
	EXPECT_EQ(EINVAL, create(_metadata, &self->xen, &self->created,
				 XEN_DOMCTL_CDF_vnuma_apic_topology, &domid));
	/* The same PV domain without the flag is fine: the flag is the cause. */
	EXPECT_EQ(0, create(_metadata, &self->xen, &self->created, 0, &domid));
}

/* Once a flagged domain has run, its IDs are fixed; others keep today's rules. */
TEST_F(container, layout_frozen_after_run)
{
	__u32 flags = self->hvm_flags | XEN_DOMCTL_CDF_vnuma_apic_topology;
	__u16 flagged, plain;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, flags, &flagged));
	ASSERT_EQ(0, create_vcpus(&self->xen, flagged));
	ASSERT_EQ(0, set_vnuma(&self->xen, flagged, layout_3_2));
	/* Its vCPUs were never initialised, so nothing actually runs. */
	ASSERT_EQ(0, unpause(&self->xen, flagged));
	EXPECT_EQ(EBUSY, set_vnuma(&self->xen, flagged, layout_2_3));
	expect_domctl_ids(_metadata, &self->xen, flagged, ids_3_2);
	expect_vlapic_ids(_metadata, &self->xen, flagged, ids_3_2);

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, self->hvm_flags, &plain));
	ASSERT_EQ(0, create_vcpus(&self->xen, plain));
	ASSERT_EQ(0, unpause(&self->xen, plain));
	EXPECT_EQ(0, set_vnuma(&self->xen, plain, layout_2_3));
}

/* Fetch @domid's CPUID policy into the buffer; returns the leaf count. */
static __u32 get_policy(struct __test_metadata *_metadata, struct xnh_xen *x,
			__u16 domid)
{
	struct xen_domctl *d = &hc(x)->domctl;

	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_get_cpu_policy;
	d->domain = domid;
	d->u.cpu_policy.nr_leaves = sizeof(hc(x)->leaves) / sizeof(hc(x)->leaves[0]);
	d->u.cpu_policy.leaves = (unsigned long)hc(x)->leaves;
	EXPECT_EQ(0, xnh_domctl(x, d)) TH_LOG("get_cpu_policy d%u", domid);
	return d->u.cpu_policy.nr_leaves;
}

static const struct xen_cpuid_leaf *find_leaf(struct xnh_xen *x, __u32 nr,
					      __u32 leaf, __u32 subleaf)
{
	__u32 i;

	for (i = 0; i < nr; i++)
		if (hc(x)->leaves[i].leaf == leaf &&
		    (hc(x)->leaves[i].subleaf == subleaf ||
		     hc(x)->leaves[i].subleaf == XEN_CPUID_NO_SUBLEAF))
			return &hc(x)->leaves[i];
	return NULL;
}

/* The policy's topology leaves for a 3+2 layout: pkg_shift 3, 3 per node. */
static void expect_topology_3_2(struct __test_metadata *_metadata,
				struct xnh_xen *x, __u16 domid)
{
	const struct xen_cpuid_leaf *l0, *l1, *b0, *b1, *e8;
	__u32 nr = get_policy(_metadata, x, domid), i;
	bool amd;

	l0 = find_leaf(x, nr, 0, 0);
	l1 = find_leaf(x, nr, 1, 0);
	ASSERT_NE(NULL, l0);
	ASSERT_NE(NULL, l1);
	/* "AuthenticAMD" or "HygonGenuine" in EBX: AMD's leaves apply. */
	amd = l0->b == 0x68747541U || l0->b == 0x6f677948U;

	EXPECT_EQ(8U, (l1->b >> 16) & 0xff) TH_LOG("leaf 0x1 EBX[23:16]");

	b0 = find_leaf(x, nr, 0xb, 0);
	b1 = find_leaf(x, nr, 0xb, 1);
	if (l0->a >= 0xb) {
		ASSERT_NE(NULL, b0);
		ASSERT_NE(NULL, b1);
		EXPECT_EQ(1U, b0->a & 0x1f);		/* SMT shift */
		EXPECT_EQ(1U, b0->b & 0xffff);		/* one thread per core */
		EXPECT_EQ(1U, (b0->c >> 8) & 0xff);	/* SMT level */
		EXPECT_EQ(3U, b1->a & 0x1f);		/* pkg_shift */
		EXPECT_EQ(3U, b1->b & 0xffff);		/* max_per_node */
		EXPECT_EQ(2U, (b1->c >> 8) & 0xff);	/* core level */
	} else {
		TH_LOG("max basic leaf %#x: no leaf 0xb to check", l0->a);
	}

	if (amd) {
		e8 = find_leaf(x, nr, 0x80000008U, 0);
		ASSERT_NE(NULL, e8);
		EXPECT_EQ(2U, e8->c & 0xff);		/* NC */
		EXPECT_EQ(3U, (e8->c >> 12) & 0xf);	/* ApicIdSize */
	} else {
		unsigned int llc = 0;
		const struct xen_cpuid_leaf *c;

		for (i = 0; (c = find_leaf(x, nr, 4, i)) && (c->a & 0x1f); i++)
			if (((c->a >> 5) & 7) > llc)
				llc = (c->a >> 5) & 7;
		for (i = 0; (c = find_leaf(x, nr, 4, i)) && (c->a & 0x1f); i++) {
			EXPECT_EQ(2U, c->a >> 26) TH_LOG("leaf 4.%u cores", i);
			if (((c->a >> 5) & 7) == llc) {
				EXPECT_EQ(5U, (c->a >> 14) & 0xfff)
					TH_LOG("LLC sharing");
			}
		}
	}
}

TEST_F(container, flagged_policy_describes_packages)
{
	__u32 flags = self->hvm_flags | XEN_DOMCTL_CDF_vnuma_apic_topology;
	struct xen_domctl *d = &hc(&self->xen)->domctl;
	__u16 domid;
	__u32 nr;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, flags, &domid));
	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_3_2));
	expect_topology_3_2(_metadata, &self->xen, domid);

	/*
	 * A toolstack sets the policy after creation (with its own idea of the
	 * topology leaves): Xen must still describe the vNUMA packages.
	 */
	nr = get_policy(_metadata, &self->xen, domid);
	memset(d, 0, sizeof(*d));
	d->cmd = XEN_DOMCTL_set_cpu_policy;
	d->domain = domid;
	d->u.cpu_policy.nr_leaves = nr;
	d->u.cpu_policy.leaves = (unsigned long)hc(&self->xen)->leaves;
	ASSERT_EQ(0, xnh_domctl(&self->xen, d))
		TH_LOG("set_cpu_policy: leaf %#x/%#x", d->u.cpu_policy.err_leaf,
		       d->u.cpu_policy.err_subleaf);
	expect_topology_3_2(_metadata, &self->xen, domid);
}

TEST_F(container, unflagged_policy_has_no_topology)
{
	const struct xen_cpuid_leaf *b0, *b1;
	__u16 domid;
	__u32 nr;

	ASSERT_EQ(0, create(_metadata, &self->xen, &self->created, self->hvm_flags, &domid));
	ASSERT_EQ(0, set_vnuma(&self->xen, domid, layout_3_2));
	nr = get_policy(_metadata, &self->xen, domid);
	b0 = find_leaf(&self->xen, nr, 0xb, 0);
	b1 = find_leaf(&self->xen, nr, 0xb, 1);
	/* Xen 4.20 leaves leaf 0xb empty (bar the dynamic EDX/ECX[7:0]). */
	if (b0)
		EXPECT_EQ(0U, b0->a | b0->b | (b0->c & ~0xffU));
	if (b1)
		EXPECT_EQ(0U, b1->a | b1->b | (b1->c & ~0xffU));
}

/* --- The stock Xen, without the series ----------------------------------- */

FIXTURE(stock) {
	struct xnh_xen xen;
	struct created created;
};

FIXTURE_SETUP(stock)
{
	int err = xnh_xen_open(&self->xen, BUF_SIZE);

	ASSERT_EQ(0, err) TH_LOG("%s / %s: %s", XNH_PRIVCMD, XNH_HYPERCALL_BUF,
				 strerror(-err));
	self->created.nr = 0;
}

FIXTURE_TEARDOWN(stock)
{
	destroy_created(&self->xen, &self->created, _metadata);
	xnh_xen_close(&self->xen);
}

/* Callers probe for the domctl by calling it: a Xen without it says ENOSYS. */
TEST_F(stock, apicids_unknown)
{
	__u32 nr_vcpus, nr_filled;

	EXPECT_EQ(XEN_ENOSYS, get_apicids(&self->xen, 0, 0, true, &nr_vcpus, &nr_filled));
}

TEST_F(stock, flag_unknown)
{
	__u16 domid;

	EXPECT_EQ(EINVAL, create(_metadata, &self->xen, &self->created,
				 XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_vnuma_apic_topology,
				 &domid));
}

/* The stock Xen gives vCPU i the x2APIC ID i * 2. */
TEST_F(stock, cpuid_is_legacy)
{
	unsigned int nr = dom0_vcpus(), i;
	__u32 seen[MAX_IDS], want[MAX_IDS];
	bool full;

	ASSERT_GE(MAX_IDS, nr);
	for (i = 0; i < nr; i++)
		want[i] = 2 * i;
	cpuid_ids(_metadata, nr, seen, &full);
	expect_same_ids(_metadata, seen, want, nr, full);
}

/*
 * The rig's /etc/xnh/expect says which Xen runs: the patched one must have
 * the series' behaviour, the stock one must answer as Xen 4.20 does.
 */
int main(int argc, char **argv)
{
	char variant[32];
	char *args[6];

	/* By hand, with filters: run what was asked. */
	if (argc > 1)
		return test_harness_run(argc, argv);
	if (xnh_expect_get("XEN_VARIANT", variant, sizeof(variant)))
		ksft_exit_fail_msg("no XEN_VARIANT in %s\n", XNH_EXPECT_PATH);
	args[0] = argv[0];
	args[1] = "-f";
	args[3] = "-f";
	args[5] = NULL;
	if (!strcmp(variant, "patched")) {
		args[2] = "dom0";
		args[4] = "container";
		return test_harness_run(5, args);
	}
	if (!strcmp(variant, "stock")) {
		args[2] = "stock";
		args[3] = NULL;
		return test_harness_run(3, args);
	}
	ksft_exit_fail_msg("XEN_VARIANT=%s: neither patched nor stock\n", variant);
}
