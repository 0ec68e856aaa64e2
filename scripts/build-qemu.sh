#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the QEMU of the PRI stage: Debian's pinned QEMU source
# (qemu/qemu.conf) with our patches (qemu/patches/series), x86_64-softmmu
# only, with the devices of qemu/devices.mak. Prints the path of the
# qemu-system-x86_64 it built, or found already built.
#
# Cache layout (outside the clone, under $CACHE/qemu):
#   dl/                  the pinned downloads, checked against their sha256
#   python-<hash>/       backports meson and pycotap, unpacked (not installed)
#   src/                 the tree being built (removed after a build)
#   <key>/bin/           the result; <key> hashes qemu/, this script
# A second run with the same key builds nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# shellcheck source=../qemu/qemu.conf
. "$TOP/qemu/qemu.conf"

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
QDIR=$CACHE/qemu
mkdir -p "$QDIR/dl"
# One build at a time per cache: src/, the downloads and <key>.tmp are
# shared by every clone that uses this cache (make check, make run)
exec 9> "$QDIR/lock"
flock 9

qemu_patches() {
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$TOP/qemu/patches/series" |
		sed "s|^|$TOP/qemu/patches/|"
}

# The key: everything that decides what gets built
key=$( { cat "$TOP/qemu/qemu.conf" "$TOP/qemu/devices.mak" \
	"$TOP/qemu/patches/series" "$0"; qemu_patches | xargs cat; } |
	sha256sum | cut -c1-16)
out=$QDIR/$key
if [ -x "$out/bin/qemu-system-x86_64" ]; then
	echo "$out/bin/qemu-system-x86_64"
	exit 0
fi

"$TOP/scripts/deps.sh" qemu >&2

# fetch FILE POOL SHA256: a pinned file from Debian's archive, checked
fetch() {
	local file=$1 pool=$2 sum=$3 url
	if [ -f "$QDIR/dl/$file" ] &&
	   echo "$sum  $QDIR/dl/$file" | sha256sum -c --status; then
		return 0
	fi
	url=$MIRROR/$pool/$(sed 's/+/%2b/g' <<< "$file")
	log "downloading $url"
	curl -fsSL -o "$QDIR/dl/$file.part" "$url" ||
		die "cannot download $url"
	echo "$sum  $QDIR/dl/$file.part" | sha256sum -c --status ||
		die "$file: sha256 is not $sum"
	mv "$QDIR/dl/$file.part" "$QDIR/dl/$file"
}

fetch "$QEMU_TARBALL" "$QEMU_POOL" "$QEMU_TARBALL_SHA256"
# The Python build tools, unpacked side by side into one directory
pydir=$QDIR/python-$(sha256sum <<< "$QEMU_PYTHON_DEBS" | cut -c1-12)
if [ ! -d "$pydir" ]; then
	rm -rf "$pydir.tmp"
	while read -r deb pool sum; do
		[ -n "$deb" ] || continue
		fetch "$deb" "$pool" "$sum"
		dpkg-deb -x "$QDIR/dl/$deb" "$pydir.tmp"
	done <<< "$QEMU_PYTHON_DEBS"
	mv "$pydir.tmp" "$pydir"
fi
export PYTHONPATH=$pydir/usr/lib/python3/dist-packages

# One fixed source path: ccache's hashes stay valid from build to build
src=$QDIR/src
rm -rf "$src"
mkdir -p "$src"
log "unpacking $QEMU_TARBALL"
tar -xJf "$QDIR/dl/$QEMU_TARBALL" -C "$src" --strip-components=1
while read -r patch; do
	log "applying $(basename "$patch")"
	patch -d "$src" -p1 --quiet --forward < "$patch" ||
		die "$(basename "$patch") does not apply"
done < <(qemu_patches)
cp "$TOP/qemu/devices.mak" "$src/configs/devices/x86_64-softmmu/pri-test.mak"
# Debian's +ds tarball drops the prebuilt firmware, yet meson unpacks the
# edk2 images whenever bzip2 exists. The VM boots SeaBIOS from Debian 12's
# own packages (scripts/vm-run.sh -L), so empty images stand in for them.
for f in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',$/\1/p" "$src/pc-bios/meson.build"); do
	[ -e "$src/pc-bios/$f.bz2" ] || bzip2 -c < /dev/null > "$src/pc-bios/$f.bz2"
done

export CCACHE_BASEDIR=$src
mkdir -p "$src/build"
cd "$src/build"
log "configuring QEMU $QEMU_SOURCE_VERSION (x86_64-softmmu)"
../configure --python=/usr/bin/python3 --prefix="$out" \
	--target-list=x86_64-softmmu --with-devices-x86_64=pri-test \
	--without-default-features --without-default-devices \
	--disable-docs --disable-download --disable-install-blobs \
	--disable-werror >&2
log "building with $JOBS jobs"
ninja -j"$JOBS" qemu-system-x86_64 >&2

rm -rf "$out.tmp" "$out"
mkdir -p "$out.tmp/bin"
cp qemu-system-x86_64 "$out.tmp/bin/"
mv "$out.tmp" "$out"
cd "$QDIR"
rm -rf "$src"
echo "$out/bin/qemu-system-x86_64"
