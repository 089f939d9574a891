#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# A bug only a debug kernel sees fails the KUnit run with the kernel's own
# report: the template with an allocation that may sleep (GFP_KERNEL)
# under its spinlock (tests/mutants/ptrtable_sleep_locked.sed) must make
# tests/kunit/run.sh fail with CONFIG_DEBUG_ATOMIC_SLEEP's "BUG: sleeping
# function called from invalid context".
# usage: tests/kunit/check-planted.sh   (env as tests/kunit/run.sh)
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed -f "$top/tests/mutants/ptrtable_sleep_locked.sed" "$top/examples/scheme-template/ptrtable.c" \
  > "$tmp/ptrtable.c"
cmp -s "$tmp/ptrtable.c" "$top/examples/scheme-template/ptrtable.c" &&
  { echo "not ok - the mutant no longer applies"; exit 1; }
out=$(sh "$top/tests/kunit/run.sh" "$tmp/ptrtable.c" 2>&1); rc=$?
[ $rc -eq 77 ] && { printf '%s\n' "$out" | tail -1; exit 77; }
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'sleeping function called from invalid context'; then
  echo "ok - the debug kernel caught it: $(printf '%s\n' "$out" | grep -m1 'sleeping function called')"
  exit 0
fi
printf '%s\n' "$out" | tail -20
echo "not ok - the planted atomic sleep was not reported by the kernel (rc $rc)"
exit 1
