/* SPDX-License-Identifier: GPL-2.0 */
/* What Xen's lib.h gives the files under test, from the C library. */
#ifndef XNH_SHIM_XEN_LIB_H
#define XNH_SHIM_XEN_LIB_H

#include <assert.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BITS_PER_LONG 64
/* As Xen's: both sides of the same type, or the build fails. */
#define min(a, b) ({ typeof(a) a_ = (a); typeof(b) b_ = (b); \
	(void)(&a_ == &b_); a_ < b_ ? a_ : b_; })
#define max(a, b) ({ typeof(a) a_ = (a); typeof(b) b_ = (b); \
	(void)(&a_ == &b_); a_ > b_ ? a_ : b_; })
#define ASSERT(p) assert(p)
#define ASSERT_UNREACHABLE() assert(!"unreachable")

static inline unsigned int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

#endif
