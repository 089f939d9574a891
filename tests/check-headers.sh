#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Each public header compiles on its own (catches missing includes).
# usage: check-headers.sh CC INCLUDE_DIR
cc=$1; inc=$2; bad=0
for h in "$inc"/dmtok.h "$inc"/dmtok/*.h; do
  rel=${h#"$inc"/}
  printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$rel" "$rel" |
    $cc -std=c11 -Wall -Wextra -Werror -I"$inc" -x c -o /dev/null - || { echo "not ok - $rel"; bad=1; }
done
[ $bad -eq 0 ] && echo "ok - every public header is self-contained"
exit $bad
