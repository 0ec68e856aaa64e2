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

# The boot test runs where there is an edu device to drive
vfio_nr_steps() {
	edu_bdf > /dev/null && echo 4 || echo 0
}

# The PCI address of QEMU's edu device (1234:11e8)
edu_bdf() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor")" = 0x1234 ] &&
			[ "$(cat "$dev/device")" = 0x11e8 ] &&
			basename "$dev" && return 0
	done
	return 1
}

iommu_probed() {
	echo "# iommus: $(vfio_iommus)"
	dmesg | grep -iE 'smmu|dmar' | head -n 5 | sed 's/^/# /'
	[ -n "$(vfio_iommus)" ]
}

edu_to_vfio() {
	bdf=$(edu_bdf) || { echo "no edu device"; return 1; }
	echo "edu at $bdf, iommu group $(basename "$(readlink \
		/sys/bus/pci/devices/$bdf/iommu_group)")"
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	ls "/sys/bus/pci/devices/$bdf/vfio-dev/" | grep -q vfio
}

vfio_steps() {
	edu_bdf > /dev/null || return 0
	run_step iommu-probed iommu_probed
	run_step edu-bound-to-vfio-pci edu_to_vfio
	bdf=$(edu_bdf)
	cdev=$(ls "/sys/bus/pci/devices/$bdf/vfio-dev/" 2>/dev/null | head -n1)
	run_kselftest vfio_edu /progs/vfio_edu "/dev/vfio/devices/$cdev"
	run_kselftest edu_dma_fault /progs/edu_dma_fault "/dev/vfio/devices/$cdev"
}
