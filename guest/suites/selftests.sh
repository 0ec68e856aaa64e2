#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every selftest program in /tests.
. /suites/lib.sh
progs=$(ls /tests)
tap_plan "$(echo "$progs" | wc -w)"
for prog in $progs; do
	run_kselftest "$prog" "/tests/$prog"
done
