#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Recoverable faults end to end on QEMU's VT-d (scalable mode, svm=on)
# and the pri-test device (QEMU built by scripts/build-qemu.sh): the
# device bound to vfio-pci, /progs/pri_fault driving it through its VFIO
# cdev and iommufd, with its page requests answered through a fault queue.
. /suites/lib.sh

# The PCI addresses of pri-test devices (1234:5052)
pri_bdfs() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor")" = 0x1234 ] &&
			[ "$(cat "$dev/device")" = 0x5052 ] &&
			basename "$dev"
	done
}

# Every DMAR unit reports Page Request Support (ECAP bit 29) and
# Page-request Drain Support (bit 42), and a pri-test device exists
iommu_has_prs() {
	dmesg | grep -iE 'dmar|DMAR' | head -n 8 | sed 's/^/# /'
	units=0
	for d in /sys/class/iommu/dmar*; do
		ecap=$(cat "$d/intel-iommu/ecap")
		echo "# $(basename "$d"): ecap $ecap"
		[ $(( (0x$ecap >> 29) & 1 )) = 1 ] || return 1
		[ $(( (0x$ecap >> 42) & 1 )) = 1 ] || return 1
		units=$((units + 1))
	done
	[ "$units" -gt 0 ] && [ -n "$(pri_bdfs)" ]
}

to_vfio() {
	bdf=$1
	echo "pri-test at $bdf, iommu group $(basename "$(readlink \
		/sys/bus/pci/devices/$bdf/iommu_group)")"
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	ls "/sys/bus/pci/devices/$bdf/vfio-dev/" | grep -q vfio
}

bdf=$(pri_bdfs | head -n1)
tap_plan 3
run_step pri-test-present iommu_has_prs
run_step "pri-test-$bdf-bound-to-vfio-pci" to_vfio "$bdf"
cdev=$(ls "/sys/bus/pci/devices/$bdf/vfio-dev/" 2>/dev/null | head -n1)
run_kselftest "pri_fault-$bdf" /progs/pri_fault "/dev/vfio/devices/$cdev" \
	"/sys/bus/pci/devices/$bdf"
