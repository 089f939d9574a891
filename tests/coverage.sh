#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Line and branch coverage of the library (compat, model, schemes) by the
# unit and conformance tests plus the fuzz corpus replays: a gcc build
# with --coverage, the default test suites, then gcovr. Prints a per-file
# table and the totals; writes OUTDIR/coverage.txt and OUTDIR/index.html.
# usage: tests/coverage.sh [BUILDDIR] [OUTDIR]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-cov}; out=${2:-out/coverage}
mkdir -p "$out"
[ -d "$build" ] || CC=gcc meson setup "$build" "$src" -Db_coverage=true -Dbuildtype=debug >/dev/null
ninja -C "$build" >/dev/null
find "$build" -name '*.gcda' -delete
meson test -C "$build" --suite unit --suite checks --suite huge >/dev/null || true
cd "$src"
gcovr -r "$src" --object-directory "$build" \
  --filter 'src/compat/' --filter 'src/model/' --filter 'src/schemes/' --filter 'src/tools/plan.c' \
  --exclude 'src/compat/kernel-xarray/' \
  --exclude-unreachable-branches --exclude-throw-branches \
  --txt "$out/coverage.txt" --html-details "$out/index.html" --print-summary
gcovr -r "$src" --object-directory "$build" \
  --filter 'src/compat/' --filter 'src/model/' --filter 'src/schemes/' --filter 'src/tools/plan.c' \
  --exclude 'src/compat/kernel-xarray/' \
  --exclude-unreachable-branches --exclude-throw-branches --branches \
  --txt "$out/coverage-branches.txt"
echo "== lines"; cat "$out/coverage.txt"
echo "== branches"; cat "$out/coverage-branches.txt"
