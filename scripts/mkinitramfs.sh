#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test VM's initramfs: Debian's static busybox, guest/init, the
# guest suites and the static test binaries, for the architecture of the
# kernel in BUILD_OUT.
#
#   mkinitramfs.sh OUT.cpio BUILD_OUT
#
# The test binaries are every executable under BUILD_OUT/selftests; the
# demo binaries, BUILD_OUT/demo; the kernel modules, BUILD_OUT/modules-install;
# guest/progs/*.c are compiled against BUILD_OUT's uAPI headers into /progs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cpio_out=$(realpath -m "$1") kout=$(realpath "$2")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,demo,progs,suites,lib/modules}
if grep -q '^CONFIG_ARM64=y' "$kout/.config"; then
	busybox=$CACHE/arm64/busybox cross=aarch64-linux-gnu-
	[ -x "$busybox" ] || die "no arm64 busybox at $busybox (scripts/deps.sh arm64)"
else
	busybox=/bin/busybox cross=
	[ -x "$busybox" ] || die "no static busybox at $busybox (apt-get install busybox-static)"
fi
# The test programs use the uAPI of the build the selftests come from (the
# patched one, also when booting the base for make bench).
hdrs=$kout/usr/include
[ -n "${SELFTESTS_FROM:-}" ] && hdrs=$(dirname "$SELFTESTS_FROM")/usr/include
for src in "$TOP"/guest/progs/*.c; do
	"${cross}gcc" -O2 -Wall -static -isystem "$hdrs" \
		-o "$root/progs/$(basename "$src" .c)" "$src"
done
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$TOP/guest/init" "$root/init"
cp "$TOP"/guest/suites/*.sh "$root/suites/"
# Tests go to /tests, where the selftests suite runs everything; the
# benchmark (*_bench) goes to /bench, which only make bench runs.
mkdir -p "$root/bench"
# SELFTESTS_FROM takes them from another build (the base has none).
tests=${SELFTESTS_FROM:-$kout/selftests}
find "$tests" -type f -perm -u+x ! -name '*_bench' \
	-exec cp {} "$root/tests/" \; 2>/dev/null || true
find "$tests" -type f -perm -u+x -name '*_bench' \
	-exec cp {} "$root/bench/" \; 2>/dev/null || true
[ -d "$kout/demo" ] && cp "$kout"/demo/* "$root/demo/"
[ -d "$kout/modules-install/lib/modules" ] &&
	cp -a "$kout/modules-install/lib/modules/." "$root/lib/modules/"
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$cpio_out"
echo "$cpio_out"
