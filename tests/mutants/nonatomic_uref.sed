# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 1
# A plain, racy increment of the uref.
s/atomic_inc(&s->urefs\[token\]);/s->urefs[token].counter++;/
