# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the rig scripts.  Source it; it sets -euo pipefail.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$RIG_DIR/.." && pwd)
# shellcheck source=pins
. "$RIG_DIR/pins"

# Downloads and slow build products live outside the checkout, keyed by
# version, so that a fresh clone on the same machine (how CI runs) reuses them.
XNH_CACHE=${XNH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-numa-hints}
# Per-checkout build products.
XNH_OUT=${XNH_OUT:-$TOP_DIR/out}

log() { printf '[rig] %s\n' "$*" >&2; }
warn() { printf '[rig] WARNING: %s\n' "$*" >&2; }
die() { printf '[rig] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt-get install); run it as root"
}

# The Debian mirror the machine's own apt sources use.  The rig never names an
# archive host itself: it reads the URI from apt's configuration.
debian_mirror() {
	local uri
	# shellcheck disable=SC2016 # $(URI) is apt's format, not the shell's
	uri=$(apt-get indextargets --format '$(URI)' 'Created-By: Packages' 2>/dev/null |
	      sed -n 's,^\(.*/debian\)/dists/bookworm/.*,\1,p' | head -n1)
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
			/etc/apt/sources.list.d/*.list 2>/dev/null |
		      grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n1 | tr -d ' ')
		uri=${uri%/}
	fi
	[ -n "$uri" ] || die "no Debian mirror found in apt's sources (/etc/apt/sources.list*)"
	printf '%s\n' "$uri"
}

# Download URL to FILE with apt's own transport.  With SHA (and SIZE), the
# download must match them; the error says whether the archive did not serve
# the file at all or served a different one.
apt_fetch() {
	local url=$1 file=$2 sha=${3:-} size=${4:-}
	local tmp="$file.part" got_sha got_size
	mkdir -p "$(dirname "$file")"
	rm -f "$tmp"
	/usr/lib/apt/apt-helper download-file "$url" "$tmp" >&2 || {
		rm -f "$tmp"
		die "the archive did not serve $url (download failed)"
	}
	if [ -n "$sha" ]; then
		got_sha=$(sha256sum "$tmp" | cut -d' ' -f1)
		got_size=$(stat -c %s "$tmp")
		if [ "$got_sha" != "$sha" ] || { [ -n "$size" ] && [ "$got_size" != "$size" ]; }; then
			rm -f "$tmp"
			die "the archive serves a different file at $url: $got_size bytes, sha256 $got_sha; expected ${size:-?} bytes, sha256 $sha"
		fi
	fi
	mv "$tmp" "$file"
}

# A short content hash of the named files and strings, for cache keys.
content_key() {
	{
		for a in "$@"; do
			if [ -f "$a" ]; then cat "$a"; else printf '%s\n' "$a"; fi
		done
	} | sha256sum | cut -c1-16
}

# The patches xen-patches/series lists, in order, as absolute paths in the
# array XEN_SERIES.  Blank lines and '#' comments are skipped; a listed file
# that does not exist, or one listed twice, is fatal.
read_xen_series() {
	local dir="$TOP_DIR/xen-patches" line p
	local -A seen=()
	XEN_SERIES=()
	[ -f "$dir/series" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		p=${line%%#*}
		p=$(printf '%s' "$p" | tr -d '[:space:]')
		[ -n "$p" ] || continue
		[ -f "$dir/$p" ] || die "xen-patches/series names $p, which does not exist"
		[ -z "${seen[$p]:-}" ] || die "xen-patches/series names $p twice"
		seen[$p]=1
		XEN_SERIES+=("$dir/$p")
	done <"$dir/series"
}
