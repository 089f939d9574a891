# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# examples/scheme-template/ptrtable.c: an allocation that may sleep
# (GFP_KERNEL) under the table's spinlock, in rx_taken.
s/^\ts->table\[token - 1\] = niov;$/\ts->table[token - 1] = niov; kfree(kmalloc(16, GFP_KERNEL));/
