#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The machine's real IOMMU under iommufd, alone: on x86_64, QEMU's VT-d.
# In 6.12 the iommufd mock cannot run next to VT-d (the iommu core probes
# every device without firmware node with the first registered IOMMU's
# ops, VT-d's, which refuse the mock's devices), so the selftests run on
# a machine without it and this boot test on one with it.
. /suites/lib.sh
. /suites/vfio.sh
tap_plan "$(vfio_nr_steps)"
vfio_steps
