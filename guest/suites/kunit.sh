#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Only the results of the KUnit suites that ran at boot (quick runs while
# developing).
. /suites/lib.sh
kunit=$(ls /sys/kernel/debug/kunit 2>/dev/null)
tap_plan "$(echo $kunit | wc -w)"
for suite in $kunit; do
	run_kunit "$suite"
done
