// SPDX-License-Identifier: GPL-2.0
/*
 * Where dom0's patched netback and blkback serve the rig's guest from, in a
 * real dom0 on a real Xen, as root, while the guest runs.
 *
 * The truth is Xen's: debug-key 'u' says how many of the guest's pages
 * each host node holds (rig/vm/dom0-init pins the guest's vCPUs to the
 * last PXM's CPUs, so that Xen puts its memory away from node 0, where
 * everything lands by accident).  The CPUs of a PXM come from the rig's
 * topology (PXM_CPUS; dom0's vCPU N runs on host CPU N), and where dom0
 * vNUMA is on dom0's node ids are the host's PXMs.
 *
 * Where dom0 vNUMA is on (and FLASK does not deny dom0 the op), every
 * queue of the vif and every ring of the vbd must be placed on the node
 * holding the guest's memory when one node holds at least 90% of it, and
 * on a node holding some of it otherwise; the kthreads of a placed queue
 * or ring may run only on its node's CPUs and its event-channel IRQs'
 * affinity is those CPUs.  Anywhere else nothing is
 * placed and nothing is restricted: every thread may run on every CPU,
 * every IRQ keeps the default affinity, as without the patches.
 *
 * xen-numa-hints' per-domain view, /proc/driver/xen_numa_domains, must
 * agree with all of that: one line per queue and ring of the guest, with
 * the vote its log line gave, the kthreads and IRQs found here, and
 * local=yes where the queue is placed; root only.  The view lives in the
 * module, so this test must run before anything reloads xen-numa-hints
 * (rig/vm/dom0-init runs xen_backends before xen_numa_hints, whose
 * xnh_api_test does).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/types.h>

#include "kselftest_harness.h"
#include "../lib/xnh_expect.h"
#include "backends.h"

#define GUEST_NAME	"xnh-guest"
#define HOME_SHARE	90	/* percent of the guest on one node to expect placement */
#define NOBODY		65534

/* The host CPUs of @pxm from PXM_CPUS. */
static __u64 pxm_cpus(unsigned int pxm)
{
	struct xnh_pxm_cpus c[XNH_MAX_NODES];
	int n = xnh_expect_pxm_cpus(c, XNH_MAX_NODES), i;
	__u64 m = 0;
	unsigned int cpu;

	for (i = 0; i < n; i++)
		if (c[i].pxm == pxm)
			for (cpu = c[i].first; cpu <= c[i].last && cpu < 64; cpu++)
				m |= 1ULL << cpu;
	return m;
}

struct guest {
	int domid;
	int placed;
	int home_pxm;		/* PXM holding >= HOME_SHARE% of the guest, or -1 */
	unsigned long pages_on[XNH_MAX_NODES];	/* by PXM */
	unsigned long total;
	__u64 online, home_cpus;
	/* the placement lines, read once: dmesg is slow to read under TCG */
	struct placement queues[MAX_QUEUES], rings[MAX_QUEUES];
	int nr_queues, nr_rings;
};

FIXTURE(guest) {
	struct guest g;
};

/* Xen's debug-key 'u': the guest's pages by host PXM. */
static int guest_memory(struct __test_metadata *_metadata,
			struct guest *g)
{
	unsigned int pxm_of_node[XNH_MAX_NODES];
	int nnodes = xnh_expect_xen_node_pxms(pxm_of_node, XNH_MAX_NODES);
	static char out[1 << 20];
	char head[32], *line, *save;
	int in_guest = 0, seen = 0;

	if (nnodes <= 0)
		return -1;
	if (run_cmd("xl debug-keys u && xl dmesg", out, sizeof(out)))
		return -1;
	snprintf(head, sizeof(head), "d%d (total: ", g->domid);
	/* the last dump in the ring is this one */
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int node;
		unsigned long pages;
		char *p;

		if (strstr(line, "Memory location of each domain")) {
			memset(g->pages_on, 0, sizeof(g->pages_on));
			in_guest = 0;
			continue;
		}
		p = strstr(line, head);
		if (p) {
			in_guest = 1;
			seen = 1;
			continue;
		}
		if (strstr(line, " (total: "))
			in_guest = 0;
		p = strstr(line, "Node ");
		if (in_guest && p && sscanf(p, "Node %u: %lu", &node, &pages) == 2 &&
		    node < (unsigned int)nnodes && pxm_of_node[node] < XNH_MAX_NODES)
			g->pages_on[pxm_of_node[node]] = pages;
	}
	return seen ? 0 : -1;
}

FIXTURE_SETUP(guest)
{
	char out[64];
	unsigned int pxm;
	int rc;

	rc = run_cmd("xl domid " GUEST_NAME, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("xl domid %s: %s", GUEST_NAME, out);
	self->g.domid = atoi(out);
	ASSERT_LT(0, self->g.domid);
	self->g.placed = xnh_expect_backends_placed();
	self->g.online = read_cpulist("/sys/devices/system/cpu/online");
	ASSERT_NE(0, self->g.online);
	ASSERT_EQ(0, guest_memory(_metadata, &self->g))
		TH_LOG("no debug-key 'u' dump for d%d", self->g.domid);
	self->g.total = 0;
	self->g.home_pxm = -1;
	for (pxm = 0; pxm < XNH_MAX_NODES; pxm++)
		self->g.total += self->g.pages_on[pxm];
	ASSERT_LT(0, self->g.total);
	for (pxm = 0; pxm < XNH_MAX_NODES; pxm++)
		if (self->g.pages_on[pxm] * 100 >= self->g.total * HOME_SHARE)
			self->g.home_pxm = (int)pxm;
	if (self->g.home_pxm >= 0)
		self->g.home_cpus = pxm_cpus(self->g.home_pxm);
	self->g.nr_queues = read_placements(self->g.domid, "queue",
					    self->g.queues, MAX_QUEUES);
	self->g.nr_rings = read_placements(self->g.domid, "ring",
					   self->g.rings, MAX_QUEUES);
}

FIXTURE_TEARDOWN(guest)
{
}

static int check_placements(struct __test_metadata *_metadata,
			    struct guest *g, const char *key)
{
	struct placement pl[MAX_QUEUES];
	int n = read_placements(g->domid, key, pl, MAX_QUEUES), i;

	if (n <= 0) {
		TH_LOG("no '%s' ring placement line for d%d in dmesg", key,
		       g->domid);
		return -1;
	}
	for (i = 0; i < n; i++) {
		TH_LOG("d%d %s %d: %s node %d, %u of %u frames; Xen: PXM %d holds %d%%",
		       g->domid, key, pl[i].id, pl[i].verdict, pl[i].node,
		       pl[i].votes, pl[i].hinted, g->home_pxm,
		       g->home_pxm < 0 ? -1 :
		       (int)(g->pages_on[g->home_pxm] * 100 / g->total));
		if (!g->placed) {
			EXPECT_STREQ("unavailable", pl[i].verdict);
			EXPECT_EQ(-1, pl[i].node);
		} else if (g->home_pxm >= 0) {
			EXPECT_STREQ("placed", pl[i].verdict);
			EXPECT_EQ(g->home_pxm, pl[i].node);
			EXPECT_EQ(pl[i].hinted, pl[i].votes);
		} else {
			/* split guest: a node holding some of it, or none */
			EXPECT_TRUE(pl[i].node == -1 ||
				    (pl[i].node < XNH_MAX_NODES &&
				     g->pages_on[pl[i].node]));
		}
	}
	return n;
}

/*
 * Xen put most of the guest where the rig asked, on the last PXM (all of
 * it where that node has room; a host whose dom0 took Xen's default
 * dom0_mem leaves each node little, and Xen spills the rest).
 */
TEST_F(guest, memory_mostly_on_the_rigs_node)
{
	struct xnh_pxm_cpus c[XNH_MAX_NODES];
	int n = xnh_expect_pxm_cpus(c, XNH_MAX_NODES);
	unsigned int pxm, most = 0;

	for (pxm = 0; pxm < XNH_MAX_NODES; pxm++) {
		if (self->g.pages_on[pxm])
			TH_LOG("d%d: %lu pages on PXM %u", self->g.domid,
			       self->g.pages_on[pxm], pxm);
		if (self->g.pages_on[pxm] > self->g.pages_on[most])
			most = pxm;
	}
	ASSERT_LT(0, n);
	EXPECT_EQ(c[n - 1].pxm, most)
		TH_LOG("the guest's vCPUs run on PXM %u; most of its memory is not there",
		       c[n - 1].pxm);
}

TEST_F(guest, netback_queues_placed)
{
	EXPECT_LT(0, check_placements(_metadata, &self->g, "queue"));
}

TEST_F(guest, blkback_rings_placed)
{
	EXPECT_LT(0, check_placements(_metadata, &self->g, "ring"));
}

/*
 * The CPUs a thread or IRQ of queue or ring @id may use: its placement
 * line's node's CPUs from the topology where it was placed (the placement
 * tests hold that node to Xen's), every CPU where it was not.  @id -1: the
 * CPUs of every ring's node (an IRQ named "blkif-backend" names no ring).
 */
static __u64 want_mask(struct guest *g, const char *key, int id)
{
	const struct placement *pl = strcmp(key, "ring") ? g->queues : g->rings;
	int n = strcmp(key, "ring") ? g->nr_queues : g->nr_rings, i;
	__u64 m = 0;

	for (i = 0; i < n; i++) {
		if (id >= 0 && pl[i].id != id)
			continue;
		if (strcmp(pl[i].verdict, "placed") || pl[i].node < 0)
			return g->online;
		m |= pxm_cpus(pl[i].node) & g->online;
	}
	return m ? m : g->online;
}

/* The queue in a netback name "vif1.0-q<N>-...", or -1. */
static int netback_queue(const char *name)
{
	const char *q = strstr(name, "-q");

	return q && isdigit((unsigned char)q[2]) ? atoi(q + 2) : -1;
}

/* The ring of a blkback thread "<domid>.<dev>-<ring>", or -1. */
static int blkback_ring(const char *name)
{
	const char *r = strrchr(name, '-');

	return r && isdigit((unsigned char)r[1]) ? atoi(r + 1) : -1;
}

static __u64 thread_cpus(const char *pid)
{
	char path[300], line[256];
	__u64 allowed = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18))
			allowed = parse_cpulist(line + 18 + strspn(line + 18, " \t"));
	fclose(f);
	return allowed;
}

/* Each kthread of the guest's backends: where it may run. */
TEST_F(guest, kthreads_run_on_the_node)
{
	int queues = self->g.nr_queues, rings = self->g.nr_rings;
	int net = 0, blk = 0;
	struct dirent *d;
	char comm[256];
	DIR *proc;

	proc = opendir("/proc");
	ASSERT_NE(NULL, proc);
	while ((d = readdir(proc))) {
		__u64 allowed, want;
		char kind;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		kind = backend_thread(d->d_name, self->g.domid, comm, sizeof(comm));
		if (!kind)
			continue;
		net += kind == 'n';
		blk += kind == 'b';
		if (kind == 'n')
			want = want_mask(&self->g, "queue", netback_queue(comm));
		else
			want = want_mask(&self->g, "ring", blkback_ring(comm));
		allowed = thread_cpus(d->d_name);
		EXPECT_EQ(want, allowed & self->g.online)
			TH_LOG("%s (pid %s) may run on %#llx, want %#llx", comm,
			       d->d_name, (unsigned long long)allowed,
			       (unsigned long long)want);
	}
	closedir(proc);
	/* netback: guest-rx and dealloc per queue; blkback: one per ring */
	EXPECT_LT(0, queues);
	EXPECT_LT(0, rings);
	EXPECT_EQ(2 * queues, net) TH_LOG("%d netback kthreads of d%d, %d queues",
					  net, self->g.domid, queues);
	EXPECT_EQ(rings, blk) TH_LOG("%d blkback kthreads of d%d, %d rings",
				     blk, self->g.domid, rings);
}

/* Each event-channel IRQ of the guest's backends: its affinity. */
TEST_F(guest, irqs_on_the_node)
{
	char vif[32], path[80], out[256];
	size_t cap = 0;
	char *line = NULL;
	int irqs = 0;
	FILE *f;

	/* "blkif-backend" names no domain: this must be the only one served */
	ASSERT_EQ(0, run_cmd("xenstore-list /local/domain/0/backend/vbd", out,
			     sizeof(out)));
	ASSERT_EQ(self->g.domid, atoi(out)) TH_LOG("vbd backends: %s", out);
	ASSERT_EQ(NULL, strchr(out, '\n') ? strchr(strchr(out, '\n') + 1, '\n') : NULL)
		TH_LOG("more than one domain has a vbd: %s", out);

	snprintf(vif, sizeof(vif), "vif%d.", self->g.domid);
	f = fopen("/proc/interrupts", "r");
	ASSERT_NE(NULL, f);
	while (getline(&line, &cap, f) > 0) {
		__u64 aff, eff, want;
		unsigned int irq;
		int n = 0;

		if (sscanf(line, " %u:%n", &irq, &n) != 1 || !n)
			continue;
		if (strstr(line, vif))
			want = want_mask(&self->g, "queue",
					 netback_queue(strstr(line, vif)));
		else if (strstr(line, "blkif-backend"))
			want = want_mask(&self->g, "ring", -1);
		else
			continue;
		irqs++;
		snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", irq);
		aff = read_cpulist(path);
		snprintf(path, sizeof(path),
			 "/proc/irq/%u/effective_affinity_list", irq);
		eff = read_cpulist(path);
		line[strcspn(line, "\n")] = '\0';
		EXPECT_EQ(want, aff & self->g.online)
			TH_LOG("IRQ %u affinity %#llx, want %#llx: %s", irq,
			       (unsigned long long)aff,
			       (unsigned long long)want, line);
		EXPECT_NE(0, eff);
		EXPECT_EQ(0, eff & ~want)
			TH_LOG("IRQ %u effective affinity %#llx outside %#llx",
			       irq, (unsigned long long)eff,
			       (unsigned long long)want);
	}
	free(line);
	fclose(f);
	/* netback: one or two per queue; blkback: one per ring */
	EXPECT_LE(2, irqs) TH_LOG("%d backend IRQs of d%d", irqs, self->g.domid);
}

static int has_pid(const int *v, int n, int x)
{
	while (n--)
		if (v[n] == x)
			return 1;
	return 0;
}

static int has_irq(const unsigned int *v, int n, unsigned int x)
{
	while (n--)
		if (v[n] == x)
			return 1;
	return 0;
}

static const char * const nobody_checks[] = {
	"refused", "setuid failed", "euid is not nobody",
	"the file opened", "refused with another errno than EACCES",
};

/* Child side of the non-root check: which check failed, or 0. */
static int view_as_nobody(void)
{
	int fd;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 1;
	if (geteuid() != NOBODY)
		return 2;
	fd = open(DOMAINS_FILE, O_RDONLY);
	if (fd >= 0)
		return 3;
	return errno == EACCES ? 0 : 4;
}

/* Runs of digits compare as numbers, the rest by bytes; as the module sorts. */
static int natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea, *eb;

		if (!isdigit((unsigned char)*a) || !isdigit((unsigned char)*b)) {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
			continue;
		}
		while (*a == '0' && isdigit((unsigned char)a[1]))
			a++;
		while (*b == '0' && isdigit((unsigned char)b[1]))
			b++;
		for (ea = a; isdigit((unsigned char)*ea); ea++)
			;
		for (eb = b; isdigit((unsigned char)*eb); eb++)
			;
		if (ea - a != eb - b)
			return ea - a < eb - b ? -1 : 1;
		for (; a < ea; a++, b++)
			if (*a != *b)
				return *a < *b ? -1 : 1;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* The documented order of two lines of one domain; 0 only for the same key. */
static int view_cmp(const struct view_line *a, const struct view_line *b)
{
	int r = natcmp(a->backend, b->backend);

	if (!r)
		r = strcmp(a->backend, b->backend);
	if (!r)
		r = natcmp(a->dev, b->dev);
	if (!r)
		r = strcmp(a->dev, b->dev);
	if (!r && a->id != b->id)
		r = a->id < b->id ? -1 : 1;
	return r;
}

/* The line for @key's queue in the view as it is now; 0, or -1 if none. */
static int view_now(int domid, const struct view_line *key,
		    struct view_line *now)
{
	struct view_line v[2 * MAX_QUEUES];
	int n = read_view(domid, v, 2 * MAX_QUEUES), i;

	for (i = 0; i < n; i++)
		if (!view_cmp(&v[i], key)) {
			*now = v[i];
			return 0;
		}
	return -1;
}

/* @m as a cpulist "0,1,5" into @buf. */
static void mask_list(__u64 m, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int cpu;

	buf[0] = '\0';
	for (cpu = 0; cpu < 64 && off < len; cpu++)
		if (m & (1ULL << cpu))
			off += snprintf(buf + off, len - off, "%s%u",
					off ? "," : "", cpu);
}

static int set_thread_cpus(int pid, __u64 m)
{
	unsigned int cpu;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (cpu = 0; cpu < 64; cpu++)
		if (m & (1ULL << cpu))
			CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set);
}

static int set_irq_cpus(unsigned int irq, __u64 m)
{
	char path[64], list[256];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", irq);
	mask_list(m, list, sizeof(list));
	f = fopen(path, "w");
	if (!f)
		return -1;
	bad = fprintf(f, "%s\n", list) < 0;
	return fclose(f) || bad ? -1 : 0;
}

/*
 * @l is placed and local=yes: move its first kthread to CPUs outside its
 * node and the view must say local=no for it, move it back and local=yes
 * again; then the same with its first IRQ.  Each is moved back before
 * anything is checked, so a failure leaves nothing moved.
 */
static void check_local_follows(struct __test_metadata *_metadata,
				struct guest *g, const struct view_line *l)
{
	__u64 node = parse_cpulist(l->cpus), other = g->online & ~node, saved;
	struct view_line now;
	char pid[16], path[64];
	int moved, rc, back;

	if (!node || !other) {
		TH_LOG("no online CPU outside node %d (cpus=%s): local=no not tried",
		       l->node, l->cpus);
		return;
	}

	snprintf(pid, sizeof(pid), "%d", l->pids[0]);
	saved = thread_cpus(pid);
	EXPECT_NE(0, saved) TH_LOG("kthread %s: no Cpus_allowed_list", pid);
	if (!saved)
		return;
	moved = set_thread_cpus(l->pids[0], other) ? errno : 0;
	rc = view_now(g->domid, l, &now);
	back = set_thread_cpus(l->pids[0], saved) ? errno : 0;
	EXPECT_EQ(0, moved) TH_LOG("sched_setaffinity(%s, %#llx): %s", pid,
				   (unsigned long long)other, strerror(moved));
	EXPECT_EQ(0, back) TH_LOG("kthread %s not moved back to %#llx: %s", pid,
				  (unsigned long long)saved, strerror(back));
	if (!moved) {
		EXPECT_EQ(0, rc) TH_LOG("%s %s q%d gone from the view",
					l->backend, l->dev, l->id);
		EXPECT_STREQ("no", rc ? "?" : now.local)
			TH_LOG("kthread %s moved to %#llx", pid,
			       (unsigned long long)other);
	}
	rc = view_now(g->domid, l, &now);
	EXPECT_EQ(0, rc);
	EXPECT_STREQ("yes", rc ? "?" : now.local)
		TH_LOG("kthread %s moved back to %#llx", pid,
		       (unsigned long long)saved);

	snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list",
		 l->irqs[0]);
	saved = read_cpulist(path);
	EXPECT_NE(0, saved) TH_LOG("%s unreadable", path);
	if (!saved)
		return;
	moved = set_irq_cpus(l->irqs[0], other) ? errno : 0;
	rc = view_now(g->domid, l, &now);
	back = set_irq_cpus(l->irqs[0], saved) ? errno : 0;
	EXPECT_EQ(0, moved) TH_LOG("writing %#llx to %s: %s",
				   (unsigned long long)other, path,
				   strerror(moved));
	EXPECT_EQ(0, back) TH_LOG("IRQ %u not moved back to %#llx: %s",
				  l->irqs[0], (unsigned long long)saved,
				  strerror(back));
	if (!moved) {
		EXPECT_EQ(0, rc);
		EXPECT_STREQ("no", rc ? "?" : now.local)
			TH_LOG("IRQ %u moved to %#llx", l->irqs[0],
			       (unsigned long long)other);
	}
	rc = view_now(g->domid, l, &now);
	EXPECT_EQ(0, rc);
	EXPECT_STREQ("yes", rc ? "?" : now.local)
		TH_LOG("IRQ %u moved back to %#llx", l->irqs[0],
		       (unsigned long long)saved);
}

/*
 * The per-domain view says what the log lines, /proc and /proc/interrupts
 * say: one line per queue and ring with the same vote, exactly the
 * guest's backend kthreads and IRQs, and local=yes where placed; and it
 * is root's only.
 */
TEST_F(guest, domain_view_agrees)
{
	struct placement pl[2 * MAX_QUEUES];
	struct view_line v[2 * MAX_QUEUES];
	int net[2 * MAX_QUEUES], blk[MAX_QUEUES], listed[8 * MAX_QUEUES];
	unsigned int netirq[2 * MAX_QUEUES], blkirq[MAX_QUEUES];
	unsigned int listed_irqs[8 * MAX_QUEUES];
	int nq, nr, nv, nnet, nblk, nnetirq, nblkirq, i, j, k, status;
	int seen_net = 0, seen_blk = 0, seen_netirq = 0, seen_blkirq = 0;
	char vif[32];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(view_as_nobody());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("as uid %d: %s", NOBODY,
		       nobody_checks[WEXITSTATUS(status) % 5]);

	nq = read_placements(self->g.domid, "queue", pl, MAX_QUEUES);
	ASSERT_LT(0, nq);
	nr = read_placements(self->g.domid, "ring", pl + nq, MAX_QUEUES);
	ASSERT_LT(0, nr);
	nv = read_view(self->g.domid, v, 2 * MAX_QUEUES);
	ASSERT_LE(0, nv) TH_LOG("%s is missing or not in its format",
				DOMAINS_FILE);
	EXPECT_EQ(nq + nr, nv) TH_LOG("%d lines of d%d in %s; %d queues, %d rings",
				      nv, self->g.domid, DOMAINS_FILE, nq, nr);

	/* each queue and ring of the log: exactly one line, the same vote */
	for (i = 0; i < nq + nr; i++) {
		const char *backend = i < nq ? "vif" : "vbd";
		int found = 0;

		for (j = 0; j < nv; j++) {
			char dev[40];

			snprintf(dev, sizeof(dev), i < nq ? " %s:" : "/%s:",
				 v[j].dev);
			if (strcmp(v[j].backend, backend) ||
			    v[j].id != pl[i].id || !strstr(pl[i].dev, dev))
				continue;
			found++;
			EXPECT_STREQ(pl[i].verdict, v[j].verdict);
			EXPECT_EQ(pl[i].node, v[j].node);
			EXPECT_EQ(pl[i].votes, v[j].votes);
			EXPECT_EQ(pl[i].hinted, v[j].hinted);
		}
		EXPECT_EQ(1, found) TH_LOG("%d lines for %s %d ('%s')", found,
					   backend, pl[i].id, pl[i].dev);
	}

	/* strictly sorted: backend, device (digits as numbers), queue */
	for (j = 1; j < nv; j++)
		EXPECT_GT(0, view_cmp(&v[j - 1], &v[j]))
			TH_LOG("%s %s q%d before %s %s q%d", v[j - 1].backend,
			       v[j - 1].dev, v[j - 1].id, v[j].backend,
			       v[j].dev, v[j].id);

	/* the kthreads and IRQs found here, each named once */
	nnet = backend_pids(self->g.domid, 'n', net, 2 * MAX_QUEUES);
	nblk = backend_pids(self->g.domid, 'b', blk, MAX_QUEUES);
	snprintf(vif, sizeof(vif), "vif%d.", self->g.domid);
	nnetirq = irqs_named(vif, netirq, 2 * MAX_QUEUES);
	nblkirq = irqs_named("blkif-backend", blkirq, MAX_QUEUES);
	ASSERT_LT(0, nnet);
	ASSERT_LT(0, nblk);
	ASSERT_LT(0, nnetirq);
	ASSERT_LT(0, nblkirq);
	for (j = 0; j < nv; j++) {
		int is_vif = !strcmp(v[j].backend, "vif");

		TH_LOG("d%d %s %s q%d %s node=%d cpus=%s %d kthreads %d irqs local=%s",
		       v[j].domid, v[j].backend, v[j].dev, v[j].id,
		       v[j].verdict, v[j].node, v[j].cpus, v[j].nr_pids,
		       v[j].nr_irqs, v[j].local);
		EXPECT_EQ(is_vif ? 2 : 1, v[j].nr_pids);
		EXPECT_LE(1, v[j].nr_irqs);
		EXPECT_GE(is_vif ? 2 : 1, v[j].nr_irqs);
		for (k = 0; k < v[j].nr_pids; k++) {
			EXPECT_TRUE(is_vif ? has_pid(net, nnet, v[j].pids[k]) :
					     has_pid(blk, nblk, v[j].pids[k]))
				TH_LOG("kthread %d is no %s kthread of d%d",
				       v[j].pids[k], v[j].backend,
				       self->g.domid);
			EXPECT_FALSE(has_pid(listed, seen_net + seen_blk,
					     v[j].pids[k]))
				TH_LOG("kthread %d is listed twice",
				       v[j].pids[k]);
			if (seen_net + seen_blk < 8 * MAX_QUEUES)
				listed[seen_net + seen_blk] = v[j].pids[k];
			seen_net += is_vif;
			seen_blk += !is_vif;
		}
		for (k = 0; k < v[j].nr_irqs; k++) {
			EXPECT_TRUE(is_vif ?
				    has_irq(netirq, nnetirq, v[j].irqs[k]) :
				    has_irq(blkirq, nblkirq, v[j].irqs[k]))
				TH_LOG("IRQ %u is no %s IRQ of d%d",
				       v[j].irqs[k], v[j].backend,
				       self->g.domid);
			EXPECT_FALSE(has_irq(listed_irqs,
					     seen_netirq + seen_blkirq,
					     v[j].irqs[k]))
				TH_LOG("IRQ %u is listed twice", v[j].irqs[k]);
			if (seen_netirq + seen_blkirq < 8 * MAX_QUEUES)
				listed_irqs[seen_netirq + seen_blkirq] =
					v[j].irqs[k];
			seen_netirq += is_vif;
			seen_blkirq += !is_vif;
		}

		/* the placement tests hold a placed line's node to Xen's */
		if (!strcmp(v[j].verdict, "placed") && v[j].node >= 0) {
			__u64 want = want_mask(&self->g,
					       is_vif ? "queue" : "ring",
					       v[j].id);

			EXPECT_STREQ("yes", v[j].local);
			EXPECT_EQ(want, parse_cpulist(v[j].cpus))
				TH_LOG("cpus=%s, the node's are %#llx",
				       v[j].cpus, (unsigned long long)want);
		} else if (v[j].node < 0) {
			EXPECT_STREQ("-", v[j].local);
			EXPECT_STREQ("-", v[j].cpus);
		}
	}
	/* each listed once, and all of them: no thread or IRQ left out */
	EXPECT_EQ(nnet, seen_net);
	EXPECT_EQ(nblk, seen_blk);
	EXPECT_EQ(nnetirq, seen_netirq);
	EXPECT_EQ(nblkirq, seen_blkirq);

	/* local= follows a thread and an IRQ moved off the node and back */
	for (j = 0; j < nv; j++)
		if (!strcmp(v[j].verdict, "placed") && v[j].node >= 0 &&
		    !strcmp(v[j].local, "yes") && v[j].nr_pids &&
		    v[j].pids[0] > 0 && v[j].nr_irqs)
			break;
	if (j < nv)
		check_local_follows(_metadata, &self->g, &v[j]);
	else
		EXPECT_FALSE(self->g.placed && self->g.home_pxm >= 0)
			TH_LOG("no placed line with local=yes to move");
}

TEST_HARNESS_MAIN
