#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Quick runs while developing: one selftest program, limited to the tests
# named on the kernel command line, e.g.
#   vm-run.sh --suite dev --append "prog=iommufd_fault run=fence.replace_close.answers_stop_when_the_device_leaves"
# run= takes a comma-separated list of FIXTURE.VARIANT.TEST (kselftest -r).
. /suites/lib.sh
prog=iommufd_fault
runs=
for arg in $(cat /proc/cmdline); do
	case $arg in
	prog=*) prog=${arg#prog=} ;;
	run=*) runs=${arg#run=} ;;
	esac
done
args=
for r in $(echo "$runs" | tr ',' ' '); do
	args="$args -r $r"
done
tap_plan 1
# shellcheck disable=SC2086
run_kselftest "$prog" "/tests/$prog" $args
