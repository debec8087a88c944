/* SPDX-License-Identifier: GPL-2.0 */
/* Page frame arithmetic with x86's 4 KiB pages, as in Xen. */
#ifndef XNH_SHIM_XEN_PFN_H
#define XNH_SHIM_XEN_PFN_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

#endif
