# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 1
# An off-by-one close: the last page's references are never dropped.
s/for (token = 0; token < s->npages; token++)/for (token = 0; token + 1 < s->npages; token++)/
