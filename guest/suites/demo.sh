#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: the fault round trip demo, reported as one TAP test.
echo "TAP version 13"
echo "1..1"
echo "# selftest: demo"
echo "# 1..1"
{ /demo/fault_roundtrip 2>&1; echo $? > /tmp/rc; } | sed 's/^/# /'
if [ "$(cat /tmp/rc)" = 0 ]; then
	echo "# ok 1 fault_roundtrip"
	echo "ok 1 demo"
else
	echo "# not ok 1 fault_roundtrip"
	echo "not ok 1 demo"
fi
