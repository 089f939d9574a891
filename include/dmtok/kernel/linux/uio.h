/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/uio.h (Linux 6.12), for what it brings from
 * uapi/linux/uio.h: struct dmabuf_token, what a dontneed is handed, and
 * struct dmabuf_cmsg -- the devmem ABI of <dmtok/uapi.h>, which also
 * stands in for the system's <linux/uio.h> where that is older than 6.12.
 */
#ifndef DMTOK_SHIM_LINUX_UIO_H
#define DMTOK_SHIM_LINUX_UIO_H

#include "../../uapi.h"

#endif /* DMTOK_SHIM_LINUX_UIO_H */
