#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the patched kernel (debug config), boot it in QEMU and
# run the VMM-style fault handler demo (demo/fault_vmm.c) on the iommufd
# mock device, showing its live output.
#
# make run DEVICE=pri: the same VMM loop on real page requests instead:
# the pri-test device on QEMU's VT-d (the QEMU of scripts/build-qemu.sh),
# through vfio-pci and iommufd (guest/progs/pri_fault.c, demo mode).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

device=${DEVICE:-mock}
case $device in
mock | pri) ;;
*) die "DEVICE=$device: choose mock (default) or pri" ;;
esac

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
vm_args=(--suite demo)
if [ "$device" = pri ]; then
	qemu_bin=$("$TOP/scripts/build-qemu.sh")
	vm_args=(--suite pri-demo --qemu-bin "$qemu_bin" --qemu
		 "-device intel-iommu,intremap=on,x-scalable-mode=on,device-iotlb=on,svm=on -device pri-test")
fi
"$TOP/scripts/vm-run.sh" "${vm_args[@]}" --timeout 600 \
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
