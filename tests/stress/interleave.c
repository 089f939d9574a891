// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A controlled interleaving, for ThreadSanitizer: the windows in which the
 * kernel lets SO_DEVMEM_DONTNEED (no socket lock, sk_setsockopt()) run
 * inside a recvmsg (tcp_recvmsg_dmabuf(), socket lock held), forced
 * every run instead of hoped for. dmtok_set_rx_hook() stops the reader
 * right after a frag's token is recorded, before the commit; a second
 * thread then returns tokens -- the one just handed out, and its
 * neighbours -- and the reader goes on only when it is done.
 *
 * The hand-off between the two threads is a relaxed atomic flag spun on:
 * it creates no happens-before edge, so whatever ordering the scheme
 * relies on must come from the scheme's own release/acquire (publishing
 * its state on the first recvmsg, taking a token out of its table). A
 * scheme that publishes with a plain or relaxed store is reported by TSan
 * on every run; with the flag replaced by a mutex it would be hidden.
 * The windows: the socket's very first frag (when a scheme publishes its
 * per-socket state) and a later one.
 *
 * usage: dmtok-interleave [--scheme-lib PATH] [--kernel VER] SCHEME
 * (--kernel: the net's kernel profile, 6.12, 6.18, 7.0 or v10, the default)
 * Exit 0 and a last line ending in PASS: the model's invariants hold
 * afterwards, no WARN fired and no sanitizer reported (verdict.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/scheme.h"
#include "../verdict.h"

static struct dmtok_net *net;
static int sock_fd;
static int go, done, quit;	/* relaxed: no happens-before on purpose */
static uint32_t window_token;
static int windows;

static void wait_for(int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_RELAXED))
		;
}

/* Runs inside recvmsg: open the window, wait until the returner is done. */
static void hook(void *arg, struct dmtok_net *n, int fd, uint32_t token)
{
	(void)arg;
	(void)n;
	(void)fd;
	if (windows >= 2)
		return;
	windows++;
	__atomic_store_n(&window_token, token, __ATOMIC_RELAXED);
	__atomic_store_n(&done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&go, 1, __ATOMIC_RELAXED);
	wait_for(&done);
}

static void *returner(void *arg)
{
	(void)arg;
	for (;;) {
		struct dmabuf_token t[3];
		uint32_t tok;

		while (!__atomic_load_n(&go, __ATOMIC_RELAXED))
			if (__atomic_load_n(&quit, __ATOMIC_RELAXED))
				return NULL;
		__atomic_store_n(&go, 0, __ATOMIC_RELAXED);
		tok = __atomic_load_n(&window_token, __ATOMIC_RELAXED);
		/* the token just handed out, a stale one below, a guess above */
		t[0] = (struct dmabuf_token){ tok, 1 };
		t[1] = (struct dmabuf_token){ tok - 1, 1 };
		t[2] = (struct dmabuf_token){ tok + 1, 1 };
		(void)dmtok_setsockopt(net, sock_fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t, sizeof(t));
		__atomic_store_n(&done, 1, __ATOMIC_RELAXED);
	}
}

static int recv_all(void)
{
	union { char c[4096]; struct cmsghdr a; } ctl;
	static char buf[1 << 16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
	struct dmabuf_token t[64];
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	int type;
	unsigned int n = 0;

	if (dmtok_recvmsg(net, sock_fd, &msg, MSG_SOCK_DEVMEM) < 0)
		return -1;
	dmtok_cmsg_for_each(&msg, cm, type, &dc)
		if (type == SCM_DEVMEM_DMABUF && n < 64)
			t[n++] = (struct dmabuf_token){ dc.frag_token, 1 };
	/* the reader's own returns: some may have gone already, that is fine */
	if (n)
		(void)dmtok_setsockopt(net, sock_fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t,
				       n * sizeof(t[0]));
	return 0;
}

int main(int argc, char **argv)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	struct dmtok_scheme_info info;
	const char *scheme = NULL;
	char msg[512];
	unsigned int q = 0;
	int ifi, d, b, flow, bad = 0;
	enum dmtok_kernel kernel = DMTOK_KERNEL_V10;
	pthread_t th;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scheme-lib")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "interleave: --scheme-lib needs a PATH\n");
				return 2;
			}
			if (dmtok_scheme_load(argv[++i], msg, sizeof(msg)) < 0) {
				fprintf(stderr, "interleave: --scheme-lib: %s\n", msg);
				return 2;
			}
		} else if (!strcmp(argv[i], "--kernel")) {
			if (i + 1 >= argc || dmtok_kernel_parse(argv[++i], &kernel)) {
				fprintf(stderr, "interleave: --kernel takes 6.12, 6.18, 7.0 or v10\n");
				return 2;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "interleave: unknown option '%s' (usage: dmtok-interleave "
				"[--scheme-lib PATH] [--kernel VER] SCHEME)\n", argv[i]);
			return 2;
		} else if (scheme) {
			fprintf(stderr, "interleave: unexpected argument '%s' (one SCHEME)\n", argv[i]);
			return 2;
		} else {
			scheme = argv[i];
		}
	}
	if (!scheme) {
		fprintf(stderr, "interleave: no SCHEME (usage: dmtok-interleave [--scheme-lib PATH] "
			"SCHEME; known: %s)\n", dmtok_scheme_list(msg, sizeof(msg)));
		return 2;
	}
	if (dmtok_scheme_info(scheme, &info)) {
		fprintf(stderr, "interleave: unknown scheme '%s' (known: %s)\n", scheme,
			dmtok_scheme_list(msg, sizeof(msg)));
		return 2;
	}
	if (dmtok_net_create(&net) || dmtok_net_set_kernel(net, kernel) ||
	    (ifi = dmtok_netdev_create(net, &o)) < 0 ||
	    (d = dmtok_dmabuf_create(net, 1 << 20, 0, 0)) < 0 ||
	    (b = dmtok_bind_rx(net, ifi, d, &q, 1, info.bind_flags)) < 0 ||
	    (sock_fd = dmtok_socket(net, SOCK_STREAM, scheme)) < 0 ||
	    (flow = dmtok_flow_create(net, ifi, 0, sock_fd)) < 0) {
		fprintf(stderr, "interleave: setup failed\n");
		return 2;
	}
	pthread_create(&th, NULL, returner, NULL);
	dmtok_set_rx_hook(net, hook, NULL);
	for (int round = 0; round < 2; round++) {
		if (dmtok_nic_rx(net, flow, 8 * 4096) != 8 * 4096 || recv_all()) {
			fprintf(stderr, "interleave: round %d failed\n", round);
			bad = 1;
		}
	}
	dmtok_set_rx_hook(net, NULL, NULL);
	__atomic_store_n(&quit, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	if (dmtok_check(net, msg, sizeof(msg))) {
		printf("FAIL: %s\n", msg);
		bad = 1;
	}
	dmtok_close(net, sock_fd);
	dmtok_unbind(net, (uint32_t)b);
	if (dmtok_net_destroy(net)) {
		printf("FAIL: not everything came home\n");
		bad = 1;
	}
	printf("%s: %d windows forced\n", scheme, windows);
	return dmtok_verdict(scheme, bad);
}
