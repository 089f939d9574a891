#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The registry lists exactly the built-in schemes meson runs the suites
# on: a scheme added to the library without a test fails here.
# usage: check-scheme-list.sh DMTOK-CONFORM SCHEME...
# A cross build's programs run through the exe wrapper meson passes in
# MESON_EXE_WRAPPER (qemu-user); empty natively.
conform=$1; shift
want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
got=$(${MESON_EXE_WRAPPER:-} "$conform" --list | tr ',' '\n' | tr -d ' ' | sort | tr '\n' ' ')
[ "$want" = "$got" ] && { echo "ok - registered: $got"; exit 0; }
echo "not ok - registered: $got; tested: $want"; exit 1
