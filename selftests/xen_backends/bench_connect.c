// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (make bench; never a test): what asking xen-numa-hints adds to
 * a netback connect.  In dom0, once the rig's guest has finished its own
 * tests, a vif is attached to the guest and detached again, ROUNDS times
 * with xen-numa-hints loaded (every queue asks and is placed) and ROUNDS
 * times without it (the backends' optional calls answer "unavailable" and
 * do what they did before), alternating.  Each connect is timed from
 * `xl network-attach` until the backend's xenstore state is Connected, so
 * it includes the toolstack, the hotplug script and the guest's netfront:
 * the ratio is what an operator would see, not the cost of the hypercall
 * alone.
 *
 * Reports, one "name value unit" line each: the median connect with and
 * without the hints, and their ratio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GUEST_NAME	"xnh-guest"
#define GUEST_LOG	"/var/log/xen/console/guest-" GUEST_NAME ".log"
#define ROUNDS		5
#define WAIT_MS		120000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The benchmarks after this one want xen-numa-hints loaded. */
static void die(const char *what)
{
	fprintf(stderr, "bench_connect: %s\n", what);
	if (system("modprobe xen-numa-hints"))
		fprintf(stderr, "bench_connect: modprobe xen-numa-hints failed\n");
	exit(1);
}

static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	return pclose(p);
}

/* The highest vif device id of @domid in xenstore, or -1. */
static int last_vif(int domid)
{
	char cmd[128], out[512], *tok, *save;
	int max = -1;

	snprintf(cmd, sizeof(cmd),
		 "xenstore-list /local/domain/0/backend/vif/%d 2>/dev/null", domid);
	if (run(cmd, out, sizeof(out)))
		return -1;
	for (tok = strtok_r(out, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save))
		if (atoi(tok) > max)
			max = atoi(tok);
	return max;
}

static int vif_state(int domid, int dev)
{
	char cmd[128], out[16];

	snprintf(cmd, sizeof(cmd),
		 "xenstore-read /local/domain/0/backend/vif/%d/%d/state 2>/dev/null",
		 domid, dev);
	return run(cmd, out, sizeof(out)) ? -1 : atoi(out);
}

/* Attach a vif, time it to Connected, detach it; ms or a negative errno. */
static double one_connect(int domid)
{
	char cmd[128];
	double t0, t;
	int dev, before = last_vif(domid);

	t0 = now_ms();
	if (run("xl network-attach " GUEST_NAME " script=/opt/xnh/hotplug-vif", NULL, 0))
		return -EIO;
	dev = last_vif(domid);
	if (dev <= before)
		return -ENOENT;
	while (vif_state(domid, dev) != 4) {
		if (now_ms() - t0 > WAIT_MS)
			return -ETIMEDOUT;
		usleep(5000);
	}
	t = now_ms() - t0;
	snprintf(cmd, sizeof(cmd), "xl network-detach " GUEST_NAME " %d", dev);
	if (run(cmd, NULL, 0))
		return -EIO;
	return t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double with[ROUNDS], without[ROUNDS], t;
	char out[64];
	int domid, r, i;

	/* the guest's own tests rebind its frontends: wait for them */
	/* well inside dom0-init's 600 s for a benchmark */
	for (i = 0; i < 300; i++) {
		if (!run("grep -q XNH-GUEST-DONE " GUEST_LOG, NULL, 0))
			break;
		sleep(1);
	}
	if (i == 300)
		die("the guest never finished its tests");
	if (run("xl domid " GUEST_NAME, out, sizeof(out)))
		die("no guest " GUEST_NAME);
	domid = atoi(out);
	for (r = 0; r < 2 * ROUNDS; r++) {
		/* even rounds with the hints, odd ones without */
		const char *cmd = r % 2 ? "rmmod xen_numa_hints" : "modprobe xen-numa-hints";

		if (run(cmd, NULL, 0))
			die(cmd);
		t = one_connect(domid);
		if (t < 0)
			die("a vif did not connect");
		(r % 2 ? without : with)[r / 2] = t;
	}
	if (run("modprobe xen-numa-hints", NULL, 0))
		die("modprobe xen-numa-hints failed");
	qsort(with, ROUNDS, sizeof(*with), cmp);
	qsort(without, ROUNDS, sizeof(*without), cmp);
	printf("vif_connect_with_hints %.1f ms (median of %d)\n", with[ROUNDS / 2], ROUNDS);
	printf("vif_connect_without_hints %.1f ms (median of %d)\n",
	       without[ROUNDS / 2], ROUNDS);
	printf("vif_connect_with_against_without %.3f x\n",
	       with[ROUNDS / 2] / without[ROUNDS / 2]);
	return 0;
}
