// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel API of xen-numa-hints (<xen/numa_hints.h>), called by a
 * kernel module, in a real dom0 on a real Xen, as root.
 *
 * The test module xnh_api_test.ko (api_test/, installed next to this
 * program) resolves the API with symbol_get(), as a backend that must
 * load without xen-numa-hints does, and runs a case when its name is
 * written to /sys/module/xnh_api_test/parameters/run (see the module's
 * comment).  This program tells it what to expect, from the rig's
 * topology and nothing dom0 reports:
 *   - dom0 vNUMA on (patched Xen, DOM0_VNUMA=on, no FLASK): pages
 *     allocated on a node are answered that node and placed there; host
 *     frames one MiB inside each PXM_MEM range are answered their PXM
 *     (dom0's node ids are the host's PXMs by design);
 *   - anything else: no node for anything, verdict "unavailable".
 * Frames that are not RAM (the local APIC page, 1 << 40) are answered no
 * node everywhere.
 *
 * Cases: "loaded" (every function, from process context, with interrupts
 * off, from a timer and from an irq_work; the per-domain view's entries
 * as /proc/driver/xen_numa_domains shows them), and "absent": xen-numa-hints
 * unloaded (which must succeed: no caller holds it between calls), the
 * wrappers a backend calls answer "unavailable", then it is loaded again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "xnh_dom0.h"

#define PARAMS		"/sys/module/xnh_api_test/parameters"

/* Run a case; 0 or the errno the write failed with; @result says more. */
static int run_case(const char *name, char *result, size_t len)
{
	int err = xnh_write(PARAMS "/run", name);

	if (xnh_read_line(PARAMS "/result", result, len))
		snprintf(result, len, "(no result)");
	return err;
}

#define MIN_SHARE	"/sys/module/xen_numa_hints/parameters/min_share"

FIXTURE(api) {
	int placed;
	char min_share[16];	/* to restore */
};

FIXTURE_SETUP(api)
{
	char cmd[1024], dir[PATH_MAX], mfns[700];
	ssize_t n;
	int rc;

	rc = system("modprobe xen-numa-hints");
	ASSERT_EQ(0, rc) TH_LOG("modprobe xen-numa-hints failed: status %d", rc);
	/* the module's votes are checked at the default threshold */
	ASSERT_EQ(0, xnh_read_line(MIN_SHARE, self->min_share,
				   sizeof(self->min_share)));
	ASSERT_EQ(0, xnh_write(MIN_SHARE, "50"));
	self->placed = xnh_expect_backends_placed();
	ASSERT_EQ(0, xnh_api_mfns_param(mfns, sizeof(mfns), self->placed))
		TH_LOG("no usable PXM_MEM in %s", XNH_EXPECT_PATH);
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	ASSERT_LT(0, n);
	dir[n] = '\0';
	snprintf(cmd, sizeof(cmd), "insmod %s/xnh_api_test.ko expect=%s mfns=%s",
		 dirname(dir), self->placed ? "placed" : "unavailable", mfns);
	rc = system(cmd);
	ASSERT_EQ(0, rc) TH_LOG("%s: status %d", cmd, rc);
}

FIXTURE_TEARDOWN(api)
{
	if (system("rmmod xnh_api_test"))
		TH_LOG("rmmod xnh_api_test failed");
	if (self->min_share[0] && xnh_write(MIN_SHARE, self->min_share))
		TH_LOG("cannot restore min_share %s", self->min_share);
}

/* Every function from every context its kernel-doc allows. */
TEST_F(api, loaded)
{
	char result[300];
	int err = run_case("loaded", result, sizeof(result));

	EXPECT_EQ(0, err) TH_LOG("%s", result);
	EXPECT_EQ(0, strncmp(result, "ok: loaded", 10)) TH_LOG("%s", result);
}

/* Without the module, a backend's wrappers answer and nothing pins it. */
TEST_F(api, absent)
{
	char result[300];
	int rc, err;

	rc = system("rmmod xen_numa_hints");
	ASSERT_EQ(0, rc) TH_LOG("rmmod xen_numa_hints: status %d", rc);
	err = run_case("absent", result, sizeof(result));
	rc = system("modprobe xen-numa-hints");
	EXPECT_EQ(0, err) TH_LOG("%s", result);
	EXPECT_EQ(0, strncmp(result, "ok: absent", 10)) TH_LOG("%s", result);
	ASSERT_EQ(0, rc) TH_LOG("modprobe xen-numa-hints again: status %d", rc);
	/* and with it back, the API answers again */
	err = run_case("loaded", result, sizeof(result));
	EXPECT_EQ(0, err) TH_LOG("%s", result);
}

/* A case the module does not know is refused, and says nothing passed. */
TEST_F(api, unknown_case_is_refused)
{
	char result[300];

	EXPECT_EQ(-EINVAL, run_case("bogus", result, sizeof(result)));
	EXPECT_STREQ("unknown case 'bogus'", result);
}

/* min_share is a percentage: 100 and garbage are refused, 0..99 taken. */
TEST_F(api, min_share_is_checked)
{
	char buf[16];

	EXPECT_EQ(-ERANGE, xnh_write(MIN_SHARE, "100"));
	EXPECT_EQ(-EINVAL, xnh_write(MIN_SHARE, "half"));
	EXPECT_EQ(0, xnh_write(MIN_SHARE, "99"));
	ASSERT_EQ(0, xnh_read_line(MIN_SHARE, buf, sizeof(buf)));
	EXPECT_STREQ("99", buf);
	EXPECT_EQ(0, xnh_write(MIN_SHARE, "0"));
	ASSERT_EQ(0, xnh_read_line(MIN_SHARE, buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
}

TEST_HARNESS_MAIN
