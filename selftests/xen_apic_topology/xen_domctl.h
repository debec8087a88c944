/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen 4.20 domctl and sysctl interface as far as the APIC topology
 * selftest uses it, mirrored from xen/include/public/{domctl,sysctl}.h and
 * arch-x86/xen.h of the project's Xen series (XEN_DOMCTL_get_vcpu_apicids
 * and XEN_DOMCTL_CDF_vnuma_apic_topology are ours), and the plumbing to
 * issue them from dom0 through /dev/xen/privcmd.  Layouts are the x86-64
 * ones; the static asserts below pin their sizes.
 */
#ifndef XNH_XEN_DOMCTL_H
#define XNH_XEN_DOMCTL_H

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/types.h>

/*
 * From Linux's include/uapi/xen/privcmd.h, which cannot be included from
 * user space as it is (it pulls in a kernel-only header).
 */
struct privcmd_hypercall {
	__u64 op;
	__u64 arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

#define __HYPERVISOR_sysctl			35
#define __HYPERVISOR_domctl			36

#define XEN_DOMCTL_INTERFACE_VERSION		0x00000017
#define XEN_SYSCTL_INTERFACE_VERSION		0x00000015

#define XEN_DOMCTL_createdomain			1
#define XEN_DOMCTL_destroydomain		2
#define XEN_DOMCTL_unpausedomain		4
#define XEN_DOMCTL_max_vcpus			15
#define XEN_DOMCTL_gethvmcontext_partial	55
#define XEN_DOMCTL_setvnumainfo			74
#define XEN_DOMCTL_get_cpu_policy		82
#define XEN_DOMCTL_set_cpu_policy		83
#define XEN_DOMCTL_get_vcpu_apicids		90

#define XEN_SYSCTL_physinfo			3
#define XEN_SYSCTL_PHYSCAP_hvm			0x1U
#define XEN_SYSCTL_PHYSCAP_pv			0x2U
#define XEN_SYSCTL_PHYSCAP_hap			0x8U

#define XEN_DOMCTL_CDF_hvm			0x1U
#define XEN_DOMCTL_CDF_hap			0x2U
#define XEN_DOMCTL_CDF_vnuma_apic_topology	0x100U

#define XEN_X86_EMU_LAPIC			0x1U
#define XEN_DOMCTL_GRANT_version(v)		((v) & 0xf)

/* Xen's answer to an operation it does not implement (as Linux's ENOSYS). */
#define XEN_ENOSYS				38

/* First ID of the reserved domain IDs (DOMID_SELF, ...). */
#define DOMID_FIRST_RESERVED			0x7ff0

/* HVM save record type of the local APIC registers (the first 1 KiB). */
#define HVM_SAVE_CODE_LAPIC_REGS		6
#define HVM_LAPIC_REGS_SIZE			1024
#define APIC_ID_REG				0x20

/* XEN_GUEST_HANDLE_64(): a pointer held in 64 bits. */
typedef __u64 xen_handle64;

struct xen_domctl_createdomain {
	__u32 ssidref;
	__u8 handle[16];
	__u32 flags;
	__u32 iommu_opts;
	__u32 max_vcpus;
	__u32 max_evtchn_port;
	__s32 max_grant_frames;
	__s32 max_maptrack_frames;
	__u32 grant_opts;
	__u32 altp2m_opts;
	__u32 vmtrace_size;
	__u32 cpupool_id;
	/* struct xen_arch_domainconfig (x86) */
	__u32 emulation_flags;
	__u32 misc_flags;
};

struct xen_domctl_max_vcpus {
	__u32 max;
};

struct xen_vmemrange {
	__u64 start, end;
	__u32 flags;
	__u32 nid;
};

struct xen_domctl_vnuma {
	__u32 nr_vnodes;
	__u32 nr_vmemranges;
	__u32 nr_vcpus;
	__u32 pad;
	xen_handle64 vdistance;		/* unsigned int[nr_vnodes^2] */
	xen_handle64 vcpu_to_vnode;	/* unsigned int[nr_vcpus] */
	xen_handle64 vnode_to_pnode;	/* unsigned int[nr_vnodes] */
	xen_handle64 vmemrange;		/* struct xen_vmemrange[] */
};

struct xen_domctl_hvmcontext_partial {
	__u32 type;
	__u32 instance;
	__u64 bufsz;
	xen_handle64 buffer;
};

struct xen_cpuid_leaf {
	__u32 leaf, subleaf;
	__u32 a, b, c, d;
};

#define XEN_CPUID_NO_SUBLEAF			0xffffffffU

struct xen_domctl_cpu_policy {
	__u32 nr_leaves;
	__u32 nr_msrs;
	xen_handle64 leaves;		/* struct xen_cpuid_leaf[] */
	xen_handle64 msrs;
	__u32 err_leaf, err_subleaf, err_msr;
};

/* Ours: see XEN_DOMCTL_get_vcpu_apicids in the series' domctl.h. */
struct xen_domctl_get_vcpu_apicids {
	__u32 nr_vcpus;			/* IN: capacity; OUT: max_vcpus */
	__u32 nr_filled;		/* OUT: written, or needed */
	xen_handle64 apic_ids;		/* OUT: __u32[max_vcpus] */
};

struct xen_domctl {
	__u32 cmd;
	__u32 interface_version;
	__u16 domain;
	__u16 _pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_max_vcpus max_vcpus;
		struct xen_domctl_vnuma vnuma;
		struct xen_domctl_hvmcontext_partial hvmcontext_partial;
		struct xen_domctl_cpu_policy cpu_policy;
		struct xen_domctl_get_vcpu_apicids get_vcpu_apicids;
		__u64 pad[16];
	} u;
};

struct xen_sysctl_physinfo {
	__u32 threads_per_core;
	__u32 cores_per_socket;
	__u32 nr_cpus;
	__u32 max_cpu_id;
	__u32 nr_nodes;
	__u32 max_node_id;
	__u32 cpu_khz;
	__u32 capabilities;
	__u32 arch_capabilities;
	__u32 pad;
	__u64 total_pages, free_pages, scrub_pages, outstanding_pages;
	__u64 max_mfn;
	__u32 hw_cap[8];
};

struct xen_sysctl {
	__u32 cmd;
	__u32 interface_version;
	union {
		struct xen_sysctl_physinfo physinfo;
		__u64 pad[16];
	} u;
};

static_assert(sizeof(struct xen_domctl_createdomain) == 68, "createdomain");
static_assert(sizeof(struct xen_domctl_vnuma) == 48, "vnuma");
static_assert(sizeof(struct xen_domctl_cpu_policy) == 40, "cpu_policy");
static_assert(sizeof(struct xen_domctl_get_vcpu_apicids) == 16, "apicids");
static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl");
static_assert(__builtin_offsetof(struct xen_domctl, u) == 16, "domctl.u");
static_assert(sizeof(struct xen_sysctl) == 136, "xen_sysctl");
static_assert(__builtin_offsetof(struct xen_sysctl_physinfo, capabilities) == 28,
	      "physinfo.capabilities");

/*
 * Hypercall arguments must stay where Xen can read them for the duration of
 * the call: memory from /dev/xen/hypercall (privcmd's buffer device) is
 * never moved or swapped, unlike ordinary (even mlock()ed) pages.
 */
#define XNH_PRIVCMD		"/dev/xen/privcmd"
#define XNH_HYPERCALL_BUF	"/dev/xen/hypercall"

struct xnh_xen {
	int privcmd_fd;
	int buf_fd;
	void *buf;
	size_t buf_size;
};

/* Open privcmd and map @size bytes of hypercall buffer; 0 or -errno. */
static inline int xnh_xen_open(struct xnh_xen *x, size_t size)
{
	x->buf = MAP_FAILED;
	x->buf_size = size;
	x->buf_fd = -1;
	x->privcmd_fd = open(XNH_PRIVCMD, O_RDWR | O_CLOEXEC);
	if (x->privcmd_fd < 0)
		return -errno;
	x->buf_fd = open(XNH_HYPERCALL_BUF, O_RDWR | O_CLOEXEC);
	if (x->buf_fd < 0)
		return -errno;
	x->buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      x->buf_fd, 0);
	if (x->buf == MAP_FAILED)
		return -errno;
	memset(x->buf, 0, size);
	return 0;
}

static inline void xnh_xen_close(struct xnh_xen *x)
{
	if (x->buf != MAP_FAILED)
		munmap(x->buf, x->buf_size);
	if (x->buf_fd >= 0)
		close(x->buf_fd);
	if (x->privcmd_fd >= 0)
		close(x->privcmd_fd);
}

/* One hypercall with one pointer argument; 0 or the errno it failed with. */
static inline int xnh_hypercall(const struct xnh_xen *x, __u64 op, void *arg)
{
	struct privcmd_hypercall call = {
		.op = op,
		.arg = { (unsigned long)arg },
	};

	if (ioctl(x->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0)
		return errno;
	return 0;
}

/* @d must live in the hypercall buffer. */
static inline int xnh_domctl(const struct xnh_xen *x, struct xen_domctl *d)
{
	d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	return xnh_hypercall(x, __HYPERVISOR_domctl, d);
}

static inline int xnh_sysctl(const struct xnh_xen *x, struct xen_sysctl *s)
{
	s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return xnh_hypercall(x, __HYPERVISOR_sysctl, s);
}

#endif /* XNH_XEN_DOMCTL_H */
