#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Applies one seeded bug (tests/mutants/NAME.sed) to a copy of a source
# tree, as mutation-testing tools do: the scheme files in the tree never
# carry test scaffolding. Fails if the patch no longer applies exactly
# (the number of changed lines differs from its "# changes:" line), so a
# mutant cannot rot silently when the code moves.
# usage: apply.sh NAME SRC_TREE OUT_TREE
set -u
name=$1; src=$2; out=$3
sed_file="$src/tests/mutants/$name.sed"
[ -f "$sed_file" ] || { echo "apply.sh: no mutant $name" >&2; exit 2; }
file=$(sed -n 's/^# file: //p' "$sed_file")
want=$(sed -n 's/^# changes: //p' "$sed_file")
rm -rf "$out"; mkdir -p "$out"
(cd "$src" && git ls-files -z 2>/dev/null | xargs -0 tar cf - 2>/dev/null || tar cf - --exclude='./build*' .) |
  (cd "$out" && tar xf -)
sed -f "$sed_file" "$src/$file" > "$out/$file"
got=$(diff "$src/$file" "$out/$file" | grep -c '^[<>]' )
# a deleted line counts once ('<'), a changed line twice ('<' and '>')
changed=$(diff "$src/$file" "$out/$file" | grep -c '^<')
if [ "$changed" -ne "$want" ]; then
  echo "apply.sh: mutant $name changed $changed line(s) of $file, expected $want: it no longer applies" >&2
  exit 1
fi
echo "mutant $name: $changed line(s) of $file changed ($got diff lines)"
