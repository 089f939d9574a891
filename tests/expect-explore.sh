#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# dmtok-explore on one scheme, with exactly the scenarios that must fail
# named: every interleaving of the others within the bound must pass, and
# each named one must fail with SIGNATURE in its "why" line. Upstream's
# xarray fails with the reservation leak, v10's niov-uref with its uref
# window (docs/findings.md); a scheme with nothing named must pass whole.
# usage: expect-explore.sh DMTOK-EXPLORE SCHEME [SIGNATURE SCENARIO...]
# A cross build's programs run through MESON_EXE_WRAPPER (qemu-user).
explore=$1; scheme=$2; shift 2
sig=""; [ $# -gt 0 ] && { sig=$1; shift; }
out=$(${MESON_EXE_WRAPPER:-} "$explore" "$scheme" 2>&1); rc=$?
printf '%s\n' "$out" | grep -E 'interleaving|why:|replay:'
failed=$(printf '%s\n' "$out" | awk '/ interleaving\(s\).*: FAILED$/ {print $1}' | sort | tr '\n' ' ')
want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
ran=$(printf '%s\n' "$out" | grep -c ' interleaving(s)')
[ "$ran" -ge 6 ] || { printf '%s\n' "$out" | tail -5; echo "not ok - only $ran scenario(s) ran"; exit 1; }
if [ "$failed" != "$want" ]; then
  echo "not ok - failing scenarios: '${failed}', expected: '${want}'"; exit 1
fi
if [ -z "$want" ]; then
  [ $rc -eq 0 ] || { printf '%s\n' "$out" | tail -5; echo "not ok - exit $rc"; exit 1; }
  echo "ok - $scheme: every scenario passes"; exit 0
fi
[ $rc -ne 0 ] || { echo "not ok - scenarios failed but the exit status is 0"; exit 1; }
n=$(printf '%s\n' "$out" | grep -cE "^  why: .*($sig)")
[ "$n" -eq "$#" ] || { echo "not ok - $n of $# failures carry '$sig'"; exit 1; }
echo "ok - $scheme: $want failed, each with '$sig'"
