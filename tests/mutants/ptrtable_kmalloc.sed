# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# examples/scheme-template/ptrtable.c: the socket state from kvmalloc(),
# relying on it being zeroed (a debug kernel's slab poisoning: it is not).
s/struct pt_sock \*s = kvzalloc(sizeof(\*s), GFP_KERNEL);/struct pt_sock *s = kvmalloc(sizeof(*s), GFP_KERNEL);/
