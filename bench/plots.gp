# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Renders bench/sweep.sh's data files; call with -e "dir='OUTDIR'".
set terminal pngcairo size 900,560 font "sans,10"
set key outside right
set grid
schemes = "floor xarray niov-array niov-uref slots"

set output dir."/size.png"
set title "Round trip per frag vs dmabuf size (2 workers, 4 KiB frags)"
set xlabel "dmabuf size (GiB)"; set ylabel "CPU ns per frag (recvmsg + dontneed)"
set logscale x 2; set logscale y
plot for [s in schemes] dir."/size-seq-".s.".dat" using 1:2 with linespoints title s." seq", \
     for [s in schemes] dir."/size-random-".s.".dat" using 1:2 with linespoints dt 2 title s." random"

set output dir."/outstanding.png"
set title "Round trip per frag vs tokens held before returning (2 GiB)"
set xlabel "tokens outstanding per socket"
plot for [s in schemes] dir."/outstanding-".s.".dat" using 1:2 with linespoints title s

set output dir."/batch.png"
set title "Round trip per frag vs tokens per SO_DEVMEM_DONTNEED call (2 GiB)"
set xlabel "tokens per call"
plot for [s in schemes] dir."/batch-".s.".dat" using 1:2 with linespoints title s

set output dir."/sockets.png"
set title "Token-scheme memory, all sockets (80 GiB binding, 128 outstanding; dmtok-plan)"
set xlabel "sockets"; set ylabel "bytes"
plot for [s in "xarray niov-array niov-uref slots"] dir."/sockets-".s.".dat" using 1:2 with linespoints title s
