/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The devmem TCP user ABI, byte for byte: struct dmabuf_cmsg and
 * struct dmabuf_token (include/uapi/linux/uio.h), the SO_DEVMEM_* socket
 * options and SCM_* cmsg types (include/uapi/asm-generic/socket.h),
 * MSG_SOCK_DEVMEM (include/linux/socket.h), TCP_INQ and its cmsg
 * (include/uapi/linux/tcp.h) and the kernel-internal
 * ETOOSMALL (include/linux/errno.h) that recvmsg can return. Each name is
 * defined only where the system headers do not already define it, so a
 * client written against <linux/uio.h> compiles unchanged.
 */
#ifndef DMTOK_UAPI_H
#define DMTOK_UAPI_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef SO_DEVMEM_LINEAR
#define SO_DEVMEM_LINEAR	78
#define SCM_DEVMEM_LINEAR	SO_DEVMEM_LINEAR
#endif
#ifndef SO_DEVMEM_DMABUF
#define SO_DEVMEM_DMABUF	79
#define SCM_DEVMEM_DMABUF	SO_DEVMEM_DMABUF
#endif
#ifndef SO_DEVMEM_DONTNEED
#define SO_DEVMEM_DONTNEED	80
#endif
#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM		0x2000000
#endif
/* As <netinet/tcp.h> spells them (identical if it comes later). */
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef TCP_INQ
#define TCP_INQ 36
#endif
#ifndef TCP_CM_INQ
#define TCP_CM_INQ TCP_INQ
#endif
/* Kernel-internal errno; userspace headers do not name it. */
#ifndef ETOOSMALL
#define ETOOSMALL		525
#endif

/*
 * struct dmabuf_cmsg and struct dmabuf_token are in <linux/uio.h> from
 * Linux 6.12 on, under the guard __LINUX_UIO_H -- which older uio.h
 * headers, without the structs, define too. So they are defined here
 * unless a <linux/uio.h> of 6.12 or newer was included before (its guard
 * is set and <linux/version.h>, which has only macros, says >= 6.12).
 * This header never includes <linux/uio.h> itself: its struct iovec
 * clashes with the C library's (<sys/uio.h>) whatever dmtok does.
 *
 * When it defines the structs, it stands in for <linux/uio.h>: it sets
 * that header's guard and gives what else it has (UIO_FASTIOV;
 * UIO_MAXIOV, which <sys/uio.h> may give already; struct iovec is the C
 * library's), so a <linux/uio.h> included after <dmtok.h> adds nothing
 * and defines nothing twice. Either order compiles
 * (tests/check-uapi-order.sh).
 */
#if defined(__LINUX_UIO_H) && defined(__linux__) && defined(__has_include)
#if __has_include(<linux/version.h>)
#include <linux/version.h>
#if defined(KERNEL_VERSION) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define DMTOK_UAPI_FROM_SYSTEM	1
#endif
#endif
#endif
#ifndef DMTOK_UAPI_FROM_SYSTEM
struct dmabuf_cmsg {
	uint64_t frag_offset;	/* offset into the dmabuf where the frag starts */
	uint32_t frag_size;	/* size of the frag */
	uint32_t frag_token;	/* token representing this frag for DEVMEM_DONTNEED */
	uint32_t dmabuf_id;	/* dmabuf (binding) id this frag belongs to */
	uint32_t flags;		/* currently unused, reserved for future uses */
};

struct dmabuf_token {
	uint32_t token_start;
	uint32_t token_count;
};

#ifndef __LINUX_UIO_H
#define __LINUX_UIO_H	/* <linux/uio.h>, from here on: see above */
#ifndef UIO_FASTIOV
#define UIO_FASTIOV	8
#endif
#ifndef UIO_MAXIOV
#define UIO_MAXIOV	1024
#endif
#endif
#endif

#endif /* DMTOK_UAPI_H */
