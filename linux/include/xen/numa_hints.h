/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-numa-hints: on which dom0 NUMA node the host memory behind a frame
 * lives, for dom0 backends (netback, blkback, gntdev) that want to run
 * next to the guest memory they serve.
 *
 * Callers need no #ifdef: without the module every query answers
 * NUMA_NO_NODE.  A module built in the kernel tree sees the real functions
 * when CONFIG_XEN_NUMA_HINTS is y or m.  A module built out of tree sees
 * them when it is compiled with -DCONFIG_XEN_NUMA_HINTS_MODULE=1 and
 * -I<xen-numa-hints>/linux/include, and links against the module's
 * symbols with KBUILD_EXTRA_SYMBOLS=<xen-numa-hints>/Module.symvers; it
 * then needs xen-numa-hints loaded, which only loads in the initial
 * domain.
 */
#ifndef _XEN_NUMA_HINTS_H
#define _XEN_NUMA_HINTS_H

#include <linux/kconfig.h>
#include <linux/mm_types.h>
#include <linux/numa.h>
#include <xen/interface/xen.h>

#if IS_ENABLED(CONFIG_XEN_NUMA_HINTS)

int xen_numa_hints_mfns_to_nodes(const xen_pfn_t *mfns, unsigned int nr,
				 int *nodes);
int xen_numa_hints_pages_to_nodes(struct page **pages, unsigned int nr,
				  int *nodes);
int xen_numa_hints_majority_node(const int *nodes, unsigned int nr);

#else

static inline int xen_numa_hints_mfns_to_nodes(const xen_pfn_t *mfns,
					       unsigned int nr, int *nodes)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		nodes[i] = NUMA_NO_NODE;
	return 0;
}

static inline int xen_numa_hints_pages_to_nodes(struct page **pages,
						unsigned int nr, int *nodes)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		nodes[i] = NUMA_NO_NODE;
	return 0;
}

static inline int xen_numa_hints_majority_node(const int *nodes,
					       unsigned int nr)
{
	return NUMA_NO_NODE;
}

#endif /* CONFIG_XEN_NUMA_HINTS */

#endif /* _XEN_NUMA_HINTS_H */
