/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read the rig's /etc/xnh/expect: what the topology variable asked of the
 * emulated host, as KEY=VALUE lines (values may be single-quoted).  Header
 * only, so that each selftest stays one static binary.
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

#endif /* XNH_EXPECT_H */
