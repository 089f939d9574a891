#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Makes the real lib/xarray.c and the kernel's radix-tree test harness
# ready to build: from a kernel source tarball (Debian's
# linux-source-6.12.tar.xz) extracts only what the XArray backend needs
# into OUTDIR/linux (once: a stamp names the source), or uses an
# already extracted tree as it is; then writes the harness's generated
# headers (XA_CHUNK_SHIFT 6, the kernel's) into OUTDIR/gen. Prints the
# tree's path. Exits non-zero, saying why, if there is nothing usable.
# usage: prepare.sh SOURCE OUTDIR
set -u
src=$1; out=$2
need="lib/xarray.c lib/radix-tree.c lib/radix-tree.h lib/test_xarray.c tools/testing/shared/linux.c tools/testing/shared/xarray-shared.c"
mkdir -p "$out/gen/generated"
if [ -d "$src" ]; then
  tree=$(cd "$src" && pwd)
elif [ -f "$src" ]; then
  tree="$out/linux"
  stamp="$out/linux.stamp"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$src $(stat -c %s "$src")" ]; then
    rm -rf "$tree" "$out/extract"; mkdir -p "$out/extract"
    tar -xJf "$src" -C "$out/extract" --wildcards --no-wildcards-match-slash \
      '*/lib/xarray.c' '*/lib/radix-tree.c' '*/lib/radix-tree.h' '*/lib/test_xarray.c' \
      '*/include' '*/tools/include' '*/tools/lib' '*/tools/arch' \
      '*/tools/testing/shared' '*/tools/testing/radix-tree' ||
      { echo "cannot extract the XArray sources from $src" >&2; exit 1; }
    mv "$out/extract"/* "$tree" && rmdir "$out/extract"
    echo "$src $(stat -c %s "$src")" > "$stamp"
  fi
else
  echo "no kernel source at $src (Debian: apt-get install linux-source-6.12 liburcu-dev)" >&2
  exit 1
fi
for f in $need; do
  [ -f "$tree/$f" ] || { echo "$tree has no $f: not a kernel source tree (>= 6.12)" >&2; exit 1; }
done
grep -q 'xa_zero_busy' "$tree/lib/xarray.c" || { echo "$tree/lib/xarray.c is too old" >&2; exit 1; }
echo "#define XA_CHUNK_SHIFT 6" > "$out/gen/generated/map-shift.h"
echo "#define CONFIG_$(getconf LONG_BIT)BIT 1" > "$out/gen/generated/bit-length.h"
cp "$tree/tools/testing/shared/autoconf.h" "$out/gen/generated/autoconf.h"
echo "$tree"
