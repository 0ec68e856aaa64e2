# SPDX-License-Identifier: GPL-2.0
# Common settings for the harness scripts. Source it, don't run it.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"

# Everything that can be reused across clones lives outside the clone, in
# the user's cache directory, keyed by content: the downloads, the
# unpacked base, Debian's configs, ccache's compiler output, and tools the
# harness builds. A fresh clone on a machine that ran the harness before
# finds them all.
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-faults}
BUILD=${BUILD:-$TOP/build}
TREE=${TREE:-$BUILD/linux}
PATCHES=$TOP/patches
JOBS=${JOBS:-$(nproc)}

# Commits the harness makes itself carry a fixed identity, so that nothing
# depends on the machine's git configuration.
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-iommufd series harness}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-harness@localhost}"

# ccache for every compiler the harness runs (kernel, host tools, cross).
# The kernel is built out of tree with absolute source paths, and every
# clone has its own path: CCACHE_BASEDIR makes the paths under the clone
# relative before hashing, and CCACHE_NOHASHDIR leaves the working
# directory out, so one clone's objects serve the next. The kernel's own
# reproducibility settings (KBUILD_BUILD_*) keep the few files that embed
# a date, a user or a host identical between builds.
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-time_macros}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-2000-01-01}
export KBUILD_BUILD_USER=${KBUILD_BUILD_USER:-iommufd}
export KBUILD_BUILD_HOST=${KBUILD_BUILD_HOST:-harness}
export KBUILD_BUILD_VERSION=${KBUILD_BUILD_VERSION:-1}
# ccache_cc COMPILER: the compiler through ccache when ccache is installed
ccache_cc() {
	if [ "${USE_CCACHE:-1}" = 1 ] && command -v ccache >/dev/null; then
		echo "ccache $1"
	else
		echo "$1"
	fi
}

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The patches of the series, in order, one path per line.
series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$PATCHES/series" |
		sed "s|^|$PATCHES/|"
}
