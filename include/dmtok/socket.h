/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The socket face, shaped like the syscalls so a devmem client loop
 * (tools/testing/selftests/drivers/net/hw/ncdevmem.c) ports verbatim:
 * recvmsg with a real struct msghdr and MSG_SOCK_DEVMEM, cmsgs walked with
 * CMSG_FIRSTHDR/CMSG_NXTHDR (dmtok_cmsg_for_each() below does it for
 * dmtok's own tools), setsockopt(SOL_SOCKET, SO_DEVMEM_DONTNEED)
 * and close. Convention, as for the syscalls: return -1 and set errno on
 * failure.
 */
#ifndef DMTOK_SOCKET_H
#define DMTOK_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmtok_net;

/*
 * Opens a socket of @type (SOCK_STREAM is TCP; SOCK_DGRAM exists to
 * exercise the non-TCP checks) whose devmem tokens are managed by the
 * registered scheme @scheme (built in, registered or loaded: see
 * <dmtok/scheme.h>; NULL means "xarray", upstream). The socket pins its
 * scheme: dmtok_scheme_unregister() says -EBUSY while it is open.
 * Returns an fd, or -1 with errno EINVAL (net, type), ENOENT (no such
 * scheme), ENOMEM, EMFILE.
 */
int dmtok_socket(struct dmtok_net *net, int type, const char *scheme);

/*
 * Mirrors tcp_recvmsg() for the non-blocking case. Flags: MSG_SOCK_DEVMEM,
 * MSG_DONTWAIT (implied; the model never blocks). Returns bytes received;
 * 0 only for a zero-length iovec (no FIN is modelled; the kernel would
 * hand out one zero-size frag there, see the README); or -1 with errno:
 * EAGAIN (queue empty), EFAULT (devmem data without MSG_SOCK_DEVMEM, a
 * faulting iovec or control buffer -- an address in the first or last
 * page --, or a frag of a second binding on a one-binding scheme), ETOOSMALL
 * (control buffer too small for the next cmsg, nothing consumed), ENODEV
 * (readable skb, or a binding already unbound for a manual-release
 * scheme), ENOMEM, ENOSPC (the scheme holds its most tokens: slots 2^24-1,
 * or its declared max_outstanding), EBADF, ENOTSOCK, EINVAL (unsupported
 * flag, or a scheme that cannot take this frag: see the README), EMSGSIZE
 * (msg_iovlen > UIO_MAXIOV). On success msg_controllen is set to the
 * bytes of cmsgs written and msg_flags to MSG_CTRUNC or 0: the devmem
 * cmsgs are never cut (put_cmsg_notrunc()), but with TCP_INQ on (see
 * dmtok_setsockopt()) the bytes left to read follow them as a SOL_TCP /
 * TCP_CM_INQ cmsg written by put_cmsg(), which cuts it at the room left,
 * or leaves it out when not even a header fits, and sets MSG_CTRUNC.
 */
ssize_t dmtok_recvmsg(struct dmtok_net *net, int fd, struct msghdr *msg,
		      int flags);

/**
 * dmtok_cmsg_frag() - the devmem frag a cmsg of a received message carries
 * @cm: a cmsg of a message dmtok_recvmsg() (or recvmsg()) filled
 * @frag: where its struct dmabuf_cmsg is copied (CMSG_DATA() need not be
 *        aligned for it)
 *
 * Return: SCM_DEVMEM_DMABUF or SCM_DEVMEM_LINEAR for a SOL_SOCKET cmsg of
 * that type and of exactly the length put_cmsg_notrunc() writes
 * (CMSG_LEN(sizeof(struct dmabuf_cmsg))), @frag filled; 0 for any other
 * cmsg (TCP_INQ's, one of the wrong length), @frag untouched.
 */
static inline int dmtok_cmsg_frag(const struct cmsghdr *cm, struct dmabuf_cmsg *frag)
{
	if (cm->cmsg_level != SOL_SOCKET ||
	    (cm->cmsg_type != SCM_DEVMEM_DMABUF && cm->cmsg_type != SCM_DEVMEM_LINEAR) ||
	    cm->cmsg_len != CMSG_LEN(sizeof(*frag)))
		return 0;
	memcpy(frag, CMSG_DATA(cm), sizeof(*frag));
	return cm->cmsg_type;
}

/*
 * dmtok_cmsg_for_each(msg, cm, type, frag): every cmsg @cm of @msg, in
 * order (CMSG_FIRSTHDR()/CMSG_NXTHDR()), with @type and *@frag set by
 * dmtok_cmsg_frag() for it -- the one cmsg walk of dmtok's tools and
 * tests. A devmem client reads as ncdevmem's:
 *
 *	dmtok_cmsg_for_each(&msg, cm, type, &dc)
 *		if (type == SCM_DEVMEM_DMABUF)
 *			tokens[n++] = dc.frag_token;
 */
#define dmtok_cmsg_for_each(msg, cm, type, frag)				\
	for ((cm) = CMSG_FIRSTHDR(msg);						\
	     (cm) && (((type) = dmtok_cmsg_frag((cm), (frag))), 1);		\
	     (cm) = CMSG_NXTHDR((msg), (cm)))

/*
 * setsockopt(). Modelled: SOL_SOCKET/SO_DEVMEM_DONTNEED, checked in
 * sk_setsockopt()'s order (6.12): optlen < sizeof(int) is EINVAL and a
 * faulting optval (NULL, or another address in the first or last page)
 * EFAULT before the option is looked at; then sock_devmem_dontneed():
 * EBADF (not a TCP socket), EINVAL (optlen not a multiple of 8 or above
 * 128 tokens, or the scheme's all-or-nothing check), ENOMEM, EFAULT (the
 * list faults); it returns the number of frags released (at most 1024
 * frags are inspected per call). And SOL_TCP/TCP_INQ on a TCP socket
 * (do_tcp_setsockopt()): EINVAL (optlen < sizeof(int), a value other
 * than 0 or 1), EFAULT; returns 0. Errors are -1 with errno, also EBADF
 * (not open), ENOTSOCK, ENOPROTOOPT (other options or levels, SOL_TCP on
 * a socket that is not TCP).
 */
int dmtok_setsockopt(struct dmtok_net *net, int fd, int level, int optname,
		     const void *optval, socklen_t optlen);

/*
 * Closes @fd (socket or dmabuf): a socket is closed as tcp_close() closes
 * it once the last call on it returned (see dmtok_sock_set_peer()).
 * Returns 0 or -1 with errno EBADF.
 */
int dmtok_close(struct dmtok_net *net, int fd);

/*
 * When a closed TCP socket is destroyed -- and its scheme's release_all
 * runs (tcp_v4_destroy_sock() -> tcp_release_user_frags()) -- is up to
 * its peer (__tcp_close(), net/ipv4/tcp.c, 6.12). With data still queued
 * the close resets the connection and destroys the socket at once, inside
 * dmtok_close(), with BH disabled. Otherwise the socket is orphaned until
 * the peer answers its FIN: DMTOK_PEER_ACKS (the default), a peer that
 * has acked everything, destroys it in the softirq of that ACK, right
 * away here; DMTOK_PEER_SILENT leaves it orphaned -- its tokens held
 * where nobody can return them, in v10 still a user of its binding --
 * until dmtok_net_expire_orphans() (<dmtok/model.h>), its timers, destroys
 * it in softirq. Either way release_all runs in atomic context with the
 * socket's bh lock held, as in the kernel. Returns 0, or -1 with errno
 * EINVAL (@peer, or not a TCP socket), EBADF, ENOTSOCK.
 */
#define DMTOK_PEER_ACKS		0
#define DMTOK_PEER_SILENT	1
int dmtok_sock_set_peer(struct dmtok_net *net, int fd, int peer);

/*
 * A controlled interleaving for reproducers (no sleeps, no luck): @hook
 * runs inside dmtok_recvmsg() right after each devmem frag's cmsg is
 * written and its token recorded by the scheme, before the scheme commits
 * the batch -- the window in which, in the kernel, another thread's
 * SO_DEVMEM_DONTNEED runs (it takes no socket lock). The hook may call
 * dmtok_setsockopt() on any socket (not dmtok_recvmsg() or dmtok_close()
 * on @fd). NULL removes it. It may be set, changed and cleared from any
 * thread at any time, traffic included: @hook and @arg change together,
 * and a recvmsg that starts after the call returns sees the new pair. A
 * call of the old hook already under way is not waited for: keep the old
 * @arg valid until the recvmsg calls that could be running it are over.
 * Returns 0 or -EINVAL (NULL net).
 */
typedef void (*dmtok_rx_hook_fn)(void *arg, struct dmtok_net *net, int fd,
				 uint32_t token);
int dmtok_set_rx_hook(struct dmtok_net *net, dmtok_rx_hook_fn hook, void *arg);

/* What a socket's token scheme holds, for tests and benchmarks. */
struct dmtok_sock_stats {
	const char *scheme;
	uint64_t mem_bytes;		/* scheme memory held by this socket */
	uint64_t tokens_out;		/* references the user holds */
	uint64_t frags_queued;		/* frags waiting in the receive queue */
	uint64_t bindings_seen;		/* distinct bindings this socket took frags from */
	unsigned int ncounters;		/* scheme-specific counters, name/value */
	struct {
		const char *name;
		uint64_t value;
	} counters[8];
};
/*
 * Safe at any time, concurrently with every other call on the socket.
 * Returns 0, or -EINVAL (NULL net or st), -EBADF, -ENOTSOCK.
 */
int dmtok_sock_stats(struct dmtok_net *net, int fd,
		     struct dmtok_sock_stats *st);

/* The value of counter @name in @st, or -1 if the scheme has none. */
int64_t dmtok_sock_stats_counter(const struct dmtok_sock_stats *st,
				 const char *name);

/*
 * Properties of a registered scheme, for tools that create sockets with
 * it (the DMTOK_SCHEME_* flags of <dmtok/scheme.h>).
 */
struct dmtok_scheme_info {
	char name[32];			/* a copy: safe after an unregister */
	const char *description;	/* the scheme's own: valid while registered */
	unsigned int flags;		/* DMTOK_SCHEME_* */
	unsigned int bind_flags;	/* what dmtok_bind_rx() needs for it */
	unsigned int max_outstanding;	/* 0: no limit below 2^31 */
	int has_plan;			/* declares a memory/token formula */
};
/* Returns 0, or -EINVAL (NULL argument), -ENOENT (not registered). */
int dmtok_scheme_info(const char *name, struct dmtok_scheme_info *info);

/*
 * Writes the names of the registered schemes, comma-separated, to @buf
 * (for --help and error messages). Returns @buf.
 */
char *dmtok_scheme_list(char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_SOCKET_H */
