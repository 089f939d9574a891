// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-explore: every interleaving, up to a preemption bound, of small
 * scenarios over the socket face -- the races the kernel allows between
 * tcp_recvmsg_dmabuf() (socket lock held), sock_devmem_dontneed() (no
 * socket lock: sk_setsockopt(), net/core/sock.c), tcp_close(), the
 * netlink unbind (net_devmem_unbind_dmabuf()), NAPI refilling and
 * recycling (page_pool_alloc_netmems(), napi_pp_put_page()) and a bind
 * that fails -- run by dmtok_explore()'s deterministic scheduler
 * (include/dmtok/explore.h). After each interleaving: the model's
 * invariant checker, the WARN count, token aliasing (one token on two
 * frags a thread holds), the sanitizers, and a full teardown that must
 * leave nothing behind.
 *
 * usage: dmtok-explore [--scheme-lib PATH] [--kernel VER] [--bound N]
 *                      [--max N] [--scenario NAME] [--replay SCHEDULE]
 *                      [--log FILE] SCHEME
 * --log writes each interleaving's schedule before it runs: after a
 * crash, its last line is the --replay of the one that crashed.
 * One line per scenario (interleavings explored, the bound, the longest
 * interleaving's scheduling points); a failing one is printed with the
 * command that replays it. The last line is the verdict (tests/verdict.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/explore.h"
#include "dmtok/scheme.h"
#include "../verdict.h"

#define NPAGES		16
#define MAXTOK		16

struct held {
	unsigned int n;
	uint32_t tok[MAXTOK];
};

static struct {
	const char *scheme;
	unsigned int bind_flags;
	enum dmtok_kernel kernel;
	struct dmtok_test_allocator ta;
	struct dmtok_net *net;
	int ifindex, dmabuf, fd, flow;
	uint32_t bid;
	bool closed, unbound;
	struct held pre;		/* taken in setup */
	struct held got[DMTOK_EXPLORE_MAX_THREADS];	/* received by each thread */
	unsigned long sanitizer_before;
	char err[DMTOK_EXPLORE_MAX_THREADS][160];	/* each thread's unexpected result */
} E;

/* Each thread writes only its own slot: the scenarios share nothing unsynchronised. */
static _Thread_local unsigned int self;

static void thread_err(const char *what, long got)
{
	if (!E.err[self][0])
		snprintf(E.err[self], sizeof(E.err[self]), "%s: %ld", what, got);
}

/* recvmsg(MSG_SOCK_DEVMEM) of what is queued; the tokens go to @h. */
static ssize_t recv_tokens(struct held *h)
{
	union { char c[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * MAXTOK]; struct cmsghdr a; } ctl;
	struct iovec iov = { NULL, NPAGES * 4096 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.c, .msg_controllen = sizeof(ctl.c) };
	ssize_t n = dmtok_recvmsg(E.net, E.fd, &msg, MSG_SOCK_DEVMEM | MSG_DONTWAIT);
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	int type;

	if (n > 0)
		dmtok_cmsg_for_each(&msg, cm, type, &dc)
			if (type == SCM_DEVMEM_DMABUF && h->n < MAXTOK)
				h->tok[h->n++] = dc.frag_token;
	return n;
}

static int dontneed(uint32_t start, uint32_t count)
{
	struct dmabuf_token t = { start, count };

	return dmtok_setsockopt(E.net, E.fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
}

static void return_all(struct held *h)
{
	for (unsigned int i = 0; i < h->n; i++)
		(void)dontneed(h->tok[i], 1);
	h->n = 0;
}

/* ---- the scenarios ---- */

struct scenario {
	const char *name;
	const char *what;
	unsigned int nthreads;
	unsigned int frags;		/* delivered in setup */
	bool pre_take;			/* setup: receive one frag and hold it first */
	void (*thread)(unsigned int t);
	bool nowait_fails;		/* struct dmtok_explore_ops */
};

/* Thread 0's usual part: a recvmsg, then (@give_back) its tokens returned. */
static void recv_then_return(bool give_back)
{
	if (recv_tokens(&E.got[0]) < 0)
		thread_err("recvmsg", -1);
	if (give_back)
		return_all(&E.got[0]);
}

/* The netlink unbind, then the token held since setup returned. */
static void unbind_then_return_held(void)
{
	int r = dmtok_unbind(E.net, E.bid);

	if (r)
		thread_err("unbind", r);
	E.unbound = true;
	return_all(&E.pre);
}

/* T0 receives and returns; T1 returns tokens it never got: 0, and the next three */
static void th_guess(unsigned int t)
{
	if (t == 0) {
		recv_then_return(true);
	} else {
		(void)dontneed(0, 4);
	}
}

/* T0 receives; T1 returns the token held since setup (after a stray 0) */
static void th_held(unsigned int t)
{
	if (t == 0) {
		recv_then_return(false);
	} else {
		return_all(&E.pre);
	}
}

/* T0 receives and returns; T1 closes the socket */
static void th_close(unsigned int t)
{
	if (t == 0) {
		(void)recv_tokens(&E.got[0]);	/* -EBADF once closed */
		return_all(&E.got[0]);
	} else {
		int r = dmtok_close(E.net, E.fd);

		if (r)
			thread_err("close", r);
		E.closed = true;	/* what T0 holds went with the socket */
	}
}

/* T0 receives and returns; T1 unbinds, then returns the held token */
static void th_unbind(unsigned int t)
{
	if (t == 0) {
		recv_then_return(true);
	} else {
		unbind_then_return_held();
	}
}

/* T0 receives and returns; T1 is NAPI delivering one more frag */
static void th_napi(unsigned int t)
{
	if (t == 0) {
		recv_then_return(true);
	} else {
		ssize_t n = dmtok_nic_rx(E.net, E.flow, 4096);

		if (n != 4096)
			thread_err("NIC rx", (long)n);
	}
}

/*
 * T0: a bind that fails after taking its id; T1 unbinds and returns the
 * last niov, freeing the binding (the model's #21 race: the failing
 * bind's error path walked the bindings while the put path freed one).
 */
static void th_bindfail(unsigned int t)
{
	if (t == 0) {
		unsigned int far = 200;
		uint32_t id;
		int r = dmtok_bind_rx_id(E.net, E.ifindex, E.dmabuf, &far, 1, E.bind_flags, &id);

		if (r != (E.kernel == DMTOK_KERNEL_6_12 ? -ERANGE : -EINVAL))
			thread_err("a bind that must fail", r);
	} else {
		unbind_then_return_held();
	}
}

static const struct scenario scenarios[] = {
	{ "guess", "recvmsg of a 2-frag skb + return | dontneed of tokens not held (0..3)",
	  2, 2, false, th_guess, false },
	{ "held", "recvmsg | return of the token held (after a stray dontneed of 0)",
	  2, 1, true, th_held, false },
	{ "close", "recvmsg of a 2-frag skb + return | close", 2, 2, false, th_close, false },
	{ "unbind", "recvmsg + return | unbind, then return the token held",
	  2, 1, true, th_unbind, false },
	{ "napi", "recvmsg + return | NAPI delivering a frag", 2, 1, false, th_napi,
	  false },
	{ "bind-fail", "a bind that fails | unbind + return of the last niov",
	  2, 0, true, th_bindfail, false },
	/* under memory pressure: XArray nodes through __xas_nomem()'s lock drop */
	{ "guess-nomem", "guess, with every GFP_NOWAIT/GFP_ATOMIC allocation failing",
	  2, 2, false, th_guess, true },
	{ "held-nomem", "held, with every GFP_NOWAIT/GFP_ATOMIC allocation failing",
	  2, 1, true, th_held, true },
};

static const struct scenario *cur;

static int setup(void *ctx)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	unsigned int q = 0;
	int r;

	(void)ctx;
	memset(&E.net, 0, sizeof(E) - offsetof(__typeof__(E), net));
	dmtok_test_allocator_install(&E.ta);
	dmtok_warn_reset();
	E.sanitizer_before = dmtok_verdict_sanitizer_reports();
	if ((r = dmtok_net_create(&E.net)) || (r = dmtok_net_set_kernel(E.net, E.kernel)) ||
	    (r = E.ifindex = dmtok_netdev_create(E.net, &o)) < 0 ||
	    (r = E.dmabuf = dmtok_dmabuf_create(E.net, NPAGES * 4096, 0, 0)) < 0 ||
	    (r = dmtok_bind_rx_id(E.net, E.ifindex, E.dmabuf, &q, 1, E.bind_flags, &E.bid)) ||
	    (r = E.fd = dmtok_socket(E.net, SOCK_STREAM, E.scheme)) < 0 ||
	    (r = E.flow = dmtok_flow_create(E.net, E.ifindex, 0, E.fd)) < 0)
		goto fail;
	if (cur->pre_take) {
		if ((r = (int)dmtok_nic_rx(E.net, E.flow, 4096)) != 4096 ||
		    (r = (int)recv_tokens(&E.pre)) != 4096 || E.pre.n != 1) {
			r = r < 0 ? r : -EIO;
			goto fail;
		}
		(void)dontneed(0, 1);	/* a stray return of a token never issued */
	}
	if (cur->frags && (r = (int)dmtok_nic_rx(E.net, E.flow, cur->frags * 4096)) !=
			   (int)(cur->frags * 4096)) {
		r = r < 0 ? r : -EIO;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "explore: %s: setup failed: %s\n", cur->name, strerror(-r));
	return r < 0 ? r : -EIO;
}

/* Two frags a thread holds under one token: the aliasing of the upstream leak. */
static bool aliased(char *msg, size_t len)
{
	struct held all = E.pre;

	if (E.closed)	/* close returned everything */
		return false;
	for (unsigned int t = 0; t < DMTOK_EXPLORE_MAX_THREADS; t++)
		for (unsigned int i = 0; i < E.got[t].n && all.n < MAXTOK; i++)
			all.tok[all.n++] = E.got[t].tok[i];
	for (unsigned int i = 0; i < all.n; i++)
		for (unsigned int j = i + 1; j < all.n; j++)
			if (all.tok[i] == all.tok[j]) {
				snprintf(msg, len, "token %u handed out twice while held", all.tok[i]);
				return true;
			}
	return false;
}

/* The first WARN site hit, as dmtok_warn_report() names it. */
static void warn_msg(char *msg, size_t len)
{
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	if (f) {
		dmtok_warn_report(f);
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(msg, len, "%s", buf[0] ? buf : "a WARN fired");
}

static int finish(void *ctx, char *msg, size_t len)
{
	struct dmtok_net_counts c;
	int bad = 1;

	(void)ctx;
	msg[0] = '\0';
	for (unsigned int t = 0; t < DMTOK_EXPLORE_MAX_THREADS && !msg[0]; t++)
		if (E.err[t][0])
			snprintf(msg, len, "thread %u: unexpected result: %s", t, E.err[t]);
	if (msg[0])
		;
	else if (dmtok_warn_count())
		warn_msg(msg, len);
	else if (dmtok_verdict_sanitizer_reports() != E.sanitizer_before)
		snprintf(msg, len, "a sanitizer reported");
	else if (!aliased(msg, len) && !dmtok_check(E.net, msg, len))
		bad = 0;
	/* teardown: everything must come home */
	if (!E.closed)
		(void)dmtok_close(E.net, E.fd);
	if (!E.unbound)
		(void)dmtok_unbind(E.net, E.bid);
	if (!bad) {
		if (dmtok_net_counts(E.net, &c) || c.niovs_out || c.page_pools || c.sockets) {
			snprintf(msg, len, "teardown: %lu niov(s), %lu page pool(s), %lu socket(s) left",
				 c.niovs_out, c.page_pools, c.sockets);
			bad = 1;
		}
	}
	if (dmtok_net_destroy(E.net) && !bad) {
		snprintf(msg, len, "teardown: dmtok_net_destroy() left something");
		bad = 1;
	}
	if (!bad && dmtok_test_allocator_live(&E.ta)) {
		snprintf(msg, len, "teardown: %ld allocation(s) never freed",
			 dmtok_test_allocator_live(&E.ta));
		bad = 1;
	}
	dmtok_test_allocator_install(NULL);
	return bad;
}

static void thread(void *ctx, unsigned int t)
{
	(void)ctx;
	self = t;
	cur->thread(t);
}

static int usage(const char *why)
{
	fprintf(stderr, "explore: %s\nusage: dmtok-explore [--scheme-lib PATH] [--kernel VER] "
		"[--bound N] [--max N] [--scenario NAME] [--replay SCHEDULE] [--log FILE] SCHEME\n", why);
	return 2;
}

int main(int argc, char **argv)
{
	struct dmtok_explore_opts o = { .bound = 2 };
	static struct dmtok_explore_result r;
	struct dmtok_scheme_info info;
	const char *only = NULL, *lib = NULL, *kernel = NULL;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char msg[512];
	int fails = 0, ran = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		char *end;

		if (!strcmp(a, "--scheme-lib") && has) {
			lib = argv[++i];
		} else if (!strcmp(a, "--kernel") && has) {
			kernel = argv[++i];
		} else if (!strcmp(a, "--scenario") && has) {
			only = argv[++i];
		} else if (!strcmp(a, "--log") && has) {
			o.log = fopen(argv[++i], "w");
			if (!o.log) {
				fprintf(stderr, "explore: --log %s: %s\n", argv[i], strerror(errno));
				return 2;
			}
		} else if (!strcmp(a, "--replay") && has) {
			o.replay = argv[++i];
		} else if ((!strcmp(a, "--bound") || !strcmp(a, "--max")) && has) {
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end || !*argv[i] || argv[i][0] == '-' || v > 1000000000UL)
				return usage("--bound and --max take a number");
			if (a[2] == 'b')
				o.bound = (unsigned int)v;
			else
				o.max_execs = v;
		} else if (a[0] == '-') {
			snprintf(msg, sizeof(msg), "unknown option or missing argument: '%s'", a);
			return usage(msg);
		} else if (E.scheme) {
			return usage("one SCHEME");
		} else {
			E.scheme = a;
		}
	}
	if (lib && dmtok_scheme_load(lib, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "explore: --scheme-lib: %s\n", msg);
		return 2;
	}
	if (!E.scheme)
		return usage("no SCHEME");
	if (dmtok_scheme_info(E.scheme, &info)) {
		fprintf(stderr, "explore: unknown scheme '%s' (known: %s)\n", E.scheme,
			dmtok_scheme_list(msg, sizeof(msg)));
		return 2;
	}
	E.kernel = DMTOK_KERNEL_V10;
	if (kernel && dmtok_kernel_parse(kernel, &E.kernel))
		return usage("--kernel takes 6.12, 6.18, 7.0 or v10");
	E.bind_flags = info.bind_flags;
	if (o.replay && !only)
		return usage("--replay needs --scenario");
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		int err;

		cur = &scenarios[s];
		if (only && strcmp(only, cur->name))
			continue;
		ran++;
		err = dmtok_explore(&(struct dmtok_explore_ops){
					.nthreads = cur->nthreads, .nowait_fails = cur->nowait_fails,
					.setup = setup, .thread = thread, .finish = finish },
				    NULL, &o, &r);
		if (err == -EINVAL && o.replay)
			return usage("--replay: a schedule is runs of thread numbers, e.g. 0*12,1*3");
		if (ran == 1 && !err)
			printf("scheduling points: %s\n", r.every_primitive ?
			       "every <dmtok/kernel.h> primitive, the model's locks" :
			       "locks, allocations, page-pool puts only (for every primitive: "
			       "a sanitizer build, or meson -Dsched_points=enabled)");
		if (err) {
			fprintf(stderr, "explore: %s: %s\n", cur->name, strerror(-err));
			fails++;
			continue;
		}
		printf("%-10s %s: %lu interleaving(s)%s, bound %u, up to %lu scheduling points%s\n",
		       cur->name, E.scheme, r.execs, r.complete ? " (all)" : "", o.bound,
		       r.max_points, r.failed ? ": FAILED" : "");
		if (r.failed) {
			fails++;
			printf("  why: %s\n  scenario: %s\n  replay: %s%s%s --scenario %s "
			       "--replay %s%s%s %s\n", r.msg, cur->what, prog, lib ? " --scheme-lib " : "",
			       lib ? lib : "", cur->name, r.schedule, kernel ? " --kernel " : "",
			       kernel ? kernel : "", E.scheme);
			dmtok_warn_report(stdout);
			dmtok_warn_reset();	/* reported: the verdict counts the scenario */
		}
	}
	if (!ran) {
		fprintf(stderr, "explore: no scenario named '%s'\n", only);
		return 2;
	}
	return dmtok_verdict(E.scheme, fails);
}
