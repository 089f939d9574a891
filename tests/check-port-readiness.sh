#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Port-readiness: token-scheme code includes only the kernel-compat layer
# (scheme.h -> devmem.h -> kcompat.h, xarray.h -> kcompat.h), and kcompat.h
# only the compiler's freestanding headers. Prints what breaks the rule.
src=${1:-$(dirname "$0")/../src}
bad=0
for f in "$src"/scheme_*.c "$src"/xarray.c "$src"/xarray.h "$src"/scheme.h "$src"/devmem.h; do
  grep -H '^#include' "$f" | grep -v -E '#include "(scheme|devmem|kcompat|xarray)\.h"' && bad=1
done
grep -H '^#include' "$src/kcompat.h" | grep -v -E '<(stdatomic|stdbool|stddef|stdint)\.h>' && bad=1
# no libc calls in scheme code
grep -n -E '\b(malloc|calloc|free|memcpy|memset|printf|abort|assert|pthread_[a-z_]+)\(' \
  "$src"/scheme_*.c "$src"/xarray.c && bad=1
if [ $bad -ne 0 ]; then
  echo "not ok - port readiness"; exit 1
fi
echo "ok - port readiness: scheme code includes only the kernel-compat layer"
