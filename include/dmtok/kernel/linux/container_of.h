/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/linux/container_of.h (Linux 6.12), without its type check */
#ifndef DMTOK_SHIM_LINUX_CONTAINER_OF_H
#define DMTOK_SHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif /* DMTOK_SHIM_LINUX_CONTAINER_OF_H */
