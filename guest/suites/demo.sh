#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: the VMM-style fault handler demo, as one step.
. /suites/lib.sh
tap_plan 1
echo "# selftest: demo"
echo "# 1..1"
# A queue deep enough for the load, then a shallow one with a deadline
# shorter than the time a fault takes to resolve, where the kernel
# answers for a VMM that falls behind (overflow and deadline).
{ /demo/fault_vmm 3 256 0 2>&1; echo $? > /tmp/rc; } | sed 's/^/# demo: /'
rc=$(cat /tmp/rc)
echo "# demo:"
{ /demo/fault_vmm 2 32 2 2>&1; echo $? > /tmp/rc; } | sed 's/^/# demo: /'
[ "$rc" = 0 ] && rc=$(cat /tmp/rc)
if [ "$rc" = 0 ]; then
	echo "# ok 1 fault_vmm"
	tap_result 0 demo
else
	echo "# not ok 1 fault_vmm"
	tap_result 1 demo
fi
