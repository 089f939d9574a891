#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Each public header compiles on its own (catches missing includes),
# and twice (catches a missing guard).
# usage: check-headers.sh CC INCLUDE_DIR
cc=$1; inc=$2; bad=0
# the kernel-named shims too, as a scheme file includes them (their
# directory on the include path)
for h in "$inc"/dmtok.h "$inc"/dmtok/*.h $(find "$inc"/dmtok/kernel -name '*.h' | sort); do
  rel=${h#"$inc"/}
  printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$rel" "$rel" |
    $cc -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$inc/dmtok/kernel" -x c -o /dev/null - || { echo "not ok - $rel"; bad=1; }
done
[ $bad -eq 0 ] && echo "ok - every public header is self-contained"
exit $bad
