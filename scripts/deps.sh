#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the harness needs from Debian's archive. As root this runs
# apt-get; otherwise it prints the exact command and fails.
#
#   deps.sh [GROUP...]   groups: base (default), arm64, qemu
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_pkgs=(make gcc libc6-dev git flex bison bc libelf-dev libssl-dev
	   cpio kmod xz-utils python3 python3-ply python3-git perl qemu-system-x86 busybox-static
	   ccache sparse)
arm64_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
# What scripts/build-qemu.sh needs on Debian 12 (meson comes from backports,
# unpacked into the cache: see qemu/qemu.conf)
qemu_pkgs=(ninja-build pkg-config libglib2.0-dev libpixman-1-dev python3-venv
	   curl patch dpkg ccache device-tree-compiler bzip2)

pkgs=()
for group in "${@:-base}"; do
	case $group in
	base) pkgs+=("${base_pkgs[@]}") ;;
	arm64) pkgs+=("${arm64_pkgs[@]}") ;;
	qemu) pkgs+=("${qemu_pkgs[@]}") ;;
	*) die "unknown dependency group $group" ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == *"ok installed" ]] || missing+=("$p")
done
# The base is fetched with apt-get download: its index must know it.
need_update=0
policy=$(apt-cache policy "$BASE_PACKAGE" 2>/dev/null || true)
[[ $policy == *"Candidate: "[0-9]* ]] || need_update=1
# Install the missing packages (apt-get as root, or say how).
install_missing() {
	[ ${#missing[@]} -eq 0 ] && [ $need_update = 0 ] && return 0

	if [ "$(id -u)" != 0 ]; then
		echo "missing: ${missing[*]:-(apt index for $BASE_PACKAGE)}" >&2
		echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	log "installing: ${missing[*]:-(apt index only)}"
	apt-get update -qq >&2
	[ ${#missing[@]} -eq 0 ] ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >&2
}

# The arm64 guest's static busybox: Debian's arm64 package, unpacked into
# the cache (dpkg learns the foreign architecture; nothing arm64 is
# installed on the host).
arm64_busybox() {
	local bb=$CACHE/arm64/busybox tmp
	[ -x "$bb" ] && return 0
	[ "$(id -u)" = 0 ] || die "run as root once: scripts/deps.sh arm64"
	dpkg --print-foreign-architectures | grep -qx arm64 || {
		dpkg --add-architecture arm64
		apt-get update -qq >&2
	}
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >&2 2>/dev/null) ||
		{ apt-get update -qq >&2 &&
		  (cd "$tmp" && apt-get download -q busybox-static:arm64 >&2); }
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/root"
	mkdir -p "$CACHE/arm64"
	cp "$tmp/root/bin/busybox" "$bb"
	rm -rf "$tmp"
}

install_missing
for group in "${@:-base}"; do
	[ "$group" = arm64 ] && arm64_busybox
done
exit 0
