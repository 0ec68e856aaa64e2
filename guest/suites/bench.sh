#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the fault queue benchmark, as one step.
. /suites/lib.sh
tap_plan 1
run_kselftest_plain() {
	echo "# selftest: $1"
	echo "# 1..1"
	{ "$2" 2>&1; echo $? > /tmp/rc; } | sed 's/^/# /'
	if [ "$(cat /tmp/rc)" = 0 ]; then
		echo "# ok 1 $1"
	else
		echo "# not ok 1 $1"
	fi
	tap_result "$(cat /tmp/rc)" "$1"
}
run_kselftest_plain iommufd_fault_bench /bench/iommufd_fault_bench
