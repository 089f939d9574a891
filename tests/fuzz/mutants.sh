#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Proof that the fuzzers and the stress test find real bugs: for each
# seeded bug (tests/mutants/NAME.sed), applies it to a scratch copy of the
# tree (tests/mutants/apply.sh), builds that copy, runs fuzz_ops on the
# affected scheme for at most FUZZ_SECS (ASan+UBSan, libFuzzer), then the
# stress test plain and under TSan, and the forced-interleaving harness
# under TSan, and prints a table: mutant, found by the fuzzer (seconds,
# which check fired), by the stress test, by TSan, by the interleaving.
# usage: tests/fuzz/mutants.sh [OUTDIR] [FUZZ_SECS] [MUTANT...]
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/dmtok-mutants}; secs=${2:-60}; shift 2 2>/dev/null || true
all=$(for m in "$src"/tests/mutants/*.sed; do
        grep -q '^# file: ' "$m" && basename "$m" .sed; done | tr '\n' ' ')
list=${*:-$all}
mkdir -p "$out"
printf '| mutant | fuzz_ops finds it | seconds | check that fired | stress (plain) | stress under TSan | interleave under TSan |\n'
printf '|---|---|---|---|---|---|---|\n'
for m in $list; do
  # the scheme whose file the mutant changes; xa_nolock's dontneed is
  # shared by the xarray variants: the fixed one has no leak to mask it
  scheme=niov-array
  [ "$m" = xa_nolock ] && scheme=xarray-fix-commit
  [ "$m" = v10_dec_and_test ] && scheme=niov-uref-v10
  tree="$out/src-$m"; b="$out/fuzz-$m"; t="$out/tsan-$m"
  if ! sh "$src/tests/mutants/apply.sh" "$m" "$src" "$tree" >/dev/null; then
    printf '| %s | does not apply | | | | |\n' "$m"; continue
  fi
  rm -rf "$b" "$t"
  CC=clang meson setup "$b" "$tree" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1
  if ! ninja -C "$b" tests/fuzz_ops tests/dmtok-stress >/dev/null 2>&1; then
    printf '| %s | build failed | | | | |\n' "$m"; continue
  fi
  work=$(mktemp -d)
  start=$(date +%s%N)
  (cd "$work" && DMTOK_SCHEME=$scheme "$b/tests/fuzz_ops" -max_total_time="$secs" \
     -error_exitcode=1 -timeout=10 -dict="$src/tests/fuzz/dmtok.dict" \
     . "$src/tests/fuzz/corpus/ops" > log.txt 2>&1)
  rc=$?
  end=$(date +%s%N)
  took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  check=$(grep -o -m1 -E 'DMTOK-FUZZ: [a-z]+|AddressSanitizer: [a-z-]+|SEGV|runtime error' "$work/log.txt" | head -1)
  found=no; [ $rc -ne 0 ] && found=yes
  [ $found = no ] && took="-" && check="-"
  cp "$work/log.txt" "$out/fuzz-$m.log"; rm -rf "$work"
  # stress, plain (the ASan build) and under TSan
  s_plain=no
  timeout 120 "$b/tests/dmtok-stress" "$scheme" 6 1 > "$out/stress-$m.log" 2>&1 || s_plain=yes
  CC=clang meson setup "$t" "$tree" -Db_sanitize=thread -Db_lundef=false >/dev/null 2>&1
  if ! ninja -C "$t" tests/dmtok-stress tests/dmtok-interleave >/dev/null 2>&1; then
    printf '| %s | TSan build failed | | | | | |\n' "$m"; continue
  fi
  s_tsan=no
  TSAN_OPTIONS=halt_on_error=1 timeout 120 "$t/tests/dmtok-stress" "$scheme" 6 1 > "$out/tsan-$m.log" 2>&1 || s_tsan=yes
  grep -q "ThreadSanitizer: data race" "$out/tsan-$m.log" && s_tsan="yes (data race)"
  # the forced recvmsg/dontneed windows (tests/stress/interleave.c)
  i_tsan=no
  TSAN_OPTIONS=halt_on_error=1 timeout 60 "$t/tests/dmtok-interleave" "$scheme" > "$out/interleave-$m.log" 2>&1 || i_tsan=yes
  grep -q "ThreadSanitizer: data race" "$out/interleave-$m.log" && i_tsan="yes (data race)"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$m" "$found" \
    "$took" "$check" "$s_plain" "$s_tsan" "$i_tsan"
done
