// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Deterministic reproducer of the upstream devmem TCP reservation leak
 * (Linux 6.12 net/ipv4/tcp.c and net/core/sock.c; the code is unchanged
 * in 6.18), through dmtok's socket API only:
 *
 *   dmtok-leak-repro [--scheme-lib PATH] [--token0 | --alias] [--kernel VER]
 *                    [SCHEME]
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
 * Exit status: 1 for a leak or a double put (--alias: for aliasing), 0 if
 * clean, 2 on a usage or setup error.
 *
 * --token0 runs the second way in, found by the differential XArray
 * fuzzer and confirmed on the kernel's own lib/xarray.c: a dontneed of
 * token 0 (never issued) erases XA_FLAGS_ALLOC1's zero entry at index 0,
 * so the next refill reserves id 0; if the user then returns the one
 * token it legitimately holds while recvmsg sits between refill and
 * commit, the tree holds nothing but that reservation at index 0 and
 * xas_shrink() drops it -- the commit again stores nothing.
 *
 * --alias follows the first way in to its worst consequence. The erased
 * id is free again, so when the same recvmsg goes on to the next skb,
 * tcp_xa_pool_refill()'s __xa_alloc() reserves it again (lowest free id)
 * for another frag: the user holds two cmsgs with one token. Returning
 * it for the first frag releases the second, whose page goes back to the
 * page pool while the user still reads it; another flow's packets then
 * land in it. The run shows each step on a backed dmabuf, with
 * dmtok_check_held() naming the aliasing, and says ALIASED (exit 1) or
 * CLEAN (exit 0: a fixed scheme hands out every token once and no held
 * page is ever refilled).
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
	uint32_t token;		/* the token the racing return named */
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
	r->token = token;
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

#define ALIAS_PAGES	32	/* a small dmabuf: the pool cycles through it fast */
#define ALIAS_FRAGS	18	/* one more than MAX_SKB_FRAGS: two skbs */

/* One recvmsg of up to @len bytes; appends its frags' cmsgs to @held. */
static ssize_t recv_held(struct dmtok_net *net, int fd, size_t len,
			 struct dmabuf_cmsg *held, size_t *nheld, size_t room)
{
	union { char c[64 * CMSG_SPACE(sizeof(struct dmabuf_cmsg))]; struct cmsghdr align; } ctl;
	static char buf[ALIAS_FRAGS * 4096];
	struct iovec iov = { buf, len < sizeof(buf) ? len : sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
	ssize_t n = dmtok_recvmsg(net, fd, &mh, MSG_SOCK_DEVMEM);
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	int type;

	if (n > 0)
		dmtok_cmsg_for_each(&mh, cm, type, &dc)
			if (type == SCM_DEVMEM_DMABUF && *nheld < room)
				held[(*nheld)++] = dc;
	return n;
}

/* One recvmsg of up to 4 KiB; returns its bytes and the last frag's token in *@token. */
static ssize_t recv_one(struct dmtok_net *net, int fd, uint32_t *token)
{
	struct dmabuf_cmsg held[64];
	size_t n = 0;
	ssize_t got = recv_held(net, fd, 4096, held, &n, 64);

	if (n)
		*token = held[n - 1].frag_token;
	return got;
}

/* Does the user's frag still hold flow @flow's bytes from stream offset @at? */
static long frag_overwritten(const uint8_t *map, const struct dmabuf_cmsg *frag, int flow,
			     uint64_t at)
{
	for (uint32_t k = 0; k < frag->frag_size; k++)
		if (map[frag->frag_offset + k] != dmtok_flow_pattern(flow, at + k))
			return (long)k;
	return -1;
}

/* What the user holds: its cmsgs, and each one's frag number in the stream. */
struct held {
	struct dmabuf_cmsg cm[ALIAS_FRAGS + 1];
	unsigned int no[ALIAS_FRAGS + 1];
	size_t n;
};

static void held_drop(struct held *h, size_t i)
{
	h->n--;
	memmove(&h->cm[i], &h->cm[i + 1], (h->n - i) * sizeof(h->cm[0]));
	memmove(&h->no[i], &h->no[i + 1], (h->n - i) * sizeof(h->no[0]));
}

static int held_check(struct dmtok_net *net, int fd, const struct held *h)
{
	char msg[512];
	int ret = dmtok_check_held(net, fd, h->cm, h->n, msg, sizeof(msg));

	printf("   checker (what the user holds): %s\n",
	       ret ? msg : "every frag the user holds is referenced for it");
	return ret != 0;
}

/*
 * --alias: the first way in, then the same recvmsg's next skb, then
 * another flow through the pool. Returns ALIAS_SEEN if the user ended up
 * with a token naming two frags, a held frag unreferenced or its page
 * refilled; ALIAS_POOL_DRY if the pool ran out of pages although every
 * frag but the held ones was returned; 0 if none of that; 2 on a setup
 * error.
 */
enum { ALIAS_SEEN = 1, ALIAS_POOL_DRY = 3 };

static int alias_run(struct dmtok_net *net, const char *scheme, int ifi, int dmabuf, int fd,
		     int flow)
{
	const uint64_t last_at = (ALIAS_FRAGS - 1) * 4096;	/* frag 18 in flow A */
	struct dmabuf_cmsg other[1];
	struct race race = { 0 };
	struct held h = { .n = 0 };
	struct dmabuf_token t;
	const uint8_t *map = NULL;
	size_t nother, i, j;
	int fd2, flow2, ret, aliased = 0;
	uint64_t mapsize;
	long bad = -1;

	/* another socket, another flow, steered to the same queue */
	if ((fd2 = dmtok_socket(net, SOCK_STREAM, scheme)) < 0 ||
	    (flow2 = dmtok_flow_create(net, ifi, 0, fd2)) < 0 ||
	    dmtok_dmabuf_map(net, dmabuf, &map, &mapsize)) {
		fprintf(stderr, "setup failed: second flow or dmabuf map\n");
		return 2;
	}
	/* 2. two skbs on the socket: 17 frags, then 1 */
	if (dmtok_nic_rx(net, flow, ALIAS_FRAGS * 4096) != ALIAS_FRAGS * 4096) {
		fprintf(stderr, "setup failed: nic_rx\n");
		return 2;
	}
	printf("2. NIC queued %d devmem frags of flow A: an skb of 17 (MAX_SKB_FRAGS), then one"
	       " of 1\n", ALIAS_FRAGS);
	/* 3 + 4. the racing return inside recvmsg, and the same recvmsg's next skb */
	dmtok_set_rx_hook(net, racing_dontneed, &race);
	ret = (int)recv_held(net, fd, ALIAS_FRAGS * 4096, h.cm, &h.n, ALIAS_FRAGS + 1);
	dmtok_set_rx_hook(net, NULL, NULL);
	if (h.n != ALIAS_FRAGS) {
		fprintf(stderr, "setup failed: %zu frags, expected %d\n", h.n, ALIAS_FRAGS);
		return 2;
	}
	printf("4. the same recvmsg returned %d bytes in %zu cmsgs; their tokens, frag by frag:",
	       ret, h.n);
	for (i = 0; i < h.n; i++) {
		h.no[i] = (unsigned int)i + 1;
		printf(" %u", h.cm[i].frag_token);
	}
	printf("\n");
	if (race.released > 0) {
		/*
		 * The racing return released a frag the process was being
		 * handed: its other thread gave it back unread -- its own
		 * doing, and no longer held.
		 */
		for (i = 0; i < h.n - 1 && h.cm[i].frag_token != race.token; i++)
			;
		printf("   the racing return had released frag %u (token %u): the process gave it"
		       " back unread and no longer holds it\n", h.no[i], race.token);
		held_drop(&h, i);
	}
	for (i = 0; i < h.n; i++)
		for (j = i + 1; j < h.n; j++)
			if (h.cm[i].frag_token == h.cm[j].frag_token) {
				aliased = 1;
				printf("   token %u is in two cmsgs: frag %u (dmabuf offset %llu) and"
				       " frag %u (offset %llu)%s\n", h.cm[i].frag_token, h.no[i],
				       (unsigned long long)h.cm[i].frag_offset, h.no[j],
				       (unsigned long long)h.cm[j].frag_offset,
				       h.no[i] < ALIAS_FRAGS && h.no[j] == ALIAS_FRAGS ?
				       ": the racing return freed the"
				       " reservation of skb 1 and skb 2's refill reserved the id again" :
				       "");
			}
	aliased |= held_check(net, fd, &h);
	/* 5. the user is done with the first frag it holds: returns its token, once */
	t = (struct dmabuf_token){ h.cm[0].frag_token, 1 };
	ret = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
	printf("5. the user, done with frag %u, returns its token, %u: released %d\n", h.no[0],
	       t.token_start, ret);
	held_drop(&h, 0);
	aliased |= held_check(net, fd, &h);
	/* 6. flow B streams through the pool; the user still holds frag 18 */
	j = h.n - 1;
	for (i = 0; i < 4 * ALIAS_PAGES && bad < 0; i++) {
		nother = 0;
		if (dmtok_nic_rx(net, flow2, 4096) != 4096) {
			/* every frag but the held ones was returned: the pool has pages */
			printf("6. flow B's packet %zu found no free page: returned frags are not"
			       " coming back to the page pool\n", i + 1);
			dmtok_close(net, fd2);
			return ALIAS_POOL_DRY;
		}
		if (recv_held(net, fd2, 4096, other, &nother, 1) != 4096 || nother != 1) {
			fprintf(stderr, "setup failed: flow B, packet %zu\n", i + 1);
			return 2;
		}
		t = (struct dmabuf_token){ other[0].frag_token, 1 };
		if (dmtok_setsockopt(net, fd2, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t)) < 0) {
			fprintf(stderr, "setup failed: flow B's return\n");
			return 2;
		}
		bad = frag_overwritten(map, &h.cm[j], flow, last_at);
	}
	if (bad >= 0) {
		aliased = 1;
		printf("6. flow B's packet %zu landed in the page of frag %u, which the user still"
		       " holds as token %u: its byte %ld reads 0x%02x, flow A sent 0x%02x\n", i,
		       h.no[j], h.cm[j].frag_token, bad,
		       map[h.cm[j].frag_offset + (uint64_t)bad],
		       dmtok_flow_pattern(flow, last_at + (uint64_t)bad));
	} else {
		printf("6. flow B streamed %zu packets through the pool; frag %u, still held,"
		       " kept flow A's bytes\n", i, h.no[j]);
	}
	dmtok_close(net, fd2);
	return aliased;
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
	int token0 = 0, alias = 0, scheme_set = 0, aliased = 0;
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
		} else if (!strcmp(argv[i], "--alias")) {
			alias = 1;
		} else if (!strcmp(argv[i], "--kernel")) {
			if (i + 1 >= argc || dmtok_kernel_parse(argv[++i], &kernel)) {
				fprintf(stderr, "dmtok-leak-repro: --kernel takes 6.12, 6.18, 7.0 or v10\n");
				return 2;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "dmtok-leak-repro: unknown option '%s' (usage: dmtok-leak-repro "
				"[--scheme-lib PATH] [--token0 | --alias] [--kernel VER] [SCHEME])\n",
				argv[i]);
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
	if (token0 && alias) {
		fprintf(stderr, "dmtok-leak-repro: --token0 and --alias are two runs: pick one\n");
		return 2;
	}
	printf("scheme %s%s\n", scheme, token0 ? ", the token-0 way in" :
	       alias ? ", the aliasing that follows" : "");
	/* 1. a binding, a socket, a flow (net_devmem_bind_dmabuf, tcp_init_sock) */
	if (dmtok_net_create(&net) || dmtok_net_set_kernel(net, kernel) ||
	    (ifi = dmtok_netdev_create(net, &o)) < 0 ||
	    (dmabuf = dmtok_dmabuf_create(net, alias ? ALIAS_PAGES * 4096 : 1 << 20, 0,
					  alias ? DMTOK_DMABUF_BACKED : 0)) < 0 ||
	    (binding = dmtok_bind_rx(net, ifi, dmabuf, &q, 1, info.bind_flags)) < 0 ||
	    (fd = dmtok_socket(net, SOCK_STREAM, scheme)) < 0 ||
	    (flow = dmtok_flow_create(net, ifi, 0, fd)) < 0) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	if (alias) {
		aliased = alias_run(net, scheme, ifi, dmabuf, fd, flow);
		if (aliased == 2)
			return 2;
		goto close;
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
close:
	/* 6. close: tcp_release_user_frags() puts what the scheme still holds */
	dmtok_close(net, fd);
	printf("%d. close\n", alias ? 7 : 6);
	/* 7. every niov must be back with the page pool */
	warns = dmtok_warn_count();
	leak = dmtok_check(net, msg, sizeof(msg)) != 0;
	printf("%d. checker: %s\n", alias ? 8 : 7, leak ? msg : "every pp_ref_count accounted for");
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
	if (aliased == ALIAS_POOL_DRY)
		printf("%s: POOL DRY -- returned frags do not come back to the page pool\n", scheme);
	else if (aliased)
		printf("%s: ALIASED -- one token named two frags; returning it released a page the"
		       " user still held%s\n", scheme, leak ? " (and a reference leaked)" : "");
	else if (leak)
		printf("%s: LEAK -- a frag's page-pool reference is held by nobody\n", scheme);
	else if (warns)
		printf("%s: DOUBLE PUT -- %lu WARN%s: a reference was dropped twice\n", scheme,
		       warns, warns == 1 ? "" : "s");
	else
		printf("%s: CLEAN -- no leak, no double put\n", scheme);
	return aliased || leak || warns ? 1 : 0;
}
