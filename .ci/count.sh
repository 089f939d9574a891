# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Counting for .ci/run (sourced): adds a meson test run's counts to the
# totals $passed and $failed. A run counts as one failure more when it ran
# nothing: no summary (it crashed before one), no test executed (Ok and
# Expected Fail both 0 -- meson printed "Ok: 0 ... Fail: 0" when the
# runner died on an Exec format error), a Python traceback, or a non-zero
# exit status with no failing test to show for it.
# usage: count_meson LOG [EXIT_STATUS]
count_meson() {
  local log=$1 rc=${2:-0} ok xf fail up to
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  xf=$(sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  up=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ -z "$ok" ]; then
    echo "COUNTED AS FAILED: no test summary (the run did not finish)"
    failed=$((failed + 1)); return
  fi
  passed=$((passed + ok + ${xf:-0}))
  failed=$((failed + ${fail:-0} + ${up:-0} + ${to:-0}))
  if [ $((ok + ${xf:-0})) -eq 0 ]; then
    echo "COUNTED AS FAILED: the run executed no test"
    failed=$((failed + 1))
  elif grep -qE '^Traceback|OSError|Exec format error' "$log"; then
    echo "COUNTED AS FAILED: the test runner itself failed"
    failed=$((failed + 1))
  elif [ "$rc" -ne 0 ] && [ $((${fail:-0} + ${up:-0} + ${to:-0})) -eq 0 ]; then
    echo "COUNTED AS FAILED: exit status $rc with no failing test"
    failed=$((failed + 1))
  fi
}
