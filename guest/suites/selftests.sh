#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest program in /tests, kselftest-runner style: one
# top-level TAP result per program, the program's own TAP below it with a
# "# " prefix. Exit code 4 is kselftest's "skip".
progs=$(ls /tests)
echo "TAP version 13"
echo "1..$(echo "$progs" | wc -w)"
i=0
for prog in $progs; do
	i=$((i + 1))
	echo "# selftest: $prog"
	{ "/tests/$prog" 2>&1; echo $? > /tmp/rc; } | sed 's/^/# /'
	rc=$(cat /tmp/rc)
	case $rc in
	0) echo "ok $i selftests: $prog" ;;
	4) echo "ok $i selftests: $prog # SKIP" ;;
	*) echo "not ok $i selftests: $prog # exit=$rc" ;;
	esac
done
