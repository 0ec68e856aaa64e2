#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Only the fault queue suite and the KUnit results (quick runs while
# developing).
. /suites/lib.sh
kunit=$(ls /sys/kernel/debug/kunit 2>/dev/null)
tap_plan "$(echo iommufd_fault $kunit | wc -w)"
run_kselftest iommufd_fault /tests/iommufd_fault
for suite in $kunit; do
	run_kunit "$suite"
done
