#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Port-readiness, the part a grep can check (the kbuild build in src/port
# checks the rest with the compiler): scheme files include only kernel
# header names (<linux/...>, <net/...>, <asm/...>, "devmem.h": in
# userspace the shims of include/dmtok/kernel/) and <dmtok/scheme.h>,
# contain no #if (coding-style section 21, and no test scaffolding), and
# call no libc function.
# usage: check-port-readiness.sh SCHEMES_DIR [SCHEME_FILE...]
dir=${1:-$(dirname "$0")/../src/schemes}; shift 2>/dev/null
files=${*:-$(ls "$dir"/*.c | grep -v '/builtin\.c$')}
bad=0
for f in $files; do
  grep -Hn '^[[:space:]]*#[[:space:]]*include' "$f" |
    grep -v -E '#include (<(linux|net|asm)/[a-z0-9_/-]+\.h>|"devmem\.h"|<dmtok/scheme\.h>)$' && bad=1
  grep -Hn '^[[:space:]]*#[[:space:]]*if' "$f" && bad=1
  grep -Hn -E '\b(malloc|calloc|realloc|free|memcpy|memset|printf|fprintf|abort|assert|pthread_[a-z_]+)\(' \
    "$f" && bad=1
done
if [ $bad -ne 0 ]; then
  grep -l '#include <dmtok/kernel\.h>' $files >/dev/null 2>&1 &&
    echo "# <dmtok/kernel.h> is dmtok's, not the kernel's: include what the file would in net/core/" \
         "(<linux/slab.h>, <net/netmem.h>, \"devmem.h\", ...: examples/scheme-template/ptrtable.c)"
  echo "not ok - port readiness (lines above)"; exit 1
fi
echo "ok - port readiness: scheme files include only kernel header names and <dmtok/scheme.h>, no #if, no libc"
