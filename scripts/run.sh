#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the patched kernel (debug config), boot it in QEMU and
# run the fault demo on the iommufd mock device, showing its output.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" base
[ -d "$TREE/.git" ] || "$TOP/scripts/make-tree.sh"
git -C "$TREE" rev-parse -q --verify series >/dev/null &&
	[ "$(git -C "$TREE" rev-parse --abbrev-ref HEAD)" = HEAD ] &&
	git -C "$TREE" checkout -q series

out=$BUILD/out/x86_64-test
"$TOP/scripts/build-kernel.sh" x86_64-test "$TREE" "$out" >/dev/null
mkdir -p "$out/demo"
for src in "$TOP"/demo/*.c; do
	gcc -O2 -Wall -static -isystem "$out/usr/include" \
		-I "$TREE/drivers/iommu/iommufd" -o "$out/demo/$(basename "$src" .c)" \
		"$src" -lpthread
done
"$TOP/scripts/mkinitramfs.sh" "$out/initramfs-demo.cpio" "$out" >/dev/null
logdir=$BUILD/logs/run
rc=0
"$TOP/scripts/vm-run.sh" --suite demo --timeout 600 \
	"$out/arch/x86/boot/bzImage" "$out/initramfs-demo.cpio" "$logdir" \
	> "$logdir.summary" || rc=$?
sed -n 's/^# demo: /  /p; s/^# \([a-z]*:.*\)/  \1/p' "$logdir/tap.log" | grep -v '^  guest:' || true
cat "$logdir.summary"
exit $rc
