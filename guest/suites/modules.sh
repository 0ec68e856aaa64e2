#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# iommufd built as a module: load it, run the fault queue suite, unload
# it, and do it all again, so that anything left behind by the first
# round (a leaked object, a work still queued) shows on the second or in
# kmemleak.
. /suites/lib.sh
tap_plan 6
for round in 1 2; do
	run_step "modprobe-iommufd-$round" modprobe iommufd
	run_kselftest "iommufd_fault-$round" /tests/iommufd_fault
	run_step "rmmod-iommufd-$round" rmmod iommufd
done
