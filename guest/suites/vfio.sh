# SPDX-License-Identifier: GPL-2.0
# Boot test of the machine's real IOMMU under iommufd, sourced by the
# suites of machines that have one: the IOMMU driver probed, QEMU's edu
# device bound to vfio-pci, and /progs/vfio_edu driving it through its
# VFIO cdev and iommufd. vfio_steps prints nothing and counts 0 when the
# machine has no IOMMU.

# The hardware IOMMU instances in sysfs (smmu3.*, dmar*)
vfio_iommus() {
	ls /sys/class/iommu 2>/dev/null
}

vfio_nr_steps() {
	[ -n "$(vfio_iommus)" ] && echo 3 || echo 0
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
	[ -n "$(vfio_iommus)" ] || return 0
	run_step iommu-probed iommu_probed
	run_step edu-bound-to-vfio-pci edu_to_vfio
	bdf=$(edu_bdf)
	cdev=$(ls "/sys/bus/pci/devices/$bdf/vfio-dev/" 2>/dev/null | head -n1)
	run_kselftest vfio_edu /progs/vfio_edu "/dev/vfio/devices/$cdev"
}
