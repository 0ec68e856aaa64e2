#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the fault benchmark on the unpatched base and on the patched
# kernel, same non-debug config (configs/x86_64-bench), same binary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
die "make bench needs the fault benchmark, which comes with the fault queue rework"
