#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Only the fault queue suite (for quick runs while developing).
. /suites/lib.sh
tap_plan 1
run_kselftest iommufd_fault /tests/iommufd_fault
