/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Shared test fixture: a net with netdevs, dmabufs, bindings, sockets and
 * flows; a client that drains a socket with recvmsg the way ncdevmem does
 * (walking cmsgs with dmtok_cmsg_for_each(), checking payload through
 * frag_offset against the flow's pattern); token return helpers; and the
 * per-test teardown that proves nothing leaked and no WARN was hit.
 */
#ifndef DMTOK_TEST_HARNESS_H
#define DMTOK_TEST_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dmtok.h"

#define MAX_FRAGS_TRACKED 65536

struct frag_rec {
	uint32_t token, dmabuf_id, size;
	uint64_t offset;
};

struct client {
	struct frag_rec *frags;		/* frags received and not yet returned */
	size_t nfrags;
	uint64_t stream_off[64];	/* per flow: payload bytes verified */
	uint64_t bytes;
	unsigned long linear_cmsgs;
	unsigned long bad_payload;
};

struct env {
	struct dmtok_net *net;
	struct dmtok_test_allocator ta;
	int ifindex;
	int dmabuf;
	int binding;
	int sock;
	int flow;
	int bind_dmabuf[64];	/* binding id -> dmabuf fd, for payload checks */
	struct client cl;
	char msg[512];
};

static inline void check_ok(struct env *e)
{
	int err = dmtok_check(e->net, e->msg, sizeof(e->msg));

	if (err) {
		dmtok_warn_report(stderr);
		fail_msg("invariant: %s", e->msg);
	}
}

/* The kernel profile every net of this program is made with (--kernel). */
static enum dmtok_kernel harness_kernel = DMTOK_KERNEL_V10;

/* Installs the counting allocator and creates an empty net. */
static inline struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	dmtok_warn_reset();
	dmtok_test_allocator_install(&e->ta);
	assert_int_equal(dmtok_net_create(&e->net), 0);
	assert_int_equal(dmtok_net_set_kernel(e->net, harness_kernel), 0);
	e->cl.frags = calloc(MAX_FRAGS_TRACKED, sizeof(*e->cl.frags));
	assert_non_null(e->cl.frags);
	e->dmabuf = e->binding = e->sock = e->flow = -1;
	memset(e->bind_dmabuf, 0xff, sizeof(e->bind_dmabuf));	/* all -1 */
	return e;
}

/* One netdev, one @size dmabuf bound to all queues, one socket, one flow. */
static inline struct env *env_setup(const char *scheme, uint64_t size,
				    const struct dmtok_netdev_opts *o,
				    unsigned int bind_flags)
{
	struct dmtok_netdev_opts def = { .nqueues = 1 };
	unsigned int q[DMTOK_MAX_QUEUES];
	struct env *e = env_new();

	if (!o)
		o = &def;
	e->ifindex = dmtok_netdev_create(e->net, o);
	assert_true(e->ifindex > 0);
	e->dmabuf = dmtok_dmabuf_create(e->net, size, 4096, DMTOK_DMABUF_BACKED);
	assert_true(e->dmabuf >= 0);
	for (unsigned int i = 0; i < o->nqueues; i++)
		q[i] = i;
	e->binding = dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, q, o->nqueues,
				   bind_flags);
	assert_true(e->binding > 0 && e->binding < 64);
	e->bind_dmabuf[e->binding] = e->dmabuf;
	e->sock = dmtok_socket(e->net, SOCK_STREAM, scheme);
	assert_true(e->sock >= 0);
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
	assert_true(e->flow >= 0);
	check_ok(e);
	return e;
}

/* Tears everything down and proves nothing leaked, no WARN was hit. */
static inline void env_free(struct env *e)
{
	struct dmtok_net_counts c = { 0 };
	long live;

	/* a failed destroy keeps the net: what is left, by type */
	if (dmtok_net_destroy(e->net) && !dmtok_net_counts(e->net, &c))
		fail_msg("teardown: after close, unbind and the page pools' release, still "
			 "alive: %lu binding(s), %lu page pool(s), %lu socket(s), %lu niov(s) "
			 "out of their binding -- a reference was leaked",
			 c.bindings, c.page_pools, c.sockets, c.niovs_out);
	live = dmtok_test_allocator_live(&e->ta);
	if (live)
		fail_msg("teardown: the net is destroyed but %ld allocation(s) made through "
			 "the kernel vocabulary (kmalloc, kvmalloc, XArray nodes) were never "
			 "freed", live);
	if (dmtok_warn_count()) {
		dmtok_warn_report(stderr);
		fail_msg("teardown: %lu WARN(s) fired (sites above)", dmtok_warn_count());
	}
	dmtok_set_allocator(NULL);
	free(e->cl.frags);
	free(e);
}

/*
 * One recvmsg(MSG_SOCK_DEVMEM) with @ctl_len bytes of control buffer;
 * records every frag, verifies payload. Returns recvmsg's result; errno
 * is preserved on failure.
 */
static inline ssize_t client_recv(struct env *e, int sock, int flow,
				  size_t ctl_len, int flags)
{
	static char iobuf[1 << 20];
	union { char buf[1 << 16]; struct cmsghdr align; } ctl;
	struct iovec iov = { .iov_base = iobuf, .iov_len = sizeof(iobuf) };
	struct msghdr msg = { 0 };
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	const uint8_t *base = NULL;
	size_t iopos = 0;
	ssize_t ret;
	int saved, type;

	assert_true(ctl_len <= sizeof(ctl.buf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl_len ? ctl.buf : NULL;
	msg.msg_controllen = ctl_len;
	ret = dmtok_recvmsg(e->net, sock, &msg, flags);
	if (ret < 0)
		return ret;
	saved = errno;
	assert_int_equal(msg.msg_flags & MSG_CTRUNC, 0);
	dmtok_cmsg_for_each(&msg, cm, type, &dc) {
		/* every cmsg a whole devmem frag: SOL_SOCKET, put_cmsg_notrunc()'s length */
		assert_int_not_equal(type, 0);
		if (type == SCM_DEVMEM_LINEAR) {
			for (uint32_t i = 0; i < dc.frag_size; i++)
				if ((uint8_t)iobuf[iopos + i] !=
				    dmtok_flow_pattern(flow, e->cl.stream_off[flow] + i))
					e->cl.bad_payload++;
			iopos += dc.frag_size;
			e->cl.linear_cmsgs++;
		} else {
			int dfd = dc.dmabuf_id < 64 ? e->bind_dmabuf[dc.dmabuf_id] : -1;

			assert_true(e->cl.nfrags < MAX_FRAGS_TRACKED);
			e->cl.frags[e->cl.nfrags++] = (struct frag_rec){
				dc.frag_token, dc.dmabuf_id, dc.frag_size, dc.frag_offset };
			assert_true(dfd >= 0);	/* a binding the test made */
			if (!dmtok_dmabuf_map(e->net, dfd, &base, NULL))
				for (uint32_t i = 0; i < dc.frag_size; i++)
					if (base[dc.frag_offset + i] !=
					    dmtok_flow_pattern(flow, e->cl.stream_off[flow] + i)) {
						if (getenv("DMTOK_DEBUG") && !e->cl.bad_payload)
							fprintf(stderr, "# payload mismatch: binding %u off %llu byte %u stream %llu\n",
								dc.dmabuf_id, (unsigned long long)dc.frag_offset, i,
								(unsigned long long)e->cl.stream_off[flow]);
						e->cl.bad_payload++;
					}
		}
		e->cl.stream_off[flow] += dc.frag_size;
	}
	e->cl.bytes += (uint64_t)ret;
	errno = saved;
	return ret;
}

/* Receives until EAGAIN (or another error); returns the last result. */
static inline ssize_t client_drain(struct env *e, int sock, int flow)
{
	ssize_t r;

	while ((r = client_recv(e, sock, flow, 1 << 16, MSG_SOCK_DEVMEM)) > 0)
		;
	return r;
}

/* Returns frags [from, from+n) of the record one token per entry, 128 per call. */
static inline long client_return(struct env *e, int sock, size_t from, size_t n)
{
	struct dmabuf_token t[128];
	long total = 0;
	size_t i = from, k;

	while (i < from + n) {
		for (k = 0; k < 128 && i < from + n; k++, i++)
			t[k] = (struct dmabuf_token){ e->cl.frags[i].token, 1 };
		int r = dmtok_setsockopt(e->net, sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					 t, (socklen_t)(k * sizeof(t[0])));
		if (r < 0)
			return -errno;
		total += r;
	}
	return total;
}

static inline long client_return_all(struct env *e, int sock)
{
	long r = client_return(e, sock, 0, e->cl.nfrags);

	if (r >= 0)
		e->cl.nfrags = 0;
	return r;
}

static inline int dontneed(struct env *e, int sock, const struct dmabuf_token *t,
			   size_t n)
{
	int r = dmtok_setsockopt(e->net, sock, SOL_SOCKET, SO_DEVMEM_DONTNEED, t,
				 (socklen_t)(n * sizeof(*t)));
	return r < 0 ? -errno : r;
}

/* Seed from DMTOK_SEED or a fixed default; printed so runs reproduce. */
static inline unsigned long test_seed(void)
{
	const char *s = getenv("DMTOK_SEED");
	unsigned long seed = s ? strtoul(s, NULL, 0) : 20260903ul;

	fprintf(stderr, "# seed %lu (set DMTOK_SEED to change)\n", seed);
	return seed;
}

/* xorshift64*: small, seedable, the same everywhere. */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

#endif /* DMTOK_TEST_HARNESS_H */
