// SPDX-License-Identifier: GPL-2.0
/*
 * Prints IOCTL_GNTDEV_GET_NODE's number, its struct's size and each
 * field's offset and size, and the verdict constants, as the header it is
 * compiled against defines them.  rig/build-backends compiles it twice,
 * against the patched kernel's include/uapi/xen/gntdev.h (-DPATCHED) and
 * against the project's linux/include/uapi/xen/gntdev_numa.h, and fails
 * unless both print the same.  It also fails (exit 1) if the struct has
 * padding, which could differ between 32-bit and 64-bit user space.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>	/* <xen/gntdev.h> uses _IOC() without including it */
#ifdef PATCHED
#include <linux/types.h>
/* What headers_install strips, and what user space of gntdev defines. */
#define __user
typedef __u32 grant_ref_t;
typedef __u16 domid_t;
#include <xen/gntdev.h>
#else
#include <xen/gntdev_numa.h>
#endif

#define F(f) do { \
	printf("%s %zu %zu\n", #f, offsetof(struct ioctl_gntdev_get_node, f), \
	       sizeof(((struct ioctl_gntdev_get_node *)0)->f)); \
	sum += sizeof(((struct ioctl_gntdev_get_node *)0)->f); \
} while (0)

int main(void)
{
	size_t sum = 0;

	printf("IOCTL_GNTDEV_GET_NODE %#lx\n", (unsigned long)IOCTL_GNTDEV_GET_NODE);
	printf("sizeof %zu\n", sizeof(struct ioctl_gntdev_get_node));
	F(index);
	F(count);
	F(node);
	F(verdict);
	F(plurality);
	F(hinted);
	F(votes);
	F(reserved);
	printf("PLACED %d SPLIT %d NO_HINT %d UNAVAILABLE %d FAILED %d\n",
	       GNTDEV_NODE_PLACED, GNTDEV_NODE_SPLIT, GNTDEV_NODE_NO_HINT,
	       GNTDEV_NODE_UNAVAILABLE, GNTDEV_NODE_FAILED);
	if (sum != sizeof(struct ioctl_gntdev_get_node)) {
		printf("padding: %zu bytes of fields in %zu\n", sum,
		       sizeof(struct ioctl_gntdev_get_node));
		return 1;
	}
	return 0;
}
