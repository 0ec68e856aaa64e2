# The devices of the QEMU the PRI stage builds (--without-default-devices):
# the q35 machine, its VT-d, the PRI test device, and PCIe root ports.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PRI_TEST=y
CONFIG_PCIE_PORT=y
CONFIG_EDU=y
# QEMU 10.2's ACPI tables call into CXL whenever the PC machine is built:
# without CXL (and its memory device, and PXB that CXL needs),
# --without-default-devices fails to link (cxl_fmws_get_all_sorted)
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
