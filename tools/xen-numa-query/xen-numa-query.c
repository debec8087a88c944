// SPDX-License-Identifier: GPL-2.0
/*
 * xen-numa-query: ask dom0's xen-numa-hints module on which host NUMA node
 * (PXM) and dom0 node frames live, and ("domains") from which node the
 * backends serve each guest.  For operators and tests; needs root.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/numa_hints.h>

#define DEFAULT_DEVICE	"/dev/xen/numa_hints"
#define REASON_FILE	"/sys/kernel/xen_numa/reason"
#define DOMAINS_FILE	"/proc/driver/xen_numa_domains"
/* Frames per ioctl when reading standard input: bounded memory. */
#define CHUNK		65536U

static const char *prog = "xen-numa-query";

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: %s [--gfn] [--device PATH] [FRAME...]\n"
		"       %s domains [--raw] [--file PATH] [DOMID...]\n"
		"Print on which host PXM and dom0 NUMA node each frame lives.\n"
		"\n"
		"  FRAME         a frame number, decimal or 0x-prefixed hex; without\n"
		"                FRAME arguments, frames are read from standard input,\n"
		"                separated by white space\n"
		"  --gfn         frames are dom0's own frame numbers (GFNs, as\n"
		"                /proc/PID/pagemap shows them in a PVH dom0), not\n"
		"                host machine frames (MFNs)\n"
		"  --device PATH the device (default " DEFAULT_DEVICE ")\n"
		"  --help        this text\n"
		"\n"
		"Output, one line per frame: FRAME PXM NODE, where FRAME is hex,\n"
		"PXM is the host proximity domain or \"invalid\" (not RAM) and NODE\n"
		"is the dom0 node or \"none\".  When hints are not available every\n"
		"frame is \"invalid none\" and a note on standard error says why.\n"
		"\n"
		"domains: each queue (netback) or ring (blkback) this dom0's\n"
		"backends serve, from " DOMAINS_FILE ": the vote\n"
		"over its ring pages, the node it is served from, that node's CPUs,\n"
		"its kthreads and IRQs, and LOCAL: yes if they all are on the node's\n"
		"CPUs now, no if one is not, - if nothing is placed; then one line\n"
		"per domain.\n"
		"  DOMID         only these domains\n"
		"  --raw         print the file as it is\n"
		"  --file PATH   read another file of that format\n"
		"\n"
		"Exit status: 0 answered, 1 error, 2 bad usage.\n", prog, prog);
}

static const char *state_name(__u32 state)
{
	switch (state) {
	case XEN_NUMA_HINTS_STATE_ACTIVE:
		return "active";
	case XEN_NUMA_HINTS_STATE_PXM_ONLY:
		return "pxm-only";
	case XEN_NUMA_HINTS_STATE_UNSUPPORTED:
		return "unsupported";
	case XEN_NUMA_HINTS_STATE_UNAVAILABLE:
		return "unavailable";
	case XEN_NUMA_HINTS_STATE_DENIED:
		return "denied";
	default:
		return "unknown";
	}
}

/* Say once why answers are incomplete. */
static void note_state(__u32 state)
{
	static int noted;
	char reason[512] = "";
	FILE *f;

	if (noted || state == XEN_NUMA_HINTS_STATE_ACTIVE)
		return;
	noted = 1;
	f = fopen(REASON_FILE, "r");
	if (f) {
		if (fgets(reason, sizeof(reason), f))
			reason[strcspn(reason, "\n")] = '\0';
		fclose(f);
	}
	fprintf(stderr, "%s: note: hints are %s%s%s\n", prog,
		state_name(state), reason[0] ? ": " : "", reason);
}

/* A frame number: decimal or 0x hex, nothing else; 0 or -1. */
static int parse_frame(const char *s, __u64 *frame)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*frame = v;
	return 0;
}

/* Ask about @nr frames and print the answers; 0 or -1. */
static int ask_and_print(int fd, __u32 kind, const __u64 *frames,
			 __u32 nr, __u32 *pxms, __s32 *nodes)
{
	struct xen_numa_hints_query q = {
		.frames = (uintptr_t)frames,
		.pxms = (uintptr_t)pxms,
		.nodes = (uintptr_t)nodes,
		.nr = nr,
		.kind = kind,
	};
	__u32 i;

	if (!nr)
		return 0;
	if (ioctl(fd, IOCTL_XEN_NUMA_HINTS_QUERY, &q)) {
		fprintf(stderr, "%s: query of %u frames failed: %s\n", prog,
			nr, strerror(errno));
		return -1;
	}
	note_state(q.state);
	for (i = 0; i < nr; i++) {
		printf("0x%llx ", (unsigned long long)frames[i]);
		if (pxms[i] == XEN_NUMA_HINTS_INVALID_PXM)
			printf("invalid ");
		else
			printf("%u ", pxms[i]);
		if (nodes[i] < 0)
			printf("none\n");
		else
			printf("%d\n", nodes[i]);
	}
	if (fflush(stdout)) {
		fprintf(stderr, "%s: writing output: %s\n", prog,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- domains ----------------------------------------------------------- */

/* Columns of the domains table, in the file's order. */
enum {
	C_DOM, C_BACKEND, C_DEV, C_QUEUE, C_VERDICT, C_NODE, C_VOTES, C_CPUS,
	C_KTHREADS, C_IRQS, C_LOCAL, NR_COLS
};

static const char * const col_head[NR_COLS] = {
	"DOM", "BACKEND", "DEVICE", "QUEUE", "VERDICT", "NODE", "VOTES", "CPUS",
	"KTHREADS", "IRQS", "LOCAL",
};

/* The names of the fields after the fifth, for the columns after C_VERDICT. */
static const char * const col_key[NR_COLS] = {
	[C_NODE] = "node", [C_VOTES] = "votes", [C_CPUS] = "cpus",
	[C_KTHREADS] = "kthreads", [C_IRQS] = "irqs", [C_LOCAL] = "local",
};

struct dom_line {
	unsigned long domid;
	char *copy;		/* the line, cut into the columns */
	char *col[NR_COLS];	/* into @copy, or string constants */
};

/* A line of the file, without its newline: 0, or -1 if it is not one. */
static int parse_dom_line(char *line, struct dom_line *l)
{
	char *tok, *save = NULL, *end;
	int n = 0, c;

	for (c = 0; c < NR_COLS; c++)
		l->col[c] = "?";
	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), n++) {
		char *eq;

		if (n < 5) {
			l->col[n] = tok;
			continue;
		}
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		/* names this tool does not know are newer fields: skipped */
		for (c = C_NODE; c < NR_COLS; c++)
			if (!strcmp(tok, col_key[c]))
				l->col[c] = eq + 1;
	}
	if (n < 5 || l->col[C_DOM][0] != 'd' || !isdigit((unsigned char)l->col[C_DOM][1]))
		return -1;
	errno = 0;
	l->domid = strtoul(l->col[C_DOM] + 1, &end, 10);
	if (errno || *end)
		return -1;
	/* "q3" is shown as 3 */
	if (l->col[C_QUEUE][0] == 'q')
		l->col[C_QUEUE]++;
	return 0;
}

/*
 * Open a file the module provides; on error say why, with what usually
 * causes it, and return -1.
 */
static int open_module_file(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), err = errno;

	if (fd < 0)
		fprintf(stderr, "%s: %s: %s%s\n", prog, path, strerror(err),
			err == ENOENT ? " (is the xen-numa-hints module loaded?)" :
			err == EACCES || err == EPERM ? " (root only)" : "");
	return fd;
}

/* The whole of @path, NUL-terminated; NULL with a message on error. */
static char *read_file(const char *path)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t n;
	int fd;

	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	fd = open_module_file(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	/* one open file reads one snapshot: the module keeps it consistent */
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += n;
		if (len < cap - 1)
			continue;
		bigger = realloc(buf, cap * 2);
		if (!bigger) {
			fprintf(stderr, "%s: out of memory\n", prog);
			n = -1;
			errno = ENOMEM;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (n < 0) {
		fprintf(stderr, "%s: reading %s: %s\n", prog, path,
			strerror(errno));
		close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int wanted(unsigned long domid, const unsigned long *doms, int ndoms)
{
	int i;

	for (i = 0; i < ndoms; i++)
		if (doms[i] == domid)
			return 1;
	return !ndoms;
}

/* Per domain: queues local, not local, and without a node. */
struct dom_sum {
	unsigned long domid;
	unsigned int yes, no, none;
};

static void print_sum(const struct dom_sum *d)
{
	unsigned int all = d->yes + d->no + d->none;

	printf("d%lu: %u %s", d->domid, all, all == 1 ? "queue" : "queues");
	if (!all)
		printf(": none served by this dom0's backends%s\n",
		       " (connected before xen-numa-hints was loaded?)");
	else if (d->yes == all)
		printf(", all served from their node\n");
	else if (d->none == all)
		printf(", none placed on a node\n");
	else
		printf(": %u served from their node, %u not, %u not placed\n",
		       d->yes, d->no, d->none);
}

static int domains_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DOMAINS_FILE;
	struct dom_line *lines = NULL;
	unsigned long *doms = NULL;
	size_t width[NR_COLS];
	struct dom_sum sum;
	int raw = 0, opt, ndoms = 0, nlines = 0, i, c, d, have_sum;
	char *text, *line, *save = NULL;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			raw = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	doms = calloc(argc, sizeof(*doms));
	if (!doms) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		const char *s = argv[i] + (argv[i][0] == 'd');
		char *end;

		errno = 0;
		doms[ndoms] = strtoul(s, &end, 10);
		if (!isdigit((unsigned char)*s) || errno || *end ||
		    doms[ndoms] > 0xffff) {
			fprintf(stderr, "%s: '%s' is not a domain id\n", prog,
				argv[i]);
			free(doms);
			return 2;
		}
		ndoms++;
	}

	text = read_file(path);
	if (!text) {
		free(doms);
		return 1;
	}
	if (raw && !ndoms) {
		fputs(text, stdout);
		free(text);
		free(doms);
		return fflush(stdout) ? 1 : 0;
	}

	/* lines in the file's order, which is by domain */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct dom_line l, *more;
		char *copy = strdup(line);

		if (!copy) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		l.copy = copy;
		if (parse_dom_line(copy, &l)) {
			fprintf(stderr, "%s: %s: not understood: %s\n", prog,
				path, line);
			free(copy);
			continue;
		}
		if (!wanted(l.domid, doms, ndoms)) {
			free(copy);
			continue;
		}
		if (raw) {
			printf("%s\n", line);
			free(copy);
			continue;
		}
		more = realloc(lines, (nlines + 1) * sizeof(*lines));
		if (!more) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		lines = more;
		lines[nlines++] = l;
	}
	if (raw) {
		free(text);
		free(doms);
		return fflush(stdout) ? 1 : 0;
	}

	for (c = 0; c < NR_COLS; c++)
		width[c] = strlen(col_head[c]);
	for (i = 0; i < nlines; i++)
		for (c = 0; c < NR_COLS; c++)
			if (strlen(lines[i].col[c]) > width[c])
				width[c] = strlen(lines[i].col[c]);
	if (nlines)
		for (c = 0; c < NR_COLS; c++)
			printf("%-*s%s", c < NR_COLS - 1 ? (int)width[c] : 0,
			       col_head[c], c < NR_COLS - 1 ? "  " : "\n");
	for (i = 0; i < nlines; i++)
		for (c = 0; c < NR_COLS; c++)
			printf("%-*s%s", c < NR_COLS - 1 ? (int)width[c] : 0,
			       lines[i].col[c], c < NR_COLS - 1 ? "  " : "\n");

	/* a line per domain, and per domain asked about that has none */
	if (nlines)
		printf("\n");
	have_sum = 0;
	for (i = 0; i < nlines; i++) {
		const char *local = lines[i].col[C_LOCAL];

		if (!have_sum || sum.domid != lines[i].domid) {
			if (have_sum)
				print_sum(&sum);
			memset(&sum, 0, sizeof(sum));
			sum.domid = lines[i].domid;
			have_sum = 1;
		}
		if (!strcmp(local, "yes"))
			sum.yes++;
		else if (!strcmp(local, "no"))
			sum.no++;
		else
			sum.none++;
	}
	if (have_sum)
		print_sum(&sum);
	for (d = 0; d < ndoms; d++) {
		for (i = 0; i < nlines && lines[i].domid != doms[d]; i++)
			;
		for (c = 0; c < d && doms[c] != doms[d]; c++)
			;
		if (i == nlines && c == d) {
			memset(&sum, 0, sizeof(sum));
			sum.domid = doms[d];
			print_sum(&sum);
		}
	}
	if (!nlines && !ndoms)
		printf("no queue is served by this dom0's backends\n");

	for (i = 0; i < nlines; i++)
		free(lines[i].copy);
	free(lines);
	free(text);
	free(doms);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gfn", no_argument, NULL, 'g' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = DEFAULT_DEVICE;
	__u32 kind = XEN_NUMA_HINTS_KIND_MFN, cap, nr = 0;
	__u64 *frames;
	__u32 *pxms;
	__s32 *nodes;
	int fd, opt, i, rc = 0;
	char tok[64];

	if (argc > 1 && !strcmp(argv[1], "domains"))
		return domains_main(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			kind = XEN_NUMA_HINTS_KIND_GFN;
			break;
		case 'd':
			device = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	/* Check the arguments before touching the device. */
	for (i = optind; i < argc; i++) {
		__u64 f;

		if (parse_frame(argv[i], &f)) {
			fprintf(stderr, "%s: '%s' is not a frame number\n",
				prog, argv[i]);
			return 2;
		}
	}
	if (argc - optind > (int)XEN_NUMA_HINTS_MAX_FRAMES) {
		fprintf(stderr, "%s: at most %u frames as arguments\n", prog,
			XEN_NUMA_HINTS_MAX_FRAMES);
		return 2;
	}

	fd = open_module_file(device, O_RDWR);
	if (fd < 0)
		return 1;

	cap = optind < argc ? (__u32)(argc - optind) : CHUNK;
	frames = calloc(cap, sizeof(*frames));
	pxms = calloc(cap, sizeof(*pxms));
	nodes = calloc(cap, sizeof(*nodes));
	if (!frames || !pxms || !nodes) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	if (optind < argc) {
		for (i = optind; i < argc; i++)
			parse_frame(argv[i], &frames[nr++]);
		rc = ask_and_print(fd, kind, frames, nr, pxms, nodes);
	} else {
		while (!rc && scanf("%63s", tok) == 1) {
			if (parse_frame(tok, &frames[nr])) {
				fprintf(stderr, "%s: '%s' is not a frame number\n",
					prog, tok);
				rc = -1;
				break;
			}
			if (++nr == cap) {
				rc = ask_and_print(fd, kind, frames, nr, pxms, nodes);
				nr = 0;
			}
		}
		if (!rc && ferror(stdin)) {
			fprintf(stderr, "%s: reading standard input: %s\n",
				prog, strerror(errno));
			rc = -1;
		}
		if (!rc)
			rc = ask_and_print(fd, kind, frames, nr, pxms, nodes);
	}
	close(fd);
	free(frames);
	free(pxms);
	free(nodes);
	return rc ? 1 : 0;
}
