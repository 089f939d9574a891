#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Instructions per frag, per side and per scheme: the figure that travels.
# Wall clock differs by 2x between machines; instruction counts do not:
# they are the same on every run and every x86-64 machine with the same
# compiler and libc. Runs dmtok-bench's -C mode under callgrind (one
# worker, sequential pages, fixed work; collection only inside the side
# counted, one dump per scheme) and prints a table.
#
# usage: instructions.sh BUILD_DIR [--check BASELINE] [--write BASELINE]
#   --check: fail when a scheme's instructions per frag on either side
#            grow more than 5 % over the committed BASELINE
#   --write: write the table as the new BASELINE (commit it with the reason)
set -u
b=$1; shift
mode=""; base=""
case ${1:-} in
  --check|--write) mode=$1; base=$2 ;;
  "") ;;
  *) echo "instructions.sh: unknown argument $1" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not installed (apt-get install valgrind)"; exit 77; }
bench=$b/bench/dmtok-bench
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
frags=50000
for side in recv dontneed; do
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/$side.%p" \
    "$bench" -q -w 1 -s 64M -n $frags -S 1 -C $side >"$work/$side.log" 2>&1 ||
    { echo "instructions.sh: dmtok-bench -C $side failed:"; tail -5 "$work/$side.log"; exit 1; }
done
# "desc: Trigger: Client Request: SIDE SCHEME FRAGS" then "totals: N"
awk '/^desc: Trigger: Client Request:/ { side = $5; scheme = $6; n = $7 }
     /^totals:/ && side != "" { ir[scheme, side] = $2 / n; seen[scheme] = 1; side = "" }
     END { for (s in seen) printf "%s %.1f %.1f %.1f\n", s, ir[s, "recv"], ir[s, "dontneed"],
                                   ir[s, "recv"] + ir[s, "dontneed"] }' \
  "$work"/recv.* "$work"/dontneed.* | sort > "$work/table"
[ -s "$work/table" ] || { echo "instructions.sh: no counts (was dmtok-bench built with valgrind's header?)"; exit 1; }
echo "instructions per frag (callgrind, $frags frags, 1 worker, sequential pages, seed 1; $(${CC:-cc} --version | head -1))"
printf '%-26s %10s %10s %12s\n' scheme recv dontneed "round trip"
awk '{ printf "%-26s %10.1f %10.1f %12.1f\n", $1, $2, $3, $4 }' "$work/table"
case $mode in
  --write)
    { echo "# scheme recv dontneed roundtrip: instructions per frag (bench/instructions.sh)"
      cat "$work/table"; } > "$base"
    echo "wrote $base" ;;
  --check)
    [ -f "$base" ] || { echo "instructions.sh: no baseline $base"; exit 1; }
    awk 'NR == FNR { if ($1 !~ /^#/) { r[$1] = $2; d[$1] = $3 } next }
         ($1 in r) {
           for (k = 2; k <= 3; k++) {
             old = k == 2 ? r[$1] : d[$1]
             if (old > 0 && $k > old * 1.05) {
               printf "REGRESSION: %s %s: %.1f instructions per frag, baseline %.1f (+%.1f%%)\n",
                      $1, k == 2 ? "recv" : "dontneed", $k, old, ($k / old - 1) * 100
               bad = 1
             }
           }
           checked++
         }
         END { printf "%d schemes checked against the baseline, %s\n", checked,
                      bad ? "FAIL" : "none grew more than 5%"; exit bad || !checked }' \
      "$base" "$work/table" ;;
esac
