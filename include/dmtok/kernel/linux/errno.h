/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/errno.h (Linux 6.12): the userspace API's error numbers
 * (the system's <linux/errno.h> when it has one -- glibc's <errno.h>
 * includes it, and finds this shim first -- else the C library's), and
 * the kernel-internal ETOOSMALL (put_cmsg_notrunc()'s, 6.12).
 */
/*
 * Outside the guard: this file may be reached first by a relative path
 * (the shims include each other so), then its #include_next finds it
 * again on the include path, and that copy finds the system's.
 */
#ifdef __has_include_next
#if __has_include_next(<linux/errno.h>)
#include_next <linux/errno.h>
#endif
#endif

#ifndef DMTOK_SHIM_LINUX_ERRNO_H
#define DMTOK_SHIM_LINUX_ERRNO_H

#include <errno.h>

#ifndef ETOOSMALL
#define ETOOSMALL	525
#endif

#endif /* DMTOK_SHIM_LINUX_ERRNO_H */
