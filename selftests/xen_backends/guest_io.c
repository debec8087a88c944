// SPDX-License-Identifier: GPL-2.0
/*
 * In the rig's guest: traffic through the backends dom0 placed, before and
 * after the frontends reconnect.  The guest pings dom0 over the rig's
 * bridge (dom0 is 10.70.0.1 on xnhbr0, rig/vm/dom0-init), and writes,
 * syncs and reads back a part of its disk with O_DIRECT, so that every
 * byte goes through blkfront and dom0's blkback.  Then it unbinds and
 * rebinds xen-netfront, which makes netback disconnect and connect again
 * (and so ask again where the rings are: dom0's xen_backend_lifecycle
 * checks that), and does both again.  It
 * waits for dom0 to say go first (xenstore "xnh/reconnect" in the guest's
 * own directory): dom0's tests reload xen-numa-hints, which forgets the
 * queues it was told about, and the reconnect must come after that.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include "kselftest_harness.h"

#define GUEST_IP	"10.70.0.2/24"
#define DOM0_IP		"10.70.0.1"
#define DISK		"/dev/xvda"
#define IO_OFFSET	1048576
#define IO_BYTES	1048576
#define WAIT_SECONDS	120
#define GO_SECONDS	900	/* dom0's tests run first */
#define XENBUS		"/proc/xen/xenbus"
#define XS_READ		2	/* xs_wire.h: enum xsd_sockmsg_type */
#define XS_ERROR	16

/* The frontend's network interface: the first one that is not lo. */
static int net_if(char *name, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/net");
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (d = readdir(dir)))
		if (d->d_name[0] != '.' && strcmp(d->d_name, "lo")) {
			snprintf(name, len, "%.*s", (int)len - 1, d->d_name);
			found = 1;
		}
	closedir(dir);
	return found;
}

static int sh(const char *fmt, const char *arg)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

/* Address the interface (again: a rebound netfront is a new device). */
static int net_up(struct __test_metadata *_metadata)
{
	char ifname[64];
	int t;

	for (t = 0; t < WAIT_SECONDS && !net_if(ifname, sizeof(ifname)); t++)
		sleep(1);
	if (t == WAIT_SECONDS) {
		TH_LOG("no network interface after %d s", WAIT_SECONDS);
		return -1;
	}
	sh("ip addr flush dev %s", ifname);
	if (sh("ip addr add " GUEST_IP " dev %s", ifname) ||
	    sh("ip link set %s up", ifname)) {
		TH_LOG("cannot address %s", ifname);
		return -1;
	}
	TH_LOG("%s is " GUEST_IP, ifname);
	return 0;
}

static int ping_dom0(struct __test_metadata *_metadata)
{
	/* -w: the first replies wait for ARP and for the bridge to forward */
	int rc = system("ping -q -c 3 -w 60 " DOM0_IP);

	if (rc)
		TH_LOG("ping " DOM0_IP " failed: %d", rc);
	return rc;
}

/* A pattern nobody wrote before: this run's seed in every word. */
static void fill(unsigned int *buf, size_t bytes, unsigned int seed)
{
	size_t i;

	for (i = 0; i < bytes / sizeof(*buf); i++)
		buf[i] = seed ^ (unsigned int)(i * 2654435761u);
}

static int disk_round_trip(struct __test_metadata *_metadata)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	void *out = NULL, *in = NULL;
	int fd, rc = -1;
	ssize_t n;

	if (posix_memalign(&out, 4096, IO_BYTES) ||
	    posix_memalign(&in, 4096, IO_BYTES))
		goto out;
	fill(out, IO_BYTES, seed);
	memset(in, 0, IO_BYTES);

	fd = open(DISK, O_RDWR | O_DIRECT);
	if (fd < 0) {
		TH_LOG("open %s: %s", DISK, strerror(errno));
		goto out;
	}
	n = pwrite(fd, out, IO_BYTES, IO_OFFSET);
	if (n != IO_BYTES || fsync(fd)) {
		TH_LOG("write or sync of %s: %zd, %s", DISK, n, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);

	fd = open(DISK, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		TH_LOG("reopen %s: %s", DISK, strerror(errno));
		goto out;
	}
	n = pread(fd, in, IO_BYTES, IO_OFFSET);
	close(fd);
	if (n != IO_BYTES) {
		TH_LOG("read of %s: %zd, %s", DISK, n, strerror(errno));
		goto out;
	}
	rc = memcmp(in, out, IO_BYTES) ? -1 : 0;
	if (rc)
		TH_LOG("%s read back other data than was written", DISK);
out:
	free(out);
	free(in);
	return rc;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		rc = -errno;
	close(fd);
	return rc;
}

/* Unbind the frontend @dev from xenbus driver @drv and bind it again. */
static int rebind(struct __test_metadata *_metadata, const char *drv,
		  const char *dev)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/sys/bus/xen/drivers/%s/unbind", drv);
	rc = write_str(path, dev);
	if (rc) {
		TH_LOG("%s < %s: %s", path, dev, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "/sys/bus/xen/drivers/%s/bind", drv);
	rc = write_str(path, dev);
	if (rc)
		TH_LOG("%s < %s: %s", path, dev, strerror(-rc));
	return rc;
}

static int disk_back(void)
{
	struct stat st;
	int t;

	for (t = 0; t < WAIT_SECONDS; t++) {
		if (!stat(DISK, &st) && S_ISBLK(st.st_mode))
			return 0;
		sleep(1);
	}
	return -1;
}

/* xs_wire.h's message header */
struct xs_msg {
	__u32 type, req_id, tx_id, len;
};

/*
 * Read @path (relative: under this domain's own directory) from xenstore
 * through xenfs; 0 with @val, or -1 (no such node, or no xenbus).
 */
static int xs_read(const char *path, char *val, size_t len)
{
	struct xs_msg m = { .type = XS_READ, .len = strlen(path) + 1 };
	char buf[sizeof(m) + 256];
	int fd = open(XENBUS, O_RDWR), rc = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), path, m.len);
	if (write(fd, buf, sizeof(m) + m.len) != (ssize_t)(sizeof(m) + m.len))
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < (ssize_t)sizeof(m))
		goto out;
	memcpy(&m, buf, sizeof(m));
	if (m.type == XS_ERROR || m.len > n - sizeof(m))
		goto out;
	snprintf(val, len, "%.*s", (int)m.len, buf + sizeof(m));
	rc = 0;
out:
	close(fd);
	return rc;
}

static int wait_for_go(struct __test_metadata *_metadata)
{
	char val[16];
	int t;

	for (t = 0; t < GO_SECONDS; t++) {
		if (!xs_read("xnh/reconnect", val, sizeof(val)) &&
		    !strcmp(val, "go"))
			return 0;
		sleep(1);
	}
	TH_LOG("dom0 never wrote xnh/reconnect=go in %d s", GO_SECONDS);
	return -1;
}

/* Each case may wait for ARP, a reconnect, a slow emulated disk. */
FIXTURE(io) {
	int unused;
};

FIXTURE_SETUP(io)
{
}

FIXTURE_TEARDOWN(io)
{
}

TEST_F_TIMEOUT(io, ping_dom0_over_the_bridge, 180)
{
	ASSERT_EQ(0, net_up(_metadata));
	EXPECT_EQ(0, ping_dom0(_metadata));
}

TEST_F_TIMEOUT(io, disk_write_sync_read, 120)
{
	EXPECT_EQ(0, disk_round_trip(_metadata));
}

/*
 * Only netfront is rebound: a rebound blkfront never reconnected in the
 * 3+1-big boot (twice in two boots; it did in 2node and stock-2node),
 * which is not understood yet (docs/backends.md, "Not done yet").
 */
TEST_F_TIMEOUT(io, netfront_reconnects_and_works, GO_SECONDS + 600)
{
	ASSERT_EQ(0, wait_for_go(_metadata));
	ASSERT_EQ(0, rebind(_metadata, "vif", "vif-0"));
	ASSERT_EQ(0, net_up(_metadata));
	EXPECT_EQ(0, ping_dom0(_metadata));
	ASSERT_EQ(0, disk_back()) TH_LOG("%s is gone", DISK);
	EXPECT_EQ(0, disk_round_trip(_metadata));
}

TEST_HARNESS_MAIN
