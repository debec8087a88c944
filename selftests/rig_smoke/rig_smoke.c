// SPDX-License-Identifier: GPL-2.0
/*
 * Proves the rig itself from inside dom0: dom0 is a PVH hardware domain on
 * Xen 4.20, the toolstack answers, Xen reports as many NUMA nodes as the
 * topology variable asked for, and the rig's guest has its vif and vbd
 * Connected (xenbus state 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/xnh_expect.h"

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = !!fgets(buf, len, f);
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Run @cmd and return the first line of its output in @buf. */
static int run_cmd(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p)
		return -1;
	ok = !!fgets(buf, len, p);
	if (pclose(p) != 0 || !ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

TEST(dom0_is_a_pvh_hardware_domain)
{
	char buf[256];

	ASSERT_EQ(0, read_file("/sys/hypervisor/guest_type", buf, sizeof(buf)));
	EXPECT_STREQ("PVH", buf);
	ASSERT_EQ(0, read_file("/proc/xen/capabilities", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "control_d"));
}

TEST(hypervisor_is_xen_4_20)
{
	char major[16], minor[16];

	ASSERT_EQ(0, read_file("/sys/hypervisor/version/major", major, sizeof(major)));
	ASSERT_EQ(0, read_file("/sys/hypervisor/version/minor", minor, sizeof(minor)));
	EXPECT_STREQ("4", major);
	EXPECT_STREQ("20", minor);
}

TEST(toolstack_reports_requested_nodes)
{
	long want = xnh_expect_long("NR_NODES", -1);
	char buf[256];

	ASSERT_LT(0, want) TH_LOG("no NR_NODES in %s", XNH_EXPECT_PATH);
	ASSERT_EQ(0, run_cmd("xl info | sed -n 's/^nr_nodes *: *//p'", buf, sizeof(buf)))
		TH_LOG("xl info did not answer");
	EXPECT_EQ(want, strtol(buf, NULL, 10));
	ASSERT_EQ(0, run_cmd("xl info | sed -n 's/^nr_cpus *: *//p'", buf, sizeof(buf)));
	EXPECT_EQ(xnh_expect_long("NR_CPUS", -1), strtol(buf, NULL, 10));
}

TEST(dom0_has_a_vcpu_per_host_cpu)
{
	EXPECT_EQ(xnh_expect_long("NR_CPUS", -1), sysconf(_SC_NPROCESSORS_ONLN));
}

TEST(guest_backends_connected)
{
	char domid[32], cmd[256], state[32];

	ASSERT_EQ(0, run_cmd("xl domid xnh-guest", domid, sizeof(domid)))
		TH_LOG("the rig's guest is not running");
	snprintf(cmd, sizeof(cmd),
		 "xenstore-read /local/domain/0/backend/vif/%s/0/state", domid);
	ASSERT_EQ(0, run_cmd(cmd, state, sizeof(state)));
	EXPECT_STREQ("4", state);
	snprintf(cmd, sizeof(cmd),
		 "xenstore-read /local/domain/0/backend/vbd/%s/51712/state", domid);
	ASSERT_EQ(0, run_cmd(cmd, state, sizeof(state)));
	EXPECT_STREQ("4", state);
}

TEST_HARNESS_MAIN
