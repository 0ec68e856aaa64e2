# SPDX-License-Identifier: GPL-2.0
# Common settings for the harness scripts. Source it, don't run it.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"

CACHE=${CACHE:-$TOP/.cache}
BUILD=${BUILD:-$TOP/build}
TREE=${TREE:-$BUILD/linux}
PATCHES=$TOP/patches
JOBS=${JOBS:-$(nproc)}

# Commits the harness makes itself carry a fixed identity, so that nothing
# depends on the machine's git configuration.
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-iommufd series harness}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-harness@localhost}"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The patches of the series, in order, one path per line.
series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$PATCHES/series" |
		sed "s|^|$PATCHES/|"
}
