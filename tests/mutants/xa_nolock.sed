# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/xarray.c
# changes: 4
# The xarray schemes' dontneed without xa_lock (the lock calls of the
# dontneed loop only; recvmsg keeps its lock).
/^static int dontneed_loop(/,/^}/{s/sock_xa_lock_bh(xs);/(void)xs;/;s/sock_xa_unlock_bh(xs);/(void)xs;/}
