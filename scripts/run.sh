#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the patched kernel (debug config), boot it in QEMU and
# run the VMM-style fault handler demo (demo/fault_vmm.c) on the iommufd
# mock device, showing its live output.
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
mkdir -p "$logdir"
rm -f "$logdir/tap.log"
"$TOP/scripts/vm-run.sh" --suite demo --timeout 600 \
	"$out/arch/x86/boot/bzImage" "$out/initramfs-demo.cpio" "$logdir" \
	> "$logdir.summary" &
vm=$!
# Show the demo's lines as the guest prints them.
tail -n +1 -F --pid="$vm" "$logdir/tap.log" 2>/dev/null |
	sed -u -n 's/^# demo: /  /p' || true
rc=0
wait "$vm" || rc=$?
cat "$logdir.summary"
exit $rc
