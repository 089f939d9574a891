// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-conform: the conformance suite every token scheme runs, built in
 * or loaded from a scheme library.
 *
 *   dmtok-conform [--scheme-lib PATH]... SCHEME
 *   dmtok-conform --list
 *
 * TAP output; exit status non-zero if any case fails. Each case drives the
 * socket face exactly as a devmem client would and checks the kernel's
 * rules: one pp_ref_count per frag handed out and dropped exactly once,
 * the dontneed limits and return value, bad input answered with an errno
 * and no WARN, cmsgs never truncated, payload intact through frag_offset,
 * every niov home after close/unbind, zero live allocations at the end.
 * Where schemes differ by design, the case reads the property the scheme
 * declares (struct dmtok_scheme_ops.flags) and checks that one: a scheme
 * that declares a property it does not honour fails.
 */
#include "harness.h"
#include "dmtok/plan.h"

#include "dmtok/scheme.h"

/* What the scheme under test declares, from its ops. */
struct props {
	const char *name;
	bool multi_binding;	/* DMTOK_SCHEME_MULTI_BINDING */
	bool unique_tokens;	/* DMTOK_SCHEME_UNIQUE_TOKENS */
	bool rejects_unissued;	/* DMTOK_SCHEME_ALL_OR_NOTHING */
	bool close_releases;	/* not DMTOK_SCHEME_LINGER_UNTIL_UNBIND */
	unsigned int bind_flags;	/* what the scheme needs of a binding */
};

static struct props props;
static const struct props *P = &props;

#define MB (1ull << 20)

static struct env *setup_default(void)
{
	return env_setup(P->name, 16 * MB, NULL, P->bind_flags);
}

static void rx(struct env *e, int flow, size_t n)
{
	assert_int_equal(dmtok_nic_rx(e->net, flow, n), (ssize_t)n);
}

static void test_basic_roundtrip(void **state)
{
	struct env *e = setup_default();
	struct dmtok_net_counts c;
	(void)state;

	rx(e, e->flow, 256 * 1024);
	check_ok(e);
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(e->cl.bytes, 256 * 1024);
	assert_int_equal(e->cl.nfrags, 64);	/* 4 KiB frags */
	assert_int_equal(e->cl.bad_payload, 0);
	for (size_t i = 0; i < e->cl.nfrags; i++) {
		assert_int_equal(e->cl.frags[i].dmabuf_id, e->binding);
		assert_int_equal(e->cl.frags[i].size, 4096);
		assert_int_equal(e->cl.frags[i].offset % 4096, 0);
	}
	check_ok(e);
	assert_int_equal(client_return_all(e, e->sock), 64);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.niovs_out, 0);	/* all recycled */
	env_free(e);
}

static void test_recv_without_devmem_flag(void **state)
{
	struct env *e = setup_default();
	struct dmtok_sock_stats st;
	(void)state;

	rx(e, e->flow, 8192);
	assert_int_equal(client_recv(e, e->sock, e->flow, 4096, 0), -1);
	assert_int_equal(errno, EFAULT);	/* tcp_recvmsg_locked() */
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	assert_int_equal(st.frags_queued, 2);	/* nothing consumed */
	assert_int_equal(st.tokens_out, 0);
	check_ok(e);
	env_free(e);
}

static void test_ctrl_buffer_too_small(void **state)
{
	struct env *e = setup_default();
	size_t one = CMSG_SPACE(sizeof(struct dmabuf_cmsg));
	(void)state;

	rx(e, e->flow, 3 * 4096);
	/* no room for even one cmsg: -ETOOSMALL, nothing consumed */
	assert_int_equal(client_recv(e, e->sock, e->flow,
				     CMSG_LEN(sizeof(struct dmabuf_cmsg)) - 1,
				     MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, ETOOSMALL);
	assert_int_equal(client_recv(e, e->sock, e->flow, 0, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, ETOOSMALL);	/* msg_control == NULL */
	check_ok(e);
	/* room for two: progress is returned, the third frag stays queued */
	assert_int_equal(client_recv(e, e->sock, e->flow, 2 * one, MSG_SOCK_DEVMEM),
			 2 * 4096);
	assert_int_equal(e->cl.nfrags, 2);
	check_ok(e);
	assert_int_equal(client_recv(e, e->sock, e->flow, one, MSG_SOCK_DEVMEM), 4096);
	assert_int_equal(e->cl.nfrags, 3);	/* no token lost */
	assert_int_equal(e->cl.bad_payload, 0);
	assert_int_equal(client_return_all(e, e->sock), 3);
	check_ok(e);
	env_free(e);
}

static void test_dontneed_bad_args(void **state)
{
	struct env *e = setup_default();
	struct dmabuf_token t[128 + 1] = { { 0 } };
	int udp;
	(void)state;

	rx(e, e->flow, 4096);
	client_drain(e, e->sock, e->flow);
	/* optlen not a multiple of the token size */
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET,
					  SO_DEVMEM_DONTNEED, t, 7), -1);
	assert_int_equal(errno, EINVAL);
	/* more than MAX_DONTNEED_TOKENS */
	assert_int_equal(dontneed(e, e->sock, t, 128 + 1), -EINVAL);
	/* NULL optval */
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET,
					  SO_DEVMEM_DONTNEED, NULL, 8), -1);
	assert_int_equal(errno, EFAULT);
	/*
	 * sk_setsockopt() (net/core/sock.c, 6.12) checks optlen >= sizeof(int)
	 * and reads one int from optval before SO_DEVMEM_DONTNEED is even
	 * looked at: zero tokens is -EINVAL, a short optlen is -EINVAL even
	 * with a NULL optval, and a NULL optval is -EFAULT even on a socket
	 * that is not TCP.
	 */
	assert_int_equal(dontneed(e, e->sock, t, 0), -EINVAL);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET,
					  SO_DEVMEM_DONTNEED, NULL, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET,
					  SO_DEVMEM_DONTNEED, t, 4), -1);
	assert_int_equal(errno, EINVAL);	/* then: not a multiple of 8 */
	/* not TCP */
	udp = dmtok_socket(e->net, SOCK_DGRAM, P->name);
	assert_true(udp >= 0);
	assert_int_equal(dontneed(e, udp, t, 1), -EBADF);
	assert_int_equal(dmtok_setsockopt(e->net, udp, SOL_SOCKET,
					  SO_DEVMEM_DONTNEED, NULL, 8), -1);
	assert_int_equal(errno, EFAULT);
	/* not a socket, not an fd, not an option we model */
	assert_int_equal(dontneed(e, e->dmabuf, t, 1), -ENOTSOCK);
	assert_int_equal(dontneed(e, 999, t, 1), -EBADF);
	assert_int_equal(dontneed(e, -1, t, 1), -EBADF);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, 1234, t, 8), -1);
	assert_int_equal(errno, ENOPROTOOPT);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, 6 /* SOL_TCP */,
					  SO_DEVMEM_DONTNEED, t, 8), -1);
	assert_int_equal(errno, ENOPROTOOPT);
	/* the frag is still held and still returnable */
	assert_int_equal(client_return_all(e, e->sock), 1);
	check_ok(e);
	env_free(e);
}

static void test_recvmsg_bad_args(void **state)
{
	struct env *e = setup_default();
	struct iovec iov[2] = { { NULL, 4096 }, { NULL, 0 } };
	char ctl[256];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	(void)state;

	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EAGAIN);	/* queue empty */
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, NULL, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(dmtok_recvmsg(e->net, 4242, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(dmtok_recvmsg(e->net, e->dmabuf, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, ENOTSOCK);
	/* MSG_PEEK is served (test_peek_issues_tokens); an empty queue is EAGAIN */
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM | MSG_PEEK), -1);
	assert_int_equal(errno, EAGAIN);
	/* blocking reads are not modelled: refused (a known difference) */
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM | MSG_WAITALL), -1);
	assert_int_equal(errno, EINVAL);
	msg.msg_iovlen = 1025;
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EMSGSIZE);
	msg.msg_iov = NULL;
	msg.msg_iovlen = 1;
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EFAULT);
	/* devmem data needs no iovec memory: a NULL iov_base is fine */
	rx(e, e->flow, 4096);
	msg.msg_iov = iov;
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), 4096);
	assert_int_equal(msg.msg_controllen, CMSG_SPACE(sizeof(struct dmabuf_cmsg)));
	check_ok(e);
	env_free(e);	/* close releases or unbind reclaims the held frag */
}

static void test_dontneed_before_any_recv(void **state)
{
	struct env *e = setup_default();
	struct dmabuf_token t[2] = { { 0, 1 }, { 1, 1000 } };
	int r;
	(void)state;

	rx(e, e->flow, 8192);	/* queued, never read: no token issued */
	r = dontneed(e, e->sock, t, 2);
	assert_true(r == 0 || r == -EINVAL);	/* never a crash, never a WARN */
	check_ok(e);
	env_free(e);
}

static void test_double_release(void **state)
{
	struct env *e = setup_default();
	struct frag_rec saved[16];
	(void)state;

	rx(e, e->flow, 16 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 16);
	memcpy(saved, e->cl.frags, sizeof(saved));
	assert_int_equal(client_return_all(e, e->sock), 16);
	memcpy(e->cl.frags, saved, sizeof(saved));
	e->cl.nfrags = 16;
	assert_int_equal(client_return(e, e->sock, 0, 16), 0);	/* nothing twice */
	check_ok(e);
	env_free(e);
}

static int cmp_token(const void *a, const void *b)
{
	uint32_t x = ((const struct frag_rec *)a)->token;
	uint32_t y = ((const struct frag_rec *)b)->token;

	return x < y ? -1 : x > y;
}

/*
 * Coalesces the (sorted) record into at most @max ranges: runs of
 * consecutive tokens, and where a scheme's tokens are sparse (a token is
 * any u32 the scheme chooses) the smallest gaps are spanned until @max
 * ranges cover them all. Returns how many.
 */
static size_t to_ranges(struct env *e, struct dmabuf_token *out, size_t max)
{
	struct dmabuf_token *t = calloc(e->cl.nfrags + 1, sizeof(*t));
	size_t n = 0;

	assert_non_null(t);
	qsort(e->cl.frags, e->cl.nfrags, sizeof(e->cl.frags[0]), cmp_token);
	for (size_t i = 0; i < e->cl.nfrags; i++) {
		uint32_t tok = e->cl.frags[i].token;

		if (n && t[n - 1].token_start + t[n - 1].token_count == tok)
			t[n - 1].token_count++;
		else if (n && t[n - 1].token_start + t[n - 1].token_count > tok)
			continue;	/* a token held twice (shared niov tokens) */
		else
			t[n++] = (struct dmabuf_token){ tok, 1 };
	}
	while (n > max) {	/* span the smallest gap */
		size_t best = 0;
		uint64_t gap, best_gap = UINT64_MAX;

		for (size_t i = 0; i + 1 < n; i++) {
			gap = (uint64_t)t[i + 1].token_start - t[i].token_start - t[i].token_count;
			if (gap < best_gap) {
				best_gap = gap;
				best = i;
			}
		}
		assert_true(best_gap < UINT32_MAX);
		t[best].token_count = t[best + 1].token_start + t[best + 1].token_count -
				      t[best].token_start;
		memmove(&t[best + 1], &t[best + 2], (n - best - 2) * sizeof(*t));
		n--;
	}
	memcpy(out, t, n * sizeof(*t));
	free(t);
	return n;
}

/* Drops the first @k frags from a range list; returns the new length. */
static size_t skip_frags(struct dmabuf_token *t, size_t n, uint32_t k)
{
	size_t i = 0;

	while (i < n && k >= t[i].token_count)
		k -= t[i++].token_count;
	if (i < n) {
		t[i].token_start += k;
		t[i].token_count -= k;
	}
	memmove(t, t + i, (n - i) * sizeof(*t));
	return n - i;
}

/* Is @tok one the client holds (the record sorted by token)? */
static bool holds(struct env *e, uint32_t tok)
{
	size_t lo = 0, hi = e->cl.nfrags;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (e->cl.frags[mid].token < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->cl.nfrags && e->cl.frags[lo].token == tok;
}

/* Held tokens among the first @limit the kernel would inspect in @t. */
static int held_in_first(struct env *e, const struct dmabuf_token *t, size_t n,
			 uint32_t limit)
{
	uint32_t seen = 0;
	int held = 0;

	for (size_t i = 0; i < n && seen < limit; i++)
		for (uint32_t j = 0; j < t[i].token_count && seen < limit; j++, seen++)
			held += holds(e, t[i].token_start + j);
	return held;
}

/*
 * sock_devmem_dontneed() (net/core/sock.c, 6.12): at most 128 ranges, and
 * it stops after MAX_DONTNEED_FRAGS (1024) tokens *inspected*, released or
 * not, returning what it released. With consecutive tokens that is 1024
 * of 2048 held; with sparse ones the ranges span the gaps and fewer of
 * the inspected tokens are held -- the count is computed from the tokens
 * the scheme actually issued, so any u32 tokens work.
 */
/*
 * MSG_PEEK (tcp_recvmsg_locked(), 6.12): tcp_recvmsg_dmabuf() runs for a
 * peek too and the skb stays queued, so every peek hands out a new token,
 * each with its own pp_ref_count, for the same frags; the read after them
 * hands out one more. The scheme sees one frag issued three times, and
 * every token must be returned.
 */
static void test_peek_issues_tokens(void **state)
{
	struct env *e = setup_default();
	uint64_t off;
	(void)state;

	rx(e, e->flow, 2 * 4096);
	off = e->cl.stream_off[e->flow];
	for (int peek = 0; peek < 2; peek++) {
		assert_int_equal(client_recv(e, e->sock, e->flow, 1024,
					     MSG_SOCK_DEVMEM | MSG_PEEK), 2 * 4096);
		e->cl.stream_off[e->flow] = off;	/* the same bytes again */
		check_ok(e);
	}
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(e->cl.nfrags, 6);
	if (P->unique_tokens)
		for (size_t i = 0; i < 6; i++)
			for (size_t j = i + 1; j < 6; j++)
				assert_true(e->cl.frags[i].token != e->cl.frags[j].token);
	assert_int_equal(e->cl.bad_payload, 0);
	assert_int_equal(client_return_all(e, e->sock), 6);
	check_ok(e);
	env_free(e);
}

static void test_max_dontneed_frags(void **state)
{
	struct env *e = setup_default();
	struct dmabuf_token t[128];
	int want;
	size_t n;
	(void)state;

	/* 8 MiB in two halves: the receive buffer holds 6 MiB */
	rx(e, e->flow, 1024 * 4096ull);
	client_drain(e, e->sock, e->flow);
	rx(e, e->flow, 1024 * 4096ull);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 2048);
	n = to_ranges(e, t, 128);
	want = held_in_first(e, t, n, 1024);
	if (P->unique_tokens && t[n - 1].token_start + t[n - 1].token_count - t[0].token_start == 2048)
		assert_int_equal(want, 1024);	/* consecutive tokens: the limit exactly */
	assert_int_equal(dontneed(e, e->sock, t, n), want);
	check_ok(e);
	/*
	 * The limit counts frags inspected, not released: resending the same
	 * list inspects the 1024 already-released tokens and makes no
	 * progress. The client must resend what is left.
	 */
	assert_int_equal(dontneed(e, e->sock, t, n), 0);
	n = skip_frags(t, n, 1024);
	want = held_in_first(e, t, n, 1024);
	assert_int_equal(dontneed(e, e->sock, t, n), want);
	check_ok(e);
	assert_int_equal(dontneed(e, e->sock, t, n), 0);
	env_free(e);
}

/*
 * Ranges whose token_start + j wraps past UINT32_MAX (u32 arithmetic in
 * sock_devmem_dontneed()). Which held tokens such a range reaches depends
 * on the tokens the scheme chose: the expectation is computed from them.
 */
static void test_token_range_wraps(void **state)
{
	struct env *e = setup_default();
	struct dmabuf_token wrap[] = {
		{ 0xffffffffu, 2 },		/* 0xffffffff, then 0 */
		{ 0x80000000u, 0xffffffffu },	/* bounded by MAX_DONTNEED_FRAGS */
	};
	/* token_start + j wraps (u32): this range reaches tokens 0..4 */
	struct dmabuf_token reach = { 0xffffffffu, 6 };
	int expect_reach, held_wrap, held_reach;
	struct dmtok_sock_stats st;
	int r;
	(void)state;

	rx(e, e->flow, 4 * 4096);
	client_drain(e, e->sock, e->flow);
	qsort(e->cl.frags, e->cl.nfrags, sizeof(e->cl.frags[0]), cmp_token);
	held_wrap = held_in_first(e, wrap, 1, 1024) + held_in_first(e, wrap + 1, 1, 1024);
	held_reach = held_in_first(e, &reach, 1, 1024);
	r = dontneed(e, e->sock, wrap, 2);
	if (P->rejects_unissued)	/* 0xffffffff is never held: all or nothing */
		assert_int_equal(r, -EINVAL);
	else if (P->unique_tokens)
		assert_int_equal(r, held_wrap);
	else
		assert_true(r >= 0 && r <= held_wrap);
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	if (P->close_releases && r <= 0)
		assert_int_equal(st.tokens_out, 4);	/* nothing released */
	/*
	 * Does a range that wraps past 0 reach real tokens? Tokens 1..4
	 * (xarray): yes, all four; niov-array: its first token is out of
	 * range and "break" ends the run; niov-uref and slots: -EINVAL up
	 * front. A scheme whose tokens lie elsewhere: none are reached.
	 */
	if (P->rejects_unissued)
		expect_reach = -EINVAL;
	else if (P->unique_tokens)
		expect_reach = held_reach;
	else
		expect_reach = 0;
	if (r <= 0) {
		r = dontneed(e, e->sock, &reach, 1);
		if (P->unique_tokens || P->rejects_unissued || !held_reach)
			assert_int_equal(r, expect_reach);
		else
			assert_true(r == 0 || r == held_reach);
		check_ok(e);
		if (r != 4)
			assert_int_equal(client_return_all(e, e->sock), 4 - (r > 0 ? r : 0));
	} else {
		assert_true(client_return_all(e, e->sock) >= 0);
	}
	check_ok(e);
	env_free(e);
}

static void test_close_with_outstanding(void **state)
{
	struct env *e = setup_default();
	struct dmtok_net_counts c;
	(void)state;

	rx(e, e->flow, 64 * 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow,
				     40 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)),
				     MSG_SOCK_DEVMEM), 40 * 4096);
	assert_int_equal(client_return(e, e->sock, 0, 10), 10);
	/* 30 held by the user, 24 still queued */
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	assert_int_equal(dmtok_close(e->net, e->sock), -1);
	assert_int_equal(errno, EBADF);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.sockets, 0);
	if (P->close_releases) {
		assert_int_equal(c.niovs_out, 0);
	} else {	/* manual release: references linger until unbind */
		assert_int_equal(c.niovs_out, 30);
		assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
		check_ok(e);
		dmtok_net_counts(e->net, &c);
		assert_int_equal(c.niovs_out, 0);
		assert_int_equal(c.bindings, 0);
	}
	env_free(e);
}

static void test_unbind_with_outstanding(void **state)
{
	struct env *e = setup_default();
	struct dmtok_net_counts c;
	(void)state;

	rx(e, e->flow, 32 * 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow,
				     16 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)),
				     MSG_SOCK_DEVMEM), 16 * 4096);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), -ENOENT);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 1);	/* alive until the niovs come home */
	assert_int_equal(c.page_pools, 1);	/* dying, not freed */
	/*
	 * The rest of the queue is still readable, tokens still returnable:
	 * the socket keeps the binding alive, and under manual release it is
	 * one of the binding's users (the series, v10), so the urefs it holds
	 * stay until it goes.
	 */
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(e->cl.nfrags, 32);
	assert_int_equal(e->cl.bad_payload, 0);
	assert_int_equal(client_return_all(e, e->sock), 32);
	check_ok(e);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 0);
	assert_int_equal(c.page_pools, 0);
	env_free(e);
}

/*
 * References a socket still holds when it closes after unbind: close
 * drops them (tcp_release_user_frags()), or, under manual release, the
 * binding's last user does -- this socket (the series' binding->users,
 * v10). Either way nothing lingers once both are gone.
 */
static void test_unbind_then_close_with_outstanding(void **state)
{
	struct env *e = setup_default();
	struct dmtok_net_counts c;
	(void)state;

	rx(e, e->flow, 24 * 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow,
				     16 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)),
				     MSG_SOCK_DEVMEM), 16 * 4096);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_true(c.niovs_out >= 16);		/* the user's are still out */
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.niovs_out, 0);
	assert_int_equal(c.bindings, 0);
	assert_int_equal(c.page_pools, 0);
	env_free(e);
}

/*
 * A late close (__tcp_close(), net/ipv4/tcp.c, 6.12): a peer that has not
 * answered the FIN keeps the closed socket alive -- its references held,
 * under manual release still a user of its binding (v10) -- past close()
 * and past the unbind, until its timers destroy it in softirq, where
 * release_all runs. Nothing comes home before; everything after.
 */
static void test_late_close(void **state)
{
	struct env *e = setup_default();
	struct dmtok_net_counts c;
	(void)state;

	assert_int_equal(dmtok_sock_set_peer(e->net, e->sock, DMTOK_PEER_SILENT), 0);
	rx(e, e->flow, 16 * 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow,
				     16 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)),
				     MSG_SOCK_DEVMEM), 16 * 4096);
	assert_int_equal(client_return(e, e->sock, 0, 4), 4);
	/* 12 held, nothing queued: a FIN, not a reset; the socket is orphaned */
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.sockets, 1);
	assert_true(c.niovs_out >= 12);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 1);	/* the orphan's references keep it */
	assert_int_equal(c.niovs_out, 12);
	assert_int_equal(dmtok_net_expire_orphans(e->net), 1);	/* in softirq */
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.sockets, 0);
	assert_int_equal(c.niovs_out, 0);
	assert_int_equal(c.bindings, 0);
	e->cl.nfrags = 0;
	env_free(e);
}

/* The review's regression: a flow re-steered to a queue of another binding. */
static void test_resteer_other_binding(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 2 };
	struct env *e = env_new();
	unsigned int q0 = 0, q1 = 1;
	int d2, b2;
	long held;
	ssize_t r;
	(void)state;

	e->ifindex = dmtok_netdev_create(e->net, &o);
	e->dmabuf = dmtok_dmabuf_create(e->net, 4 * MB, 0, DMTOK_DMABUF_BACKED);
	d2 = dmtok_dmabuf_create(e->net, 4 * MB, 0, DMTOK_DMABUF_BACKED);
	e->binding = dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q0, 1, P->bind_flags);
	b2 = dmtok_bind_rx(e->net, e->ifindex, d2, &q1, 1, P->bind_flags);
	assert_true(e->binding > 0 && b2 > 0 && b2 != e->binding);
	e->bind_dmabuf[e->binding] = e->dmabuf;
	e->bind_dmabuf[b2] = d2;
	e->sock = dmtok_socket(e->net, SOCK_STREAM, P->name);
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
	assert_true(e->flow >= 0);

	rx(e, e->flow, 8 * 4096);
	assert_int_equal(dmtok_flow_steer(e->net, e->flow, e->ifindex, 1), 0);
	rx(e, e->flow, 8 * 4096);
	check_ok(e);
	r = client_drain(e, e->sock, e->flow);
	if (P->multi_binding) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(e->cl.nfrags, 16);
		assert_int_equal(e->cl.frags[0].dmabuf_id, e->binding);
		assert_int_equal(e->cl.frags[15].dmabuf_id, b2);
	} else {	/* the single-binding restriction: an errno, no WARN */
		assert_int_equal(r, -1);
		assert_int_equal(errno, EFAULT);
		assert_int_equal(e->cl.nfrags, 8);
	}
	assert_int_equal(e->cl.bad_payload, 0);
	held = (long)e->cl.nfrags;
	assert_int_equal(client_return_all(e, e->sock), held);
	check_ok(e);
	env_free(e);
}

static void test_linear_then_frags(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 1, .mss = 4096 + 100,
				       .linear_bytes = 100 };
	struct env *e = env_setup(P->name, 4 * MB, &o, P->bind_flags);
	(void)state;

	rx(e, e->flow, 3 * (4096 + 100));
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.bytes, 3 * (4096 + 100));
	assert_int_equal(e->cl.linear_cmsgs, 3);
	assert_int_equal(e->cl.nfrags, 3);
	assert_int_equal(e->cl.bad_payload, 0);
	assert_int_equal(client_return_all(e, e->sock), 3);
	check_ok(e);
	env_free(e);
}

static void test_subpage_buffers(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 1, .rx_buf_size = 2048,
				       .mss = 1448 };
	struct env *e = env_setup(P->name, 4 * MB, &o, P->bind_flags);
	struct dmtok_net_counts c;
	size_t i, j, dup = 0;
	(void)state;

	rx(e, e->flow, 100 * 1448);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 100);
	assert_int_equal(e->cl.bad_payload, 0);
	for (i = 0; i < e->cl.nfrags; i++)
		for (j = 0; j < i; j++)
			dup += e->cl.frags[i].token == e->cl.frags[j].token;
	if (P->unique_tokens)
		assert_int_equal(dup, 0);
	else
		assert_true(dup > 0);	/* two frags per page share the page's token */
	assert_int_equal(client_return_all(e, e->sock), 100);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_true(c.niovs_out <= 1);	/* the NIC's half-used page */
	env_free(e);
}

static void test_host_memory_queue(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 2 };
	struct env *e = env_setup(P->name, 4 * MB, &o, P->bind_flags);
	static char buf[65536];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int dev2;
	(void)state;

	/* a second netdev with no binding: readable skbs, plain recvmsg */
	dev2 = dmtok_netdev_create(e->net, &o);
	rx(e, e->flow, 4096);
	assert_int_equal(dmtok_flow_steer(e->net, e->flow, dev2, 0), 0);
	rx(e, e->flow, 1000);
	/* one call never mixes device and host memory */
	assert_int_equal(client_recv(e, e->sock, e->flow, 4096, MSG_SOCK_DEVMEM), 4096);
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, 0), 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal((uint8_t)buf[i], dmtok_flow_pattern(e->flow, 4096 + i));
	assert_int_equal(client_return_all(e, e->sock), 1);
	check_ok(e);
	env_free(e);
}

/*
 * tcp_recvmsg_locked() is a do-while (6.12): a zero-length read with a
 * devmem frag queued hands out one cmsg of frag_size 0 -- a live token
 * holding a pp_ref_count the user must return -- and returns 0; with
 * nothing queued it is EAGAIN.
 */
static void test_zero_length_read(void **state)
{
	struct env *e = setup_default();
	union { char c[256]; struct cmsghdr a; } ctl;
	char byte;
	struct iovec iov = { &byte, 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
	struct dmabuf_cmsg dc = { 0 };
	struct cmsghdr *cm;
	int type;
	int n = 0;
	(void)state;

	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EAGAIN);
	rx(e, e->flow, 4096);
	msg.msg_controllen = sizeof(ctl);
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), 0);
	dmtok_cmsg_for_each(&msg, cm, type, &dc) {
		assert_int_equal(type, SCM_DEVMEM_DMABUF);
		n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(dc.frag_size, 0);
	check_ok(e);	/* the zero-size frag's reference is the user's */
	assert_int_equal(dontneed(e, e->sock, &(struct dmabuf_token){ dc.frag_token, 1 }, 1), 1);
	check_ok(e);
	/* the frag itself is still queued, whole */
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(e->cl.bytes, 4096);
	assert_int_equal(client_return_all(e, e->sock), 1);
	check_ok(e);
	env_free(e);
}

/* Fail every allocation point of the recvmsg and dontneed paths in turn. */
static void test_alloc_failure_rx_paths(void **state)
{
	(void)state;
	for (long nth = 1;; nth++) {
		struct env *e = setup_default();
		long failed;
		ssize_t r;

		rx(e, e->flow, 40 * 4096);
		dmtok_test_allocator_fail_nth(&e->ta, nth);
		r = client_recv(e, e->sock, e->flow, 20 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)),
				MSG_SOCK_DEVMEM);
		assert_true(r > 0 || errno == ENOMEM);
		check_ok(e);
		if (e->cl.nfrags) {
			long k = client_return(e, e->sock, 0, e->cl.nfrags);

			assert_true(k == (long)e->cl.nfrags || k == -ENOMEM);
			if (k > 0)
				e->cl.nfrags = 0;
		}
		check_ok(e);
		r = client_drain(e, e->sock, e->flow);
		assert_true(errno == EAGAIN || errno == ENOMEM);
		failed = dmtok_test_allocator_failed(&e->ta);
		check_ok(e);
		env_free(e);
		if (!failed)
			break;
		assert_true(nth < 1000);
	}
}

/* A seeded random walk through the socket face; the checker after each step. */
static void test_random_walk(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 2, .rx_buf_size = 2048, .mss = 3000,
				       .linear_bytes = 0 };
	struct env *e = env_setup(P->name, 2 * MB, &o, P->bind_flags);
	uint64_t s = test_seed() | 1;
	(void)state;

	for (int step = 0; step < 3000; step++) {
		switch (rnd(&s) % 6) {
		case 0:
		case 1:
			(void)dmtok_nic_rx(e->net, e->flow, rnd(&s) % 20000);
			break;
		case 2:
			(void)client_recv(e, e->sock, e->flow,
					  rnd(&s) % (40 * CMSG_SPACE(sizeof(struct dmabuf_cmsg))),
					  MSG_SOCK_DEVMEM);
			break;
		case 3: {
			size_t n = e->cl.nfrags ? rnd(&s) % (e->cl.nfrags + 1) : 0;
			size_t from = e->cl.nfrags - n;

			if (n && client_return(e, e->sock, from, n) >= 0)
				e->cl.nfrags = from;
			break;
		}
		case 4: {
			struct dmabuf_token t[4];

			for (int i = 0; i < 4; i++)
				t[i] = (struct dmabuf_token){ (uint32_t)rnd(&s) % 600,
							      (uint32_t)rnd(&s) % 4 };
			(void)dontneed(e, e->sock, t, rnd(&s) % 5);
			/* garbage may release held frags: forget what we cannot know */
			e->cl.nfrags = 0;
			break;
		}
		case 5:
			if (P->multi_binding || rnd(&s) % 8 == 0)
				(void)dmtok_flow_steer(e->net, e->flow, e->ifindex,
						       (unsigned int)(rnd(&s) % 2));
			break;
		}
		check_ok(e);
	}
	assert_int_equal(e->cl.bad_payload, 0);
	env_free(e);
}

/*
 * A scheme's own plan (its plan op, what dmtok-plan prints) must say its
 * tokens fit at its own .max_outstanding: the template once declared 12
 * token bits for tokens 1..4096, and dmtok-plan said "13 of 12 NO" below
 * the scheme's own limit.
 */
static void test_plan_fits_own_limit(void **state)
{
	struct dmtok_scheme_info info;
	struct dmtok_plan_in in = { 1, 1, 16 * MB, 4096, 1, 1, 1 };
	struct dmtok_plan_mem_out m;
	int r;
	(void)state;

	assert_int_equal(dmtok_scheme_info(P->name, &info), 0);
	if (!info.has_plan) {	/* optional op: nothing to hold it to */
		printf("# %s declares no plan\n", P->name);
		return;
	}
	/* 0: no limit below 2^31 */
	in.outstanding = info.max_outstanding ? info.max_outstanding : (1u << 31) - 1;
	r = dmtok_plan_scheme(&in, P->name, &m);
	if (r)
		fail_msg("plan: the scheme's plan refuses %llu outstanding, its own "
			 ".max_outstanding (%d)", (unsigned long long)in.outstanding, r);
	if (m.token_bits_needed > m.token_bits)
		fail_msg("plan: at its own .max_outstanding (%llu) the scheme says it needs "
			 "%u token bits and has %u", (unsigned long long)in.outstanding,
			 m.token_bits_needed, m.token_bits);
}

static int usage(void)
{
	fprintf(stderr, "usage: dmtok-conform [--scheme-lib PATH]... [--kernel 6.12|6.18|v10] SCHEME\n"
			"       dmtok-conform --list\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct dmtok_scheme_info info;
	char group[64], msg[1024];
	const char *name = NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_roundtrip),
		cmocka_unit_test(test_plan_fits_own_limit),
		cmocka_unit_test(test_recv_without_devmem_flag),
		cmocka_unit_test(test_ctrl_buffer_too_small),
		cmocka_unit_test(test_dontneed_bad_args),
		cmocka_unit_test(test_recvmsg_bad_args),
		cmocka_unit_test(test_dontneed_before_any_recv),
		cmocka_unit_test(test_double_release),
		cmocka_unit_test(test_peek_issues_tokens),
		cmocka_unit_test(test_max_dontneed_frags),
		cmocka_unit_test(test_token_range_wraps),
		cmocka_unit_test(test_close_with_outstanding),
		cmocka_unit_test(test_unbind_with_outstanding),
		cmocka_unit_test(test_unbind_then_close_with_outstanding),
		cmocka_unit_test(test_late_close),
		cmocka_unit_test(test_resteer_other_binding),
		cmocka_unit_test(test_linear_then_frags),
		cmocka_unit_test(test_subpage_buffers),
		cmocka_unit_test(test_host_memory_queue),
		cmocka_unit_test(test_zero_length_read),
		cmocka_unit_test(test_alloc_failure_rx_paths),
		cmocka_unit_test(test_random_walk),
	};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scheme-lib") && i + 1 < argc) {
			if (dmtok_scheme_load(argv[++i], msg, sizeof(msg)) < 0) {
				fprintf(stderr, "dmtok-conform: --scheme-lib: %s\n", msg);
				return 2;
			}
		} else if (!strcmp(argv[i], "--kernel")) {
			if (i + 1 >= argc || dmtok_kernel_parse(argv[i + 1], &harness_kernel)) {
				fprintf(stderr, "dmtok-conform: --kernel needs 6.12, 6.18 (7.0) or v10\n");
				return 2;
			}
			i++;
		} else if (!strcmp(argv[i], "--list")) {
			printf("%s\n", dmtok_scheme_list(msg, sizeof(msg)));
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else if (argv[i][0] == '-' || name) {
			fprintf(stderr, "dmtok-conform: unexpected argument '%s'\n", argv[i]);
			return usage();
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usage();
	if (dmtok_scheme_info(name, &info)) {
		fprintf(stderr, "dmtok-conform: unknown scheme '%s' (known: %s)\n", name,
			dmtok_scheme_list(msg, sizeof(msg)));
		return 2;
	}
	props = (struct props){
		.name = info.name,
		.multi_binding = info.flags & DMTOK_SCHEME_MULTI_BINDING,
		.unique_tokens = info.flags & DMTOK_SCHEME_UNIQUE_TOKENS,
		.rejects_unissued = info.flags & DMTOK_SCHEME_ALL_OR_NOTHING,
		.close_releases = !(info.flags & DMTOK_SCHEME_LINGER_UNTIL_UNBIND),
		.bind_flags = info.bind_flags,
	};
	if ((info.bind_flags & DMTOK_BIND_NO_AUTORELEASE) && harness_kernel != DMTOK_KERNEL_V10) {
		/* manual release is the token series' (v10): no attribute before it */
		printf("1..0 # SKIP %s needs manual release: the v10 profile (--kernel v10)\n", name);
		return 77;
	}
	cmocka_set_message_output(CM_OUTPUT_TAP);
	snprintf(group, sizeof(group), "conformance-%s", name);
	return cmocka_run_group_tests_name(group, tests, NULL, NULL) ? 1 : 0;
}
