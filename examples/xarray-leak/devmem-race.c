// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The upstream devmem TCP reservation leak on a real kernel and a real
 * NIC: ncdevmem's receive side (tools/testing/selftests/drivers/net/hw/
 * ncdevmem.c, do_server()) with a second thread. It binds a udmabuf to
 * one RX queue of IFNAME (NETDEV_CMD_BIND_RX), accepts one TCP connection
 * on PORT, and while the peer streams:
 *   - one thread calls recvmsg(MSG_SOCK_DEVMEM) and returns every token it
 *     gets with SO_DEVMEM_DONTNEED, as ncdevmem does;
 *   - another returns token ids 1..GUESS every PAUSE microseconds: ids the
 *     socket does not hold, but the lowest free ones, which
 *     tcp_xa_pool_refill()'s __xa_alloc() reserves next. One that lands
 *     between the refill and tcp_xa_pool_commit_locked() erases the
 *     reservation, and that frag's page-pool reference is held by nobody
 *     (net/ipv4/tcp.c, net/core/sock.c, 6.12 to 7.0).
 * When the peer closes, it closes the socket and unbinds (closes the
 * netlink socket), waits for the destroyed page pools' deferred release
 * (page_pool_release_retry(), every second), and reads the inflight count
 * of the pools that still name the binding (NETDEV_CMD_PAGE_POOL_GET):
 * every niov still in flight then was leaked -- nothing else holds one.
 *
 *   devmem-race -i IFNAME [-q QUEUE] [-p PORT] [-s SECONDS] [-g GUESS]
 *               [-u PAUSE_US] [-m MIB]
 *
 * NIC setup (header split, flow steering to QUEUE) is the same as for
 * ncdevmem and is left to the caller: examples/xarray-leak/REPORT.md says
 * what to run. Needs CAP_NET_ADMIN (the bind) and /dev/udmabuf.
 * Last line: "LEAK: N niovs" (exit 1) or "no leak" (exit 0); exit 2 on a
 * setup error. tests/guest/ runs this program in qemu on a devmem-capable
 * netdev pair.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>

#include "dmtok/uapi.h"
#include "netdev-nl.h"

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "devmem-race: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

struct race {
	int fd;
	volatile int stop;
	unsigned int guess, pause;
	unsigned long guesses, guessed;
};

/* The second thread: returns ids it does not hold, the next ones issued. */
static void *guesser(void *arg)
{
	struct race *r = arg;
	struct dmabuf_token t = { 1, r->guess };

	while (!r->stop) {
		long n = dontneed(r->fd, &t, 1);

		r->guesses++;
		if (n > 0)
			r->guessed += n;
		if (r->pause)
			usleep(r->pause);
	}
	return NULL;
}

static unsigned long arg_num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		die("%s takes a number up to %lu, not '%s'", opt, max, s);
	return v;
}

int main(int argc, char **argv)
{
	static char data[1 << 16];
	char control[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 64];
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_ANY };
	struct sockaddr *sa = (void *)&a;
	socklen_t salen = sizeof(a);
	unsigned long seconds = 0, mib = 64, queue = 0, port = 5201;
	struct race r = { .guess = 64, .pause = 100 };
	unsigned long frags = 0, calls = 0, twice = 0;
	const char *ifname = NULL;
	struct timespec t0, t1;
	int opt, ifindex, dmabuf, nlfd, listener, one = 1, g;
	long id, leaked;
	pthread_t th;
	void *cpu;

	while ((opt = getopt(argc, argv, "i:q:p:s:g:u:m:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'q': queue = arg_num("-q", optarg, 65535); break;
		case 'p': port = arg_num("-p", optarg, 65535); break;
		case 's': seconds = arg_num("-s", optarg, 86400); break;
		case 'g': r.guess = (unsigned int)arg_num("-g", optarg, 1024); break;
		case 'u': r.pause = (unsigned int)arg_num("-u", optarg, 1000000); break;
		case 'm': mib = arg_num("-m", optarg, 4096); break;
		default:
			die("usage: devmem-race -i IFNAME [-q QUEUE] [-p PORT] [-s SECONDS]"
			    " [-g GUESS] [-u PAUSE_US] [-m MIB]");
		}
	}
	if (!ifname || optind != argc || !mib || !r.guess)
		die("usage: devmem-race -i IFNAME [-q QUEUE] [-p PORT] [-s SECONDS]"
		    " [-g GUESS] [-u PAUSE_US] [-m MIB]");
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		die("%s: %s", ifname, strerror(errno));
	g = nl_open(NETLINK_GENERIC);
	netdev_family = genl_family(g, "netdev");
	close(g);
	if (netdev_family <= 0)
		die("no netdev generic-netlink family (a kernel before 6.12?)");
	dmabuf = udmabuf_create(mib << 20, &cpu);
	id = bind_rx(ifindex, (unsigned int)queue, dmabuf, &nlfd);
	if (id <= 0)
		die("NETDEV_CMD_BIND_RX %s queue %lu: %s", ifname, queue, strerror((int)-id));
	printf("bound a %lu MiB udmabuf to %s queue %lu: binding %ld\n", mib, ifname, queue, id);

	/* IPv6 and IPv4 peers (a kernel without IPv6: IPv4 only) */
	a.sin6_port = htons((uint16_t)port);
	a4.sin_port = a.sin6_port;
	listener = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 && errno == EAFNOSUPPORT) {
		listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sa = (void *)&a4;
		salen = sizeof(a4);
	}
	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listener, sa, salen) || listen(listener, 1))
		die("listen on port %lu: %s", port, strerror(errno));
	printf("listening on port %lu\n", port);
	fflush(stdout);
	r.fd = accept(listener, NULL, NULL);
	if (r.fd < 0)
		die("accept: %s", strerror(errno));
	close(listener);

	pthread_create(&th, NULL, guesser, &r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* until the peer closes (or -s SECONDS pass) */
	for (;;) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct pollfd pfd = { r.fd, POLLIN, 0 };
		struct dmabuf_token t[64];
		struct cmsghdr *c;
		unsigned int n = 0;
		ssize_t got;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (seconds && t1.tv_sec - t0.tv_sec >= (time_t)seconds)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		got = recvmsg(r.fd, &msg, MSG_SOCK_DEVMEM | MSG_DONTWAIT);
		if (got == 0)
			break;				/* the peer closed */
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("recvmsg: %s", strerror(errno));
		}
		calls++;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct dmabuf_cmsg d;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_DEVMEM_DMABUF)
				continue;
			memcpy(&d, CMSG_DATA(c), sizeof(d));
			t[n++] = (struct dmabuf_token){ d.frag_token, 1 };
		}
		frags += n;
		/*
		 * A token in two cmsgs of one call: an id erased mid-call and
		 * reserved again by the next refill. The erased id was a
		 * reservation (the bug: returning the token releases the second
		 * frag while the first leaked) or a token of this call the
		 * guessing thread released (the process's own doing); from
		 * userspace the two cannot be told apart.
		 */
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < i; j++)
				if (t[i].token_start == t[j].token_start) {
					twice++;
					break;
				}
		if (n)
			dontneed(r.fd, t, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r.stop = 1;
	pthread_join(th, NULL);
	close(r.fd);
	close(nlfd);		/* unbind: netdev_nl_sock_priv_destroy() */
	close(dmabuf);
	leaked = settled_inflight((uint32_t)id);
	printf("race seconds=%.1f recvmsg=%lu frags=%lu guesses=%lu guessed=%lu aliased=%lu"
	       " leaked=%ld\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       calls, frags, r.guesses, r.guessed, twice, leaked);
	if (leaked > 0) {
		printf("LEAK: %ld niovs still in flight after close and unbind\n", leaked);
		return 1;
	}
	printf("no leak\n");
	return 0;
}
