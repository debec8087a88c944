/* SPDX-License-Identifier: GPL-2.0 */
/* Xen's node ids, as x86 Xen defines them. */
#ifndef XNH_SHIM_XEN_NUMA_H
#define XNH_SHIM_XEN_NUMA_H

#include <stdint.h>

typedef uint8_t nodeid_t;
#define NUMA_NO_NODE 0xFF
#define MAX_NUMNODES 64

#endif
