// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Deterministic reproducer of the upstream devmem TCP reservation leak
 * (Linux 6.12 net/ipv4/tcp.c and net/core/sock.c; the code is unchanged
 * in 6.18), through dmtok's socket API only:
 *
 *   xarray-leak-repro [--scheme-lib PATH] [SCHEME]     (default: xarray)
 *
 * A dontneed that names a token recvmsg has reserved but not yet committed
 * erases the reservation; the commit then stores nothing, and the frag's
 * page-pool reference is held by nobody: close cannot drop it, and the
 * binding (and the dmabuf) stay pinned. The window is forced with
 * dmtok_set_rx_hook(), which runs "another thread's" SO_DEVMEM_DONTNEED
 * at exactly the point the kernel allows it. Exit status: 1 if the scheme
 * leaks, 0 if it does not, 2 on a usage or setup error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/scheme.h"

struct race {
	int fired;
	int released;	/* what the racing dontneed released */
};

/*
 * Step 3, the other thread: sock_devmem_dontneed() takes no socket lock,
 * so it can run between tcp_xa_pool_refill() (token reserved as
 * XA_ZERO_ENTRY) and tcp_xa_pool_commit() (__xa_cmpxchg to the netmem).
 * It returns a token the caller does not hold -- a stale or doubled
 * return, or a guess: ids are lowest-free, so the next one is known.
 */
static void racing_dontneed(void *arg, struct dmtok_net *net, int fd, uint32_t token)
{
	struct dmabuf_token t = { token, 1 };
	struct race *r = arg;

	if (r->fired++)
		return;
	r->released = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
				       &t, sizeof(t));
	printf("3. racing SO_DEVMEM_DONTNEED of token %u (sock_devmem_dontneed ->"
	       " __xa_erase of the reservation): released %d\n", token, r->released);
}

int main(int argc, char **argv)
{
	union { char c[256]; struct cmsghdr align; } ctl;
	char buf[4096], err[512], msg[512];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	const char *scheme = "xarray";
	struct dmtok_scheme_info info;
	struct race race = { 0 };
	struct dmabuf_token t;
	struct dmtok_net *net;
	struct cmsghdr *cm;
	uint32_t token = 0;
	int ifi, dmabuf, binding, fd, flow, ret, leak;
	unsigned int q = 0;
	ssize_t n;

	/* line by line: a leak checker may end the process without a flush */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scheme-lib") && i + 1 < argc) {
			if (dmtok_scheme_load(argv[++i], err, sizeof(err)) < 0) {
				fprintf(stderr, "--scheme-lib: %s\n", err);
				return 2;
			}
		} else if (argv[i][0] != '-') {
			scheme = argv[i];
		} else {
			fprintf(stderr, "usage: %s [--scheme-lib PATH] [SCHEME]\n", argv[0]);
			return 2;
		}
	}
	if (dmtok_scheme_info(scheme, &info)) {
		fprintf(stderr, "unknown scheme '%s' (known: %s)\n", scheme,
			dmtok_scheme_list(err, sizeof(err)));
		return 2;
	}
	printf("scheme %s\n", scheme);
	/* 1. a binding, a socket, a flow (net_devmem_bind_dmabuf, tcp_init_sock) */
	if (dmtok_net_create(&net) ||
	    (ifi = dmtok_netdev_create(net, &o)) < 0 ||
	    (dmabuf = dmtok_dmabuf_create(net, 1 << 20, 0, 0)) < 0 ||
	    (binding = dmtok_bind_rx(net, ifi, dmabuf, &q, 1, info.bind_flags)) < 0 ||
	    (fd = dmtok_socket(net, SOCK_STREAM, scheme)) < 0 ||
	    (flow = dmtok_flow_create(net, ifi, 0, fd)) < 0) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	/* 2. one 4 KiB devmem frag queued on the socket */
	if (dmtok_nic_rx(net, flow, 4096) != 4096) {
		fprintf(stderr, "setup failed: nic_rx\n");
		return 2;
	}
	printf("2. NIC queued one devmem frag\n");
	dmtok_set_rx_hook(net, racing_dontneed, &race);
	/* 4. recvmsg: tcp_recvmsg_dmabuf -> tcp_xa_pool_commit (__xa_cmpxchg) */
	n = dmtok_recvmsg(net, fd, &mh, MSG_SOCK_DEVMEM);
	dmtok_set_rx_hook(net, NULL, NULL);
	for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_type == SCM_DEVMEM_DMABUF) {
			struct dmabuf_cmsg dc;

			memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
			token = dc.frag_token;
		}
	printf("4. recvmsg returned %zd bytes, the user holds token %u\n", n, token);
	/* 5. the user returns the token it holds (sock_devmem_dontneed) */
	t = (struct dmabuf_token){ token, 1 };
	ret = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
	printf("5. the user's own SO_DEVMEM_DONTNEED of token %u: released %d%s\n", token,
	       ret, ret == 1 ? "" : "  <- its reference is not where the scheme looks");
	/* 6. close: tcp_release_user_frags() puts what the scheme still holds */
	dmtok_close(net, fd);
	printf("6. close\n");
	/* 7. every niov must be back with the page pool */
	leak = dmtok_check(net, msg, sizeof(msg)) != 0;
	printf("7. checker: %s\n", leak ? msg : "every pp_ref_count accounted for");
	dmtok_unbind(net, (uint32_t)binding);
	ret = dmtok_net_destroy(net);
	printf("   unbind + destroy: %s\n", ret ? "-EBUSY: the binding and dmabuf stay pinned"
					     : "everything freed");
	if (ret)
		leak = 1;
	printf("%s\n", leak ? "LEAK" : "no leak");
	return leak ? 1 : 0;
}
