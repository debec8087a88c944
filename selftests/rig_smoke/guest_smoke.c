// SPDX-License-Identifier: GPL-2.0
/*
 * Runs inside the rig's unprivileged PVH guest: the guest is PVH and its
 * frontends found the disk and the network interface that dom0 serves.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

TEST(guest_is_pvh)
{
	char buf[32] = "";
	FILE *f = fopen("/sys/hypervisor/guest_type", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("PVH\n", buf);
}

TEST(guest_has_xvda_and_eth0)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/xvda", &st));
	EXPECT_TRUE(S_ISBLK(st.st_mode));
	EXPECT_EQ(0, stat("/sys/class/net/eth0", &st));
}

TEST_HARNESS_MAIN
