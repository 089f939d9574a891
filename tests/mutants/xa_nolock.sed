# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/xarray.c
# changes: 4
# Upstream's dontneed without xa_lock (the lock calls in xa_dontneed only).
/^static int xa_dontneed(/,/^}/{s/sock_xa_lock_bh(xs);/(void)xs;/;s/sock_xa_unlock_bh(xs);/(void)xs;/}
