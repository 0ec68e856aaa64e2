#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel and initramfs in QEMU (TCG), run one guest suite, and
# judge the run with scripts/tap-summary.py.
#
#   vm-run.sh [options] KERNEL INITRD LOGDIR
#     --arch x86_64|arm64   (default x86_64)
#     --suite NAME          guest/suites/NAME.sh (default selftests)
#     --timeout SECONDS     kill the guest after this long in all (default 1800)
#     --idle SECONDS        kill it when neither its console nor its test
#                           output has grown for this long (default 3600:
#                           longer than any scaled selftest timeout, so a
#                           hung test is ended by its own timeout first)
#     KSFT_TIMEOUT_SCALE    (environment) multiplies every selftest's own
#                           timeout in the guest (default 4)
#     --append "ARGS"       more kernel command line
#     --qemu "ARGS"         more QEMU arguments (machine devices)
#     --qemu-bin PATH       an x86_64 QEMU of our own (scripts/build-qemu.sh)
#                           instead of Debian's; it boots Debian's SeaBIOS
#     --no-judge            only run; leave the logs
#
# LOGDIR gets console.log (kernel, ttyS0) and tap.log (tests, ttyS1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=x86_64 suite=selftests timeout=1800 idle=3600 append= qemu_extra= judge=1
qemu_bin=
while [ $# -gt 3 ]; do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--idle) idle=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--qemu) qemu_extra=$2; shift 2 ;;
	--qemu-bin) qemu_bin=$2; shift 2 ;;
	--no-judge) judge=0; shift ;;
	*) die "unknown option $1" ;;
	esac
done
kernel=$1 initrd=$2 logdir=$3
mkdir -p "$logdir"
rm -f "$logdir"/{console,tap}.log

# KVM only where it really works; these machines run everything under TCG.
accel=tcg
if [ "$arch" = x86_64 ] && [ "$(uname -m)" = x86_64 ] && [ -w /dev/kvm ] &&
   [ "${USE_KVM:-0}" = 1 ]; then
	accel=kvm
fi

# Kernel messages on the first serial port, test output (TAP) on a second
# one: on arm64's virt machine (one PL011), a virtio console instead.
case $arch in
x86_64)
	qemu=(qemu-system-x86_64 -M q35 -cpu max -accel "$accel"
	      -serial "file:$logdir/console.log" -serial "file:$logdir/tap.log")
	# Our QEMU has no firmware of its own (Debian's +ds source drops it):
	# Debian 12's SeaBIOS and option ROMs, which the distro QEMU uses too.
	[ -n "$qemu_bin" ] &&
		qemu=("$qemu_bin" -L /usr/share/seabios -L /usr/share/qemu
		      "${qemu[@]:1}")
	console=ttyS0 tapdev=ttyS1
	;;
arm64)
	# The SMMUv3 translates the PCIe devices, edu among them (GICv3:
	# its ITS gives VFIO the MSIs it needs); cortex-a57 is the fastest
	# CPU model under TCG (max emulates pointer authentication).
	qemu=(qemu-system-aarch64 -M virt,iommu=smmuv3,gic-version=3
	      -cpu cortex-a57 -accel tcg -device edu
	      -serial "file:$logdir/console.log"
	      -device virtio-serial-device
	      -chardev "file,id=tap,path=$logdir/tap.log"
	      -device virtconsole,chardev=tap)
	console=ttyAMA0 tapdev=hvc0
	;;
*) die "unknown arch $arch" ;;
esac

# The tests run on a debug kernel under TCG, often on a loaded machine:
# their timeouts get a margin (guest/lib/ksft_timeout_scale.c). A hung
# guest is caught by silence (--idle), not by a tight total.
# The kernel's own watchdogs get the same margin: an emulated vCPU that
# waits for a host core is not a stalled CPU. They still catch a real
# stall or hang, minutes later.
cmdline="console=$console panic=-1 loglevel=7 tap=$tapdev suite=$suite"
cmdline+=" timeout_scale=${KSFT_TIMEOUT_SCALE:-4}"
cmdline+=" rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60"
cmdline+=" sysctl.kernel.hung_task_timeout_secs=600 $append"
# shellcheck disable=SC2206
extra=($qemu_extra)
log "booting $(basename "$kernel") ($arch, $accel, suite $suite, timeout ${timeout}s)"
start=$(date +%s)
rc=0
timeout -k 10 "$timeout" "${qemu[@]}" -smp 2 -m 3G -nodefaults \
	-no-user-config -display none -no-reboot -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	"${extra[@]}" </dev/null &
qemu_pid=$!

# output_size: how much the guest has written so far (files may not
# exist yet: never fail, set -e would end the watchdog with QEMU running)
output_size() { cat "$logdir"/{console,tap}.log 2>/dev/null | wc -c || true; }
last_size=-1 last_change=$start silent=0
while kill -0 "$qemu_pid" 2>/dev/null; do
	sleep 5
	size=$(output_size)
	if [ "$size" != "$last_size" ]; then
		last_size=$size last_change=$(date +%s)
	elif [ $(( $(date +%s) - last_change )) -ge "$idle" ]; then
		silent=1
		kill "$qemu_pid" 2>/dev/null
		break
	fi
done
wait "$qemu_pid" || rc=$?
echo "$(( $(date +%s) - start ))" > "$logdir/seconds"
if [ "$silent" = 1 ]; then
	echo "guest killed: no output for ${idle}s" > "$logdir/hung"
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "guest killed after ${timeout}s" > "$logdir/hung"
fi
[ "$judge" = 1 ] || exit 0
exec python3 "$TOP/scripts/tap-summary.py" "$logdir"
