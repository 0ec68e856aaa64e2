#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# iommufd built as a module: load it (its KUnit suite runs on load), run
# the fault queue suite, unload it, and do it all again, so that anything
# the first round left behind (a leaked object, a work still queued)
# shows in the second round or in kmemleak.
. /suites/lib.sh
tap_plan 8
for round in 1 2; do
	run_step "modprobe-iommufd-$round" modprobe iommufd
	run_kunit iommufd-fault-queue
	run_kselftest "iommufd_fault-$round" /tests/iommufd_fault
	run_step "rmmod-iommufd-$round" rmmod iommufd
done
