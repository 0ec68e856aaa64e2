#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the fault queue benchmark on the unpatched base and on the
# patched kernel, both built with configs/x86_64-bench (no debug set),
# running the same binary (iommufd_fault_bench, built from the series).
# Prints each figure for both kernels and the patched/base ratio, and the
# queue overhead per fault, 1/rate - 1/floor within pairs of samples that
# the program takes back to back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" base
[ -d "$TREE/.git" ] || "$TOP/scripts/make-tree.sh"

base_src=$BUILD/base-src
if [ ! -d "$base_src" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$base_src" base
fi
base_out=$BUILD/out/x86_64-bench-base
patched_out=$BUILD/out/x86_64-bench
logs=$BUILD/logs/bench
mkdir -p "$logs"

log "building the base ($(git -C "$base_src" log -1 --format=%s | cut -c1-60))"
SELFTESTS=0 "$TOP/scripts/build-kernel.sh" x86_64-bench "$base_src" "$base_out" \
	> "$logs/build-base.log" 2>&1 || { tail -20 "$logs/build-base.log"; exit 1; }
log "building the patched kernel"
"$TOP/scripts/build-kernel.sh" x86_64-bench "$TREE" "$patched_out" \
	> "$logs/build-patched.log" 2>&1 || { tail -20 "$logs/build-patched.log"; exit 1; }

# TCG timing drifts over minutes: run the two kernels in alternation,
# BENCH_ROUNDS times each, and compare the medians of each figure. A
# round boots a kernel and runs for about ten seconds, and now and then
# one runs slow from start to end (its injection floor too): nine rounds
# keep two or three such rounds out of the median, where three did not.
rounds=${BENCH_ROUNDS:-9}
for kind in base patched; do
	case $kind in
	base) kout=$base_out ;;
	patched) kout=$patched_out ;;
	esac
	SELFTESTS_FROM=$patched_out/selftests \
		"$TOP/scripts/mkinitramfs.sh" "$kout/initramfs-bench.cpio" "$kout" >/dev/null
done
for round in $(seq "$rounds"); do
	for kind in base patched; do
		case $kind in
		base) kout=$base_out ;;
		patched) kout=$patched_out ;;
		esac
		log "benchmarking the $kind kernel, round $round of $rounds"
		"$TOP/scripts/vm-run.sh" --suite bench --timeout 1800 \
			"$kout/arch/x86/boot/bzImage" "$kout/initramfs-bench.cpio" \
			"$logs/$kind-$round" > "$logs/$kind-$round.summary" ||
			{ cat "$logs/$kind-$round.summary"; exit 1; }
		sed -n 's/^# bench: //p' "$logs/$kind-$round/tap.log" \
			> "$logs/$kind-$round.txt"
	done
done

python3 - "$logs" "$rounds" <<'PY'
import statistics
import sys

def load(path):
    return {k: float(v) for k, v in (l.split() for l in open(path) if l.strip())}

def median_of(kind):
    runs = [load(f"{sys.argv[1]}/{kind}-{r}.txt")
            for r in range(1, int(sys.argv[2]) + 1)]
    return {k: statistics.median(run[k] for run in runs)
            for k in runs[0] if all(k in run for run in runs)}

base, new = median_of("base"), median_of("patched")
print(f"median of {sys.argv[2]} alternating rounds per kernel")
print(f"{'figure':<34}{'base':>14}{'patched':>14}{'patched/base':>14}")
def row(name, b, p, fmt="{:,.0f}"):
    ratio = p / b if b else float("nan")
    print(f"{name:<34}{fmt.format(b):>14}{fmt.format(p):>14}{ratio:>14.2f}")
row("injection floor, faults/s", base["floor_fps"], new["floor_fps"])
for b in (1, 16, 64):
    row(f"round trip batch {b}, faults/s", base[f"rt{b}_fps"], new[f"rt{b}_fps"])
# The overhead is measured by the program, within pairs of samples taken
# back to back (iommufd_fault_bench.c says why), not from the medians above.
for b in (1, 16, 64):
    row(f"queue overhead batch {b}, ns/fault", base[f"ov{b}_ns"],
        new[f"ov{b}_ns"])
row("slab bytes per pending group", base["pending_bytes"], new["pending_bytes"])
row("slab kB, 16384 unanswered", base["pending16k_kb"], new["pending16k_kb"])
# Kernels without the figure (a bench binary older than the series) skip it
if "replace_ps" in base and "replace_ps" in new:
    row("replace between queues, 1/s", base["replace_ps"], new["replace_ps"])
PY
