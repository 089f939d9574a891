// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The socket receive path every token scheme plugs into. Mirrors
 * tcp_recvmsg_locked() and tcp_recvmsg_dmabuf() (net/ipv4/tcp.c),
 * put_cmsg_notrunc() (net/core/scm.c), sock_devmem_dontneed()
 * (net/core/sock.c) and tcp_release_user_frags() (net/ipv4/tcp_ipv4.c).
 * Token bookkeeping is delegated to the socket's scheme through
 * struct dmtok_scheme_ops; the rules around it (limits, errnos, return
 * values, one pp_ref_count per frag handed out) live here, once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* MAX_RW_COUNT (include/linux/fs.h) for a 4 KiB PAGE_SIZE */
#define DMTOK_MAX_RW_COUNT	(0x7fffffff & ~0xfff)

/*
 * dmtok_set_rx_hook()'s hook, read as one pair under hook_lock (the hook
 * and its argument are set together from any thread, during traffic);
 * called outside the lock, so the hook may set or clear a hook itself.
 */
static void run_rx_hook(struct dmtok_net *net, int fd, u32 token)
{
	dmtok_rx_hook_fn fn;
	void *arg;

	dmtok__mutex_lock(&net->hook_lock);
	fn = net->rx_hook;
	arg = net->rx_hook_arg;
	dmtok__mutex_unlock(&net->hook_lock);
	if (fn)
		fn(arg, net, fd, token);
}

int dmtok_scheme_init(const struct dmtok_scheme_ops *ops, void **priv)
{
	int err;

	if (!ops || !priv)
		return -EINVAL;
	err = dmtok__scheme_check(ops);	/* a NULL init, a foreign version */
	if (err)
		return err;
	*priv = NULL;
	if (ops->priv_size) {
		*priv = kzalloc(ops->priv_size, GFP_KERNEL);
		if (!*priv)
			return -ENOMEM;
	}
	if (!ops->init)
		return 0;
	dmtok__xa_init_shift(ops->model_xa_chunk_shift);
	dmtok__xa_init_kernel((int)ops->model_xa_kernel);
	err = ops->init(priv);
	dmtok__xa_init_kernel(0);
	dmtok__xa_init_shift(0);
	if (err && ops->priv_size) {
		kfree(*priv);
		*priv = NULL;
	}
	return err;
}

void dmtok_scheme_release(const struct dmtok_scheme_ops *ops, void *priv)
{
	if (!ops)
		return;
	ops->release_all(priv);
	if (ops->priv_size)
		kfree(priv);
}

int dmtok_socket(struct dmtok_net *net, int type, const char *scheme)
{
	const struct dmtok_scheme_ops *ops = NULL;
	struct dmtok_scheme_entry *entry;
	struct dmtok_sock *sk;
	int fd, err;

	if (!net || (type != SOCK_STREAM && type != SOCK_DGRAM)) {
		errno = EINVAL;
		return -1;
	}
	entry = dmtok__scheme_get(scheme ? scheme : "xarray", &ops);
	if (!entry) {
		errno = ENOENT;
		return -1;
	}
	sk = kzalloc(sizeof(*sk), GFP_KERNEL);
	if (!sk) {
		dmtok__scheme_put(entry);
		errno = ENOMEM;
		return -1;
	}
	err = dmtok_scheme_init(ops, &sk->priv);	/* tcp_init_sock() */
	if (err) {
		kfree(sk);
		dmtok__scheme_put(entry);
		errno = -err;
		return -1;
	}
	sk->ops = ops;
	sk->scheme = entry;
	sk->type = type;
	sk->net = net;
	atomic_set(&sk->ref, 1);
	pthread_mutex_init(&sk->lock, NULL);
	pthread_mutex_init(&sk->rq_lock, NULL);
	spin_lock_init(&sk->slock);
	TAILQ_INIT(&sk->rq);
	dmtok__mutex_lock(&net->objs_lock);
	TAILQ_INSERT_TAIL(&net->socks, sk, all);
	dmtok__mutex_unlock(&net->objs_lock);
	fd = dmtok_fd_install(net, (struct dmtok_file){
		.type = DMTOK_FILE_SOCKET, .sk = sk });
	if (fd < 0) {
		dmtok_sock_put(sk);
		errno = -fd;
		return -1;
	}
	return fd;
}

/* Where tcp_v4_destroy_sock() runs: see tcp_close() below. */
enum destroy_ctx { DESTROY_PROCESS, DESTROY_BH, DESTROY_SOFTIRQ };

/*
 * tcp_v4_destroy_sock() (net/ipv4/tcp_ipv4.c, 6.12):
 * tcp_release_user_frags() -- the scheme's release_all -- then the
 * socket's memory. For TCP the kernel always gets here in atomic context
 * with the socket's bh lock held: inside __tcp_close() after
 * local_bh_disable(); bh_lock_sock() (DESTROY_BH), or in the softirq that
 * takes an orphan to TCP_CLOSE, tcp_done() (DESTROY_SOFTIRQ). A socket
 * that is not TCP is destroyed in process context (udp_lib_close() ->
 * sk_common_release()).
 */
static void tcp_destroy_sock(struct dmtok_sock *sk, enum destroy_ctx ctx)
{
	struct dmtok_net *net = sk->net;

	if (ctx == DESTROY_SOFTIRQ)
		dmtok__softirq_enter();
	else if (ctx == DESTROY_BH)
		local_bh_disable();
	if (ctx != DESTROY_PROCESS)
		spin_lock(&sk->slock);		/* bh_lock_sock() */
	dmtok_scheme_release(sk->ops, sk->priv);
	if (ctx != DESTROY_PROCESS)
		spin_unlock(&sk->slock);
	if (ctx == DESTROY_SOFTIRQ)
		dmtok__softirq_exit();
	else if (ctx == DESTROY_BH)
		local_bh_enable();
	dmtok__scheme_put(sk->scheme);
	dmtok__mutex_lock(&net->objs_lock);
	TAILQ_REMOVE(&net->socks, sk, all);
	dmtok__mutex_unlock(&net->objs_lock);
	pthread_mutex_destroy(&sk->rq_lock);
	pthread_mutex_destroy(&sk->lock);
	kfree(sk);
}

/*
 * tcp_close() -> __tcp_close() (net/ipv4/tcp.c, 6.12), run at the file's
 * last put: the receive queue is purged, in process context; if a byte of
 * it was unread (data_was_unread) the connection is reset, reaches
 * TCP_CLOSE and the socket is destroyed at once, inside close(), with BH
 * disabled. Otherwise a FIN goes out and the orphan waits for its peer: a
 * peer that acks everything (the default) takes it to TCP_CLOSE in the
 * softirq of that ACK (tcp_rcv_state_process() -> tcp_time_wait() ->
 * tcp_done()), modelled at once; a silent one (dmtok_sock_set_peer())
 * leaves it orphaned -- its tokens still held, v10's binding user kept --
 * until the FIN_WAIT or retransmit timers fire: dmtok_net_expire_orphans(),
 * in softirq.
 */
static void tcp_close(struct dmtok_sock *sk)
{
	struct dmtok_net *net = sk->net;
	bool data_was_unread = false;
	struct dmtok_skb *skb;

	/* a lock-free lookup may still hold the pointer (not a reference) */
	dmtok__sock_synchronize(net);

	while ((skb = TAILQ_FIRST(&sk->rq))) {
		TAILQ_REMOVE(&sk->rq, skb, link);
		data_was_unread = true;
		dmtok_skb_free(skb);
	}
	if (sk->type != SOCK_STREAM) {
		tcp_destroy_sock(sk, DESTROY_PROCESS);
	} else if (data_was_unread) {
		tcp_destroy_sock(sk, DESTROY_BH);
	} else if (__atomic_load_n(&sk->peer_silent, __ATOMIC_RELAXED)) {
		dmtok__mutex_lock(&net->objs_lock);
		TAILQ_INSERT_TAIL(&net->orphans, sk, orphan);
		dmtok__mutex_unlock(&net->objs_lock);
	} else {
		tcp_destroy_sock(sk, DESTROY_SOFTIRQ);
	}
}

void dmtok_sock_put(struct dmtok_sock *sk)
{
	if (atomic_dec_and_test(&sk->ref))
		tcp_close(sk);
}

int dmtok_net_expire_orphans(struct dmtok_net *net)
{
	struct dmtok_sock *sk;
	int n = 0;

	if (!net)
		return -EINVAL;
	for (;;) {
		dmtok__mutex_lock(&net->objs_lock);
		sk = TAILQ_FIRST(&net->orphans);
		if (sk)
			TAILQ_REMOVE(&net->orphans, sk, orphan);
		dmtok__mutex_unlock(&net->objs_lock);
		if (!sk)
			return n;
		tcp_destroy_sock(sk, DESTROY_SOFTIRQ);
		n++;
	}
}

int dmtok_sock_enqueue(struct dmtok_sock *sk, struct dmtok_skb *skb)
{
	dmtok__mutex_lock(&sk->rq_lock);
	TAILQ_INSERT_TAIL(&sk->rq, skb, link);
	sk->frags_queued += skb->nr_frags;
	sk->rq_bytes += skb->len + DMTOK_SKB_OVERHEAD;
	sk->rq_len += skb->len;
	dmtok__mutex_unlock(&sk->rq_lock);
	return 0;
}

/* ---- msghdr helpers: the msg_iter and the control buffer ---- */

struct rx_msg {
	struct msghdr *msg;
	int fd;				/* for the reproducers' hook */
	size_t iov_idx, iov_off;	/* copy_to_iter() position */
	size_t ctl_used;		/* bytes of cmsgs written */
	int flags;			/* msg_flags out: MSG_CTRUNC */
};

/*
 * A user address the model knows to fault: one in the first page (NULL
 * and its neighbours) or the last (kernel space on every Linux ABI, where
 * access_ok() already refuses it), or a range that wraps. Such pages are
 * never mapped in a process. Any other address is taken as mapped and
 * writable: telling an mprotect()ed page from a writable one would cost a
 * system call per copy.
 */
static bool user_addr_bad(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return a < 4096 || a + len < a || a + len > UINTPTR_MAX - 4095;
}

/* copy_to_iter(): returns bytes copied; short at a faulting iov_base. */
static size_t copy_to_iter(struct rx_msg *m, const u8 *src, size_t n)
{
	size_t done = 0;

	while (done < n && m->iov_idx < (size_t)m->msg->msg_iovlen) {
		struct iovec *iov = &m->msg->msg_iov[m->iov_idx];
		size_t room = iov->iov_len - m->iov_off, c = min(room, n - done);

		if (!room) {
			m->iov_idx++;
			m->iov_off = 0;
			continue;
		}
		if (user_addr_bad((u8 *)iov->iov_base + m->iov_off, c))
			break;
		memcpy((u8 *)iov->iov_base + m->iov_off, src + done, c);
		done += c;
		m->iov_off += c;
	}
	return done;
}

/*
 * put_cmsg() (net/core/scm.c, 6.12): without a buffer or room for a
 * header it sets MSG_CTRUNC and writes nothing; with room for less than
 * CMSG_LEN(@len) it sets MSG_CTRUNC and writes the cmsg cut at the room
 * (cmsg_len = room); the cursor advances by min(CMSG_SPACE(@len), room).
 * A faulting buffer (user_addr_bad()) is -EFAULT: nothing written, nothing
 * advanced (MSG_CTRUNC stays set if the cmsg was to be cut: it is set
 * before the write).
 */
static int put_cmsg(struct rx_msg *m, int level, int type, const void *data,
		    size_t len)
{
	struct msghdr *msg = m->msg;
	size_t room = msg->msg_controllen - m->ctl_used, cmlen = CMSG_LEN(len);
	struct cmsghdr h;
	u8 *p;

	if (!msg->msg_control || room < sizeof(struct cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < cmlen) {
		m->flags |= MSG_CTRUNC;
		cmlen = room;
	}
	p = (u8 *)msg->msg_control + m->ctl_used;
	if (user_addr_bad(p, cmlen))
		return -EFAULT;	/* unsafe_put_user() faulted: nothing advances */
	memset(&h, 0, sizeof(h));
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(p, &h, sizeof(h));	/* the buffer may be unaligned */
	memcpy(p + CMSG_LEN(0), data, cmlen - CMSG_LEN(0));
	m->ctl_used += min((size_t)CMSG_SPACE(len), room);
	return 0;
}

/* put_cmsg_notrunc() (6.12): never a truncated cmsg, -ETOOSMALL instead. */
static int put_cmsg_notrunc(struct rx_msg *m, int type,
			    const struct dmabuf_cmsg *data)
{
	struct msghdr *msg = m->msg;

	if (!msg->msg_control ||
	    msg->msg_controllen - m->ctl_used < CMSG_LEN(sizeof(*data)))
		return -ETOOSMALL;
	return put_cmsg(m, SOL_SOCKET, type, data, sizeof(*data));
}

/*
 * tcp_recvmsg_dmabuf(): the linear part as an SO_DEVMEM_LINEAR cmsg (its
 * bytes copied to the iovec), each frag as an SO_DEVMEM_DMABUF cmsg with a
 * token from the scheme and one pp_ref_count taken for the user. Returns
 * bytes handed over, or -errno if none.
 */
static int recvmsg_dmabuf(struct dmtok_sock *sk, const struct dmtok_skb *skb,
			  u32 offset, struct rx_msg *m, int remaining_len)
{
	const struct dmtok_scheme_ops *ops = sk->ops;
	struct dmabuf_cmsg dmabuf_cmsg = { 0 };
	struct dmtok_rx_batch batch = { 0 };
	int i, copy, sent = 0, err = 0;
	u32 start;

	start = skb->headlen;

	if (skb->readable) {
		err = -ENODEV;
		goto out;
	}

	/* Copy header. */
	copy = (int)(start - offset);
	if (copy > 0) {
		copy = min(copy, remaining_len);
		if (copy_to_iter(m, skb->data + offset, (size_t)copy) != (size_t)copy) {
			err = -EFAULT;
			goto out;
		}
		offset += (u32)copy;
		remaining_len -= copy;

		memset(&dmabuf_cmsg, 0, sizeof(dmabuf_cmsg));
		dmabuf_cmsg.frag_size = (u32)copy;
		err = put_cmsg_notrunc(m, SO_DEVMEM_LINEAR, &dmabuf_cmsg);
		if (err)
			goto out;
		sent += copy;
		if (remaining_len == 0)
			goto out;
	}

	for (i = 0; i < skb->nr_frags; i++) {
		const struct dmtok_frag *frag = &skb->frags[i];
		struct net_iov *niov = frag->niov;
		u32 end = start + frag->size, token;

		copy = (int)(end - offset);
		if (copy > 0) {
			copy = min(copy, remaining_len);
			dmabuf_cmsg.frag_offset = net_iov_virtual_addr(niov) +
						  frag->off + offset - start;
			dmabuf_cmsg.frag_size = (u32)copy;
			err = ops->rx_reserve(sk->priv, &batch, niov,
					      (unsigned int)(skb->nr_frags - i),
					      &token);
			if (err)
				goto out;
			dmabuf_cmsg.frag_token = token;
			dmabuf_cmsg.dmabuf_id = net_iov_binding_id(niov);

			offset += (u32)copy;
			remaining_len -= copy;

			err = put_cmsg_notrunc(m, SO_DEVMEM_DMABUF, &dmabuf_cmsg);
			if (err)
				goto out;	/* reservation rolled back below */

			/*
			 * The user's pp_ref_count (tcp_xa_pool_inc_pp_ref_count()):
			 * one per frag, or, for per-niov urefs, the scheme's one
			 * per niov (v10).
			 */
			if (!(ops->flags & DMTOK_SCHEME_SHARED_UREFS))
				page_pool_ref_netmem(net_iov_to_netmem(niov));
			if (ops->rx_taken)
				ops->rx_taken(sk->priv, &batch, niov, token);
			if (unlikely(__atomic_load_n(&sk->net->rx_hook, __ATOMIC_RELAXED)))
				run_rx_hook(sk->net, m->fd, token);
			sent += copy;
			if (remaining_len == 0)
				goto out;
		}
		start = end;
	}
	if (ops->rx_commit)
		ops->rx_commit(sk->priv, &batch);
out:
	if (ops->rx_commit)
		ops->rx_commit(sk->priv, &batch);
	if (!sent)
		sent = err;
	return sent;
}

/*
 * tcp_recvmsg_locked() (net/ipv4/tcp.c, 6.12), never blocking, without
 * FIN/urgent. A do-while, as the kernel's: a zero-length read with a
 * devmem skb queued still goes through tcp_recvmsg_dmabuf() once, which
 * hands out one zero-size cmsg (a frag's, with a live token and its
 * pp_ref_count, or the linear part's) and returns 0; an empty queue is
 * -EAGAIN. MSG_PEEK reads from a private cursor (peek_seq, with no
 * SO_PEEK_OFF) and eats nothing -- and, as in the kernel, a devmem skb
 * still goes through tcp_recvmsg_dmabuf(): every peek hands out new
 * tokens, each with its own pp_ref_count, for data that stays queued.
 */
static ssize_t recvmsg_locked(struct dmtok_sock *sk, struct rx_msg *m,
			      size_t len, int flags)
{
	bool peek = flags & MSG_PEEK;
	struct dmtok_skb *cur = NULL;	/* MSG_PEEK: the skb the cursor is in */
	u32 peek_off = 0;
	int last_copied_dmabuf = -1;
	ssize_t copied = 0;

	do {
		struct dmtok_skb *skb;
		u32 offset;
		size_t used;

		dmtok__mutex_lock(&sk->rq_lock);
		if (!cur) {
			skb = TAILQ_FIRST(&sk->rq);
			offset = sk->copied;
		} else if (peek_off < cur->len) {
			skb = cur;
			offset = peek_off;
		} else {
			skb = TAILQ_NEXT(cur, link);
			offset = 0;
		}
		dmtok__mutex_unlock(&sk->rq_lock);
		if (!skb) {
			if (!copied)
				copied = -EAGAIN;
			break;
		}
		used = skb->len - offset;
		if (len < used)
			used = len;

		/* Never mix host and device memory in one call. */
		if (last_copied_dmabuf != -1 &&
		    last_copied_dmabuf != !skb->readable)
			break;

		if (skb->readable) {
			if (copy_to_iter(m, skb->data + offset, used) != used) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
		} else {
			int err;

			if (!(flags & MSG_SOCK_DEVMEM)) {
				/* dmabuf skbs can only be received with MSG_SOCK_DEVMEM */
				if (!copied)
					copied = -EFAULT;
				break;
			}
			err = recvmsg_dmabuf(sk, skb, offset, m, (int)used);
			if (err < 0) {
				if (!copied)
					copied = err;
				break;
			}
			used = (size_t)err;
		}
		last_copied_dmabuf = !skb->readable;
		copied += (ssize_t)used;
		len -= used;
		if (peek) {	/* peek_seq moves, copied_seq does not */
			cur = skb;
			peek_off = offset + (u32)used;
			continue;
		}
		sk->copied += (u32)used;
		if (used + offset < skb->len)
			continue;
		/* tcp_eat_recv_skb() */
		dmtok__mutex_lock(&sk->rq_lock);
		TAILQ_REMOVE(&sk->rq, skb, link);
		sk->frags_queued -= skb->nr_frags;
		sk->rq_bytes -= skb->len + DMTOK_SKB_OVERHEAD;
		sk->rq_len -= skb->len;
		sk->copied = 0;
		dmtok__mutex_unlock(&sk->rq_lock);
		dmtok_skb_free(skb);
	} while (len > 0);
	return copied;
}

/*
 * tcp_inq_hint() (include/net/tcp.h, 6.12): rcv_nxt - copied_seq, the
 * bytes received and not yet read (a peek reads none); sk->lock held.
 */
static int tcp_inq_hint(struct dmtok_sock *sk)
{
	u64 inq;

	dmtok__mutex_lock(&sk->rq_lock);
	inq = sk->rq_len - sk->copied;
	dmtok__mutex_unlock(&sk->rq_lock);
	return (int)min(inq, (u64)INT_MAX);
}

/* fdget() for the syscall face: a referenced socket, or NULL with errno set. */
static struct dmtok_sock *sock_lookup(struct dmtok_net *net, int fd)
{
	struct dmtok_sock *sk;
	int err = EINVAL;

	sk = net ? dmtok_sock_get_fd(net, fd, &err) : NULL;
	if (!sk)
		errno = err;
	return sk;
}

ssize_t dmtok_recvmsg(struct dmtok_net *net, int fd, struct msghdr *msg,
		      int flags)
{
	struct rx_msg m = { .msg = msg, .fd = fd };
	struct dmtok_sock *sk = sock_lookup(net, fd);
	size_t len = 0, i, iovlen;
	bool want_inq;
	ssize_t ret;
	int inq = 0;

	if (!sk)
		return -1;
	if (!msg) {
		ret = -EFAULT;
		goto out;
	}
	if (flags & ~(MSG_SOCK_DEVMEM | MSG_DONTWAIT | MSG_PEEK)) {
		ret = -EINVAL;	/* WAITALL, TRUNC, OOB are not modelled */
		goto out;
	}
	/*
	 * The kernel reads msg_iovlen as a size_t (struct user_msghdr); musl
	 * declares it int, so a negative one must read as huge, not loop.
	 */
	iovlen = (size_t)msg->msg_iovlen;
	if (iovlen > DMTOK_UIO_MAXIOV) {
		ret = -EMSGSIZE;	/* __copy_msghdr() */
		goto out;
	}
	if (iovlen && user_addr_bad(msg->msg_iov, iovlen * sizeof(*msg->msg_iov))) {
		ret = -EFAULT;	/* import_iovec(): copy_from_user() of the array */
		goto out;
	}
	/* import_iovec(): the total is capped at MAX_RW_COUNT. */
	for (i = 0; i < iovlen; i++) {
		size_t l = msg->msg_iov[i].iov_len;

		if (l > DMTOK_MAX_RW_COUNT - len)
			l = DMTOK_MAX_RW_COUNT - len;
		len += l;
	}
	dmtok__mutex_lock(&sk->lock);	/* lock_sock() */
	/* tcp_recvmsg_locked(): tp->recvmsg_inq read once, under the lock */
	want_inq = __atomic_load_n(&sk->recvmsg_inq, __ATOMIC_RELAXED);
	ret = recvmsg_locked(sk, &m, len, flags);
	if (want_inq)
		inq = tcp_inq_hint(sk);
	dmtok__mutex_unlock(&sk->lock);
	/*
	 * tcp_recvmsg() (6.12): with TCP_INQ on and no error, the bytes left
	 * to read as a SOL_TCP cmsg after the devmem ones, through put_cmsg():
	 * where they filled the buffer it is cut or left out, with MSG_CTRUNC.
	 */
	if (ret >= 0 && want_inq)
		(void)put_cmsg(&m, SOL_TCP, TCP_CM_INQ, &inq, sizeof(inq));
	/* ___sys_recvmsg(): on success, the control bytes written, the flags */
	if (ret >= 0) {
		msg->msg_controllen = m.ctl_used;
		msg->msg_flags = m.flags;
	}
out:
	dmtok_sock_put(sk);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/*
 * sock_devmem_dontneed() (net/core/sock.c, 6.12): the generic half; the
 * scheme does the release. sk_setsockopt() has already checked optlen
 * >= sizeof(int) and that one int could be read from @optval; the copy
 * of the whole list faults on its own (-EFAULT, after the allocation).
 */
static int sock_devmem_dontneed(struct dmtok_sock *sk, const void *optval,
				socklen_t optlen)
{
	struct dmabuf_token *tokens;
	unsigned int num_tokens;
	int ret;

	if (sk->type != SOCK_STREAM)	/* !sk_is_tcp(sk) */
		return -EBADF;
	if (optlen % sizeof(*tokens) ||
	    optlen > sizeof(*tokens) * MAX_DONTNEED_TOKENS)
		return -EINVAL;
	num_tokens = optlen / sizeof(*tokens);
	tokens = kvmalloc_array(num_tokens, sizeof(*tokens), GFP_KERNEL);
	if (!tokens)
		return -ENOMEM;
	if (user_addr_bad(optval, optlen)) {	/* copy_from_sockptr() faulted */
		kvfree(tokens);
		return -EFAULT;
	}
	memcpy(tokens, optval, optlen);
	ret = sk->ops->dontneed(sk->priv, tokens, num_tokens);
	kvfree(tokens);
	return ret;
}

/*
 * do_tcp_setsockopt() (net/ipv4/tcp.c, 6.12), reached for SOL_TCP through
 * tcp_setsockopt(): optlen below sizeof(int) is -EINVAL, an unreadable
 * optval -EFAULT; TCP_INQ takes 0 or 1 (else -EINVAL). Other TCP options
 * are not modelled (-ENOPROTOOPT).
 */
static int do_tcp_setsockopt(struct dmtok_sock *sk, int optname,
			     const void *optval, socklen_t optlen)
{
	int val;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (user_addr_bad(optval, sizeof(val)))
		return -EFAULT;
	memcpy(&val, optval, sizeof(val));	/* copy_from_sockptr() */
	if (optname != TCP_INQ)
		return -ENOPROTOOPT;
	if (val > 1 || val < 0)
		return -EINVAL;
	__atomic_store_n(&sk->recvmsg_inq, val == 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * sk_setsockopt() (net/core/sock.c, 6.12): for SOL_SOCKET, optlen below
 * sizeof(int) is -EINVAL and an unreadable optval (user_addr_bad()) -EFAULT,
 * both before the option is looked at; SO_DEVMEM_DONTNEED is then
 * dispatched without the socket lock.
 */
int dmtok_setsockopt(struct dmtok_net *net, int fd, int level, int optname,
		     const void *optval, socklen_t optlen)
{
	struct dmtok_sock *sk = sock_lookup(net, fd);
	int ret;

	if (!sk)
		return -1;
	if (level == SOL_TCP && sk->type == SOCK_STREAM)
		ret = do_tcp_setsockopt(sk, optname, optval, optlen);
	else if (level != SOL_SOCKET)
		ret = -ENOPROTOOPT;	/* ip_setsockopt() for SOL_TCP on UDP */
	else if (optlen < sizeof(int))
		ret = -EINVAL;
	else if (user_addr_bad(optval, sizeof(int)))
		ret = -EFAULT;
	else if (optname == SO_DEVMEM_DONTNEED)
		ret = sock_devmem_dontneed(sk, optval, optlen);
	else
		ret = -ENOPROTOOPT;	/* not modelled */
	dmtok_sock_put(sk);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

int dmtok_sock_set_peer(struct dmtok_net *net, int fd, int peer)
{
	struct dmtok_sock *sk = sock_lookup(net, fd);
	int ret = 0;

	if (!sk)
		return -1;
	if (sk->type != SOCK_STREAM ||
	    (peer != DMTOK_PEER_ACKS && peer != DMTOK_PEER_SILENT))
		ret = -EINVAL;
	else
		__atomic_store_n(&sk->peer_silent, peer == DMTOK_PEER_SILENT,
				 __ATOMIC_RELAXED);
	dmtok_sock_put(sk);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

int dmtok_sock_stats(struct dmtok_net *net, int fd, struct dmtok_sock_stats *st)
{
	struct dmtok_scheme_stats s = { 0 };
	struct dmtok_sock *sk;
	int err;

	if (!net || !st)
		return -EINVAL;
	sk = dmtok_sock_get_fd(net, fd, &err);
	if (!sk)
		return -err;
	if (sk->ops->stats)
		sk->ops->stats(sk->priv, &s);
	memset(st, 0, sizeof(*st));
	st->scheme = sk->ops->name;
	st->mem_bytes = s.mem_bytes;
	st->tokens_out = s.tokens_out;
	st->bindings_seen = s.bindings_seen;
	st->ncounters = min(s.ncounters, (unsigned int)ARRAY_SIZE(st->counters));
	for (unsigned int i = 0; i < st->ncounters; i++) {
		st->counters[i].name = s.counters[i].name;
		st->counters[i].value = s.counters[i].value;
	}
	dmtok__mutex_lock(&sk->rq_lock);
	st->frags_queued = sk->frags_queued;
	dmtok__mutex_unlock(&sk->rq_lock);
	dmtok_sock_put(sk);
	return 0;
}

int64_t dmtok_sock_stats_counter(const struct dmtok_sock_stats *st,
				 const char *name)
{
	if (!st || !name)
		return -1;
	for (unsigned int i = 0; i < st->ncounters && i < ARRAY_SIZE(st->counters); i++)
		if (st->counters[i].name && !strcmp(st->counters[i].name, name))
			return (int64_t)st->counters[i].value;
	return -1;
}

int dmtok_set_rx_hook(struct dmtok_net *net, dmtok_rx_hook_fn hook, void *arg)
{
	if (!net)
		return -EINVAL;
	dmtok__mutex_lock(&net->hook_lock);
	net->rx_hook_arg = arg;
	__atomic_store_n(&net->rx_hook, hook, __ATOMIC_RELAXED);
	dmtok__mutex_unlock(&net->hook_lock);
	return 0;
}

bool dmtok_sock_rcvbuf_full(struct dmtok_sock *sk, u64 more)
{
	bool full;

	dmtok__mutex_lock(&sk->rq_lock);
	full = sk->rq_bytes + more > DMTOK_SK_RCVBUF;
	dmtok__mutex_unlock(&sk->rq_lock);
	return full;
}
