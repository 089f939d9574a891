# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 1
# The posted patch's kzalloc(npages): one byte per page for an atomic_t.
s/kvcalloc(npages, sizeof(\*s->urefs), GFP_KERNEL)/kvcalloc(npages, 1, GFP_KERNEL)/
