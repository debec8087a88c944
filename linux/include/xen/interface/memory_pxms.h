/* SPDX-License-Identifier: MIT */
/*
 * XENMEM_get_mfn_pxms and XENMEM_get_gfn_pxms: the part of Xen's public
 * memory.h that xen-numa-hints needs.  The kernel's copy of memory.h
 * (include/xen/interface/memory.h) does not have them; upstream they
 * would be added there and this file would go away.
 */
#ifndef __XEN_PUBLIC_MEMORY_PXMS_H__
#define __XEN_PUBLIC_MEMORY_PXMS_H__

#include <xen/interface/memory.h>

#ifndef XENMEM_get_mfn_pxms

/*
 * Return the firmware proximity domain (PXM) of the host NUMA node on
 * which each of a batch of frames lives.  Hardware domain only: any other
 * caller gets -EPERM whatever the arguments.
 *
 * XENMEM_get_mfn_pxms takes host machine frames (MFNs).  Its number is 40,
 * outside the usual sequence, for ABI compatibility with the downstream
 * Xen that already ships it.
 *
 * XENMEM_get_gfn_pxms takes the caller's own guest frames (GFNs), resolved
 * through the caller's p2m: RAM, grant-mapped and foreign-mapped entries
 * answer for the host frame behind them.
 *
 * Return: 0, with one PXM (or XEN_INVALID_NUMA_ID for a frame that is not
 * RAM) per frame; -EFAULT, -EINVAL (@flags or a start extent in cmd set),
 * -E2BIG (@nr_mfns > XENMEM_GET_MFN_PXMS_MAX).  @nr_mfns == 0 returns 0
 * and touches nothing: that is how a caller probes for the op, which a
 * hypervisor without it (or without NUMA) answers with -ENOSYS.  Only
 * 64-bit callers: compat callers get -ENOSYS.
 */
#define XENMEM_get_mfn_pxms		40
#define XENMEM_get_gfn_pxms		41

/*
 * The handles are GUEST_HANDLE(xen_pfn_t) and GUEST_HANDLE(uint32_t),
 * spelled as the typedefs that macro names: checkpatch --strict reads
 * "GUEST_HANDLE(t) x" as a cast.
 */
struct xen_get_mfn_pxms {
	/* IN */
	__guest_handle_xen_pfn_t mfns;	/* @nr_mfns frames */
	/* OUT */
	__guest_handle_uint32_t pxms;	/* one PXM per frame */
	/* IN */
	u32 nr_mfns;
	u32 flags;			/* none defined: must be 0 */
};

DEFINE_GUEST_HANDLE_STRUCT(xen_get_mfn_pxms);

#define XENMEM_GET_MFN_PXMS_MAX		1024
#define XEN_INVALID_NUMA_ID		(~0U)

#endif /* XENMEM_get_mfn_pxms */

/*
 * The errors a probe tells apart, as Xen's public errno.h numbers them;
 * the kernel's copy of Xen's headers lacks that file.
 */
#ifndef XEN_EPERM
#define XEN_EPERM			1	/* Operation not permitted */
#endif
#ifndef XEN_EACCES
#define XEN_EACCES			13	/* Permission denied */
#endif
#ifndef XEN_ENOSYS
#define XEN_ENOSYS			38	/* Function not implemented */
#endif

#endif /* __XEN_PUBLIC_MEMORY_PXMS_H__ */
