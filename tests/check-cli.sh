#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Every installed program refuses bad arguments cleanly: missing, extra,
# huge, negative, non-numeric and unknown arguments, a missing or
# unreadable scheme library, an unknown scheme. Each case must exit with
# a status from 1 to 125 (not 0, not a signal, not the timeout), print a
# line naming the problem (the case's pattern), and present no result: no
# PASS, no CLEAN, no table, no sanitizer report.
# usage: check-cli.sh PLAN CONFORM STRESS INTERLEAVE LEAK-REPRO BENCH EXPLORE
#   (the programs' paths; they run through MESON_EXE_WRAPPER in a cross build)
w=${MESON_EXE_WRAPPER:-}
plan=$1 conform=$2 stress=$3 inter=$4 repro=$5 bench=$6 explore=$7
port="sh $(dirname "$plan")/dmtok-port-check-uninstalled"
fails=0 n=0
# case PATTERN PROGRAM ARGS...
case_() {
  pat=$1; shift
  n=$((n + 1))
  case $1 in sh) ww="" ;; *) ww=$w ;; esac	# a shell script runs on the host
  out=$(timeout 60 $ww "$@" 2>&1 </dev/null); rc=$?
  why=""
  if [ $rc -eq 0 ]; then why="exit 0"
  elif [ $rc -eq 124 ]; then why="timed out"
  elif [ $rc -gt 125 ]; then why="killed by a signal or crashed (status $rc)"
  elif ! printf '%s\n' "$out" | grep -qiE -- "$pat"; then why="no line matching '$pat'"
  elif printf '%s\n' "$out" | grep -qE 'PASS|CLEAN|Sanitizer|runtime error|^(scheme|system:)'; then
    why="printed a result or a sanitizer report"
  fi
  if [ -n "$why" ]; then
    fails=$((fails + 1))
    echo "not ok $n - $*: $why"; printf '%s\n' "$out" | tail -3 | sed 's/^/#   /'
  else
    echo "ok $n - $*: $(printf '%s\n' "$out" | grep -iE -m1 -- "$pat" | cut -c1-100)"
  fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo 'not an ELF file' > "$tmp/garbage.so"
for p in "$plan" "$conform" "$stress" "$inter" "$repro" "$bench" "$explore"; do
  case_ 'unknown|unrecognized|invalid|usage|unexpected' $p --bogus-option
  case_ 'scheme-lib|PATH|requires|argument' $p --scheme-lib
  case_ 'nonexistent|No such file' $p --scheme-lib /nonexistent/lib.so slots
  case_ 'ELF|invalid|too short|garbage' $p --scheme-lib "$tmp/garbage.so" slots
done
for p in "$conform" "$stress" "$inter" "$repro" "$explore"; do
  case_ "unknown scheme 'banana'" $p banana
  case_ "'-5'" $p -5
  case_ "99999999999999999999999" $p 99999999999999999999999
done
case_ "unexpected argument 'extra'" "$inter" slots extra
case_ "unexpected argument 'extra'" "$repro" slots extra
case_ "one SCHEME" "$explore" slots extra
case_ "take a number" "$explore" --bound abc slots
case_ "take a number" "$explore" --bound -1 slots
case_ "take a number" "$explore" --max 99999999999999999999 slots
case_ "no scenario named 'nope'" "$explore" --scenario nope slots
case_ "needs --scenario" "$explore" --replay 0*3 slots
case_ "a schedule is runs" "$explore" --scenario guess --replay '0*' slots
case_ "a schedule is runs" "$explore" --scenario guess --replay '7*3' slots
case_ "a schedule is runs" "$explore" --scenario guess --replay '0*99999999999' slots
case_ "no such file" "$explore" --log /nonexistent/dir/x slots
case_ "--kernel takes" "$explore" --kernel 2.4 slots
case_ "--kernel takes" "$repro" --kernel 2.4 slots
case_ "--kernel takes" "$inter" --kernel 2.4 slots
case_ "--kernel takes" "$repro" slots --kernel
case_ "two runs: pick one" "$repro" --alias --token0 slots
case_ "not a kernel profile" "$bench" --kernel 5.10
case_ "unexpected argument 'extra'" "$stress" slots 1 1 noguess extra
case_ "SECONDS 'abc'" "$stress" slots abc
case_ "SECONDS '-1'" "$stress" slots -1
case_ "SECONDS '1e999'" "$stress" slots 1e999
case_ "SEED 'x'" "$stress" slots 1 x
case_ "SEED '-3'" "$stress" slots 1 -3
case_ "SEED '99999999999999999999999'" "$stress" slots 1 99999999999999999999999
case_ "unexpected argument 'guess'" "$stress" slots 1 1 guess
case_ "unexpected argument|usage" "$conform" slots extra
case_ "unexpected argument 'extra'" "$plan" extra
case_ "NICS '-5'" "$plan" -n -5
case_ "NICS 'abc'" "$plan" -n abc
case_ "NICS '99999999999999999999'" "$plan" -n 99999999999999999999
case_ "OUTSTANDING '18446744073709551616'" "$plan" -o 18446744073709551616
case_ "PAGE_SIZE" "$plan" -p 3000
case_ "DMABUF_SIZE" "$plan" -s 0
case_ "unknown scheme 'nope'" "$plan" -x nope
case_ "unexpected argument 'extra'" "$bench" extra
case_ "-w 0" "$bench" -w 0
case_ "-w -1" "$bench" -w -1
case_ "-n abc" "$bench" -n abc
case_ "-r 65" "$bench" -r 65
case_ "-b 129" "$bench" -b 129
case_ "-t 99999999999" "$bench" -t 99999999999
case_ "-S abc" "$bench" -S abc
case_ "cannot set up|-s " "$bench" -s 1E
case_ "unknown scheme 'nope'" "$bench" -x nope
case_ "csv|/nonexistent" "$bench" -c /nonexistent/dir/out.csv -x slots -n 1000 -r 1 -w 1 -s 1M
case_ "usage" $port
case_ "unknown option --bogus" $port --bogus
case_ "no such file: banana" $port banana
case_ "--kdir" $port --kdir
case_ "no such file|kernel|not a directory" $port --kdir /nonexistent/kdir src/schemes/slots.c
echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
