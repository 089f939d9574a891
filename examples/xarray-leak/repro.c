// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Deterministic reproducer of the upstream devmem TCP reservation leak
 * (Linux 6.12 net/ipv4/tcp.c and net/core/sock.c; the code is unchanged
 * in 6.18), through dmtok's socket API only:
 *
 *   dmtok-leak-repro [--scheme-lib PATH] [--token0] [--kernel VER] [SCHEME]
 *                                                        (default: xarray)
 * --kernel picks the net's kernel profile (6.12, 6.18, 7.0, v10: the
 * default); the leak is in the upstream code of every one of them.
 *
 * A dontneed that names a token recvmsg has reserved but not yet committed
 * erases the reservation; the commit then stores nothing, and the frag's
 * page-pool reference is held by nobody: close cannot drop it, and the
 * binding (and the dmabuf) stay pinned. The window is forced with
 * dmtok_set_rx_hook(), which runs "another thread's" SO_DEVMEM_DONTNEED
 * at exactly the point the kernel allows it. The last line says what was
 * seen, in the scheme's terms: LEAK (a reference nobody holds), DOUBLE
 * PUT (a reference dropped twice: the model's WARN sites), or CLEAN.
 * Exit status: 1 for a leak or a double put, 0 if clean, 2 on a usage or
 * setup error.
 *
 * --token0 runs the second way in, found by the differential XArray
 * fuzzer and confirmed on the kernel's own lib/xarray.c: a dontneed of
 * token 0 (never issued) erases XA_FLAGS_ALLOC1's zero entry at index 0,
 * so the next refill reserves id 0; if the user then returns the one
 * token it legitimately holds while recvmsg sits between refill and
 * commit, the tree holds nothing but that reservation at index 0 and
 * xas_shrink() drops it -- the commit again stores nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/scheme.h"

struct race {
	int fired;
	int released;		/* what the racing dontneed released */
	int held;		/* --token0: return held_token in the window */
	uint32_t held_token;
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
	if (r->held) {	/* --token0: the user returns the token it holds */
		t.token_start = r->held_token;
		r->released = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					       &t, sizeof(t));
		printf("3. inside recvmsg, while token %u is recorded but not committed, the user"
		       " returns the token it holds, %u (legitimate): released %d\n", token,
		       r->held_token, r->released);
		return;
	}
	r->released = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
				       &t, sizeof(t));
	printf("3. another thread's SO_DEVMEM_DONTNEED of token %u, inside recvmsg: after the"
	       " scheme recorded the token (rx_taken), before it committed the batch"
	       " (rx_commit): released %d\n", token, r->released);
}

/* One recvmsg; returns its bytes and the last frag's token in *@token. */
static ssize_t recv_one(struct dmtok_net *net, int fd, uint32_t *token)
{
	union { char c[256]; struct cmsghdr align; } ctl;
	char buf[4096];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	ssize_t n = dmtok_recvmsg(net, fd, &mh, MSG_SOCK_DEVMEM);

	for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_type == SCM_DEVMEM_DMABUF) {
			struct dmabuf_cmsg dc;

			memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
			*token = dc.frag_token;
		}
	return n;
}

int main(int argc, char **argv)
{
	char err[512], msg[512];
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	const char *scheme = "xarray";
	struct dmtok_scheme_info info;
	struct race race = { 0 };
	struct dmabuf_token t;
	struct dmtok_net *net;
	uint32_t token = 0;
	int token0 = 0, scheme_set = 0;
	enum dmtok_kernel kernel = DMTOK_KERNEL_V10;
	int ifi, dmabuf, binding, fd, flow, ret, leak;
	unsigned long warns;
	unsigned int q = 0;
	ssize_t n;

	/* line by line: a leak checker may end the process without a flush */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scheme-lib")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dmtok-leak-repro: --scheme-lib needs a PATH\n");
				return 2;
			}
			if (dmtok_scheme_load(argv[++i], err, sizeof(err)) < 0) {
				fprintf(stderr, "dmtok-leak-repro: --scheme-lib: %s\n", err);
				return 2;
			}
		} else if (!strcmp(argv[i], "--token0")) {
			token0 = 1;
		} else if (!strcmp(argv[i], "--kernel")) {
			if (i + 1 >= argc || dmtok_kernel_parse(argv[++i], &kernel)) {
				fprintf(stderr, "dmtok-leak-repro: --kernel takes 6.12, 6.18, 7.0 or v10\n");
				return 2;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "dmtok-leak-repro: unknown option '%s' (usage: dmtok-leak-repro "
				"[--scheme-lib PATH] [--token0] [--kernel VER] [SCHEME])\n", argv[i]);
			return 2;
		} else if (scheme_set++) {
			fprintf(stderr, "dmtok-leak-repro: unexpected argument '%s' (one SCHEME)\n",
				argv[i]);
			return 2;
		} else {
			scheme = argv[i];
		}
	}
	if (dmtok_scheme_info(scheme, &info)) {
		fprintf(stderr, "dmtok-leak-repro: unknown scheme '%s' (known: %s)\n", scheme,
			dmtok_scheme_list(err, sizeof(err)));
		return 2;
	}
	printf("scheme %s%s\n", scheme, token0 ? ", the token-0 way in" : "");
	/* 1. a binding, a socket, a flow (net_devmem_bind_dmabuf, tcp_init_sock) */
	if (dmtok_net_create(&net) || dmtok_net_set_kernel(net, kernel) ||
	    (ifi = dmtok_netdev_create(net, &o)) < 0 ||
	    (dmabuf = dmtok_dmabuf_create(net, 1 << 20, 0, 0)) < 0 ||
	    (binding = dmtok_bind_rx(net, ifi, dmabuf, &q, 1, info.bind_flags)) < 0 ||
	    (fd = dmtok_socket(net, SOCK_STREAM, scheme)) < 0 ||
	    (flow = dmtok_flow_create(net, ifi, 0, fd)) < 0) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	if (token0) {
		/* 2a. the user holds one token; then a dontneed of token 0 */
		if (dmtok_nic_rx(net, flow, 4096) != 4096 ||
		    recv_one(net, fd, &race.held_token) != 4096) {
			fprintf(stderr, "setup failed: first frag\n");
			return 2;
		}
		race.held = 1;
		t = (struct dmabuf_token){ 0, 1 };
		ret = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
		printf("2a. the user holds token %u; SO_DEVMEM_DONTNEED of never-issued token 0 "
		       "(__xa_erase of ALLOC1's zero entry at index 0): released %d\n",
		       race.held_token, ret);
	}
	/* 2. one 4 KiB devmem frag queued on the socket */
	if (dmtok_nic_rx(net, flow, 4096) != 4096) {
		fprintf(stderr, "setup failed: nic_rx\n");
		return 2;
	}
	printf("2. NIC queued one devmem frag\n");
	dmtok_set_rx_hook(net, racing_dontneed, &race);
	/* 4. recvmsg: tcp_recvmsg_dmabuf -> tcp_xa_pool_commit (__xa_cmpxchg) */
	n = recv_one(net, fd, &token);
	dmtok_set_rx_hook(net, NULL, NULL);
	printf("4. recvmsg returned %zd bytes, the user holds token %u\n", n, token);
	/* 5. the user returns the token it holds (sock_devmem_dontneed) */
	t = (struct dmabuf_token){ token, 1 };
	ret = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
	printf("5. the user's own SO_DEVMEM_DONTNEED of token %u: released %d%s\n", token, ret,
	       ret == 1 ? "" : race.released > 0 && !race.held ?
	       " (the racing return in step 3 released it already)" :
	       "  <- the frag's reference is not where the scheme looks for it");
	/* 6. close: tcp_release_user_frags() puts what the scheme still holds */
	dmtok_close(net, fd);
	printf("6. close\n");
	/* 7. every niov must be back with the page pool */
	warns = dmtok_warn_count();
	leak = dmtok_check(net, msg, sizeof(msg)) != 0;
	printf("7. checker: %s\n", leak ? msg : "every pp_ref_count accounted for");
	if (leak && warns && strstr(msg, "WARN"))
		leak = 0;	/* only the WARNs: told apart below */
	dmtok_unbind(net, (uint32_t)binding);
	ret = dmtok_net_destroy(net);
	printf("   unbind + destroy: %s\n", ret ? "-EBUSY: the binding and dmabuf stay pinned"
					     : "everything freed");
	if (ret)
		leak = 1;
	if (warns)
		dmtok_warn_report(stdout);
	/*
	 * The verdict, in the scheme's terms: a reference nobody holds (a
	 * leak), one put twice (the model's WARN_ON_ONCE sites: the kernel
	 * would underflow pp_ref_count), or every reference home once.
	 */
	if (leak)
		printf("%s: LEAK -- a frag's page-pool reference is held by nobody\n", scheme);
	else if (warns)
		printf("%s: DOUBLE PUT -- %lu WARN%s: a reference was dropped twice\n", scheme,
		       warns, warns == 1 ? "" : "s");
	else
		printf("%s: CLEAN -- no leak, no double put\n", scheme);
	return leak || warns ? 1 : 0;
}
