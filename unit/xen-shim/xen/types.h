/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests build hypervisor files that use nothing of Xen but what
 * these shims give, with the C library's types standing in for Xen's.
 */
#ifndef XNH_SHIM_XEN_TYPES_H
#define XNH_SHIM_XEN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define __packed __attribute__((__packed__))

typedef uint64_t paddr_t;
typedef uint64_t u64;

#endif
