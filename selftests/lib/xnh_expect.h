/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read the rig's /etc/xnh/expect: what the topology variable asked of the
 * emulated host, as KEY=VALUE lines (values may be single-quoted).  Header
 * only, so that each selftest stays one static binary.
 *
 * The keys (rig/topology.py writes them; docs/rig.md lists them):
 *   XEN_VARIANT            patched or stock
 *   XSM                    dummy, or flask: Xen runs FLASK with the rig's
 *                          policy, which denies dom0 XENMEM_get_mfn_pxms
 *                          and XENMEM_get_gfn_pxms
 *   TOPOLOGY, NR_NODES, NR_CPUS, RAM_BYTES
 *   PXMS                   the host PXMs in Xen's node order
 *   XEN_NODE_PXMS          Xen's node id of each PXM, "node:pxm ..."
 *   PXM_CPUS               "pxm:first[-last] ..." host CPUs of each PXM
 *   PXM_MEM                "pxm:start-end ..." host RAM ranges of each PXM
 *   DISTANCES              "a:b:distance ..." for every pair of host PXMs
 *   DOM0_MEM               dom0_mem in bytes; empty (0) for Xen's default
 *   DOM0_MEM_MAX           dom0_mem's max: in bytes; empty (0) for none
 *   DOM0_NODES             the host PXMs dom0_nodes= names; empty for all
 *   DOM0_VNUMA             on, off or stock: Xen's dom0 vNUMA gate
 *   DOM0_VNUMA_OFF_REASON  when off, what Xen's "Dom0 vNUMA: off: " says
 */
#ifndef XNH_EXPECT_H
#define XNH_EXPECT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XNH_EXPECT_PATH "/etc/xnh/expect"
#define XNH_MAX_NODES 64

/* Copy the value of @key into @buf; 0, or -1 if absent, unreadable or too long. */
static inline int xnh_expect_get(const char *key, char *buf, size_t len)
{
	char line[1024];
	size_t klen = strlen(key);
	FILE *f = fopen(XNH_EXPECT_PATH, "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + klen + 1;
		size_t vlen;

		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		v[strcspn(v, "\n")] = '\0';
		vlen = strlen(v);
		if (vlen >= 2 && v[0] == '\'' && v[vlen - 1] == '\'') {
			v[vlen - 1] = '\0';
			v++;
		}
		if (strlen(v) < len) {
			memcpy(buf, v, strlen(v) + 1);
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

/* The integer value of @key, or @def if absent. */
static inline long xnh_expect_long(const char *key, long def)
{
	char buf[64];

	if (xnh_expect_get(key, buf, sizeof(buf)))
		return def;
	return strtol(buf, NULL, 0);
}

/* One host RAM range of a PXM, [start, end). */
struct xnh_mem_range {
	unsigned int pxm;
	unsigned long long start, end;
};

/* Parse PXM_MEM into @r (at most @max); returns the count or -1. */
static inline int xnh_expect_mem_ranges(struct xnh_mem_range *r, int max)
{
	char buf[1024], *tok, *save;
	int n = 0;

	if (xnh_expect_get("PXM_MEM", buf, sizeof(buf)))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save)) {
		if (sscanf(tok, "%u:%llx-%llx", &r[n].pxm, &r[n].start,
			   &r[n].end) != 3)
			return -1;
		n++;
	}
	return n;
}

/* Parse PXMS (SRAT order, so Xen's node id is the index); returns count. */
static inline int xnh_expect_pxms(unsigned int *pxms, int max)
{
	char buf[512], *tok, *save;
	int n = 0;

	if (xnh_expect_get("PXMS", buf, sizeof(buf)))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save))
		pxms[n++] = strtoul(tok, NULL, 0);
	return n;
}

/* The CPUs of one host PXM, [first, last] (host CPU N runs dom0 vCPU N). */
struct xnh_pxm_cpus {
	unsigned int pxm;
	unsigned int first, last;
};

/* Parse PXM_CPUS into @c (at most @max); returns the count or -1. */
static inline int xnh_expect_pxm_cpus(struct xnh_pxm_cpus *c, int max)
{
	char buf[1024], *tok, *save;
	int n = 0, got;

	if (xnh_expect_get("PXM_CPUS", buf, sizeof(buf)))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save)) {
		got = sscanf(tok, "%u:%u-%u", &c[n].pxm, &c[n].first,
			     &c[n].last);
		if (got == 2)
			c[n].last = c[n].first;
		else if (got != 3 || c[n].last < c[n].first)
			return -1;
		n++;
	}
	return n;
}

/* The host PXM of host CPU @cpu according to PXM_CPUS, or -1. */
static inline int xnh_expect_cpu_pxm(unsigned int cpu)
{
	struct xnh_pxm_cpus c[XNH_MAX_NODES];
	int n = xnh_expect_pxm_cpus(c, XNH_MAX_NODES), i;

	for (i = 0; i < n; i++)
		if (cpu >= c[i].first && cpu <= c[i].last)
			return (int)c[i].pxm;
	return -1;
}

/* The SLIT distance DISTANCES gives from PXM @a to PXM @b, or -1. */
static inline int xnh_expect_distance(unsigned int a, unsigned int b)
{
	char buf[4096], *tok, *save;
	unsigned int x, y, d;

	if (xnh_expect_get("DISTANCES", buf, sizeof(buf)))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		if (sscanf(tok, "%u:%u:%u", &x, &y, &d) == 3 && x == a && y == b)
			return (int)d;
	return -1;
}

/*
 * Parse XEN_NODE_PXMS: @pxm_of_node[n] is the PXM of Xen's node n (at most
 * @max nodes).  Returns the number of nodes, or -1.
 */
static inline int xnh_expect_xen_node_pxms(unsigned int *pxm_of_node, int max)
{
	char buf[512], *tok, *save;
	unsigned int node, pxm;
	int n = 0;

	if (xnh_expect_get("XEN_NODE_PXMS", buf, sizeof(buf)))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (sscanf(tok, "%u:%u", &node, &pxm) != 2 ||
		    node != (unsigned int)n || n >= max)
			return -1;
		pxm_of_node[n++] = pxm;
	}
	return n;
}

/* What the rig expects of Xen's dom0 vNUMA gate (DOM0_VNUMA). */
enum xnh_dom0_vnuma {
	XNH_DOM0_VNUMA_UNKNOWN = -1,
	XNH_DOM0_VNUMA_ON,
	XNH_DOM0_VNUMA_OFF,
	XNH_DOM0_VNUMA_STOCK,
};

static inline enum xnh_dom0_vnuma xnh_expect_dom0_vnuma(void)
{
	char buf[16];

	if (xnh_expect_get("DOM0_VNUMA", buf, sizeof(buf)))
		return XNH_DOM0_VNUMA_UNKNOWN;
	if (!strcmp(buf, "on"))
		return XNH_DOM0_VNUMA_ON;
	if (!strcmp(buf, "off"))
		return XNH_DOM0_VNUMA_OFF;
	if (!strcmp(buf, "stock"))
		return XNH_DOM0_VNUMA_STOCK;
	return XNH_DOM0_VNUMA_UNKNOWN;
}

/*
 * Does Xen run FLASK with the rig's policy (XSM=flask)?  Without the key
 * (a run by hand, an older rig), the dummy module: no.
 */
static inline int xnh_expect_flask(void)
{
	char buf[16];

	return !xnh_expect_get("XSM", buf, sizeof(buf)) && !strcmp(buf, "flask");
}

/*
 * Does dom0 get nodes for host frames in this boot, so that the backends
 * place queues and the in-kernel API answers nodes?  The patched Xen, dom0
 * vNUMA on, and no FLASK policy denying dom0 the ops.
 */
static inline int xnh_expect_backends_placed(void)
{
	char variant[32];

	if (xnh_expect_get("XEN_VARIANT", variant, sizeof(variant)))
		return 0;
	return !strcmp(variant, "patched") && !xnh_expect_flask() &&
	       xnh_expect_dom0_vnuma() == XNH_DOM0_VNUMA_ON;
}

#endif /* XNH_EXPECT_H */
