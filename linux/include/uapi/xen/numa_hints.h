/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/xen/numa_hints: on which host NUMA node Xen keeps a frame.
 *
 * The device belongs to the xen-numa-hints module and exists in dom0 only.
 * It is mode 0600 and every ioctl also needs CAP_SYS_ADMIN: the answers
 * reveal the host's physical memory layout.
 */
#ifndef __LINUX_PUBLIC_XEN_NUMA_HINTS_H__
#define __LINUX_PUBLIC_XEN_NUMA_HINTS_H__

#include <linux/ioctl.h>
#include <linux/types.h>

/* Answers for a frame or a PXM that has none. */
#define XEN_NUMA_HINTS_INVALID_PXM	0xffffffffU	/* Xen's XEN_INVALID_NUMA_ID */
#define XEN_NUMA_HINTS_NO_NODE		(-1)		/* Linux's NUMA_NO_NODE */

/*
 * Most frames in one ioctl.  Generous: a million frames is 4 GiB of
 * memory per call; the kernel works through them 1024 at a time, so the
 * limit bounds only how long one call can take.
 */
#define XEN_NUMA_HINTS_MAX_FRAMES	1048576U	/* 2^20 */

/* @kind values */
#define XEN_NUMA_HINTS_KIND_MFN		1	/* host machine frames */
#define XEN_NUMA_HINTS_KIND_GFN		2	/* the caller's domain's (dom0's) own frames */

/*
 * @state values: what the answers of this call are worth.
 * ACTIVE:	PXMs and nodes are answered.
 * PXM_ONLY:	PXMs are answered, but dom0 has no PXM -> node map (its ACPI
 *		tables have no SRAT, or NUMA is off): every node is -1.
 * UNSUPPORTED:	Xen lacks or refuses the op (for GFN: the GFN op): every
 *		PXM is XEN_NUMA_HINTS_INVALID_PXM and every node -1.
 * UNAVAILABLE:	dom0 cannot use hints (a PV dom0, a kernel without ACPI
 *		NUMA): likewise.
 */
#define XEN_NUMA_HINTS_STATE_ACTIVE		1
#define XEN_NUMA_HINTS_STATE_PXM_ONLY		2
#define XEN_NUMA_HINTS_STATE_UNSUPPORTED	3
#define XEN_NUMA_HINTS_STATE_UNAVAILABLE	4
#define XEN_NUMA_HINTS_STATE_DENIED		5

/*
 * IOCTL_XEN_NUMA_HINTS_QUERY: the host PXM and the dom0 NUMA node of each
 * of @nr frames.
 *
 * A frame that is not RAM (for @kind GFN: whose dom0 p2m entry is not RAM,
 * a grant or a foreign mapping) gets XEN_NUMA_HINTS_INVALID_PXM and
 * XEN_NUMA_HINTS_NO_NODE; the rest of the batch is still answered.  A
 * frame on a PXM that dom0's own ACPI tables do not map gets its PXM and
 * XEN_NUMA_HINTS_NO_NODE.  @nr == 0 only reports @state.
 *
 * When hints are not available (@state UNSUPPORTED or UNAVAILABLE) the
 * call still succeeds and every answer is INVALID_PXM / NO_NODE, so that
 * one code path serves callers on any Xen; /sys/kernel/xen_numa/reason
 * says why.
 *
 * Errors: EPERM without CAP_SYS_ADMIN; EFAULT for an unreadable argument
 * or @frames, or an unwritable @pxms or @nodes; EINVAL for an unknown
 * @kind, nonzero @flags or @reserved; E2BIG for @nr above
 * XEN_NUMA_HINTS_MAX_FRAMES; EINTR if a fatal signal arrived; ENOMEM; and
 * any error the hypervisor returned.  After an error the contents of
 * @pxms, @nodes and @state are undefined.  Unknown commands: ENOTTY.
 */
struct xen_numa_hints_query {
	/* IN parameters */
	__u64 frames;	/* user address of @nr __u64 frame numbers */
	/* OUT parameters, filled by the kernel */
	__u64 pxms;	/* user address of @nr __u32: host PXM of each frame */
	__u64 nodes;	/* user address of @nr __s32: dom0 node of each frame */
	/* IN parameters */
	__u32 nr;	/* number of frames, at most XEN_NUMA_HINTS_MAX_FRAMES */
	__u32 kind;	/* XEN_NUMA_HINTS_KIND_* */
	__u32 flags;	/* none defined: must be zero */
	/* OUT parameters */
	__u32 state;	/* XEN_NUMA_HINTS_STATE_*; ignored on input */
	__u64 reserved[2];	/* must be zero */
};

/* 0xB9: not yet in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define IOCTL_XEN_NUMA_HINTS_QUERY \
	_IOWR(0xB9, 0, struct xen_numa_hints_query)

#endif /* __LINUX_PUBLIC_XEN_NUMA_HINTS_H__ */
