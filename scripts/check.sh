#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every gate the series must pass, in order.
#
#   1. dependencies   (scripts/deps.sh)
#   2. tree           (scripts/make-tree.sh)
#   3. checkpatch     --strict on every patch: 0 errors, warnings, checks
#   4. bisect         a build of the test config after each patch
#   5. modules        a build with CONFIG_IOMMUFD=m (debug set too)
#   6. arm64          the arm64 test config (SMMUv3, its KUnit tests), built
#                     after each patch that touches drivers/iommu/arm/ and
#                     at the end of the series
#   7. vm-debug       every selftest in QEMU on the last build
#   8. vm-modules     the fault suite around loading and unloading iommufd
#   9. vm-vtd         x86_64 with QEMU's VT-d: the boot test (edu through
#                     vfio-pci and iommufd, its failed DMA read from a
#                     fault queue), for an edu on the root bus and one
#                     behind a PCIe-to-PCI bridge (an aliased requester)
#  10. vm-arm64       arm64 under QEMU with an SMMUv3: the same boot test,
#                     every selftest and every KUnit suite
#  11. arm64-mod      the arm64 build with the SMMUv3 driver, its KUnit
#                     suites and iommufd as modules (modpost), and its VM:
#                     the KUnit suites run as their modules load
#  12. distro         Debian's own configs with IOMMUFD=m: W=1 and sparse
#                     on what the series touches, modpost (scripts/distro.sh)
#  13. qemu           the pinned QEMU with our patches (qemu/), built once
#                     into the cache outside the clone (scripts/build-qemu.sh)
#  14. vm-pri         x86_64 on that QEMU: VT-d in scalable mode with page
#                     requests, and the pri-test device, which faults
#                     through ATS and PRI; guest/progs/pri_fault answers its
#                     page requests through a fault queue
#
# The VM suites (7-11, 14) run in two lanes at once, x86_64 and arm64; the
# compilers run through ccache, whose cache (like every download) is in
# the user's cache directory, outside the clone (scripts/lib.sh).
#
# Each gate counts as tests; the run ends with "N passed, N failed".
# Logs go to build/logs/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

LOGS=$BUILD/logs
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0
summary=()

pass() { passed=$((passed + 1)); echo "  ok      $*"; }
fail() { failed=$((failed + 1)); echo "  FAILED  $*"; }
stage_start() { stage=$1; stage_t0=$(date +%s); echo "== $stage"; }
stage_end() { summary+=("$(printf '%-12s %5ss' "$stage" $(( $(date +%s) - stage_t0 )))"); }
finish() {
	command -v ccache > /dev/null &&
		echo "== ccache ($CCACHE_DIR): $(ccache --print-stats 2>/dev/null |
			awk -F'\t' '$1 ~ /^(direct_cache_hit|preprocessed_cache_hit|cache_miss)$/ { v[$1] = $2 }
			END { printf "%d hits, %d misses", v["direct_cache_hit"] + v["preprocessed_cache_hit"], v["cache_miss"] }')"
	echo "== stage times"
	printf '  %s\n' "${summary[@]}"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}
# Show the end of a failed step's log.
show_log() { echo "  --- last lines of $1"; tail -n "${2:-30}" "$1" | sed 's/^/  | /'; }

command -v ccache > /dev/null && ccache --zero-stats > /dev/null
stage_start deps
if "$TOP/scripts/deps.sh" base arm64 > "$LOGS/deps.log" 2>&1; then
	pass "dependencies"
else
	fail "dependencies"; show_log "$LOGS/deps.log"; stage_end; finish
fi
stage_end

stage_start tree
if "$TOP/scripts/make-tree.sh" > "$LOGS/tree.log" 2>&1; then
	pass "tree: $(tail -n1 "$LOGS/tree.log" | sed 's/^==> //')"
else
	fail "tree"; show_log "$LOGS/tree.log"; stage_end; finish
fi
stage_end

stage_start checkpatch
while read -r patch; do
	name=$(basename "$patch")
	# Debian's python3 (with python3-ply) for the SPDX check, whatever
	# python3 comes first in PATH.
	out=$(cd "$TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl -q \
		--strict --no-summary --show-types "$patch" 2>&1)
	if [ -z "$out" ]; then
		pass "checkpatch $name"
	else
		fail "checkpatch $name"
		echo "$out" | sed 's/^/  | /'
	fi
done < <(series_patches)
stage_end

stage_start bisect
commits=$(git -C "$TREE" rev-list --reverse base..series)
out=$BUILD/out/x86_64-test
built=0
for c in $commits; do
	subject=$(git -C "$TREE" log -1 --format=%s "$c")
	git -C "$TREE" checkout -q --detach "$c"
	if "$TOP/scripts/build-kernel.sh" x86_64-test "$TREE" "$out" \
		> "$LOGS/build-$c.log" 2>&1; then
		pass "build x86_64-test: $subject"
		built=1
	else
		fail "build x86_64-test: $subject"
		show_log "$LOGS/build-$c.log"
		built=0
		break
	fi
done
git -C "$TREE" checkout -q series
stage_end
[ "$built" = 1 ] || finish

stage_start modules
mod_out=$BUILD/out/x86_64-modules
if "$TOP/scripts/build-kernel.sh" x86_64-modules "$TREE" "$mod_out" \
	> "$LOGS/build-modules.log" 2>&1; then
	pass "build x86_64-modules (CONFIG_IOMMUFD=m)"
	mod_built=1
else
	fail "build x86_64-modules (CONFIG_IOMMUFD=m)"
	show_log "$LOGS/build-modules.log"
	mod_built=0
fi
stage_end

stage_start arm64
arm_out=$BUILD/out/arm64-test
arm_built=0
for c in $commits; do
	[ "$c" = "$(git -C "$TREE" rev-parse series)" ] && continue
	git -C "$TREE" diff --quiet "$c~1" "$c" -- drivers/iommu/arm && continue
	subject=$(git -C "$TREE" log -1 --format=%s "$c")
	git -C "$TREE" checkout -q --detach "$c"
	if SELFTESTS=0 "$TOP/scripts/build-kernel.sh" arm64-test "$TREE" \
		"$arm_out" > "$LOGS/build-arm64-$c.log" 2>&1; then
		pass "build arm64-test: $subject"
	else
		fail "build arm64-test: $subject"
		show_log "$LOGS/build-arm64-$c.log"
	fi
done
git -C "$TREE" checkout -q series
if "$TOP/scripts/build-kernel.sh" arm64-test "$TREE" "$arm_out" \
	> "$LOGS/build-arm64.log" 2>&1; then
	pass "build arm64-test: the whole series"
	arm_built=1
else
	fail "build arm64-test: the whole series"
	show_log "$LOGS/build-arm64.log"
fi
stage_end

# The SMMUv3 driver, its KUnit suites and iommufd as modules, PRI built
# in: modpost fails here on a symbol they use that is not exported.
stage_start arm64-mod
armmod_out=$BUILD/out/arm64-modules
armmod_built=0
if SELFTESTS=0 "$TOP/scripts/build-kernel.sh" arm64-modules "$TREE" \
	"$armmod_out" > "$LOGS/build-arm64-modules.log" 2>&1; then
	pass "build arm64-modules (ARM_SMMU_V3=m, its KUnit =m, IOMMUFD=m, modpost)"
	armmod_built=1
else
	fail "build arm64-modules (ARM_SMMU_V3=m, its KUnit =m, IOMMUFD=m, modpost)"
	show_log "$LOGS/build-arm64-modules.log"
fi
stage_end

# Debian's own configs (amd64, amd64 rt, arm64) with IOMMUFD=m: W=1,
# sparse, modpost (scripts/distro.sh); each of its checks is a test.
stage_start distro
while read -r line; do
	case $line in
	"ok "*) pass "distro $(sed 's/^ *//' <<< "${line#ok}")" ;;
	"FAILED "*) fail "distro $(sed 's/^ *//' <<< "${line#FAILED}")" ;;
	*) echo "  $line" ;;
	esac
done < <("$TOP/scripts/distro.sh" > "$LOGS/distro.log" 2>&1
	echo "exit $?" >> "$LOGS/distro.log"; cat "$LOGS/distro.log")
grep -q '^  ok ' "$LOGS/distro.log" || fail "distro: no check ran"
grep -qx 'exit 0' "$LOGS/distro.log" || grep -q '^  FAILED' "$LOGS/distro.log" ||
	fail "distro: scripts/distro.sh failed ($(tail -n 1 "$LOGS/distro.log"))"
stage_end

# The VM suites run in two lanes at once, x86_64 and arm64: each guest is
# TCG on one busy host thread most of the time, so two of them fill the
# machine's two cores and halve the wall time. The tests' own timeouts
# carry a margin for that load (scripts/vm-run.sh, KSFT_TIMEOUT_SCALE).
#
# vm_run NAME BUILD_OUT SUITE [ARCH [QEMU_ARGS [QEMU_BIN]]]: boot
# BUILD_OUT's kernel, run SUITE; the summary goes to $LOGS/vm-NAME.summary.
vm_run() {
	local name=$1 kout=$2 suite=$3 arch=${4:-x86_64} qemu_args=${5:-}
	local qemu_bin=${6:-} image
	image=$kout/arch/x86/boot/bzImage
	[ "$arch" = arm64 ] && image=$kout/arch/arm64/boot/Image
	rm -f "$LOGS/vm-$name/counts"
	"$TOP/scripts/mkinitramfs.sh" "$kout/initramfs-$name.cpio" "$kout" > /dev/null
	"$TOP/scripts/vm-run.sh" --arch "$arch" --suite "$suite" \
		--qemu "$qemu_args" ${qemu_bin:+--qemu-bin "$qemu_bin"} \
		--timeout "${VM_TIMEOUT:-7200}" "$image" \
		"$kout/initramfs-$name.cpio" "$LOGS/vm-$name" \
		> "$LOGS/vm-$name.summary" 2>&1
}
# vm_collect STAGE NAME: print a finished suite's summary and count it
vm_collect() {
	local stage=$1 name=$2 p f s secs
	echo "== $stage"
	cat "$LOGS/vm-$name.summary"
	read -r p f s < "$LOGS/vm-$name/counts" 2>/dev/null || { p=0 f=1 s=0; }
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	secs=$(cat "$LOGS/vm-$name/seconds" 2>/dev/null || echo '?')
	summary+=("$(printf '%-12s %5ss  (in its lane)' "$stage" "$secs")")
}

# A second edu on a conventional PCI bus behind a PCIe-to-PCI bridge: its
# DMA carries the bridge's alias requester ID (secondary bus, 00.0), as
# on real conventional devices, and its faults must still reach it.
VTD_ALIASED_EDU="-device pcie-pci-bridge,id=pcibr,addr=0x8"
VTD_ALIASED_EDU+=" -device edu,bus=pcibr,addr=0x1"

# The QEMU of the PRI stage: Debian's pinned source with our patches,
# built once per machine (the cache is keyed by the source and patches).
stage_start qemu
qemu_bin=
if qemu_bin=$("$TOP/scripts/build-qemu.sh" 2> "$LOGS/build-qemu.log"); then
	pass "build QEMU $(. "$TOP/qemu/qemu.conf"; echo "$QEMU_SOURCE_VERSION") with qemu/patches (x86_64-softmmu)"
else
	fail "build QEMU (scripts/build-qemu.sh)"
	show_log "$LOGS/build-qemu.log"
	qemu_bin=
fi
stage_end

# VT-d in scalable mode with page requests (svm=on needs device-iotlb=on
# for ATS), and the pri-test device on the root bus: an integrated
# endpoint, for which Linux allows ATS without an ATSR entry.
PRI_QEMU="-device intel-iommu,intremap=on,x-scalable-mode=on"
PRI_QEMU+=",device-iotlb=on,svm=on -device pri-test"

stage_start vm
(
	vm_run x86_64 "$out" selftests
	[ "$mod_built" = 1 ] && vm_run x86_64-modules "$mod_out" modules
	vm_run x86_64-vtd "$out" iommu x86_64 \
		"-device intel-iommu,intremap=on -device edu $VTD_ALIASED_EDU"
) &
lane_x86=$!
(
	[ "$arm_built" = 1 ] && vm_run arm64 "$arm_out" selftests arm64
	[ "$armmod_built" = 1 ] &&
		vm_run arm64-modules "$armmod_out" modules-arm64 arm64
	[ -n "$qemu_bin" ] &&
		vm_run x86_64-pri "$out" pri x86_64 "$PRI_QEMU" "$qemu_bin"
) &
lane_arm=$!
wait "$lane_x86" "$lane_arm"
stage_end
vm_collect vm-debug x86_64
[ "$mod_built" = 1 ] && vm_collect vm-modules x86_64-modules
vm_collect vm-vtd x86_64-vtd
[ "$arm_built" = 1 ] && vm_collect vm-arm64 arm64
[ "$armmod_built" = 1 ] && vm_collect vm-arm64-mod arm64-modules
[ -n "$qemu_bin" ] && vm_collect vm-pri x86_64-pri
finish
