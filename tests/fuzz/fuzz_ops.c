// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz target 1: op sequences over the whole model. Each input picks a
 * scheme (its first byte, among the schemes this target runs: see
 * fuzz_common.h) and drives bind/unbind (with the page pools' deferred
 * release on or off, and the delayed work run), NIC
 * receive, re-steering, recvmsg with random control-buffer and iovec
 * sizes and flags, dontneed with the client's tokens or with arbitrary
 * bytes (any optlen, ranges, repeats, wrap-around, NULL), close/reopen,
 * injected allocation failures, and the stale-token client inside
 * recvmsg: an op byte of 0xf0 or more arms dmtok_set_rx_hook() so that
 * the next recvmsg, between a frag's token and the commit, sees a
 * SO_DEVMEM_DONTNEED of a token near the one it just handed out (the
 * window of the upstream xarray leak). Schemes listed in
 * DMTOK_FUZZ_SKIP_WINDOW (comma-separated: the known-buggy upstream ones,
 * which meson checks for their findings separately) get neither that op
 * nor injected allocation failures (upstream's GFP_KERNEL allocation with
 * BH disabled, in __xas_nomem(): tests/expect-atomic-sleep.sh). The invariant checker runs after
 * every op; at the end everything is torn down and must leave zero live
 * allocations and zero WARN hits.
 */
#include "fuzz_common.h"

static const char *pick_scheme(uint8_t b)
{
	return fuzz_scheme_at(b % fuzz_scheme_count());
}

/* The stale-token client inside recvmsg, armed for one call. */
struct window {
	int armed;
	int32_t delta;	/* the token returned: the one handed out, plus this */
};

static void window_hook(void *arg, struct dmtok_net *net, int fd, uint32_t token)
{
	struct window *w = arg;
	struct dmabuf_token t;

	if (!w->armed)
		return;
	w->armed = 0;
	t = (struct dmabuf_token){ token + (uint32_t)w->delta, 1 };
	(void)dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
}

static int window_allowed(const char *scheme)
{
	const char *skip = getenv("DMTOK_FUZZ_SKIP_WINDOW");
	size_t n = strlen(scheme);

	for (const char *p = skip; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, scheme, n) && (p[n] == ',' || !p[n]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct dmtok_test_allocator ta;
	struct dmtok_netdev_opts oa = { .nqueues = 2, .rx_buf_size = (u8_(&in) & 1) ? 2048 : 0,
					.mss = 1000 + (u8_(&in) % 4) * 1000,
					.linear_bytes = u8_(&in) % 3 == 0 ? 50 : 0 };
	struct dmtok_netdev_opts ob = { .nqueues = 1 };
	const char *scheme = pick_scheme(u8_(&in));
	unsigned int bflags = fuzz_bind_flags(scheme);
	struct dmtok_net *net;
	struct fsock s[2];
	int ifa, ifb, d[2], b[2], armed = 0;
	struct window win = { 0 };
	unsigned int q0 = 0, q1 = 1;

	dmtok_warn_reset();
	dmtok_test_allocator_install(&ta);
	if (dmtok_net_create(&net))
		fuzz_fail("setup", "net");
	ifa = dmtok_netdev_create(net, &oa);
	ifb = dmtok_netdev_create(net, &ob);
	d[0] = dmtok_dmabuf_create(net, 32 * 4096, 0, DMTOK_DMABUF_BACKED);
	d[1] = dmtok_dmabuf_create(net, 16 * 4096, 0, DMTOK_DMABUF_BACKED);
	b[0] = dmtok_bind_rx(net, ifa, d[0], &q0, 1, bflags);
	b[1] = dmtok_bind_rx(net, ifa, d[1], &q1, 1, bflags);
	for (int i = 0; i < 2; i++) {
		s[i].ntok = 0;
		s[i].fd = dmtok_socket(net, SOCK_STREAM, scheme);
		s[i].flow = dmtok_flow_create(net, ifa, (unsigned int)i, s[i].fd);
	}
	if (ifa < 0 || ifb < 0 || b[0] < 0 || b[1] < 0 || s[1].flow < 0)
		fuzz_fail("setup", "world");

	while (in.n) {
		uint8_t op = u8_(&in), a = u8_(&in);
		struct fsock *c = &s[a & 1];

		if (op >= 0xf0) {	/* the stale-token client inside the next recvmsg */
			if (window_allowed(scheme)) {
				win.armed = 1;
				win.delta = (int32_t)(op & 7) - 3;	/* -3..+4 */
				dmtok_set_rx_hook(net, window_hook, &win);
				(void)fuzz_recv(net, c, 4096, 1 << 16, MSG_SOCK_DEVMEM);
				dmtok_set_rx_hook(net, NULL, NULL);
				c->ntok = 0;	/* it may have released a held frag */
			}
			op = 0xff;	/* nothing else this step */
		}
		switch (op == 0xff ? 12 : op % 12) {
		case 0:
			(void)dmtok_nic_rx(net, c->flow, (size_t)u16_(&in) * 4);
			break;
		case 1: {
			static const int fl[] = { MSG_SOCK_DEVMEM, MSG_SOCK_DEVMEM, 0, MSG_PEEK };

			(void)fuzz_recv(net, c, (size_t)u8_(&in) * 8, (size_t)u16_(&in),
					fl[a >> 6]);
			break;
		}
		case 2:
			(void)fuzz_return(net, c, u8_(&in));
			break;
		case 3: {	/* arbitrary bytes as the token array */
			uint8_t tb[1100];
			size_t len = u16_(&in) % sizeof(tb);

			for (size_t i = 0; i < len; i++)
				tb[i] = u8_(&in);
			(void)dmtok_setsockopt(net, c->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					       tb, (socklen_t)len);
			c->ntok = 0;	/* may have released held frags */
			break;
		}
		case 4: {	/* ranges: start/count, repeats, wrap-around */
			struct dmabuf_token t[4];
			unsigned int n = a % 5;

			for (unsigned int i = 0; i < n; i++)
				t[i] = (struct dmabuf_token){ u32_(&in), u32_(&in) };
			(void)dmtok_setsockopt(net, c->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					       t, n * sizeof(t[0]));
			c->ntok = 0;
			break;
		}
		case 5: {
			uint8_t w = u8_(&in) % 3;

			(void)dmtok_flow_steer(net, c->flow, w == 2 ? ifb : ifa, w == 2 ? 0 : w);
			break;
		}
		case 6: {
			int i = a >> 7;

			if (a & 0x40)	/* the kernel's page-pool release timing */
				(void)dmtok_net_set_deferred_release(net, !!(a & 0x20));
			if (b[i] > 0 && dmtok_unbind(net, (uint32_t)b[i]) == 0)
				b[i] = -1;
			break;
		}
		case 7: {
			int i = a >> 7;
			unsigned int q = (unsigned int)i;

			if (a & 0x40)	/* the delayed release work runs */
				(void)dmtok_net_run_deferred(net);
			if (b[i] < 0)
				b[i] = dmtok_bind_rx(net, ifa, d[i], &q, 1, bflags);
			break;
		}
		case 8:	/* close and reopen a socket */
			dmtok_close(net, c->fd);
			c->ntok = 0;
			c->fd = dmtok_socket(net, SOCK_STREAM, scheme);
			c->flow = c->fd >= 0 ? dmtok_flow_create(net, ifa, a & 1, c->fd) : -1;
			if (c->fd < 0 || c->flow < 0) {	/* allocation failure */
				dmtok_test_allocator_fail_nth(&ta, 0);
				c->fd = dmtok_socket(net, SOCK_STREAM, scheme);
				c->flow = dmtok_flow_create(net, ifa, a & 1, c->fd);
			}
			break;
		case 9:	/* the known-buggy schemes sleep in atomic context here */
			if (!window_allowed(scheme))
				break;
			dmtok_test_allocator_fail_nth(&ta, a % 8 + 1);
			armed = 2;
			break;
		case 10: {	/* malformed: NULL optval, odd optlen */
			static const uint8_t junk[256] = { 1, 0, 0, 0, 1 };

			(void)dmtok_setsockopt(net, c->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					       (a & 1) ? NULL : junk, a);
			c->ntok = 0;
			break;
		}
		case 11: {	/* return the same tokens twice */
			unsigned int k = c->ntok < 4 ? c->ntok : 4;
			uint32_t keep[4];

			memcpy(keep, c->tok + c->ntok - k, k * sizeof(keep[0]));
			(void)fuzz_return(net, c, k);
			memcpy(c->tok + c->ntok, keep, k * sizeof(keep[0]));
			c->ntok += k;
			(void)fuzz_return(net, c, k);
			break;
		}
		}
		if (armed && !--armed)
			dmtok_test_allocator_fail_nth(&ta, 0);
		fuzz_check(net);
	}
	dmtok_test_allocator_fail_nth(&ta, 0);
	for (int i = 0; i < 2; i++)
		dmtok_close(net, s[i].fd);
	fuzz_check(net);
	if (dmtok_net_destroy(net))
		fuzz_fail("leak", "objects alive after teardown");
	if (dmtok_test_allocator_live(&ta))
		fuzz_fail("leak", "allocations alive after teardown");
	if (dmtok_warn_count())
		fuzz_fail("warn", "WARN hit");
	dmtok_set_allocator(NULL);
	return 0;
}
