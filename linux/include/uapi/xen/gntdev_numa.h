/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/xen/gntdev: on which NUMA node the memory behind a grant-mapped
 * range lives (IOCTL_GNTDEV_GET_NODE), for user space built against
 * kernel headers that do not have it.
 *
 * The ioctl belongs to the patched xen-gntdev of this project:
 * linux/patches/backends/0011 adds the same number, struct and constants
 * to the kernel's include/uapi/xen/gntdev.h, and rig/build-backends fails
 * unless the two agree (number, size, every field's offset and size, the
 * constants).  Include this after <xen/gntdev.h>; where that already
 * defines IOCTL_GNTDEV_GET_NODE, this adds nothing.
 *
 * For a range of one map (@index: the offset IOCTL_GNTDEV_MAP_GRANT_REF
 * returned, or that plus a multiple of the page size; @count pages from
 * there), every page grant-mapped (mmap() done, the grants not unmapped
 * since: munmap() unmaps them in a PV dom0, UNMAP_GRANT_REF or close()
 * elsewhere), the answer is
 * xen-numa-hints' vote over the guest frames behind the pages, as the
 * patched netback and blkback get it for their rings: frames without a
 * node do not vote; the node with most frames is the answer when it holds
 * more than the module's min_share percent of those with a node.  @node
 * is -1 unless @verdict is GNTDEV_NODE_PLACED.  Without xen-numa-hints,
 * or where it has no hints, the call succeeds with
 * GNTDEV_NODE_UNAVAILABLE.  The kernel only answers: the caller binds its
 * own threads.
 *
 * Errors: EINVAL for @count 0, @index not page aligned, a range past the
 * end of its map, or non-zero @reserved; ENOENT if no map holds @index;
 * ENXIO if a page of the range is not grant-mapped (before mmap(), or
 * once its grants are unmapped); EFAULT; ENOMEM.  A xen-gntdev without the ioctl
 * answers ENOTTY.
 *
 * Fixed-size, __u64 and __u32 only, no padding: the layout is the same for
 * 32-bit and 64-bit user space.
 */
#ifndef __XEN_NUMA_HINTS_GNTDEV_NUMA_H__
#define __XEN_NUMA_HINTS_GNTDEV_NUMA_H__

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef IOCTL_GNTDEV_GET_NODE

#define IOCTL_GNTDEV_GET_NODE \
	_IOC(_IOC_NONE, 'G', 13, sizeof(struct ioctl_gntdev_get_node))
struct ioctl_gntdev_get_node {
	/* IN parameters */
	__u64 index;		/* offset of the range's first page */
	__u32 count;		/* pages in the range */
	/* OUT parameters */
	__s32 node;		/* the node to serve the range from, or -1 */
	__u32 verdict;		/* GNTDEV_NODE_* */
	__s32 plurality;	/* the node holding most frames, or -1 */
	__u32 hinted;		/* frames that have a node */
	__u32 votes;		/* frames on @plurality */
	__u32 reserved[4];	/* must be zero; zero on return */
};

/* @verdict */
#define GNTDEV_NODE_PLACED		0	/* @node holds the share */
#define GNTDEV_NODE_SPLIT		1	/* no node holds it */
#define GNTDEV_NODE_NO_HINT		2	/* no frame has a node */
#define GNTDEV_NODE_UNAVAILABLE		3	/* no hints at all */
#define GNTDEV_NODE_FAILED		4	/* Xen failed the query */

#endif /* IOCTL_GNTDEV_GET_NODE */

#endif /* __XEN_NUMA_HINTS_GNTDEV_NUMA_H__ */
