// SPDX-License-Identifier: GPL-2.0
/*
 * The patched backends over a guest's life, in dom0, as root, run by
 * rig/vm/dom0-init after the guest's own tests (guest_io) are done:
 *
 *  - the guest unbound and rebound xen-netfront, so every netback queue
 *    connected twice: each asked again (two "ring placement" lines) and
 *    got the same answer, and the per-domain view lists the queues of the
 *    second connect only, with live kthreads (blkback's rings, not
 *    rebound, once, and in the view);
 *  - the guest is destroyed: no kthread of its backends, no view line and
 *    no backend directory in xenstore is left;
 *  - with no guest, the backends and xen-numa-hints unload and load again,
 *    from updates/, and the hints module comes back in the same state.
 *
 * Where the first connect was placed is xen_backend_placement's business;
 * this test holds the second to the first.  The cases run in this order
 * and each needs the one before.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "backends.h"

#define GUEST_NAME	"xnh-guest"
#define STATUS_FILE	"/sys/kernel/xen_numa/status"
#define WAIT_SECONDS	60

static int read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int pid_alive(int pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return pid > 0 && !access(path, F_OK);
}

/*
 * Each queue or ring of @key connected @connects times, every connect
 * said what the first said, and the view has the last connect's queues
 * if @want_in_view; none for queues that last connected before
 * xnh_api_test reloaded xen-numa-hints, which forgets them and is not
 * told again (docs/backends.md, "Not done yet").
 */
static void check_connects(struct __test_metadata *_metadata, int domid,
			   const char *key, const char *backend, int connects,
			   int want_in_view)
{
	struct placement pl[MAX_QUEUES];
	struct view_line v[2 * MAX_QUEUES];
	int n = read_placements(domid, key, pl, MAX_QUEUES);
	int nv = read_view(domid, v, 2 * MAX_QUEUES);
	int i, j, in_view = 0;

	ASSERT_LT(0, n) TH_LOG("no '%s' placement line for d%d", key, domid);
	ASSERT_LE(0, nv) TH_LOG("cannot read " DOMAINS_FILE);
	for (i = 0; i < n; i++) {
		TH_LOG("d%d %s %d: %d connects, first %s node %d, last %s node %d",
		       domid, key, pl[i].id, pl[i].connects, pl[i].first_verdict,
		       pl[i].first_node, pl[i].verdict, pl[i].node);
		EXPECT_EQ(connects, pl[i].connects);
		EXPECT_STREQ(pl[i].first_verdict, pl[i].verdict);
		EXPECT_EQ(pl[i].first_node, pl[i].node);
	}
	for (j = 0; j < nv; j++) {
		if (strcmp(v[j].backend, backend))
			continue;
		in_view++;
		for (i = 0; i < n && pl[i].id != v[j].id; i++)
			;
		EXPECT_LT(i, n) TH_LOG("view: %s q%d has no placement line",
				       backend, v[j].id);
		if (i == n)
			continue;
		EXPECT_STREQ(pl[i].verdict, v[j].verdict);
		EXPECT_EQ(pl[i].node, v[j].node);
		EXPECT_LT(0, v[j].nr_pids);
		for (i = 0; i < v[j].nr_pids; i++)
			EXPECT_TRUE(pid_alive(v[j].pids[i]))
				TH_LOG("view: %s q%d lists kthread %d, gone",
				       backend, v[j].id, v[j].pids[i]);
		EXPECT_STREQ(strcmp(v[j].verdict, "placed") ? "-" : "yes",
			     v[j].local);
	}
	/* one line per queue: the first connect's entries left the view */
	EXPECT_EQ(want_in_view ? n : 0, in_view);
}

/* Each case runs in a child of its own: the guest is looked up in each. */
FIXTURE(life) {
	int domid;
};

FIXTURE_SETUP(life)
{
	char out[64];

	self->domid = -1;
	if (!run_cmd("xl domid " GUEST_NAME " 2>/dev/null", out, sizeof(out)))
		self->domid = atoi(out);
}

FIXTURE_TEARDOWN(life)
{
}

TEST_F(life, reconnect_placed_again)
{
	ASSERT_LT(0, self->domid) TH_LOG("no guest %s", GUEST_NAME);
	/* guest_io rebinds netfront only (see there) */
	check_connects(_metadata, self->domid, "queue", "vif", 2, 1);
	check_connects(_metadata, self->domid, "ring", "vbd", 1, 0);
}

static int leftovers(int domid, char *what, size_t len)
{
	struct view_line v[2 * MAX_QUEUES];
	int pids[8], nn, nb, nv;
	char cmd[192], out[256];

	nn = backend_pids(domid, 'n', pids, 8);
	nb = backend_pids(domid, 'b', pids, 8);
	nv = read_view(domid, v, 2 * MAX_QUEUES);
	snprintf(cmd, sizeof(cmd),
		 "xenstore-list /local/domain/0/backend/vif/%d 2>/dev/null; "
		 "xenstore-list /local/domain/0/backend/vbd/%d 2>/dev/null",
		 domid, domid);
	if (run_cmd(cmd, out, sizeof(out)) < 0)
		out[0] = '\0';
	snprintf(what, len, "%d netback and %d blkback kthreads, %d view lines, xenstore '%s'",
		 nn, nb, nv, out);
	return nn || nb || nv || out[0];
}

TEST_F_TIMEOUT(life, destroy_leaves_nothing, 120)
{
	char what[512];
	int t;

	ASSERT_LT(0, self->domid) TH_LOG("no guest %s", GUEST_NAME);
	ASSERT_EQ(0, system("xl destroy " GUEST_NAME));
	for (t = 0; t < WAIT_SECONDS && leftovers(self->domid, what, sizeof(what)); t++)
		sleep(1);
	TH_LOG("d%d destroyed; after %d s: %s", self->domid, t, what);
	EXPECT_EQ(0, leftovers(self->domid, what, sizeof(what)));
}

/* Where modprobe finds @mod: updates/ holds the patched backends. */
static int module_path(const char *mod, char *path, size_t len)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "modinfo -n %s", mod);
	if (run_cmd(cmd, path, len))
		return -1;
	path[strcspn(path, "\n")] = '\0';
	return 0;
}

TEST_F_TIMEOUT(life, modules_unload_and_reload, 120)
{
	static const char * const mods[] = {
		"xen-netback", "xen-blkback", "xen_numa_hints",
	};
	char before[64], after[64], path[256];
	unsigned int i;

	ASSERT_GT(0, self->domid) TH_LOG("guest d%d still runs", self->domid);
	ASSERT_EQ(0, read_first_line(STATUS_FILE, before, sizeof(before)));
	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "modprobe -r %s", mods[i]);
		EXPECT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
	}
	EXPECT_NE(0, access(STATUS_FILE, F_OK)) TH_LOG("xen-numa-hints still loaded");
	EXPECT_NE(0, access("/sys/module/xen_netback", F_OK));
	EXPECT_NE(0, access("/sys/module/xen_blkback", F_OK));
	/* the rig loads the hints first (rig/vm/dom0-init) */
	for (i = ARRAY_SIZE(mods); i-- > 0;) {
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "modprobe %s", mods[i]);
		EXPECT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
		ASSERT_EQ(0, module_path(mods[i], path, sizeof(path)));
		EXPECT_NE(NULL, strstr(path, "/updates/")) TH_LOG("%s: %s", mods[i], path);
	}
	ASSERT_EQ(0, read_first_line(STATUS_FILE, after, sizeof(after)));
	TH_LOG("xen-numa-hints: %s before, %s after", before, after);
	EXPECT_STREQ(before, after);
	EXPECT_EQ(0, access(DOMAINS_FILE, F_OK));
	EXPECT_EQ(0, access("/sys/module/xen_netback", F_OK));
	EXPECT_EQ(0, access("/sys/module/xen_blkback", F_OK));
}

TEST_HARNESS_MAIN
