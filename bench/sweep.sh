#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Sweeps and plots: runs dmtok-bench over dmabuf size (2 -> 80 GiB,
# sequential and random pages), tokens outstanding (64 -> 65536) and
# dontneed batch size (1 -> 128), computes memory for 1 -> 10000 sockets
# with dmtok-plan, writes CSV into OUTDIR and renders PNGs with gnuplot.
# usage: bench/sweep.sh [BUILDDIR] [OUTDIR] [quick]
# "quick" uses tiny sizes (for CI); the full sweep takes ~15 minutes here.
set -eu
build=${1:-build}; out=${2:-out/sweep}; quick=${3:-}
bench="$build/bench/dmtok-bench"; plan="$build/src/dmtok-plan"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
rm -f "$out"/*.csv
n=300000; r=3; sizes="2G 8G 32G 80G"; outs="64 256 1024 4096 16384 65536"
if [ "$quick" = quick ]; then n=4000; r=1; sizes="64M 128M"; outs="64 256"; fi
common="-w 2 -n $n -r $r -q"
echo "sweep: $bench $common (2 workers: one per CPU here), seed 1"
for s in $sizes; do
  "$bench" $common -s "$s" -c "$out/size-seq.csv" >/dev/null
  "$bench" $common -s "$s" -R -c "$out/size-random.csv" >/dev/null
done
for o in $outs; do
  "$bench" $common -s 2G -b 64 -o "$o" -c "$out/outstanding.csv" >/dev/null
done
for b in 1 4 16 64 128; do
  "$bench" $common -s 2G -b "$b" -o 128 -c "$out/batch.csv" >/dev/null
done
for k in 1 10 100 1000 10000; do
  "$plan" -s 80G -k "$k" -o 128 -C >> "$out/sockets.csv"
done
# one data file per scheme and sweep, for gnuplot
for f in size-seq size-random outstanding batch; do
  awk -F, -v out="$out" -v f="$f" 'NR > 1 {
      x = (f ~ /^size/) ? $3 / 1073741824 : (f == "batch") ? $5 : $6;
      print x, $10 > (out "/" f "-" $1 ".dat") }' "$out/$f.csv"
done
awk -F, -v out="$out" '{ print $2, $5 > (out "/sockets-" $1 ".dat") }' "$out/sockets.csv"
gnuplot -e "dir='$out'" "$here/plots.gp"
ls "$out"/*.png
