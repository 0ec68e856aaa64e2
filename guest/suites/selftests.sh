#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The machine's real IOMMU under iommufd (when it has one), every
# selftest program in /tests, then the results of every KUnit suite that
# ran at boot (or at module load).
. /suites/lib.sh
. /suites/vfio.sh
progs=$(ls /tests)
kunit=$(ls /sys/kernel/debug/kunit 2>/dev/null)
tap_plan "$(( $(echo $progs $kunit | wc -w) + $(vfio_nr_steps) ))"
vfio_steps
for prog in $progs; do
	run_kselftest "$prog" "/tests/$prog"
done
for suite in $kunit; do
	run_kunit "$suite"
done
