#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the pinned base (base.conf) and turn it into a cached git repo with
# one commit tagged "base". Prints the path of that repo.
#
# KSRC=/path/to/linux-6.12 uses a tree of your own instead of the package.
#
# Cache layout (all under $CACHE, ignored by git):
#   base/<package>_<version>_all.deb   the download
#   base/<version>.git                 the unpacked tree, as a git repo
# A second run finds the repo and neither downloads nor unpacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE/base"
cd "$CACHE/base"

# Turn an unpacked source tree into a bare repo with one "base" commit.
import_tree() {
	local src=$1 repo=$2 msg=$3 tmp

	tmp=$repo.tmp
	rm -rf "$tmp"
	git init -q --bare "$tmp"
	# -f: take the tree exactly as shipped, even files its .gitignore names.
	GIT_DIR=$tmp GIT_WORK_TREE=$src git add -f -A .
	GIT_DIR=$tmp GIT_WORK_TREE=$src \
		GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost \
		GIT_AUTHOR_DATE="2000-01-01T00:00:00 +0000" \
		GIT_COMMITTER_DATE="2000-01-01T00:00:00 +0000" \
		git commit -q -m "$msg"
	git --git-dir="$tmp" tag base
	mv "$tmp" "$repo"
}

if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] || die "KSRC=$KSRC is not a kernel tree"
	key=ksrc-$(realpath "$KSRC" | sha256sum | cut -c1-12)
	repo=$CACHE/base/$key.git
	if [ ! -d "$repo" ]; then
		log "importing KSRC=$KSRC as the base"
		import_tree "$(realpath "$KSRC")" "$repo" "base: $KSRC"
	fi
	echo "$repo"
	exit 0
fi

version=$BASE_VERSION
repo=$CACHE/base/$version.git
if [ -d "$repo" ]; then
	echo "$repo"
	exit 0
fi

deb=$(ls "${BASE_PACKAGE}_${version//:/%3a}"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
	log "downloading $BASE_PACKAGE=$version"
	if ! apt-get download "$BASE_PACKAGE=$version" >&2; then
		newest=$(apt-cache madison "$BASE_PACKAGE" | awk 'NR == 1 { print $3 }')
		[ -n "$newest" ] ||
			die "$BASE_PACKAGE is not in the apt sources (run apt-get update?)"
		cat >&2 <<MSG
###########################################################################
WARNING: the pinned base $BASE_PACKAGE=$version is gone from the archive.
WARNING: using the newest one instead: $newest
WARNING: patches are applied with 'git am -3'; update base.conf.
###########################################################################
MSG
		version=$newest
		repo=$CACHE/base/$version.git
		[ -d "$repo" ] && { echo "$repo"; exit 0; }
		apt-get download "$BASE_PACKAGE=$version" >&2
		touch "$version.fallback"
	fi
	deb=$(ls "${BASE_PACKAGE}_${version//:/%3a}"_*.deb | head -n1)
fi

log "unpacking $deb"
tarball=${BASE_TARBALL##*/}
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$BASE_TARBALL" > "$tarball"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$version" = "$BASE_VERSION" ] && [ "$sum" != "$BASE_TARBALL_SHA256" ]; then
	rm -f "$tarball"
	die "sha256 mismatch for $tarball of $version: got $sum, base.conf pins $BASE_TARBALL_SHA256"
fi
[ "$version" = "$BASE_VERSION" ] || warn "unpinned tarball sha256: $sum"

rm -rf src
mkdir src
tar -xf "$tarball" -C src
rm -f "$tarball"
top=$(ls src)
import_tree "$CACHE/base/src/$top" "$repo" "base: $BASE_PACKAGE $version (sha256 $sum)"
rm -rf src
echo "$repo"
