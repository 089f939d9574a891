#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# An expected failure that must keep failing for the right reason: runs a
# command that should expose the upstream xarray reservation leak and
# passes only if it fails with the leak's signature (a niov whose
# pp_ref_count has no reference behind it). If the leak stops being
# detected (or the command fails some other way), this fails.
# usage: expect-leak.sh COMMAND [ARGS...]
# EXPECT_SIG, if set, is the signature instead (an extended regex: for
# dmtok-leak-repro --alias, 'ALIASED').
# A cross build's programs run through the exe wrapper meson passes in
# MESON_EXE_WRAPPER (qemu-user); empty natively.
out=$(${MESON_EXE_WRAPPER:-} "$@" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  printf '%s\n' "$out" | tail -5
  echo "not ok - the known leak was NOT detected (did the scheme change?)"; exit 1
fi
sig=$(printf '%s\n' "$out" |
  grep -m1 -E "${EXPECT_SIG:-pp_ref_count [0-9]+, references found [0-9]+|LEAK}")
if [ -z "$sig" ]; then
  printf '%s\n' "$out" | tail -20
  echo "not ok - failed (rc $rc), but not with the leak's signature"; exit 1
fi
echo "ok - expected leak detected: $sig"
