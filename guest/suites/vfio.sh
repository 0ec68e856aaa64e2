# SPDX-License-Identifier: GPL-2.0
# Boot test of the machine's real IOMMU under iommufd, sourced by the
# suites of machines that have one: the IOMMU driver probed, QEMU's edu
# device bound to vfio-pci, /progs/vfio_edu driving it through its VFIO
# cdev and iommufd, and /progs/edu_dma_fault making its DMA fail and
# reading the unrecoverable fault from a fault queue. vfio_steps prints
# nothing and counts 0 when the machine has no edu device.

# The hardware IOMMU instances in sysfs: VT-d's dmar*, the SMMUv3's
# smmu3.* (not the iommufd mock's)
vfio_iommus() {
	ls /sys/class/iommu 2>/dev/null | grep -E '^(dmar|smmu3)'
}

# The boot test runs where there is an edu device to drive: one step for
# the IOMMU, three for each edu. On x86 a second edu sits behind a
# PCIe-to-PCI bridge, so its DMA carries the bridge's alias (secondary
# bus, 00.0) as requester ID, and its faults must still reach it.
vfio_nr_steps() {
	n=$(edu_bdfs | wc -l)
	[ "$n" -gt 0 ] && echo $((1 + 3 * n)) || echo 0
}

# The PCI addresses of QEMU's edu devices (1234:11e8)
edu_bdfs() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor")" = 0x1234 ] &&
			[ "$(cat "$dev/device")" = 0x11e8 ] &&
			basename "$dev"
	done
}

iommu_probed() {
	echo "# iommus: $(vfio_iommus)"
	dmesg | grep -iE 'smmu|dmar' | head -n 5 | sed 's/^/# /'
	[ -n "$(vfio_iommus)" ]
}

edu_to_vfio() {
	bdf=$1
	echo "edu at $bdf, iommu group $(basename "$(readlink \
		/sys/bus/pci/devices/$bdf/iommu_group)")"
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	ls "/sys/bus/pci/devices/$bdf/vfio-dev/" | grep -q vfio
}

vfio_steps() {
	[ -n "$(edu_bdfs)" ] || return 0
	run_step iommu-probed iommu_probed
	for bdf in $(edu_bdfs); do
		run_step "edu-$bdf-bound-to-vfio-pci" edu_to_vfio "$bdf"
		cdev=$(ls "/sys/bus/pci/devices/$bdf/vfio-dev/" 2>/dev/null |
		       head -n1)
		run_kselftest "vfio_edu-$bdf" /progs/vfio_edu \
			"/dev/vfio/devices/$cdev"
		run_kselftest "edu_dma_fault-$bdf" /progs/edu_dma_fault \
			"/dev/vfio/devices/$cdev"
	done
}
