// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What dmtok assumes of the platform, checked when the library is built,
 * so a new platform fails loudly at build time instead of quietly in a
 * test: the devmem UAPI structs have the kernel's layout
 * (include/uapi/linux/uio.h, 6.12), the atomics the schemes use are lock
 * free (a lock-based fallback would hide ordering bugs and change costs),
 * and the types the kernel vocabulary maps have the kernel's sizes. The
 * payload pattern is built byte by byte, so it is the same on either
 * endianness; the portability test suite checks that at run time.
 */
#include <stdatomic.h>
#include <sys/types.h>

#include "compat.h"

_Static_assert(sizeof(struct dmabuf_cmsg) == 24, "struct dmabuf_cmsg is 24 bytes");
_Static_assert(offsetof(struct dmabuf_cmsg, frag_offset) == 0, "frag_offset at 0");
_Static_assert(offsetof(struct dmabuf_cmsg, frag_size) == 8, "frag_size at 8");
_Static_assert(offsetof(struct dmabuf_cmsg, frag_token) == 12, "frag_token at 12");
_Static_assert(offsetof(struct dmabuf_cmsg, dmabuf_id) == 16, "dmabuf_id at 16");
_Static_assert(offsetof(struct dmabuf_cmsg, flags) == 20, "flags at 20");
_Static_assert(sizeof(struct dmabuf_token) == 8, "struct dmabuf_token is 8 bytes");
_Static_assert(offsetof(struct dmabuf_token, token_count) == 4, "token_count at 4");

_Static_assert(sizeof(u32) == 4 && sizeof(u64) == 8 && sizeof(u8) == 1, "kernel type sizes");
_Static_assert(sizeof(unsigned long) == sizeof(void *), "unsigned long holds a pointer (netmem_ref)");
_Static_assert(sizeof(off_t) >= 8, "64-bit off_t (meson builds with _FILE_OFFSET_BITS=64): a dmabuf's size is never truncated");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_t must be lock free");
_Static_assert(ATOMIC_LONG_LOCK_FREE == 2, "atomic_long_t and slot words must be lock free");
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "pointer atomics must be lock free");
_Static_assert(__atomic_always_lock_free(sizeof(unsigned long), 0), "slot word CAS lock free");
_Static_assert(__atomic_always_lock_free(sizeof(u32), 0), "u32 CAS lock free");
