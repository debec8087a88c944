// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/xen_numa: whether hints work and why, dom0's PXM -> node
 * map, counters and the cache flush, one value per file; see
 * docs/ABI/testing/sysfs-kernel-xen_numa.  Files that reveal the host's
 * topology are readable by root only.  The per-domain view, a table, is
 * not here but in /proc/driver/xen_numa_domains (numa-hints-domains.c).
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "numa-hints-internal.h"

static struct kobject *xnh_kobj;

static ssize_t status_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", xnh_status_name(xnh.status));
}

static ssize_t reason_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", xnh.reason);
}

static ssize_t mfn_op_probe_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	if (!xnh.probed)
		return -ENODATA;
	return sysfs_emit(buf, "%d\n", xnh.mfn_probe);
}

static ssize_t gfn_op_probe_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	if (!xnh.probed)
		return -ENODATA;
	return sysfs_emit(buf, "%d\n", xnh.gfn_probe);
}

static ssize_t cache_entries_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", xnh_cache_entries());
}

static ssize_t cache_flush_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	bool flush;

	if (kstrtobool(buf, &flush) || !flush)
		return -EINVAL;
	xnh_cache_flush_all();
	return count;
}

static struct kobj_attribute status_attr = __ATTR_RO(status);
static struct kobj_attribute reason_attr = __ATTR_RO(reason);
static struct kobj_attribute mfn_op_probe_attr = __ATTR_RO(mfn_op_probe);
static struct kobj_attribute gfn_op_probe_attr = __ATTR_RO(gfn_op_probe);
static struct kobj_attribute cache_entries_attr = __ATTR_RO(cache_entries);
static struct kobj_attribute cache_flush_attr = __ATTR_WO(cache_flush);

static struct attribute *xnh_attrs[] = {
	&status_attr.attr,
	&reason_attr.attr,
	&mfn_op_probe_attr.attr,
	&gfn_op_probe_attr.attr,
	&cache_entries_attr.attr,
	&cache_flush_attr.attr,
	NULL
};

static const struct attribute_group xnh_group = {
	.attrs = xnh_attrs,
};

/* counters/: totals since load, never reset; tests work with deltas. */
struct xnh_counter_attr {
	struct kobj_attribute kattr;
	enum xnh_counter counter;
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct xnh_counter_attr *ca =
		container_of(attr, struct xnh_counter_attr, kattr);

	return sysfs_emit(buf, "%llu\n", xnh_counter_read(ca->counter));
}

#define XNH_COUNTER_ATTR(_name, _counter) {				\
	.kattr = __ATTR(_name, 0444, counter_show, NULL),		\
	.counter = (_counter),						\
}

static struct xnh_counter_attr xnh_counter_attrs[] = {
	XNH_COUNTER_ATTR(hypercalls, XNH_HYPERCALLS),
	XNH_COUNTER_ATTR(frames, XNH_FRAMES),
	XNH_COUNTER_ATTR(cache_hits, XNH_CACHE_HITS),
	XNH_COUNTER_ATTR(cache_misses, XNH_CACHE_MISSES),
	XNH_COUNTER_ATTR(invalid_frames, XNH_INVALID_FRAMES),
	XNH_COUNTER_ATTR(no_node_frames, XNH_NO_NODE_FRAMES),
	XNH_COUNTER_ATTR(errors, XNH_ERRORS),
	XNH_COUNTER_ATTR(map_rereads, XNH_MAP_REREADS),
};

static struct attribute *xnh_counter_list[] = {
	&xnh_counter_attrs[0].kattr.attr,
	&xnh_counter_attrs[1].kattr.attr,
	&xnh_counter_attrs[2].kattr.attr,
	&xnh_counter_attrs[3].kattr.attr,
	&xnh_counter_attrs[4].kattr.attr,
	&xnh_counter_attrs[5].kattr.attr,
	&xnh_counter_attrs[6].kattr.attr,
	&xnh_counter_attrs[7].kattr.attr,
	NULL
};

static const struct attribute_group xnh_counter_group = {
	.name = "counters",
	.attrs = xnh_counter_list,
};

/* pxm_to_node/<pxm>: one root-only file per PXM that maps to a dom0 node. */
struct xnh_pxm_attr {
	struct kobj_attribute kattr;
	unsigned int pxm;
	char name[12];
};

static struct xnh_pxm_attr *xnh_pxm_attrs;
static struct attribute **xnh_pxm_list;
static struct attribute_group xnh_pxm_group = {
	.name = "pxm_to_node",
};

static ssize_t pxm_node_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct xnh_pxm_attr *pa = container_of(attr, struct xnh_pxm_attr, kattr);

	return sysfs_emit(buf, "%d\n", xnh_pxm_map_node(xnh.map, pa->pxm));
}

static int xnh_pxm_files_build(void)
{
	/* A node may come online meanwhile: never fill more than this. */
	unsigned int nr = READ_ONCE(xnh.map->nr_mapped), pxm, i = 0;

	xnh_pxm_attrs = kcalloc(nr, sizeof(*xnh_pxm_attrs), GFP_KERNEL);
	/* An empty list still makes the (empty) directory. */
	xnh_pxm_list = kcalloc(nr + 1, sizeof(*xnh_pxm_list), GFP_KERNEL);
	if (!xnh_pxm_list || (nr && !xnh_pxm_attrs))
		return -ENOMEM;

	for (pxm = xnh_pxm_map_next(xnh.map, 0); pxm < xnh.map->nr && i < nr;
	     pxm = xnh_pxm_map_next(xnh.map, pxm + 1)) {
		struct xnh_pxm_attr *pa = &xnh_pxm_attrs[i];

		pa->pxm = pxm;
		snprintf(pa->name, sizeof(pa->name), "%u", pxm);
		sysfs_attr_init(&pa->kattr.attr);
		pa->kattr.attr.name = pa->name;
		pa->kattr.attr.mode = 0400;
		pa->kattr.show = pxm_node_show;
		xnh_pxm_list[i++] = &pa->kattr.attr;
	}
	xnh_pxm_group.attrs = xnh_pxm_list;
	return 0;
}

static void xnh_pxm_files_free(void)
{
	kfree(xnh_pxm_list);
	kfree(xnh_pxm_attrs);
	xnh_pxm_list = NULL;
	xnh_pxm_attrs = NULL;
}

static const struct attribute_group *xnh_groups[] = {
	&xnh_group,
	&xnh_counter_group,
	&xnh_pxm_group,
	NULL
};

int xnh_sysfs_init(void)
{
	int rc;

	rc = xnh_pxm_files_build();
	if (rc)
		goto err_pxm;
	xnh_kobj = kobject_create_and_add("xen_numa", kernel_kobj);
	if (!xnh_kobj) {
		rc = -ENOMEM;
		goto err_pxm;
	}
	rc = sysfs_create_groups(xnh_kobj, xnh_groups);
	if (rc)
		goto err_groups;
	return 0;

err_groups:
	kobject_put(xnh_kobj);
	xnh_kobj = NULL;
err_pxm:
	xnh_pxm_files_free();
	pr_err("cannot create /sys/kernel/xen_numa: %pe\n", ERR_PTR(rc));
	return rc;
}

void xnh_sysfs_exit(void)
{
	sysfs_remove_groups(xnh_kobj, xnh_groups);
	kobject_put(xnh_kobj);
	xnh_kobj = NULL;
	xnh_pxm_files_free();
}
