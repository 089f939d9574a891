#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# A program that includes a Linux >= 6.12 <linux/uio.h> (struct
# dmabuf_cmsg and struct dmabuf_token, under the guard __LINUX_UIO_H) and
# then <dmtok.h> compiles: no struct is defined twice. The 6.12 header is
# made from the kernel headers package the way the kernel's
# headers_install does it (guard renamed, __user and <linux/compiler.h>
# dropped), with that kernel's <linux/version.h>, in front of the
# system's older headers. <linux/uio.h>'s struct iovec clashes with the C
# library's whatever dmtok does, so the program defines __iovec_defined,
# as such programs must. The other order too: <dmtok.h> first defines the
# structs and stands in for <linux/uio.h> (its guard set), so a later
# <linux/uio.h> defines nothing twice. Exit 77 without the headers
# package.
# usage: check-uapi-order.sh CC INCLUDE_DIR
# Compiled only (the sizes are a static assertion), so it checks a cross
# compiler too.
cc=$1; inc=$2
common=$(ls -d /usr/src/linux-headers-6.1[2-9]*-common /usr/src/linux-headers-6.[2-9][0-9]*-common 2>/dev/null | head -1)
arch=$(ls -d "${common%-common}"-* 2>/dev/null | grep -v -- '-common$' | head -1)
if [ -z "$common" ] || [ ! -f "$arch/include/generated/uapi/linux/version.h" ]; then
  echo "SKIP: no Linux >= 6.12 headers package (apt-get install linux-headers-6.12.117+deb12-amd64)"
  exit 77
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# a C library without the kernel's UAPI headers (musl-gcc) cannot include
# any <linux/*.h>: nothing to check there
printf '#include <linux/types.h>\nint main(void) { return 0; }\n' > "$work/k.c"
if ! $cc -c "$work/k.c" -o "$work/k.o" 2>/dev/null; then
  echo "SKIP: $cc has no kernel UAPI headers (<linux/types.h>)"
  exit 77
fi
mkdir -p "$work/linux"
sed -E -e 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' \
  -e 's@^#include <linux/compiler(|_types).h>@@' \
  -e 's@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @' \
  "$common/include/uapi/linux/uio.h" > "$work/linux/uio.h"
cp "$arch/include/generated/uapi/linux/version.h" "$work/linux/version.h"
grep -q 'struct dmabuf_cmsg' "$work/linux/uio.h" || { echo "no dmabuf_cmsg in $common"; exit 1; }
bad=0
for order in "linux/uio.h dmtok.h" "dmtok.h linux/uio.h"; do
  set -- $order
  printf '#include <%s>\n#include <%s>\nstruct dmabuf_cmsg c;\nstruct dmabuf_token t;\n_Static_assert(sizeof(c) + sizeof(t) == 32, "UAPI sizes");\n' \
    "$1" "$2" > "$work/t.c"
  # UIO_MAXIOV differs between <linux/uio.h> and <sys/uio.h>: a warning, not dmtok's
  if $cc -std=gnu11 -Wall -Wno-error -D__iovec_defined -I"$work" -I"$inc" "$work/t.c" \
       -c -o "$work/t.o" 2> "$work/err" && ! grep -q 'dmabuf' "$work/err"; then
    echo "ok - <$1>, then <$2> (6.12 UAPI): the structs defined once"
  else
    cat "$work/err"
    echo "not ok - <$1>, then <$2> (6.12 UAPI)"; bad=1
  fi
done
exit $bad
