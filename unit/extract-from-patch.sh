#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the content of a file that one patch of a series creates, so that host
# unit tests compile exactly the code the series ships.  Only files that a
# single patch adds whole (and no other patch touches) are supported: anything
# else would need the series applied to a tree, and is refused.
#   usage: extract-from-patch.sh PATCH_DIR PATH_IN_TREE
set -eu -o pipefail

dir=${1:?usage: extract-from-patch.sh PATCH_DIR PATH_IN_TREE}
path=${2:?usage: extract-from-patch.sh PATCH_DIR PATH_IN_TREE}

die() {
	echo "extract-from-patch: $*" >&2
	exit 1
}

[ -d "$dir" ] || die "no patch directory $dir"
mapfile -t touching < <(grep -l -F -x -- "+++ b/$path" "$dir"/*.patch 2>/dev/null || true)
[ "${#touching[@]}" -gt 0 ] || die "no patch in $dir creates $path"
[ "${#touching[@]}" -eq 1 ] ||
	die "$path is touched by several patches (${touching[*]}); only files added whole by one patch can be extracted"
patch=${touching[0]}

# The file's diff must be a creation: "--- /dev/null" right before its
# "+++ b/<path>", then a single hunk "@@ -0,0 +1,N @@" of N added lines.
awk -v want="+++ b/$path" -v patch="$patch" '
	function fail(msg) { print "extract-from-patch: " patch ": " msg > "/dev/stderr"; bad = 1; exit 1 }
	state == 0 && $0 == want {
		if (prev != "--- /dev/null")
			fail("does not create the file (it modifies it)")
		state = 1
		next
	}
	state == 1 {
		if (match($0, /^@@ -0,0 \+1(,[0-9]+)? @@/) == 0)
			fail("unexpected hunk header: " $0)
		n = 1
		if (match($0, /^@@ -0,0 \+1,[0-9]+/))
			n = substr($0, 12, RLENGTH - 11) + 0
		state = 2
		next
	}
	state == 2 {
		if ($0 == "\\ No newline at end of file")
			next
		if (substr($0, 1, 1) != "+")
			fail("hunk ends after " got " of " n " lines")
		print substr($0, 2)
		if (++got == n) { state = 3; exit 0 }
		next
	}
	{ prev = $0 }
	END {
		if (bad)
			exit 1
		if (state != 3)
			fail("incomplete diff for the file")
	}
' "$patch"
