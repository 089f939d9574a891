#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# An expected failure that must keep failing for the right reason: the
# upstream xarray scheme under dmtok-conform. tcp_init_sock() (6.12)
# creates sk_user_frags with XA_FLAGS_ALLOC1 only, tcp_xa_pool_refill()
# takes it with xa_lock_bh() and calls __xa_alloc(GFP_KERNEL); when the
# node allocation under the lock fails, __xas_nomem() (lib/xarray.c)
# drops the lock with a plain spin_unlock() -- BH stays disabled -- and
# allocates with GFP_KERNEL: a sleeping allocation in atomic context,
# which a debug kernel (CONFIG_DEBUG_ATOMIC_SLEEP) reports. The
# allocation-failure case must fail with that WARN, and no other case may
# fail. The fixed variants (XA_FLAGS_LOCK_BH) pass the whole suite.
# usage: expect-atomic-sleep.sh DMTOK-CONFORM SCHEME
out=$(${MESON_EXE_WRAPPER:-} "$@" 2>&1)
rc=$?
bad=$(printf '%s\n' "$out" | grep '^not ok' | grep -v ' - test_alloc_failure_rx_paths$')
if [ $rc -eq 0 ]; then
  echo "not ok - the atomic sleep was NOT detected (did the scheme or the model change?)"; exit 1
fi
if [ -n "$bad" ]; then
  printf '%s\n' "$out" | tail -20
  echo "not ok - other cases failed too:"; printf '%s\n' "$bad"; exit 1
fi
sig=$(printf '%s\n' "$out" | grep -m1 'might_sleep: GFP_KERNEL allocation in atomic context')
if [ -z "$sig" ]; then
  printf '%s\n' "$out" | tail -20
  echo "not ok - failed, but not with the atomic-sleep WARN"; exit 1
fi
echo "ok - expected atomic sleep detected: $sig"
