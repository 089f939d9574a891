#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Self-test of .ci/count.sh: a run that executed nothing, crashed or died
# in the runner must count as failed; a real run counts its tests.
set -u
. "$(dirname "$0")/count.sh"
t=$(mktemp); trap 'rm -f "$t"' EXIT
bad=0
expect() {	# expect PASSED FAILED RC -- with the log in $t
  local p=$1 f=$2 rc=$3
  passed=0 failed=0
  count_meson "$t" "$rc" >/dev/null
  if [ "$passed" != "$p" ] || [ "$failed" != "$f" ]; then
    echo "count.sh: expected $p passed $f failed, got $passed passed $failed failed for:"
    sed 's/^/    /' "$t"; bad=1
  fi
}
summary() { printf 'Ok:                 %s\nExpected Fail:      %s\nFail:               %s\nUnexpected Pass:    0\nSkipped:            0\nTimeout:            %s\n' "$@"; }
summary 0 0 0 0 > "$t";                     expect 0 1 0	# ran nothing
{ echo "OSError: [Errno 8] Exec format error: 'x'"; summary 0 0 0 0; } > "$t"; expect 0 1 1
: > "$t";                                   expect 0 1 1	# no summary at all
summary 12 1 0 0 > "$t";                    expect 13 0 0	# a real run
summary 12 0 2 1 > "$t";                    expect 12 3 1	# failures counted once
summary 5 0 0 0 > "$t";                     expect 5 1 1	# non-zero exit, no failing test
{ echo "Traceback (most recent call last):"; summary 3 0 0 0; } > "$t"; expect 3 1 1
[ $bad -eq 0 ] && echo "count.sh self-test: 7 cases, all counted right"
exit $bad
