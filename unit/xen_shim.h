/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few hypervisor facilities that self-contained Xen headers of the
 * project's Xen series use, for building them into host unit tests: Xen's
 * fixed-width types and errno values are the C library's, and fls() is Xen's
 * "find last set bit" (1-based, 0 for 0).
 */
#ifndef XNH_UNIT_XEN_SHIM_H
#define XNH_UNIT_XEN_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

static inline unsigned int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

#endif /* XNH_UNIT_XEN_SHIM_H */
