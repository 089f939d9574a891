#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The path a scheme author takes, end to end: install dmtok into a prefix,
# build the out-of-tree template (examples/scheme-template) against the
# installed dmtok through pkg-config, and run every tool on it: the
# conformance program, the fuzzers (FUZZ_SECS each, from the fuzz build
# given as $1), the stress test, a bench smoke, the planner, the leak
# reproducer and the kbuild port check; then plant a bug in a copy of the
# template and show the conformance program fails naming the invariant.
# usage: .ci/template.sh FUZZ_BUILD_DIR [FUZZ_SECS]
set -eu
cd "$(dirname "$0")/.."
fuzz=${1:-}; secs=${2:-10}
top=$PWD; out=$top/out/template-ci
rm -rf "$out"; mkdir -p "$out"
prefix=$out/prefix
echo "-- install dmtok into $prefix"
meson setup "$out/build" --prefix="$prefix" -Dbuildtype=debugoptimized >/dev/null
meson install -C "$out/build" >/dev/null
export PATH="$prefix/bin:$PATH"
echo "-- man pages installed: $(ls "$prefix"/share/man/man1/dmtok-check.1 "$prefix"/share/man/man3/dmtok_scheme_ops.3)"
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name dmtok.pc | head -1)")
echo "-- build the template against it (pkg-config: $(pkg-config --modversion dmtok))"
cp -r examples/scheme-template "$out/src"
meson setup "$out/tb" "$out/src" >/dev/null
ninja -C "$out/tb" >/dev/null
lib=$out/tb/libptrtable.so
echo "-- dmtok-conform"
dmtok-conform --scheme-lib "$lib" ptrtable | tail -1
if [ -n "$fuzz" ] && [ -x "$fuzz/tests/fuzz_ops" ]; then
  for f in ops diff dontneed; do
    echo "-- fuzz_$f, $secs s"
    w=$(mktemp -d)
    "$fuzz/tests/fuzz_$f" --scheme=ptrtable --scheme-lib="$lib" -max_total_time="$secs" \
      -error_exitcode=1 -timeout=20 -print_final_stats=1 "$w" "$top/tests/fuzz/corpus/$f" \
      2>&1 | grep -E 'stat::number_of_executed_units|cov:.*ft:' | tail -2
    rm -rf "$w"
  done
else
  echo "-- fuzzers: no fuzz build given (clang + -Dfuzzing=true), skipped"
fi
echo "-- dmtok-stress"
dmtok-stress --scheme-lib "$lib" ptrtable 6 1 | tail -1
echo "-- dmtok-interleave"
dmtok-interleave --scheme-lib "$lib" ptrtable
echo "-- dmtok-bench smoke"
dmtok-bench -L "$lib" -x ptrtable -s 64M -n 20000 -r 3 -q | grep -E '^(floor|xarray|ptrtable) '
echo "-- dmtok-plan"
dmtok-plan -L "$lib" -x ptrtable | tail -2
echo "-- dmtok-leak-repro (must not leak)"
dmtok-leak-repro --scheme-lib "$lib" ptrtable | tail -1
dmtok-leak-repro --alias --scheme-lib "$lib" ptrtable | tail -1
echo "-- dmtok-port-check"
rc=0; dmtok-port-check "$out/src/ptrtable.c" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 77 ] || exit 1
echo "-- a planted bug (dontneed skips the page-pool put) must fail dmtok-conform"
mkdir -p "$out/bug"
cp examples/scheme-template/meson.build "$out/bug/"
sed -f tests/mutants/ptrtable_noput.sed examples/scheme-template/ptrtable.c > "$out/bug/ptrtable.c"
! cmp -s examples/scheme-template/ptrtable.c "$out/bug/ptrtable.c"
meson setup "$out/bb" "$out/bug" >/dev/null
ninja -C "$out/bb" >/dev/null
sh tests/check-planted-bug.sh "$(command -v dmtok-conform)" "$out/bb/libptrtable.so" ptrtable
echo "-- the sanitizer flavours installed beside it (clang), then dmtok-check"
CC=clang meson setup "$out/build-asan" --prefix="$prefix" -Dkernel_source=none -Dflavour=asan \
  -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson install -C "$out/build-asan" >/dev/null
CC=clang meson setup "$out/build-tsan" --prefix="$prefix" -Dkernel_source=none -Dflavour=tsan \
  -Db_sanitize=thread -Db_lundef=false >/dev/null
meson install -C "$out/build-tsan" >/dev/null
# CI has built the KUnit kernel by now (DMTOK_KUNIT_DIR): the template in it too
krun=""; [ -n "${DMTOK_KUNIT_DIR:-}" ] && krun=--kernel-run
dmtok-check --quick $krun --out "$out/check" examples/scheme-template/ptrtable.c
echo "-- dmtok-check must FAIL each planted bug, naming what fired"
for m in ptrtable_noput ptrtable_kmalloc ptrtable_sleep_locked ptrtable_lock_order; do
  sed -f "tests/mutants/$m.sed" examples/scheme-template/ptrtable.c > "$out/$m.c"
  rc=0; dmtok-check --quick --out "$out/check-$m" "$out/$m.c" > "$out/check-$m.log" 2>&1 || rc=$?
  grep -E 'FAIL' "$out/check-$m.log" | head -3
  [ $rc -eq 1 ] || { cat "$out/check-$m.log"; echo "dmtok-check did not fail $m (rc $rc)"; exit 1; }
done
echo "-- and an ordering bug (niov-array publishing its binding without release/acquire,"
echo "   tests/mutants/relaxed_publish.sed) as an out-of-tree file: the TSan interleaving and explorer fail it"
sed -f tests/mutants/relaxed_publish.sed src/schemes/niov_array.c |
  sed 's/\.name\t*= "niov-array"/.name = "myarray"/; s/\<dmtok_scheme_niov_array\>/myarray_ops/' > "$out/myarray.c"
printf '\nDMTOK_SCHEME_EXPORT(&myarray_ops);\n' >> "$out/myarray.c"
rc=0; dmtok-check --quick --out "$out/check-order" "$out/myarray.c" > "$out/check-order.log" 2>&1 || rc=$?
grep -E 'interleave .*FAIL' "$out/check-order.log" || { cat "$out/check-order.log"; exit 1; }
# the explorer under TSan: every explored schedule, no happens-before from the scheduler
grep -E 'explore myarray +tsan +FAIL' "$out/check-order.log" || { cat "$out/check-order.log"; exit 1; }
[ $rc -eq 1 ] || exit 1
echo "-- every seeded bug of the built-in array schemes (tests/mutants/*.sed with a '# file:'), as an"
echo "   out-of-tree file (its schemes renamed mut-NAME): dmtok-check must FAIL a row that the"
echo "   unchanged file PASSes (upstream xarray and v10 fail some rows as they are), naming what fired"
builtins=$(dmtok-conform --list | tr -d ',')
oot() {	# oot SED-FILE|- SOURCE OUT: the source, mutated, as an out-of-tree scheme file
  if [ "$1" = - ]; then cp "$2" "$3"; else sed -f "$1" "$2" > "$3"; fi
  for b in $builtins; do sed -i "s/\"$b\"/\"mut-$b\"/g" "$3"; done
  # <dmtok/scheme.h> declares the built-in ops: out of tree they are the
  # file's own, renamed and static
  sed -i -e 's/\<dmtok_scheme_\(xarray\|niov_\|slots\)/mut_scheme_\1/g' \
    -e 's/^const struct dmtok_scheme_ops /static &/' "$3"
  printf '\nDMTOK_SCHEME_EXPORT(%s);\n' \
    "$(sed -n 's/^static const struct dmtok_scheme_ops \([a-z0-9_]*\) = {$/\&\1/p' "$3" | paste -sd, -)" >> "$3"
}
verdicts() {	# the table's "tool scheme flavour VERDICT" rows of a dmtok-check log
  grep -E '^[a-z_-]+ [a-z0-9-]+ +[a-z+]+ +(PASS|FAIL|NOT RUN)' "$1" | awk '{print $1, $2, $3, $4}'
}
for m in tests/mutants/*.sed; do
  name=$(basename "$m" .sed); file=$(sed -n 's/^# file: //p' "$m")
  [ -n "$file" ] || continue
  # xarray.c's seven schemes take minutes per run: its mutant is the
  # mutation hunt's (tests/fuzz/mutants.sh), not this path's
  [ "$file" = src/schemes/xarray.c ] && continue
  base=$out/base-$(basename "$file" .c)
  if [ ! -f "$base.log" ]; then
    oot - "$file" "$base.c"
    dmtok-check --quick --no-kbuild --no-fuzz --limit 180 --out "$base" "$base.c" > "$base.log" 2>&1 || true
  fi
  oot "$m" "$file" "$out/mut-$name.c"
  # half a minute a tool: a memory-corrupting mutant can make the plain tools crawl
  # (the fuzzers left out here: the rows above catch every one of these; the
  # template's own run and the slots files below run them)
  rc=0; dmtok-check --quick --no-kbuild --no-fuzz --limit 30 --out "$out/check-mut-$name" "$out/mut-$name.c" \
    > "$out/check-mut-$name.log" 2>&1 || rc=$?
  new=$(verdicts "$out/check-mut-$name.log" | grep ' FAIL$' | grep -vxF "$(verdicts "$base.log")" | head -1)
  [ $rc -eq 1 ] && [ -n "$new" ] || {
    cat "$out/check-mut-$name.log"; echo "dmtok-check did not catch $name (rc $rc)"; exit 1; }
  printf '%-22s caught: %s -- %s\n' "$name" "$new" \
    "$(grep -m1 -F "$(echo "$new" | cut -d' ' -f1-2)" "$out/check-mut-$name.log" | grep -o 'FAIL .*' | sed 's/^FAIL *//' | cut -c1-110)"
done
echo "-- the built-in schemes that pass every row, through dmtok-check as out-of-tree files"
echo "   (xarray.c's seven take minutes: by hand, docs/testing.md; niov_array.c and"
echo "   niov_uref.c ran above as the seeded bugs' baselines)"
for file in src/schemes/slots.c src/schemes/slots_runs.c; do
  copy=$out/builtin-$(basename "$file" .c)	# (oot's loop owns $b)
  oot - "$file" "$copy.c"
  rc=0; dmtok-check --quick --out "$copy" "$copy.c" > "$copy.log" 2>&1 || rc=$?
  [ $rc -eq 0 ] || { cat "$copy.log"; echo "dmtok-check did not pass $file (rc $rc)"; exit 1; }
  echo "   $file: $(tail -1 "$copy.log"), $(grep -cE ' PASS *$' "$copy.log") rows"
done
echo "template path: all steps passed"
