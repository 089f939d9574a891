#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The fuzz targets built the OSS-Fuzz / ClusterFuzzLite way: the library
# with $CC and $CFLAGS (which carry the sanitizer and
# -fsanitize=fuzzer-no-link), each target linked with $LIB_FUZZING_ENGINE,
# everything into $OUT: the binaries, <target>_seed_corpus.zip from the
# committed corpus and regressions, <target>.dict and <target>.options.
# An OSS-Fuzz project's build.sh is this one line; to reproduce it here:
#   CC=clang CFLAGS="-g -O1 -fsanitize=address,undefined,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=out/oss-fuzz \
#   sh tests/fuzz/oss-fuzz-build.sh
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
: "${CC:?}" "${CFLAGS:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=${WORK:-$OUT/.build}
rm -rf "$work"
CFLAGS="$CFLAGS" CC="$CC" meson setup "$work" "$src" -Dtests=false -Ddefault_library=static \
  -Dkernel_source=none -Db_lundef=false -Dbuildtype=plain >/dev/null
ninja -C "$work" src/libdmtok.a >/dev/null
for t in ops diff dontneed; do
  # shellcheck disable=SC2086
  $CC $CFLAGS -I"$src/include" -c "$src/tests/fuzz/fuzz_$t.c" -o "$work/fuzz_$t.o"
  # shellcheck disable=SC2086
  $CC $CFLAGS "$work/fuzz_$t.o" "$work/src/libdmtok.a" $LIB_FUZZING_ENGINE \
    -lpthread -lbsd -ldl -o "$OUT/fuzz_$t"
  python3 - "$OUT/fuzz_${t}_seed_corpus.zip" "$src/tests/fuzz/corpus/$t" \
    "$src/tests/fuzz/regressions/$t" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for d in sys.argv[2:]:
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not f.startswith("."):
                z.write(os.path.join(d, f), os.path.basename(d) + "-" + f)
PY
  cp "$src/tests/fuzz/dmtok.dict" "$OUT/fuzz_$t.dict"
  printf '[libfuzzer]\ndict = fuzz_%s.dict\nmax_len = 4096\ntimeout = 20\n' "$t" > "$OUT/fuzz_$t.options"
done
ls "$OUT"
