/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dom0 shows of the patched backends, read the same way by every
 * backend test: their "ring placement" log lines, their kthreads, the IRQs
 * /proc/interrupts names, and xen-numa-hints' per-domain view.  Header
 * only, so that each selftest stays one static binary; include it after
 * kselftest_harness.h and the libc headers it needs (ctype, dirent, stdio,
 * stdlib, string).
 */
#ifndef XNH_BACKENDS_H
#define XNH_BACKENDS_H

#include <linux/types.h>

#define MAX_QUEUES	32
#define DOMAINS_FILE	"/proc/driver/xen_numa_domains"

/* A cpulist ("0-1,3") as a mask (the rig's hosts have at most 64 CPUs); 0 if unparsable. */
static inline __u64 parse_cpulist(const char *s)
{
	__u64 m = 0;
	unsigned int a, b;
	int n;

	while (*s && *s != '\n') {
		if (sscanf(s, "%u%n", &a, &n) != 1)
			return 0;
		s += n;
		b = a;
		if (*s == '-') {
			if (sscanf(s + 1, "%u%n", &b, &n) != 1)
				return 0;
			s += n + 1;
		}
		if (b < a || b > 63)
			return 0;
		for (; a <= b; a++)
			m |= 1ULL << a;
		if (*s == ',')
			s++;
	}
	return m;
}

static inline __u64 read_cpulist(const char *path)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return parse_cpulist(buf);
}

/* What a ring placement line of the patched backends says. */
struct placement {
	char dev[160];		/* what the line names before "ring placement" */
	int id;			/* queue or ring */
	char verdict[16];
	int node;
	unsigned int votes, hinted, frames;
	int connects;		/* lines logged: one per connect */
	char first_verdict[16];	/* what the first of them said */
	int first_node;
};

static inline int run_cmd(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

/*
 * The ring placement lines of the domain's queues (netback: "vifD.Q: ring
 * placement: domid=D queue=Q ...") or rings (blkback: "... ring=R").
 */
static inline int read_placements(int domid, const char *key,
				  struct placement *pl, int max)
{
	static char out[1 << 20];
	char pat[48], *line, *save;
	int n = 0;

	if (run_cmd("dmesg", out, sizeof(out)))
		return -1;
	snprintf(pat, sizeof(pat), "ring placement: domid=%d %s=", domid, key);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, pat);
		struct placement x;
		int i;

		if (!p)
			continue;
		if (line[0] == '[' && strchr(line, ']'))
			line = strchr(line, ']') + 1;
		/* the device: "vif vif-1-0 vif1.0: " or "backend/vbd/1/51712: " */
		snprintf(x.dev, sizeof(x.dev), "%.*s", (int)(p - line), line);
		p += strlen(pat);
		if (sscanf(p, "%d verdict=%15s node=%d votes=%u/%u", &x.id,
			   x.verdict, &x.node, &x.votes, &x.hinted) != 5)
			return -1;
		/* a reconnect logs again: the last line of each counts */
		for (i = 0; i < n && (pl[i].id != x.id || strcmp(pl[i].dev, x.dev)); i++)
			;
		if (i == n) {
			if (n == max)
				return -1;
			n++;
			x.connects = 1;
			x.first_node = x.node;
			memcpy(x.first_verdict, x.verdict, sizeof(x.verdict));
		} else {
			x.connects = pl[i].connects + 1;
			x.first_node = pl[i].first_node;
			memcpy(x.first_verdict, pl[i].first_verdict,
			       sizeof(x.first_verdict));
		}
		pl[i] = x;
	}
	return n;
}

/*
 * A kernel thread (its parent is kthreadd) of the guest's netback
 * ("vif<domid>.<n>-q<q>-guest-rx", "...-dealloc") or blkback
 * ("<domid>.<dev>-<ring>"); 'n' for netback, 'b' for blkback, 0 if
 * neither.  /proc/<pid>/comm shows a kthread's whole name.
 */
static inline char backend_thread(const char *pid, int domid, char *comm, size_t len)
{
	char path[300], line[256], vif[32], blk[32];
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	comm[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:", 5))
			snprintf(comm, len, "%s", line + 5 + strspn(line + 5, " \t"));
		else if (!strncmp(line, "PPid:", 5))
			ppid = atoi(line + 5);
	}
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	if (ppid != 2)
		return 0;
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f))
			snprintf(comm, len, "%s", line);
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
	}
	snprintf(vif, sizeof(vif), "vif%d.", domid);
	snprintf(blk, sizeof(blk), "%d.", domid);
	if (!strncmp(comm, vif, strlen(vif)))
		return 'n';
	if (!strncmp(comm, blk, strlen(blk)) && strchr(comm, '-'))
		return 'b';
	return 0;
}

/* One line of /proc/driver/xen_numa_domains. */
struct view_line {
	int domid;
	char backend[16];
	char dev[32];
	int id;
	char verdict[16];
	int node;
	unsigned int votes, hinted;
	char cpus[128];
	int nr_pids;
	int pids[4];
	int nr_irqs;
	unsigned int irqs[2];
	char local[8];
};

/*
 * "123,124" (or "-": none) into at most @max numbers; their count or -1.
 * A "-" in a list ("-,124": a thread that has exited) is 0.
 */
static inline int parse_list(const char *s, unsigned int *v, int max)
{
	int n = 0, len;

	if (!strcmp(s, "-"))
		return 0;
	while (*s) {
		if (n < max && s[0] == '-' && (s[1] == ',' || !s[1])) {
			v[n] = 0;
			len = 1;
		} else if (n == max || sscanf(s, "%u%n", &v[n], &len) != 1) {
			return -1;
		}
		n++;
		s += len;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

/*
 * The view's lines of domain @domid, in the file's order; -1 if it cannot
 * be read or a line is not in the documented format.
 */
static inline int read_view(int domid, struct view_line *v, int max)
{
	char kthreads[64], irqs[32];
	size_t cap = 0;
	char *line = NULL;
	int n = 0, rc = 0;
	FILE *f;

	f = fopen(DOMAINS_FILE, "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct view_line x;
		unsigned int pids[4];

		if (sscanf(line,
			   "d%d %15s %31s q%d %15s node=%d votes=%u/%u cpus=%127s kthreads=%63s irqs=%31s local=%7s",
			   &x.domid, x.backend, x.dev, &x.id, x.verdict,
			   &x.node, &x.votes, &x.hinted, x.cpus, kthreads, irqs,
			   x.local) != 12) {
			rc = -1;
			break;
		}
		x.nr_pids = parse_list(kthreads, pids, 4);
		x.nr_irqs = parse_list(irqs, x.irqs, 2);
		if (x.nr_pids < 0 || x.nr_irqs < 0) {
			rc = -1;
			break;
		}
		memcpy(x.pids, pids, sizeof(x.pids));
		if (x.domid != domid)
			continue;
		if (n == max) {
			rc = -1;
			break;
		}
		v[n++] = x;
	}
	free(line);
	fclose(f);
	return rc ? rc : n;
}

/* The pids of the guest's backend kthreads of @kind ('n' or 'b'). */
static inline int backend_pids(int domid, char kind, int *pids, int max)
{
	struct dirent *d;
	char comm[256];
	DIR *proc;
	int n = 0;

	proc = opendir("/proc");
	if (!proc)
		return -1;
	while ((d = readdir(proc)))
		if (isdigit((unsigned char)d->d_name[0]) &&
		    backend_thread(d->d_name, domid, comm, sizeof(comm)) == kind &&
		    n < max)
			pids[n++] = atoi(d->d_name);
	closedir(proc);
	return n;
}

/* The IRQs whose /proc/interrupts line names @what. */
static inline int irqs_named(const char *what, unsigned int *irqs, int max)
{
	size_t cap = 0;
	char *line = NULL;
	int n = 0;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned int irq;
		int len = 0;

		if (sscanf(line, " %u:%n", &irq, &len) == 1 && len &&
		    strstr(line, what) && n < max)
			irqs[n++] = irq;
	}
	free(line);
	fclose(f);
	return n;
}

#endif /* XNH_BACKENDS_H */
