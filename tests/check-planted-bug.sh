#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# A scheme with a planted bug must fail dmtok-conform, and the failure must
# name the broken invariant (the checker's "pp_ref_count ... references
# found" line), not just crash.
# usage: check-planted-bug.sh DMTOK-CONFORM SCHEME-LIB SCHEME [SIGNATURE]
# SIGNATURE: an extended regex the failure must match (default: the
# checker's invariant line).
# A cross build's programs run through the exe wrapper meson passes in
# MESON_EXE_WRAPPER (qemu-user); empty natively.
conform=$1; lib=$2; scheme=$3
sig=${4:-'invariant: .*(pp_ref_count|reference)'}
out=$(${MESON_EXE_WRAPPER:-} "$conform" --scheme-lib "$lib" "$scheme" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "not ok - the planted bug passed the conformance suite"; exit 1
fi
line=$(printf '%s\n' "$out" | grep -m1 -E "$sig")
if [ -z "$line" ]; then
  printf '%s\n' "$out" | tail -20
  echo "not ok - conformance failed (rc $rc) without naming what fired ($sig)"; exit 1
fi
echo "ok - planted bug caught (rc $rc): $line"
