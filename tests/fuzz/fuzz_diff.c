// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz target 2: differential. One op sequence runs against several
 * schemes at once (one net each, same world): every registered scheme,
 * or, with --scheme=NAME, that scheme against the reference (xarray,
 * upstream; DMTOK_FUZZ_REFERENCE names another). The world is the one in
 * which the declared properties promise identical behaviour: one binding
 * (so a scheme without DMTOK_SCHEME_MULTI_BINDING takes part), one
 * socket (so DMTOK_SCHEME_SHARED_UREFS changes nothing), made with each
 * scheme's bind_flags, and only tokens the client holds returned (so
 * DMTOK_SCHEME_UNIQUE_TOKENS and DMTOK_SCHEME_ALL_OR_NOTHING change
 * nothing). What must agree, exactly:
 *  - every recvmsg: the return value, errno, and the cmsg stream (type,
 *    frag_offset, frag_size, dmabuf_id) -- everything but frag_token;
 *  - every dontneed that returns frags the client holds, each frag once:
 *    the number released;
 *  - every malformed dontneed (bad optlen, NULL optval): the errno;
 *  - after close and unbind: every niov home, nothing alive.
 * Token values and the handling of never-issued tokens differ by design
 * and are not compared.
 */
#include "fuzz_common.h"

#define MAXS 16

struct world {
	struct dmtok_net *net;
	struct fsock s;
	int ifindex, dmabuf, binding;
};

struct rec {
	ssize_t ret;
	int err;
	unsigned int n;
	uint64_t v[256];
};

static void recv_rec(struct world *w, size_t ctl, size_t iovlen, struct rec *r)
{
	static char buf[1 << 16];
	static union { char c[4096]; struct cmsghdr a; } cbuf;
	struct iovec iov = { buf, iovlen };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.c,
			      .msg_controllen = ctl > sizeof(cbuf) ? sizeof(cbuf) : ctl };
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	int type;

	memset(r, 0, sizeof(*r));
	r->ret = dmtok_recvmsg(w->net, w->s.fd, &msg, MSG_SOCK_DEVMEM);
	r->err = r->ret < 0 ? errno : 0;
	if (r->ret < 0)
		return;
	dmtok_cmsg_for_each(&msg, cm, type, &dc) {
		if (!type)	/* no devmem frag: its type alone is compared */
			dc = (struct dmabuf_cmsg){ 0 };
		if (r->n + 2 <= 256) {
			r->v[r->n++] = (uint64_t)cm->cmsg_type << 32 | dc.frag_size;
			r->v[r->n++] = dc.frag_offset ^ (uint64_t)dc.dmabuf_id << 48;
		}
		if (type == SCM_DEVMEM_DMABUF && w->s.ntok < MAXTOK)
			w->s.tok[w->s.ntok++] = dc.frag_token;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[MAXS], *ref = getenv("DMTOK_FUZZ_REFERENCE");
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	struct world w[MAXS];
	int NS = 0;
	struct in in = { data, size };
	unsigned int q = 0;
	char msg[256];
	static const uint8_t junk[2048];

	o.rx_buf_size = (u8_(&in) & 1) ? 2048 : 0;
	o.mss = 1000 + (u8_(&in) % 4) * 1000;
	o.linear_bytes = u8_(&in) % 3 == 0 ? 30 : 0;
	if (!ref || !dmtok_scheme_find(ref))
		ref = "xarray";
	if (fuzz_only) {
		names[NS++] = ref;
		if (strcmp(fuzz_only, ref))
			names[NS++] = fuzz_only;
	} else {
		for (unsigned int i = 0; fuzz_scheme_at(i) && NS < MAXS; i++)
			names[NS++] = fuzz_scheme_at(i);
	}
	dmtok_warn_reset();
	for (int i = 0; i < NS; i++) {
		struct world *x = &w[i];

		if (dmtok_net_create(&x->net))
			fuzz_fail("setup", "net");
		x->ifindex = dmtok_netdev_create(x->net, &o);
		x->dmabuf = dmtok_dmabuf_create(x->net, 48 * 4096, 0, 0);
		x->binding = dmtok_bind_rx(x->net, x->ifindex, x->dmabuf, &q, 1,
					   fuzz_bind_flags(names[i]));
		x->s.ntok = 0;
		x->s.fd = dmtok_socket(x->net, SOCK_STREAM, names[i]);
		x->s.flow = dmtok_flow_create(x->net, x->ifindex, 0, x->s.fd);
		if (x->binding < 0 || x->s.flow < 0)
			fuzz_fail("setup", names[i]);
	}
	while (in.n) {
		uint8_t op = u8_(&in);
		uint16_t a = u16_(&in);
		struct rec r0, r;
		int v0 = 0, v;

		for (int i = 0; i < NS; i++) {
			struct world *x = &w[i];

			switch (op % 4) {
			case 0:
				v = (int)dmtok_nic_rx(x->net, x->s.flow, (size_t)a * 2);
				break;
			case 1:
				recv_rec(x, (size_t)(a & 0xff) * 8, (size_t)(a >> 4) * 64, &r);
				if (!i)
					r0 = r;
				else if (r.ret != r0.ret || r.err != r0.err || r.n != r0.n ||
					 memcmp(r.v, r0.v, r.n * sizeof(r.v[0]))) {
					snprintf(msg, sizeof(msg), "recvmsg: %s %zd/%d vs %s %zd/%d",
						 names[i], r.ret, r.err, names[0], r0.ret, r0.err);
					fuzz_fail("differential", msg);
				}
				v = 0;
				break;
			case 2:	/* only frags the client holds (none: by design apart) */
				v = x->s.ntok ? fuzz_return(x->net, &x->s, a & 0xff) : 0;
				break;
			default:	/* malformed */
				v = dmtok_setsockopt(x->net, x->s.fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
						     (a & 1) ? NULL : (void *)junk, a % 2000 | 1);
				v = v < 0 ? -errno : v;
				break;
			}
			if (!i)
				v0 = v;
			else if (v != v0) {
				snprintf(msg, sizeof(msg), "op %u: %s gave %d, %s gave %d",
					 op % 4, names[i], v, names[0], v0);
				fuzz_fail("differential", msg);
			}
			fuzz_check(x->net);
		}
	}
	for (int i = 0; i < NS; i++) {
		struct dmtok_net_counts c;

		dmtok_close(w[i].net, w[i].s.fd);
		dmtok_unbind(w[i].net, (uint32_t)w[i].binding);
		dmtok_net_counts(w[i].net, &c);
		if (c.niovs_out || c.bindings)
			fuzz_fail("differential", "niovs not home after close+unbind");
		if (dmtok_net_destroy(w[i].net))
			fuzz_fail("leak", names[i]);
	}
	if (dmtok_warn_count())
		fuzz_fail("warn", "WARN hit");
	return 0;
}
