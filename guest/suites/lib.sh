# SPDX-License-Identifier: GPL-2.0
# Helpers for guest suites: kselftest-runner style TAP, one top-level
# result per step, the step's own TAP below it behind "# ".
tap_n=0

tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

tap_result() {
	tap_n=$((tap_n + 1))
	case $1 in
	0) echo "ok $tap_n selftests: $2" ;;
	4) echo "ok $tap_n selftests: $2 # SKIP" ;;
	*) echo "not ok $tap_n selftests: $2 # exit=$1" ;;
	esac
}

# run_kselftest NAME PROGRAM [ARGS...]: a program that prints its own TAP
run_kselftest() {
	name=$1
	shift
	echo "# selftest: $name"
	{ "$@" 2>&1; echo $? > /tmp/rc; } | sed 's/^/# /'
	tap_result "$(cat /tmp/rc)" "$name"
}

# run_step NAME COMMAND [ARGS...]: a plain command, as a one-test program
run_step() {
	name=$1
	shift
	echo "# selftest: $name"
	echo "# 1..1"
	if "$@" > /tmp/out 2>&1; then
		echo "# ok 1 $name"
		tap_result 0 "$name"
	else
		sed 's/^/# # /' /tmp/out
		echo "# not ok 1 $name"
		tap_result 1 "$name"
	fi
}

# run_kunit SUITE: the results of a KUnit suite that already ran, from
# debugfs, as a program whose tests are the suite's test cases
run_kunit() {
	results=/sys/kernel/debug/kunit/$1/results
	echo "# selftest: kunit-$1"
	grep -E '^ +(not )?ok [0-9]+ ' "$results" > /tmp/kunit
	echo "# 1..$(wc -l < /tmp/kunit)"
	sed 's/^ *//; s/^/# /' /tmp/kunit
	if grep -q '^ *not ok' /tmp/kunit || ! [ -s /tmp/kunit ]; then
		tap_result 1 "kunit-$1"
	else
		tap_result 0 "kunit-$1"
	fi
}
