#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one VM run from its logs.

Reads LOGDIR/tap.log (the guest's TAP, kselftest-runner style, with each
program's own TAP nested under "# ") and LOGDIR/console.log (the kernel
log). Prints one line per test program and per failure, then a line
"vm: N passed, N failed, N skipped" and writes the same counts to
LOGDIR/counts. Exits non-zero if any test failed, a program's plan was
not met, the guest did not finish, or the kernel log has a splat.
"""
import os
import re
import sys

SPLATS = [
    r"WARNING:",
    r"BUG:",
    r"KASAN:",
    r"UBSAN:",
    r"Oops",
    r"Kernel panic",
    r"general protection fault",
    r"Unable to handle kernel",
    r"Internal error:",
    r"possible circular locking",
    r"possible recursive locking",
    r"inconsistent lock state",
    r"suspicious RCU usage",
    r"DEBUG_LOCKS_WARN_ON",
    r"list_(add|del) corruption",
    r"suspected memory leaks",
    r"INFO: task .* blocked for more than",
    r"rcu: INFO:",
]
SPLAT_RE = re.compile("|".join(SPLATS))
RESULT_RE = re.compile(r"^(not )?ok (\d+)\s*(.*)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().replace("\r", "").splitlines()
    except FileNotFoundError:
        return []


def main(logdir):
    tap = read(os.path.join(logdir, "tap.log"))
    console = read(os.path.join(logdir, "console.log"))
    problems = []
    passed = failed = skipped = 0
    prog = None
    plan = results = 0
    progs = []

    def close_program():
        if prog is not None and plan != results:
            problems.append(f"{prog}: planned {plan} tests, saw {results}")

    for line in tap:
        if line.startswith("# selftest: "):
            close_program()
            prog = line[len("# selftest: "):].strip()
            plan = results = 0
            continue
        if prog is not None and line.startswith("# "):
            inner = line[2:]
            m = PLAN_RE.match(inner)
            if m:
                plan = int(m.group(1))
                continue
            m = RESULT_RE.match(inner)
            if not m:
                continue
            results += 1
            if "# SKIP" in m.group(3):
                skipped += 1
            elif m.group(1):
                failed += 1
                problems.append(f"{prog}: not ok {m.group(2)} {m.group(3)}")
            else:
                passed += 1
            continue
        m = RESULT_RE.match(line)
        if m and prog is not None:
            progs.append((prog, plan, m.group(1) is None, m.group(3)))
            if m.group(1):
                problems.append(f"program failed: {m.group(3)}")
        if line.startswith("# kmemleak: unreferenced object"):
            problems.append(f"kmemleak: {line[len('# kmemleak: '):]}")
    close_program()

    for name, n, ok, desc in progs:
        print(f"  {'ok    ' if ok else 'FAILED'} {name}: {n} tests")
    if not any(l.startswith("# guest: done") for l in tap):
        why = "killed after a timeout" if os.path.exists(
            os.path.join(logdir, "hung")) else "did not finish"
        problems.append(f"guest {why}")
    splats = [l for l in console if SPLAT_RE.search(l)]
    for l in splats[:20]:
        problems.append(f"kernel splat: {l.strip()}")
    if splats:
        problems.append(f"{len(splats)} splat line(s) in {logdir}/console.log")
    if not progs and not problems:
        problems.append("no test program ran")

    for p in problems:
        print(f"  problem: {p}")
    failed_total = failed + (1 if problems and not failed else 0)
    print(f"vm: {passed} passed, {failed_total} failed, {skipped} skipped"
          f" ({len(splats)} splats)")
    with open(os.path.join(logdir, "counts"), "w") as f:
        f.write(f"{passed} {failed_total} {skipped}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
