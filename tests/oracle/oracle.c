// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The running kernel as the oracle for dmtok's socket face: every
 * behaviour that needs no binding -- SO_DEVMEM_DONTNEED's argument
 * handling (sk_setsockopt() and sock_devmem_dontneed(), net/core/sock.c),
 * recvmsg(MSG_SOCK_DEVMEM) on a TCP connection carrying host memory
 * (tcp_recvmsg_locked(), net/ipv4/tcp.c), the level and flag checks -- is
 * asked of this machine's kernel through real sockets on loopback and of
 * dmtok with the same arguments (the xarray scheme: the kernel's own
 * algorithm), and every difference is printed with both answers. A
 * difference listed in known[] below is one the README explains; any
 * other fails the run. The fuzzer's dontneed inputs (a directory given as
 * an argument) are replayed through both as raw optval bytes.
 *
 * usage: dmtok-oracle [CORPUS_DIR]...   exit 0, 1 (a difference no one
 * explained), 77 (this kernel has no devmem TCP: nothing to ask)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmtok.h"

struct answer {
	long ret;	/* the call's return, -1 on error */
	int err;	/* errno when ret is -1 */
	size_t controllen;
	int msg_flags;
};

/* Differences explained in the README (docs: "Known differences"). */
static const struct { const char *kase, *why; } known[] = {
	{ "recvmsg MSG_WAITALL|MSG_SOCK_DEVMEM on host memory",
	  "dmtok refuses MSG_WAITALL (-EINVAL): blocking reads are not modelled" },
};

static int cases, diffs, explained;

static const char *known_why(const char *kase)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].kase, kase))
			return known[i].why;
	return NULL;
}

static void show(char *buf, size_t n, const struct answer *a)
{
	if (a->ret < 0)
		snprintf(buf, n, "-1 %s", strerror(a->err));
	else
		snprintf(buf, n, "%ld (controllen %zu, flags %#x)", a->ret, a->controllen,
			 (unsigned int)a->msg_flags);
}

static void compare(const char *kase, const struct answer *k, const struct answer *d)
{
	char kb[96], db[96];
	const char *why;

	cases++;
	if (k->ret == d->ret && (k->ret >= 0 || k->err == d->err) &&
	    k->controllen == d->controllen && k->msg_flags == d->msg_flags)
		return;
	diffs++;
	show(kb, sizeof(kb), k);
	show(db, sizeof(db), d);
	why = known_why(kase);
	explained += !!why;
	printf("%s %s: kernel %s, dmtok %s%s%s\n", why ? "known" : "DIFFERENCE", kase, kb, db,
	       why ? " -- " : "", why ? why : "");
}

/* ---- the two worlds ---- */

static struct dmtok_net *net;
static int d_tcp, d_udp, d_flow;	/* dmtok: a TCP socket fed by a host-memory queue */
static int k_tcp, k_udp, k_peer;	/* kernel: an accepted loopback connection, its peer */

static struct answer k_setsockopt(int fd, int level, const void *v, socklen_t len)
{
	struct answer a = { 0 };

	a.ret = setsockopt(fd, level, SO_DEVMEM_DONTNEED, v, len);
	a.err = a.ret < 0 ? errno : 0;
	return a;
}

static struct answer d_setsockopt(int fd, int level, const void *v, socklen_t len)
{
	struct answer a = { 0 };

	a.ret = dmtok_setsockopt(net, fd, level, SO_DEVMEM_DONTNEED, v, len);
	a.err = a.ret < 0 ? errno : 0;
	return a;
}

static void dontneed_case(const char *kase, const void *v, socklen_t len)
{
	struct answer k = k_setsockopt(k_tcp, SOL_SOCKET, v, len);
	struct answer d = d_setsockopt(d_tcp, SOL_SOCKET, v, len);

	compare(kase, &k, &d);
}

static int setup_kernel(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), probe;
	struct dmabuf_token t = { 1, 1 };

	/* does this kernel know SO_DEVMEM_DONTNEED at all? */
	probe = socket(AF_INET, SOCK_STREAM, 0);
	if (probe < 0 || (setsockopt(probe, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t)) < 0 &&
			  errno == ENOPROTOOPT)) {
		printf("SKIP: this kernel has no devmem TCP (SO_DEVMEM_DONTNEED: %s)\n",
		       strerror(errno));
		return 77;
	}
	close(probe);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		return 1;
	k_peer = socket(AF_INET, SOCK_STREAM, 0);
	if (k_peer < 0 || connect(k_peer, (struct sockaddr *)&a, sizeof(a)))
		return 1;
	k_tcp = accept(l, NULL, NULL);
	close(l);
	k_udp = socket(AF_INET, SOCK_DGRAM, 0);
	return k_tcp < 0 || k_udp < 0;
}

static int setup_dmtok(void)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };	/* no binding: host memory */
	int ifi;

	if (dmtok_net_create(&net) || (ifi = dmtok_netdev_create(net, &o)) < 0)
		return 1;
	d_tcp = dmtok_socket(net, SOCK_STREAM, "xarray");
	d_udp = dmtok_socket(net, SOCK_DGRAM, "xarray");
	d_flow = dmtok_flow_create(net, ifi, 0, d_tcp);
	return d_tcp < 0 || d_udp < 0 || d_flow < 0;
}

/* Both sides get @n bytes queued: the kernel's all arrived (FIONREAD). */
static int queue_bytes(size_t n)
{
	static char buf[65536];
	int avail = 0;

	if (n > sizeof(buf) || send(k_peer, buf, n, 0) != (ssize_t)n ||
	    dmtok_nic_rx(net, d_flow, n) != (ssize_t)n)
		return -1;
	for (int i = 0; i < 1000 && avail < (int)n; i++) {
		struct pollfd p = { k_tcp, POLLIN, 0 };

		poll(&p, 1, 10);
		if (ioctl(k_tcp, FIONREAD, &avail))
			return -1;
	}
	return avail == (int)n ? 0 : -1;
}

static void recv_case(const char *kase, size_t queued, size_t iov_len, size_t ctl_len,
		      int flags)
{
	static char kbuf[65536], dbuf[65536];
	union { char c[256]; struct cmsghdr a; } kctl, dctl;
	struct iovec ki = { kbuf, iov_len }, di = { dbuf, iov_len };
	struct msghdr km = { .msg_iov = &ki, .msg_iovlen = 1,
			     .msg_control = ctl_len ? kctl.c : NULL, .msg_controllen = ctl_len };
	struct msghdr dm = { .msg_iov = &di, .msg_iovlen = 1,
			     .msg_control = ctl_len ? dctl.c : NULL, .msg_controllen = ctl_len };
	struct answer k = { 0 }, d = { 0 };

	if (queued && queue_bytes(queued)) {
		printf("DIFFERENCE %s: could not queue %zu bytes on both sides\n", kase, queued);
		diffs++;
		cases++;
		return;
	}
	k.ret = recvmsg(k_tcp, &km, flags | MSG_DONTWAIT);
	k.err = k.ret < 0 ? errno : 0;
	d.ret = dmtok_recvmsg(net, d_tcp, &dm, flags | MSG_DONTWAIT);
	d.err = d.ret < 0 ? errno : 0;
	if (k.ret >= 0) {
		k.controllen = km.msg_controllen;
		k.msg_flags = km.msg_flags;
	}
	if (d.ret >= 0) {
		d.controllen = dm.msg_controllen;
		d.msg_flags = dm.msg_flags;
	}
	compare(kase, &k, &d);
	/* drain what a refused or partial read left, on both sides */
	while (recv(k_tcp, kbuf, sizeof(kbuf), MSG_DONTWAIT) > 0)
		;
	ki.iov_len = di.iov_len = sizeof(kbuf);
	dm.msg_control = NULL;
	dm.msg_controllen = 0;
	while (dmtok_recvmsg(net, d_tcp, &dm, MSG_DONTWAIT) > 0)
		;
}

static void replay_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp) {
		printf("DIFFERENCE corpus %s: cannot be read\n", dir);
		diffs++;
		return;
	}
	while ((e = readdir(dp))) {
		static unsigned char buf[4096];
		char path[4096], kase[4400];
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		snprintf(kase, sizeof(kase), "dontneed corpus %s (%zu bytes)", e->d_name, n);
		dontneed_case(kase, buf, (socklen_t)n);
	}
	closedir(dp);
}

int main(int argc, char **argv)
{
	struct dmabuf_token one = { 12345, 1 }, zero = { 0, 1 }, none = { 7, 0 };
	struct dmabuf_token many = { 1, 5000 }, wrap = { 0xfffffff0u, 0x20 };
	static struct dmabuf_token t129[129];
	int r = setup_kernel();

	if (r)
		return r == 77 ? 77 : (perror("oracle: kernel sockets"), 1);
	if (setup_dmtok()) {
		fprintf(stderr, "oracle: dmtok setup failed\n");
		return 1;
	}
	for (int i = 0; i < 129; i++)
		t129[i] = (struct dmabuf_token){ (uint32_t)i + 1, 1 };

	/* SO_DEVMEM_DONTNEED: sk_setsockopt(), then sock_devmem_dontneed() */
	dontneed_case("dontneed optlen 0", &one, 0);
	dontneed_case("dontneed optlen 2", &one, 2);
	dontneed_case("dontneed optlen 4", &one, 4);
	dontneed_case("dontneed optlen 12", t129, 12);
	dontneed_case("dontneed a never-issued token", &one, sizeof(one));
	dontneed_case("dontneed token 0", &zero, sizeof(zero));
	dontneed_case("dontneed count 0", &none, sizeof(none));
	dontneed_case("dontneed count 5000", &many, sizeof(many));
	dontneed_case("dontneed a range that wraps u32", &wrap, sizeof(wrap));
	dontneed_case("dontneed 128 tokens", t129, 128 * sizeof(t129[0]));
	dontneed_case("dontneed 129 tokens", t129, 129 * sizeof(t129[0]));
	dontneed_case("dontneed NULL optval", NULL, sizeof(one));
	{
		struct answer k = k_setsockopt(k_udp, SOL_SOCKET, &one, sizeof(one));
		struct answer d = d_setsockopt(d_udp, SOL_SOCKET, &one, sizeof(one));

		compare("dontneed on a UDP socket", &k, &d);
		k = k_setsockopt(k_tcp, IPPROTO_TCP, &one, sizeof(one));
		d = d_setsockopt(d_tcp, IPPROTO_TCP, &one, sizeof(one));
		compare("dontneed at level IPPROTO_TCP", &k, &d);
	}

	/* recvmsg(MSG_SOCK_DEVMEM) on host memory: an ordinary read, no cmsg */
	recv_case("recvmsg MSG_SOCK_DEVMEM on an empty queue", 0, 4096, 256, MSG_SOCK_DEVMEM);
	recv_case("recvmsg MSG_SOCK_DEVMEM on host memory", 10000, 65536, 256, MSG_SOCK_DEVMEM);
	recv_case("recvmsg MSG_SOCK_DEVMEM, short iov", 10000, 3000, 256, MSG_SOCK_DEVMEM);
	recv_case("recvmsg MSG_SOCK_DEVMEM, no control buffer", 5000, 65536, 0, MSG_SOCK_DEVMEM);
	recv_case("recvmsg without MSG_SOCK_DEVMEM on host memory", 5000, 65536, 256, 0);
	recv_case("recvmsg MSG_PEEK|MSG_SOCK_DEVMEM on host memory", 5000, 65536, 256,
		  MSG_PEEK | MSG_SOCK_DEVMEM);
	recv_case("recvmsg MSG_PEEK|MSG_SOCK_DEVMEM, short iov", 5000, 1000, 256,
		  MSG_PEEK | MSG_SOCK_DEVMEM);
	recv_case("recvmsg MSG_WAITALL|MSG_SOCK_DEVMEM on host memory", 5000, 5000, 256,
		  MSG_WAITALL | MSG_SOCK_DEVMEM);

	for (int i = 1; i < argc; i++)
		replay_dir(argv[i]);

	close(k_tcp);
	close(k_peer);
	close(k_udp);
	dmtok_close(net, d_tcp);
	dmtok_close(net, d_udp);
	if (dmtok_net_destroy(net)) {
		printf("DIFFERENCE teardown: dmtok's net could not be destroyed\n");
		diffs++;
	}
	printf("oracle: %d cases against this machine's kernel, %d differences "
	       "(%d known, %d unexplained)\n", cases, diffs, explained, diffs - explained);
	printf("%d passed, %d failed\n", cases - (diffs - explained), diffs - explained);
	return diffs - explained ? 1 : 0;
}
