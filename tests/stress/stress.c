// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Concurrency stress, with real threads in the kernel's contexts: NIC
 * threads (NAPI: one per queue, refilling page pools and receiving into
 * half-page buffers, so frags share niovs), one reader per socket
 * (recvmsg under the socket lock), two returner threads per socket
 * handing tokens back with SO_DEVMEM_DONTNEED at the same time as the
 * reader and as each other, one guesser thread per socket returning
 * tokens it does not hold from the start (the stale-token client: random,
 * stale or doubled, and guessed next ids; the syzkaller client's calls
 * reach the scheme without any ordering through the client's own
 * hand-off) and reading the socket's stats, and close at the end. Bounded by a frag count and a wall-clock limit,
 * seeded, printing its seed. After joining, the invariant checker must
 * hold, every frag handed out must have been released exactly once (by
 * its returner or stolen by the guesser), and after close and unbind
 * every niov must be home. Run under TSan in CI (suite "stress").
 *
 * Beside the traffic, the things a user may do at the same time (the
 * "actors"): a binder whose binds fail in each of their ways (-ENODEV,
 * -EBADF, -EINVAL for not a dmabuf and for a queue past the device's,
 * -EEXIST, -EBUSY, -ENOMEM) on a second netdev,
 * a cycler that binds, receives, unbinds and then returns everything --
 * so the binding is freed from a put path while the binder's error path
 * walks the bindings -- with the binding-id cursor started just below
 * the u32 wrap; a registry churner registering a copy of the scheme under
 * a new name (XArray node shift 1 or 6 in turn), opening and closing a
 * socket with it, unregistering and freeing it, against a registry
 * reader listing, describing and planning the same names; and a thread
 * setting and clearing the receive hook during traffic.
 *
 * The guesser is off with a 4th argument "noguess". With it on, the
 * upstream xarray scheme fails: a returned token that names a reservation
 * the pool has not committed yet makes the commit store nothing and the
 * frag's reference leak (see examples/xarray-leak/REPORT.md); meson expects that.
 * Totals are checked across sockets: under niov-uref a guesser on one
 * socket releases frags another socket holds, by design.
 *
 * usage: stress [--scheme-lib PATH]... [--kernel 6.12|6.18|v10] SCHEME [SECONDS] [SEED] [noguess]
 * SCHEME is any registered scheme (built in, or from a --scheme-lib).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmtok.h"
#include "dmtok/plan.h"
#include "dmtok/scheme.h"
#include "../verdict.h"

#define SOCKS		2
#define RETURNERS	2
#define RING		8192

struct tokq {		/* reader -> returners: tokens to hand back */
	pthread_mutex_t lock;
	uint32_t tok[RING];
	unsigned int head, tail;
	int done;
};

struct sock_ctx {
	int fd, flow;
	struct tokq q;
	_Atomic uint64_t handed, returned, stolen, bad, stats_calls;
	_Atomic uint32_t last_tok;	/* the reader's latest token, for the adversary */
};

static struct dmtok_net *net;
static struct sock_ctx sk[SOCKS];
static int ifindex;
static _Atomic int stop;
static double deadline;
static uint64_t target_frags = 200000;
static const char *scheme;
static uint64_t seed;
static enum dmtok_kernel kernel = DMTOK_KERNEL_V10;	/* --kernel */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The watchdog: threads stuck taking each other's locks (an ABBA order,
 * which the vocabulary's lockdep names in a WARN) never reach the
 * deadline's checks. Past the deadline by its own length plus 30 s, say
 * so, print the WARNs that explain it, and end the process with FAIL.
 */
static _Atomic int finished;

static void *watchdog_thread(void *arg)
{
	double grace = *(double *)arg;

	while (!atomic_load(&finished)) {
		if (now() > deadline + grace) {
			printf("stress: no progress %.0f s past the deadline: threads stuck "
			       "(a deadlock?)\n", grace);
			dmtok_warn_report(stdout);
			dmtok_verdict("stress", 1);
			fflush(stdout);
			_exit(1);
		}
		usleep(100 * 1000);
	}
	return NULL;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void *nic_thread(void *arg)
{
	struct sock_ctx *c = arg;
	uint64_t s = (seed * 0x9e3779b97f4a7c15ull + (uint64_t)(c - sk)) | 1;

	while (!atomic_load(&stop) && now() < deadline) {
		ssize_t r = dmtok_nic_rx(net, c->flow, 4096 * (1 + rnd(&s) % 16));

		if (r == -ENOBUFS) {	/* pool dry: let the user return tokens */
			struct timespec ts = { 0, 50000 };

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

/* The tokens of a recvmsg's SCM_DEVMEM_DMABUF cmsgs, at most @max. */
static unsigned int msg_tokens(struct msghdr *msg, uint32_t *tok, unsigned int max)
{
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	unsigned int n = 0;
	int type;

	dmtok_cmsg_for_each(msg, cm, type, &dc)
		if (type == SCM_DEVMEM_DMABUF && n < max)
			tok[n++] = dc.frag_token;
	return n;
}

static void *reader_thread(void *arg)
{
	struct sock_ctx *c = arg;
	char ctl[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 32];
	struct iovec iov = { NULL, 1 << 20 };
	uint32_t tok[32];
	unsigned int n;

	while (now() < deadline && atomic_load(&c->handed) < target_frags) {
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		ssize_t r = dmtok_recvmsg(net, c->fd, &msg, MSG_SOCK_DEVMEM);

		if (r < 0) {
			if (errno != EAGAIN)
				atomic_fetch_add(&c->bad, 1);
			continue;
		}
		n = msg_tokens(&msg, tok, 32);
		for (unsigned int k = 0; k < n; k++) {
			for (;;) {	/* the ring is bounded: wait for room */
				pthread_mutex_lock(&c->q.lock);
				if (c->q.tail - c->q.head < RING) {
					c->q.tok[c->q.tail++ % RING] = tok[k];
					atomic_store_explicit(&c->last_tok, tok[k],
							      memory_order_relaxed);
					pthread_mutex_unlock(&c->q.lock);
					break;
				}
				pthread_mutex_unlock(&c->q.lock);
			}
			atomic_fetch_add(&c->handed, 1);
		}
	}
	pthread_mutex_lock(&c->q.lock);
	c->q.done = 1;
	pthread_mutex_unlock(&c->q.lock);
	return NULL;
}

static void *returner_thread(void *arg)
{
	struct sock_ctx *c = arg;
	struct dmabuf_token t[128];

	for (;;) {
		unsigned int n = 0;
		int done;

		pthread_mutex_lock(&c->q.lock);
		while (n < 128 && c->q.head != c->q.tail)
			t[n++] = (struct dmabuf_token){ c->q.tok[c->q.head++ % RING], 1 };
		done = c->q.done && c->q.head == c->q.tail;
		pthread_mutex_unlock(&c->q.lock);
		if (n) {
			int r = dmtok_setsockopt(net, c->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
						 t, n * sizeof(t[0]));
			/* fewer than n: the guesser stole some; totals are checked */
			if (r < 0 || r > (int)n)
				atomic_fetch_add(&c->bad, 1);
			else
				atomic_fetch_add(&c->returned, (uint64_t)r);
		} else if (done) {
			return NULL;
		}
	}
}

/*
 * The stale-token client, from before the first recvmsg until the end: it
 * returns tokens it does not hold -- random ones, stale or doubled ones
 * (just below the reader's latest token: already returned, or about to
 * be), and guesses of the next ids (just above it: lowest-free
 * allocators hand those out next). It also reads the socket's stats all
 * along: dmtok_sock_stats() must be safe at any time.
 */
static void *guesser_thread(void *arg)
{
	struct sock_ctx *c = arg;
	uint64_t s = (seed * 0x2545f4914f6cdd1dull + (uint64_t)(c - sk)) | 1;
	struct dmtok_sock_stats st;
	unsigned long iter = 0;

	while (!atomic_load(&stop)) {
		uint32_t last = atomic_load_explicit(&c->last_tok, memory_order_relaxed);
		struct dmabuf_token t;
		int r;

		switch (rnd(&s) % 3) {
		case 0:	/* random */
			t = (struct dmabuf_token){ (uint32_t)(rnd(&s) % 4096), 1 + (uint32_t)(rnd(&s) % 4) };
			break;
		case 1:	/* stale or doubled: recent ids */
			t = (struct dmabuf_token){ last - (uint32_t)(rnd(&s) % 32), 1 };
			break;
		default:	/* the next ids a lowest-free allocator hands out */
			t = (struct dmabuf_token){ last + 1 + (uint32_t)(rnd(&s) % 17), 1 };
			break;
		}
		r = dmtok_setsockopt(net, c->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
		if (r > 0)
			atomic_fetch_add(&c->stolen, (uint64_t)r);
		if (!(++iter % 64) && !dmtok_sock_stats(net, c->fd, &st))
			atomic_fetch_add(&c->stats_calls, 1);
	}
	return NULL;
}

/* ---- the actors ---- */
static int ifindex2;		/* the binder's and cycler's netdev */
static unsigned int bind_flags;
static _Atomic uint64_t actor_bad, binds_failed, cycles, churns, lookups, hook_calls, hook_sets;
static char actor_why[160];

static void actor_fail(const char *what, long got)
{
	if (atomic_fetch_add(&actor_bad, 1) == 0)
		snprintf(actor_why, sizeof(actor_why), "%s: got %ld", what, got);
}

static void *binder_thread(void *arg)
{
	int small = dmtok_dmabuf_create(net, 1 << 20, 0, 0);
	unsigned int q0 = 0, q1 = 1, far = 200;
	uint32_t id;

	(void)arg;
	if (small < 0) {
		actor_fail("binder: dmabuf", small);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		/* by profile: a queue past the device's, the other release mode */
		const int want[] = { -ENODEV, -EBADF, -EINVAL,
				     kernel == DMTOK_KERNEL_6_12 ? -ERANGE : -EINVAL, -EEXIST,
				     kernel == DMTOK_KERNEL_V10 ? -EBUSY : -EINVAL };
		int r[6];

		r[0] = dmtok_bind_rx_id(net, 9999, small, &q1, 1, bind_flags, &id);
		r[1] = dmtok_bind_rx_id(net, ifindex2, DMTOK_MAX_FDS - 1, &q1, 1, bind_flags, &id);
		r[2] = dmtok_bind_rx_id(net, ifindex2, sk[0].fd, &q1, 1, bind_flags, &id);
		r[3] = dmtok_bind_rx_id(net, ifindex2, small, &far, 1, bind_flags, &id);
		r[4] = dmtok_bind_rx_id(net, ifindex, small, &q0, 1, bind_flags, &id);
		r[5] = dmtok_bind_rx_id(net, ifindex2, small, &q1, 1,
					bind_flags ^ DMTOK_BIND_NO_AUTORELEASE, &id);
		for (unsigned int i = 0; i < 6; i++)
			if (r[i] != want[i])
				actor_fail("binder: a bind that must fail", r[i]);
		atomic_fetch_add(&binds_failed, 6);
	}
	dmtok_close(net, small);
	return NULL;
}

/*
 * The largest dmabuf accepted: its niov arrays pass kvmalloc()'s INT_MAX,
 * so the bind is -ENOMEM with the kernel's WARN (__kvmalloc_node_noprof(),
 * 6.12; reachable only with CAP_NET_ADMIN). Once, before the threads, so
 * the WARN can be checked and cleared: any WARN during the run fails it.
 */
static bool huge_bind_warns(int ifi)
{
	int huge = dmtok_dmabuf_create(net, (uint64_t)DMTOK_MAX_NPAGES * 4096, 0, 0);
	unsigned int q1 = 1;
	uint32_t id;
	int r = dmtok_bind_rx_id(net, ifi, huge, &q1, 1, bind_flags, &id);
	/* 32 bits: kvmalloc_array()'s size overflows first, NULL without a WARN */
	unsigned long want = sizeof(size_t) > 4;

	dmtok_close(net, huge);
	if (r != -ENOMEM || dmtok_warn_count() != want) {
		fprintf(stderr, "stress: the too-large bind gave %d with %lu WARN(s), not -ENOMEM with %lu\n",
			r, dmtok_warn_count(), want);
		return false;
	}
	dmtok_warn_reset();
	return true;
}

/* bind -> receive -> unbind -> return everything -> close, on ifindex2 */
static void *cycler_thread(void *arg)
{
	char ctl[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 64];
	struct iovec iov = { NULL, 1 << 20 };
	unsigned int q0 = 0;

	(void)arg;
	dmtok_net_set_binding_id_cursor(net, UINT32_MAX - 16);	/* cross the u32 wrap */
	while (!atomic_load(&stop) && atomic_load(&cycles) < 2000) {
		struct dmabuf_token t[64];
		uint32_t tok[64];
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		int d = dmtok_dmabuf_create(net, 1 << 20, 0, 0), fd, flow, r;
		unsigned int n = 0;
		uint32_t id;

		fd = dmtok_socket(net, SOCK_STREAM, scheme);
		if (d < 0 || fd < 0) {
			actor_fail("cycler: dmabuf or socket", d < 0 ? d : fd);
			break;
		}
		r = dmtok_bind_rx_id(net, ifindex2, d, &q0, 1, bind_flags, &id);
		flow = dmtok_flow_create(net, ifindex2, 0, fd);
		if (r || flow < 0) {
			actor_fail("cycler: bind or flow", r ? r : flow);
			break;
		}
		(void)dmtok_nic_rx(net, flow, 16384);
		if (dmtok_recvmsg(net, fd, &msg, MSG_SOCK_DEVMEM) > 0)
			n = msg_tokens(&msg, tok, 64);
		for (unsigned int k = 0; k < n; k++)
			t[k] = (struct dmabuf_token){ tok[k], 1 };
		if (dmtok_unbind(net, id))
			actor_fail("cycler: unbind", -1);
		if (n && dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					  t, n * sizeof(t[0])) < 0)
			actor_fail("cycler: dontneed", n);
		dmtok_close(net, fd);
		dmtok_close(net, d);
		atomic_fetch_add(&cycles, 1);
	}
	return NULL;
}

static void *churner_thread(void *arg)
{
	const struct dmtok_scheme_ops *base = dmtok_scheme_find(scheme);

	(void)arg;
	for (unsigned int i = 0; base && !atomic_load(&stop); i++) {
		struct churn { struct dmtok_scheme_ops ops; char name[32]; } *c = malloc(sizeof(*c));
		int r, fd;

		if (!c)
			break;
		c->ops = *base;
		snprintf(c->name, sizeof(c->name), "churn-%u", i % 4);
		c->ops.name = c->name;
		if (!c->ops.model_xa_kernel)	/* the accepted range's ends */
			c->ops.model_xa_chunk_shift = i % 2 ? 1 : 6;
		r = dmtok_scheme_register(&c->ops);
		if (r)
			actor_fail("churner: register", r);
		fd = dmtok_socket(net, SOCK_STREAM, c->name);
		if (fd < 0)
			actor_fail("churner: socket", fd);
		else if (dmtok_scheme_unregister(c->name) != -EBUSY)	/* pinned */
			actor_fail("churner: unregister with a socket open", 0);
		if (fd >= 0)
			dmtok_close(net, fd);
		r = dmtok_scheme_unregister(c->name);
		while (r == -EBUSY)	/* the reader's plan pins it for a moment */
			r = dmtok_scheme_unregister(c->name);
		if (r)
			actor_fail("churner: unregister", r);
		memset(c, 0x5a, sizeof(*c));	/* what a freed ops reads as */
		free(c);
		atomic_fetch_add(&churns, 1);
	}
	return NULL;
}

static void *registry_reader_thread(void *arg)
{
	struct dmtok_plan_in in = { 1, 1, 1 << 20, 4096, 1, 100, 1 };
	struct dmtok_plan_mem_out out;
	struct dmtok_scheme_info info;
	char list[1024], name[32];

	(void)arg;
	for (unsigned int i = 0; !atomic_load(&stop); i++) {
		snprintf(name, sizeof(name), "churn-%u", i % 4);
		dmtok_scheme_list(list, sizeof(list));
		if (!dmtok_scheme_info(name, &info) && strcmp(info.name, name))
			actor_fail("registry reader: info names another scheme", 0);
		(void)dmtok_plan_scheme(&in, name, &out);
		atomic_fetch_add(&lookups, 1);
	}
	return NULL;
}

static void count_hook(void *arg, struct dmtok_net *n, int fd, uint32_t token)
{
	(void)n;
	(void)fd;
	(void)token;
	atomic_fetch_add((_Atomic uint64_t *)arg, 1);
}

static void *hook_thread(void *arg)
{
	struct timespec ts = { 0, 100000 };

	(void)arg;
	while (!atomic_load(&stop)) {
		dmtok_set_rx_hook(net, count_hook, &hook_calls);
		nanosleep(&ts, NULL);
		dmtok_set_rx_hook(net, NULL, NULL);
		nanosleep(&ts, NULL);
		atomic_fetch_add(&hook_sets, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct dmtok_netdev_opts o = { .nqueues = SOCKS, .rx_buf_size = 2048 };
	pthread_t nic[SOCKS], rd[SOCKS], rt[SOCKS][RETURNERS], gs[SOCKS], act[5], wd;
	double grace;
	void *(*const actors[5])(void *) = { binder_thread, cycler_thread, churner_thread,
					     registry_reader_thread, hook_thread };
	struct dmtok_net_counts cnt;
	unsigned int q[SOCKS];
	char msg[512];
	int dmabuf, binding, fails = 0, guess;
	uint64_t handed = 0, released = 0;

	struct dmtok_scheme_info info;

	while (argc > 1 && (!strcmp(argv[1], "--scheme-lib") || !strcmp(argv[1], "--kernel"))) {
		if (argc < 3) {
			fprintf(stderr, "stress: %s needs a value\n", argv[1]);
			return 2;
		}
		if (!strcmp(argv[1], "--kernel")) {
			if (dmtok_kernel_parse(argv[2], &kernel)) {
				fprintf(stderr, "stress: --kernel '%s': 6.12, 6.18 (7.0) or v10\n", argv[2]);
				return 2;
			}
		} else if (dmtok_scheme_load(argv[2], msg, sizeof(msg)) < 0) {
			fprintf(stderr, "stress: --scheme-lib: %s\n", msg);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc > 5) {
		fprintf(stderr, "stress: unexpected argument '%s' (usage: dmtok-stress "
			"[--scheme-lib PATH]... SCHEME [SECONDS] [SEED] [noguess])\n", argv[5]);
		return 2;
	}
	scheme = argc > 1 ? argv[1] : "slots";
	if (dmtok_scheme_info(scheme, &info)) {
		fprintf(stderr, "stress: unknown scheme '%s' (known: %s)\n", scheme,
			dmtok_scheme_list(msg, sizeof(msg)));
		return 2;
	}
	if (argc > 2) {
		char *end;
		double secs = strtod(argv[2], &end);

		if (end == argv[2] || *end || !(secs > 0 && secs <= 86400)) {
			fprintf(stderr, "stress: SECONDS '%s' is not a number of seconds in (0, 86400]\n",
				argv[2]);
			return 2;
		}
		deadline = now() + secs;
	} else {
		deadline = now() + 10;
	}
	seed = 1;
	if (argc > 3) {
		char *end;

		errno = 0;
		seed = strtoull(argv[3], &end, 0);
		if (end == argv[3] || *end || errno || argv[3][0] == '-') {
			fprintf(stderr, "stress: SEED '%s' is not an unsigned 64-bit number\n", argv[3]);
			return 2;
		}
	}
	if (argc > 4 && strcmp(argv[4], "noguess")) {
		fprintf(stderr, "stress: unexpected argument '%s' (the 4th may only be noguess)\n",
			argv[4]);
		return 2;
	}
	guess = argc <= 4;
	printf("stress: scheme %s, seed %llu, %d sockets x (1 reader + %d returners%s) + %d NIC threads\n",
	       scheme, (unsigned long long)seed, SOCKS, RETURNERS, guess ? " + 1 guesser" : "", SOCKS);
	if (dmtok_net_create(&net) || dmtok_net_set_kernel(net, kernel))
		return 1;
	ifindex = dmtok_netdev_create(net, &o);
	ifindex2 = dmtok_netdev_create(net, &o);
	bind_flags = info.bind_flags;
	if (!huge_bind_warns(ifindex2))
		return 1;
	dmabuf = dmtok_dmabuf_create(net, 8 << 20, 0, 0);
	for (unsigned int i = 0; i < SOCKS; i++)
		q[i] = i;
	binding = dmtok_bind_rx(net, ifindex, dmabuf, q, SOCKS, info.bind_flags);
	if (binding < 0) {
		fprintf(stderr, "stress: the bind failed (%s)%s\n", strerror(-binding),
			info.bind_flags & DMTOK_BIND_NO_AUTORELEASE && kernel != DMTOK_KERNEL_V10 ?
			": manual release is the v10 profile's (--kernel v10)" : "");
		return 2;
	}
	for (unsigned int i = 0; i < SOCKS; i++) {
		sk[i].fd = dmtok_socket(net, SOCK_STREAM, scheme);
		sk[i].flow = dmtok_flow_create(net, ifindex, i, sk[i].fd);
		pthread_mutex_init(&sk[i].q.lock, NULL);
		if (sk[i].fd < 0 || sk[i].flow < 0)
			return 1;
	}
	grace = (deadline - now()) + 30;
	pthread_create(&wd, NULL, watchdog_thread, &grace);
	for (unsigned int i = 0; i < 5; i++)
		pthread_create(&act[i], NULL, actors[i], NULL);
	for (unsigned int i = 0; i < SOCKS; i++) {
		if (guess)
			pthread_create(&gs[i], NULL, guesser_thread, &sk[i]);
		pthread_create(&nic[i], NULL, nic_thread, &sk[i]);
		pthread_create(&rd[i], NULL, reader_thread, &sk[i]);
		for (unsigned int j = 0; j < RETURNERS; j++)
			pthread_create(&rt[i][j], NULL, returner_thread, &sk[i]);
	}
	for (unsigned int i = 0; i < SOCKS; i++) {
		pthread_join(rd[i], NULL);
		for (unsigned int j = 0; j < RETURNERS; j++)
			pthread_join(rt[i][j], NULL);
	}
	atomic_store(&stop, 1);
	for (unsigned int i = 0; i < 5; i++)
		pthread_join(act[i], NULL);
	printf("actors: %llu failing binds, %llu bind-receive-unbind cycles, %llu registry churns, "
	       "%llu registry lookups, %llu hook set/clears (%llu hook calls)\n",
	       (unsigned long long)binds_failed, (unsigned long long)cycles,
	       (unsigned long long)churns, (unsigned long long)lookups,
	       (unsigned long long)hook_sets, (unsigned long long)hook_calls);
	if (actor_bad || !binds_failed || !cycles || !churns || !lookups || !hook_sets) {
		printf("FAIL: actors: %llu errors%s%s\n", (unsigned long long)actor_bad,
		       actor_bad ? ", first: " : " (or one never ran)", actor_why);
		fails++;
	}
	for (unsigned int i = 0; i < SOCKS; i++) {
		pthread_join(nic[i], NULL);
		if (guess)
			pthread_join(gs[i], NULL);
	}
	atomic_store(&finished, 1);
	pthread_join(wd, NULL);

	/* quiescent: the invariants must hold */
	if (dmtok_check(net, msg, sizeof(msg))) {
		printf("FAIL: invariant after the run: %s\n", msg);
		fails++;
	}
	for (unsigned int i = 0; i < SOCKS; i++) {
		printf("socket %u: %llu frags handed out, %llu returned, %llu stolen by the guesser, %llu errors\n",
		       i, (unsigned long long)sk[i].handed, (unsigned long long)sk[i].returned,
		       (unsigned long long)sk[i].stolen, (unsigned long long)sk[i].bad);
		handed += sk[i].handed;
		released += sk[i].returned + sk[i].stolen;
		if (sk[i].bad || !sk[i].handed)
			fails++;
		dmtok_close(net, sk[i].fd);
	}
	if (handed != released) {
		printf("FAIL: %llu frags handed out, %llu released\n",
		       (unsigned long long)handed, (unsigned long long)released);
		fails++;
	}
	dmtok_unbind(net, (uint32_t)binding);
	if (dmtok_check(net, msg, sizeof(msg))) {
		printf("FAIL: invariant after close: %s\n", msg);
		fails++;
	}
	dmtok_net_counts(net, &cnt);
	if (cnt.niovs_out || cnt.bindings || cnt.page_pools) {
		printf("FAIL: after close+unbind: %lu niovs out, %lu bindings, %lu pools\n",
		       cnt.niovs_out, cnt.bindings, cnt.page_pools);
		fails++;
	}
	if (dmtok_net_destroy(net)) {
		printf("FAIL: the net could not be destroyed: something is still alive\n");
		fails++;
	}
	return dmtok_verdict("stress", fails);
}
