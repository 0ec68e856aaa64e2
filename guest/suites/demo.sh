#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: the VMM-style fault handler demo, as one step.
. /suites/lib.sh
tap_plan 1
echo "# selftest: demo"
echo "# 1..1"
{ /demo/fault_vmm 3 256 2>&1; echo $? > /tmp/rc; } | sed 's/^/# demo: /'
if [ "$(cat /tmp/rc)" = 0 ]; then
	echo "# ok 1 fault_vmm"
	tap_result 0 demo
else
	echo "# not ok 1 fault_vmm"
	tap_result 1 demo
fi
