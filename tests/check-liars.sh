#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The conformance suite reads a scheme's declared properties and holds it
# to them: each liar (tests/liar_scheme.c) must fail, on the case that
# checks its false claim.
# usage: check-liars.sh DMTOK-CONFORM LIAR-LIB
# A cross build's programs run through the exe wrapper meson passes in
# MESON_EXE_WRAPPER (qemu-user); empty natively.
conform=$1; lib=$2; bad=0
for pair in liar-multi-binding:test_resteer_other_binding \
            liar-unique-tokens:test_subpage_buffers \
            liar-all-or-nothing:test_token_range_wraps; do
  scheme=${pair%%:*}; case_=${pair#*:}
  out=$(${MESON_EXE_WRAPPER:-} "$conform" --scheme-lib "$lib" "$scheme" 2>&1)
  if printf '%s\n' "$out" | grep -q "^not ok .* - $case_\$"; then
    echo "ok - $scheme fails $case_"
  else
    printf '%s\n' "$out" | grep -E '^(not )?ok' | head -20
    echo "not ok - $scheme did not fail $case_"; bad=1
  fi
done
exit $bad
