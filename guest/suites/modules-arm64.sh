#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 modular build: the SMMUv3 driver, its KUnit suites and iommufd
# are modules. Loading each KUnit module runs its suites (and loads the
# driver it tests); iommufd's suite runs when iommufd loads. Then iommufd
# is unloaded and loaded again.
. /suites/lib.sh
tap_plan 8
run_step "modprobe-arm-smmu-v3-iopf-test" modprobe arm-smmu-v3-iopf-test
run_kunit arm-smmu-v3-iopf
run_step "modprobe-arm-smmu-v3-test" modprobe arm-smmu-v3-test
run_kunit arm-smmu-v3-kunit-test
run_step "modprobe-iommufd" modprobe iommufd
run_kunit iommufd-fault-queue
run_step "rmmod-iommufd" rmmod iommufd
run_step "modprobe-iommufd-again" modprobe iommufd
