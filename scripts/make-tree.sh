#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the kernel tree: a "base" commit (tagged) from the pinned base, then
# one commit per patch of patches/series, on the branch "series".
#
# An existing tree is reused (only changed files are rewritten, so builds
# stay incremental), but never silently thrown away: if it holds commits or
# changes that are not in patches/, this fails unless FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$("$TOP/scripts/fetch-base.sh")
am_flags=()
ls "$CACHE"/base/*.fallback >/dev/null 2>&1 && am_flags=(-3)

if [ -d "$TREE/.git" ]; then
	if [ "${FORCE:-0}" != 1 ]; then
		[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
			die "$TREE has uncommitted changes: commit them (and make export), or FORCE=1 to drop them"
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		"$TOP/scripts/export.sh" "$tmp" 2>/dev/null
		if ! diff -q -r -x series "$tmp" "$PATCHES" >/dev/null 2>&1 &&
		   ! { [ -z "$(ls "$tmp"/*.patch 2>/dev/null)" ] &&
		       [ -z "$(ls "$PATCHES"/*.patch 2>/dev/null)" ]; }; then
			die "$TREE has commits that differ from patches/: run make export first, or FORCE=1 to drop them"
		fi
	fi
	git -C "$TREE" am --abort >/dev/null 2>&1 || true
	git -C "$TREE" fetch -q "$base_repo" "+refs/tags/base:refs/tags/base"
else
	log "creating $TREE from $base_repo"
	mkdir -p "$(dirname "$TREE")"
	git clone -q --no-checkout "$base_repo" "$TREE"
fi
git -C "$TREE" update-index --no-skip-worktree .gitignore 2>/dev/null || true
git -C "$TREE" checkout -q -f -B series base
git -C "$TREE" clean -q -f -d

# Debian's tarball ships a .gitignore that ignores everything at the top
# level ("/*", for its packaging repo), so `git add` of a new file fails.
# Hide that stanza in the work tree only: skip-worktree keeps the base
# commit, status and the exported patches untouched.
unignore_debian_toplevel() {
	local gi=$TREE/.gitignore
	grep -qx '/\*' "$gi" 2>/dev/null || return 0
	git -C "$TREE" update-index --skip-worktree .gitignore
	sed -i '/^# Debian packaging: ignore everything/,$d' "$gi"
	sed -i '/^\/\*$/d;/^!\/debian\/$/d' "$gi"
}

n=0
while read -r patch; do
	[ -f "$patch" ] || die "patches/series names ${patch#"$TOP"/}, which does not exist"
	if ! out=$(git -C "$TREE" am -q --keep-cr "${am_flags[@]}" "$patch" 2>&1); then
		echo "$out" >&2
		rejected=$(echo "$out" | sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p;s/^error: \(.*\): does not exist in index$/\1/p' | sort -u | tr '\n' ' ')
		git -C "$TREE" am --abort >/dev/null 2>&1 || true
		die "patch ${patch#"$TOP"/} does not apply; rejected file(s): ${rejected:-see above}"
	fi
	n=$((n + 1))
done < <(series_patches)
unignore_debian_toplevel
log "tree ready: $TREE, base + $n patches (branch series)"
