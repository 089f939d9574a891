# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 2
# The binding pointer published and read without release/acquire.
s/smp_store_release(&s->binding, binding);/WRITE_ONCE(s->binding, binding);/
0,/smp_load_acquire(&s->binding)/s//READ_ONCE(s->binding)/
