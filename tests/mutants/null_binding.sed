# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 2
# The syzbot NULL dereference: dontneed before any devmem recvmsg.
/^\tif (!binding)$/{N;/never received devmem data/d}
