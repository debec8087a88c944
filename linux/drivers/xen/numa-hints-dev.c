// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/numa_hints: the host PXM and dom0 node of frames, for operators
 * and tests.  The ABI is in include/uapi/xen/numa_hints.h.
 *
 * The kernel checks the caller (CAP_SYS_ADMIN, on open and on every ioctl,
 * because an fd can be passed to a process that lost the capability) and
 * the request; Xen checks the frames.  Every call works through its frames
 * 1024 at a time in buffers of its own, so concurrent callers share only
 * the cache, which has its own locks.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "numa-hints-internal.h"

static long xnh_ioctl_query(struct xen_numa_hints_query __user *udata)
{
	struct xen_numa_hints_query q;
	u64 __user *ufr;
	u32 __user *upxm;
	s32 __user *unode;
	struct xnh_work *w = NULL;
	unsigned int done, n;
	long rc = 0;

	if (copy_from_user(&q, udata, sizeof(q)))
		return -EFAULT;
	if (q.flags || memchr_inv(q.reserved, 0, sizeof(q.reserved)))
		return -EINVAL;
	if (q.kind != XEN_NUMA_HINTS_KIND_MFN &&
	    q.kind != XEN_NUMA_HINTS_KIND_GFN)
		return -EINVAL;
	if (q.nr > XEN_NUMA_HINTS_MAX_FRAMES)
		return -E2BIG;

	q.state = xnh_kind_state(q.kind);
	ufr = u64_to_user_ptr(q.frames);
	upxm = u64_to_user_ptr(q.pxms);
	unode = u64_to_user_ptr(q.nodes);
	if (q.nr) {
		w = xnh_work_alloc(q.nr);
		if (!w)
			return -ENOMEM;
	}
	for (done = 0; done < q.nr; done += n) {
		n = min(q.nr - done, w->cap);
		/* A u64 frame is an unsigned long here: 64-bit only. */
		if (copy_from_user(w->frames, ufr + done,
				   n * sizeof(*ufr))) {
			rc = -EFAULT;
			goto out;
		}
		rc = xnh_query_chunk(q.kind, w->frames, n, w->pxms, w->nodes,
				     w);
		if (rc)
			goto out;
		if (copy_to_user(upxm + done, w->pxms, n * sizeof(*upxm)) ||
		    copy_to_user(unode + done, w->nodes, n * sizeof(*unode))) {
			rc = -EFAULT;
			goto out;
		}
		if (done + n < q.nr) {
			if (fatal_signal_pending(current)) {
				rc = -EINTR;
				goto out;
			}
			cond_resched();
		}
	}
	if (copy_to_user(udata, &q, sizeof(q)))
		rc = -EFAULT;
out:
	xnh_work_free(w);
	return rc;
}

static long xnh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case IOCTL_XEN_NUMA_HINTS_QUERY:
		return xnh_ioctl_query((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int xnh_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static const struct file_operations xnh_fops = {
	.owner = THIS_MODULE,
	.open = xnh_open,
	.unlocked_ioctl = xnh_ioctl,
	/* Pointers are __u64 in the struct: the layout is the same. */
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice xnh_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/numa_hints",
	.fops = &xnh_fops,
	.mode = 0600,
};

int xnh_dev_init(void)
{
	int rc;

	/* The same layout for 32- and 64-bit callers: no compat translation. */
	BUILD_BUG_ON(sizeof(struct xen_numa_hints_query) != 56);
	rc = misc_register(&xnh_dev);
	if (rc)
		pr_err("cannot register /dev/xen/numa_hints: %pe\n",
		       ERR_PTR(rc));
	return rc;
}

void xnh_dev_exit(void)
{
	misc_deregister(&xnh_dev);
}
