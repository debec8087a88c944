/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's own ACPI tables, as Linux exports them in /sys/firmware/acpi/tables
 * (root only): the SRAT (CPU and memory affinity), the SLIT (distances) and
 * the MADT (processor entries), parsed from the bytes with the layouts of
 * the ACPI specification (6.5: 5.2.16, 5.2.17, 5.2.12).  Header only, so
 * that each selftest stays one static binary.
 */
#ifndef XNH_ACPI_H
#define XNH_ACPI_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XNH_ACPI_TABLES		"/sys/firmware/acpi/tables"
#define XNH_ACPI_HDR_LEN	36
#define XNH_ACPI_MAX_ENTRIES	256

/* Little-endian fields at byte @off of @p. */
static inline unsigned int xnh_le32(const unsigned char *p, size_t off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 |
	       (unsigned int)p[off + 3] << 24;
}

static inline unsigned long long xnh_le64(const unsigned char *p, size_t off)
{
	return xnh_le32(p, off) | (unsigned long long)xnh_le32(p, off + 4) << 32;
}

/* One ACPI table read whole into a malloc()ed buffer. */
struct xnh_acpi_table {
	unsigned char *data;
	size_t len;
};

/*
 * Read table @sig; 0, -ENOENT if dom0 has no such table, -EBADMSG if its
 * length or checksum is wrong, or another -errno.
 */
static inline int xnh_acpi_read(const char *sig, struct xnh_acpi_table *t)
{
	char path[128];
	size_t cap = 4096, i;
	unsigned char sum = 0;
	FILE *f;

	t->data = NULL;
	t->len = 0;
	snprintf(path, sizeof(path), XNH_ACPI_TABLES "/%s", sig);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (;;) {
		unsigned char *d = realloc(t->data, cap);
		size_t got;

		if (!d) {
			fclose(f);
			return -ENOMEM;
		}
		t->data = d;
		got = fread(t->data + t->len, 1, cap - t->len, f);
		t->len += got;
		if (t->len < cap)
			break;
		cap *= 2;
	}
	fclose(f);
	if (t->len < XNH_ACPI_HDR_LEN || memcmp(t->data, sig, 4) ||
	    xnh_le32(t->data, 4) != t->len)
		return -EBADMSG;
	for (i = 0; i < t->len; i++)
		sum += t->data[i];
	return sum ? -EBADMSG : 0;
}

static inline void xnh_acpi_free(struct xnh_acpi_table *t)
{
	free(t->data);
	t->data = NULL;
}

/* --- SRAT ---------------------------------------------------------------- */

#define XNH_SRAT_FIRST		48	/* header, reserved u32, reserved u64 */
#define XNH_SRAT_LAPIC		0
#define XNH_SRAT_MEMORY		1
#define XNH_SRAT_X2APIC		2

/* A processor or memory affinity entry, enabled or not. */
struct xnh_srat_entry {
	unsigned int type;
	unsigned int pxm;
	unsigned int apic_id;			/* processor entries */
	unsigned long long start, end;		/* memory entries, [start, end) */
	int enabled;
};

/*
 * The SRAT's processor (local APIC, x2APIC) and memory entries in table
 * order into @e (at most @max); other types are skipped.  Returns the count,
 * or -EBADMSG for a malformed table.
 */
static inline int xnh_srat_parse(const struct xnh_acpi_table *t,
				 struct xnh_srat_entry *e, int max)
{
	const unsigned char *d = t->data;
	size_t off = XNH_SRAT_FIRST;
	int n = 0;

	while (off + 2 <= t->len) {
		unsigned int type = d[off], len = d[off + 1];

		if (len < 2 || off + len > t->len)
			return -EBADMSG;
		if (type <= XNH_SRAT_X2APIC && n == max)
			return -EBADMSG;
		if (type == XNH_SRAT_LAPIC) {
			if (len != 16)
				return -EBADMSG;
			e[n].type = type;
			/* PXM bits 7:0, then bits 31:8 at offset 9 */
			e[n].pxm = d[off + 2] | d[off + 9] << 8 |
				   d[off + 10] << 16 | d[off + 11] << 24;
			e[n].apic_id = d[off + 3];
			e[n].enabled = xnh_le32(d, off + 4) & 1;
			n++;
		} else if (type == XNH_SRAT_MEMORY) {
			if (len != 40)
				return -EBADMSG;
			e[n].type = type;
			e[n].pxm = xnh_le32(d, off + 2);
			e[n].start = xnh_le64(d, off + 8);
			e[n].end = e[n].start + xnh_le64(d, off + 16);
			e[n].enabled = xnh_le32(d, off + 28) & 1;
			n++;
		} else if (type == XNH_SRAT_X2APIC) {
			if (len != 24)
				return -EBADMSG;
			e[n].type = type;
			e[n].pxm = xnh_le32(d, off + 4);
			e[n].apic_id = xnh_le32(d, off + 8);
			e[n].enabled = xnh_le32(d, off + 12) & 1;
			n++;
		}
		off += len;
	}
	return off == t->len ? n : -EBADMSG;
}

/* --- SLIT ---------------------------------------------------------------- */

/* Localities of the SLIT, or 0 if malformed. */
static inline unsigned long long xnh_slit_count(const struct xnh_acpi_table *t)
{
	unsigned long long n;

	if (t->len < XNH_ACPI_HDR_LEN + 8)
		return 0;
	n = xnh_le64(t->data, XNH_ACPI_HDR_LEN);
	if (n > 65535 || t->len != XNH_ACPI_HDR_LEN + 8 + n * n)
		return 0;
	return n;
}

/* Distance from locality @i to @j (both below xnh_slit_count()). */
static inline unsigned int xnh_slit_distance(const struct xnh_acpi_table *t,
					     unsigned long long i,
					     unsigned long long j)
{
	return t->data[XNH_ACPI_HDR_LEN + 8 + i * xnh_slit_count(t) + j];
}

/* --- MADT ---------------------------------------------------------------- */

#define XNH_MADT_FIRST		44	/* header, LAPIC address, flags */
#define XNH_MADT_LAPIC		0
#define XNH_MADT_X2APIC		9

/* A processor entry of the MADT: local APIC or local x2APIC. */
struct xnh_madt_cpu {
	unsigned int type;
	unsigned int uid;	/* ACPI processor UID (processor ID for LAPIC) */
	unsigned int apic_id;
	unsigned int flags;	/* bit 0 enabled, bit 1 online capable */
};

/* The MADT's processor entries in table order; count or -EBADMSG. */
static inline int xnh_madt_cpus(const struct xnh_acpi_table *t,
				struct xnh_madt_cpu *c, int max)
{
	const unsigned char *d = t->data;
	size_t off = XNH_MADT_FIRST;
	int n = 0;

	while (off + 2 <= t->len) {
		unsigned int type = d[off], len = d[off + 1];

		if (len < 2 || off + len > t->len)
			return -EBADMSG;
		if ((type == XNH_MADT_LAPIC || type == XNH_MADT_X2APIC) &&
		    n == max)
			return -EBADMSG;
		if (type == XNH_MADT_LAPIC) {
			if (len != 8)
				return -EBADMSG;
			c[n].type = type;
			c[n].uid = d[off + 2];
			c[n].apic_id = d[off + 3];
			c[n].flags = xnh_le32(d, off + 4);
			n++;
		} else if (type == XNH_MADT_X2APIC) {
			if (len != 16)
				return -EBADMSG;
			c[n].type = type;
			c[n].apic_id = xnh_le32(d, off + 4);
			c[n].flags = xnh_le32(d, off + 8);
			c[n].uid = xnh_le32(d, off + 12);
			n++;
		}
		off += len;
	}
	return off == t->len ? n : -EBADMSG;
}

#endif /* XNH_ACPI_H */
