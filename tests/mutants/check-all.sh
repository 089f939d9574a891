#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Every seeded bug still applies to the current sources and still
# compiles (the full hunt, tests/fuzz/mutants.sh, is too slow for every
# run): a mutant that rots fails here.
# usage: check-all.sh SRC_TREE CC
src=$1; cc=$2; bad=0; n=0
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for m in "$src"/tests/mutants/*.sed; do
  name=$(basename "$m" .sed)
  file=$(sed -n 's/^# file: //p' "$m")
  [ -n "$file" ] || continue	# not a seeded bug of the library (template mutants)
  n=$((n + 1))
  if ! sh "$src/tests/mutants/apply.sh" "$name" "$src" "$work/$name" >/dev/null; then
    sh "$src/tests/mutants/apply.sh" "$name" "$src" "$work/$name"; bad=1; continue
  fi
  if ! $cc -std=gnu11 -Wall -Wno-unused-parameter -Werror -I"$work/$name/include" -I"$work/$name/include/dmtok/kernel" \
       -c "$work/$name/$file" -o "$work/$name.o"; then
    echo "not ok - mutant $name does not compile"; bad=1
  fi
done
[ $bad -eq 0 ] && echo "ok - $n seeded bugs apply and compile"
exit $bad
