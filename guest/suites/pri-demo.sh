#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run DEVICE=pri: the VMM demo loop on real page requests, from the
# pri-test device through QEMU's VT-d, as one step (see pri.sh).
. /suites/lib.sh
tap_plan 1
echo "# selftest: pri-demo"
echo "# 1..1"
bdf=
for dev in /sys/bus/pci/devices/*; do
	[ "$(cat "$dev/vendor")" = 0x1234 ] &&
		[ "$(cat "$dev/device")" = 0x5052 ] && bdf=$(basename "$dev")
done
echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
echo "$bdf" > /sys/bus/pci/drivers_probe
cdev=$(ls "/sys/bus/pci/devices/$bdf/vfio-dev/" 2>/dev/null | head -n1)
{ /progs/pri_fault "/dev/vfio/devices/$cdev" "/sys/bus/pci/devices/$bdf" \
	demo "${PRI_DEMO_SECONDS:-10}" 2>&1; echo $? > /tmp/rc; } |
	sed 's/^demo: /# demo: /; s/^\([^#]\)/# \1/'
if [ "$(cat /tmp/rc)" = 0 ]; then
	echo "# ok 1 pri-demo"
	tap_result 0 pri-demo
else
	echo "# not ok 1 pri-demo"
	tap_result 1 pri-demo
fi
