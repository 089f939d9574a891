/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/linux/array_size.h (Linux 6.12), without its must-be-array check */
#ifndef DMTOK_SHIM_LINUX_ARRAY_SIZE_H
#define DMTOK_SHIM_LINUX_ARRAY_SIZE_H

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* DMTOK_SHIM_LINUX_ARRAY_SIZE_H */
