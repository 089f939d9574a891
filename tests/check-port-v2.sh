#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# A scheme file written against interface version 2 includes
# <dmtok/kernel.h> alone instead of the kernel's own headers: it must
# still build in kbuild (src/port/include/dmtok/kernel.h), as it does in
# userspace. The template, its include lines folded into that one, through
# dmtok-port-check.
# usage: check-port-v2.sh PORT_CHECK TEMPLATE.c
check=$1; tmpl=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk '/^#include / { if (!done) print "#include <dmtok/kernel.h>"; done = 1; next }
     { print }' "$tmpl" | cat -s > "$tmp/ptrtable_v2.c"
[ "$(grep -c '^#include' "$tmp/ptrtable_v2.c")" -eq 1 ] || { echo "not ok - the template's includes were not folded"; exit 1; }
sh "$check" "$tmp/ptrtable_v2.c"
