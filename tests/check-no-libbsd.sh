#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# dmtok configures, builds and passes its unit tests where libbsd is
# absent (as on FreeBSD, macOS, or a glibc system without it): libbsd's
# pkg-config files are hidden, so the native <sys/queue.h> and the tools'
# fallbacks (src/tools/bsd-fallback) are used.
# usage: check-no-libbsd.sh SRC_TREE BUILDDIR
set -eu
src=$1; build=$2
pc=$(mktemp -d); trap 'rm -rf "$pc"' EXIT
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  [ -d "$d" ] || continue
  for f in "$d"/*.pc; do
    case $(basename "$f") in libbsd*) ;; *) [ -e "$pc/$(basename "$f")" ] || ln -s "$f" "$pc/" ;; esac
  done
done
rm -rf "$build"
PKG_CONFIG_LIBDIR=$pc meson setup "$build" "$src" -Dkernel_source=none > "$build.log" 2>&1 ||
  { tail -20 "$build.log"; exit 1; }
grep -A3 'Platform' "$build.log"
grep -q 'libbsd *: False' "$build.log" || { echo "libbsd was still found"; exit 1; }
ninja -C "$build" >/dev/null
meson test -C "$build" --suite unit 2>&1 | grep -E '^(Ok|Fail):'
meson test -C "$build" --suite unit >/dev/null
"$build/src/dmtok-plan" -s 80G | grep -q 'global-id+page .* NO'
"$build/bench/dmtok-bench" -s 1000 2>&1 | grep -q 'multiple of 4 KiB'
echo "ok - built and tested without libbsd"
