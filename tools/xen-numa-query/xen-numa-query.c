// SPDX-License-Identifier: GPL-2.0
/*
 * xen-numa-query: ask dom0's xen-numa-hints module on which host NUMA node
 * (PXM) and dom0 node frames live.  For operators and tests; needs root.
 */
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
/* Frames per ioctl when reading standard input: bounded memory. */
#define CHUNK		65536U

static const char *prog = "xen-numa-query";

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: %s [--gfn] [--device PATH] [FRAME...]\n"
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
		"Exit status: 0 answered, 1 error, 2 bad usage.\n", prog);
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

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "%s: %s: %s%s\n", prog, device, strerror(err),
			err == ENOENT ? " (is the xen-numa-hints module loaded?)" :
			err == EACCES || err == EPERM ? " (root only)" : "");
		return 1;
	}

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
