#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Symbol hygiene: the shared library exports exactly the functions the
# public headers declare (dmtok_ names only), nothing internal, no kernel
# name (xa_load, __xa_alloc, ...) that would clash with a program linking
# the kernel's own userspace XArray.
# usage: check-exports.sh LIBDMTOK.so INCLUDE_DIR
lib=$1; inc=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TWDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
hdrs="$inc/dmtok.h $inc/dmtok/*.h $(find "$inc"/dmtok/kernel -name '*.h')"
# what a header defines itself (static inline functions, macros) is no export
own=$(grep -hoE '(static inline [a-z0-9_ *]*\b|#define )dmtok_[a-z0-9_]*\(' $hdrs |
  grep -o 'dmtok_[a-z0-9_]*' | sort -u)
declared=$( { grep -ho '\bdmtok_[a-z0-9_]*(' $hdrs | tr -d '(' | grep -vxF "$own"
  # and the one variable, dmtok-explore's switch (extern in sched_point.h)
  grep -ho '^extern [a-z ]*\bdmtok_[a-z0-9_]*;' "$inc"/dmtok/*.h | sed 's/.* //; s/;//'; } | sort -u)
extra=$(printf '%s\n' "$exported" | grep -vxF "$declared")
missing=$(printf '%s\n' "$declared" | grep -vxF "$exported")
[ -n "$extra" ] && { echo "not ok - exported but not declared in include/:"; echo "$extra"; }
[ -n "$missing" ] && { echo "not ok - declared in include/ but not exported:"; echo "$missing"; }
[ -z "$extra$missing" ] || exit 1
echo "ok - $(printf '%s\n' "$exported" | wc -l) exported symbols, each a declared dmtok_ function or variable"
