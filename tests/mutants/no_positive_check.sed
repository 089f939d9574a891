# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 1
# Double release: the uref may go negative, the page is put anyway.
s/if (atomic_dec_if_positive(&s->urefs\[token\]) < 0)/if (atomic_dec_return(\&s->urefs[token]) < -1)/
