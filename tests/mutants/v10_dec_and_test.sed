# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_uref.c
# changes: 1
# The series' v10 as posted: atomic_dec_and_test() on the uref, which a
# token returned twice pushes below zero (the review's underflow point).
s/int left = atomic_dec_if_positive(net_iov_uref(niov));/int left = atomic_dec_return(net_iov_uref(niov));/
