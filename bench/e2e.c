// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * End to end: the same work through the socket face, as a client sees it
 * -- dmtok_recvmsg() with real cmsgs, dmtok_setsockopt(SO_DEVMEM_DONTNEED)
 * 128 tokens at a time -- one socket per worker, every call through the
 * fd table (a lock-free lookup, as the kernel's fdget()). A separate net
 * with a real NIC path feeds the sockets; only the socket calls are timed
 * (thread CPU time), the NIC's work is not.
 */
#include "bench.h"

/* Returns the oldest @k of the @held tokens with one SO_DEVMEM_DONTNEED. */
static int e2e_return(struct e2e_worker *w, struct dmabuf_token *toks,
		      unsigned int *held, unsigned int k)
{
	if (dmtok_setsockopt(w->net, w->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, toks,
			     k * sizeof(*toks)) != (int)k)
		return EIO;
	memmove(toks, toks + k, (*held - k) * sizeof(*toks));
	*held -= k;
	return 0;
}

static void *e2e_run(void *arg)
{
	union { char c[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * (BATCH_FRAGS + 1)]; struct cmsghdr a; } ctl;
	struct e2e_worker *w = arg;
	struct dmabuf_token *toks = calloc(w->c->outstanding + BATCH_FRAGS, sizeof(*toks));
	static __thread char buf[BATCH_FRAGS * 4096];
	unsigned int held = 0;

	if (!toks) {
		w->err = ENOMEM;
		return NULL;
	}
	while (w->frags < w->c->frags && !w->err) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
		struct dmabuf_cmsg dc;
		struct cmsghdr *cm;
		int type;
		double t0;
		ssize_t r;

		if (dmtok_nic_rx(w->net, w->flow, BATCH_FRAGS * 4096) != BATCH_FRAGS * 4096) {
			w->err = ENOBUFS;
			break;
		}
		t0 = thread_ns();
		r = dmtok_recvmsg(w->net, w->fd, &msg, MSG_SOCK_DEVMEM);
		if (r != BATCH_FRAGS * 4096) {
			w->err = r < 0 ? errno : EIO;
			break;
		}
		dmtok_cmsg_for_each(&msg, cm, type, &dc) {
			if (type != SCM_DEVMEM_DMABUF)
				continue;
			toks[held++] = (struct dmabuf_token){ dc.frag_token, 1 };
			w->pages[w->frags++] = (uint32_t)(dc.frag_offset / 4096);
		}
		while (held >= w->c->outstanding && !w->err)
			w->err = e2e_return(w, toks, &held, min(held, w->c->batch));
		w->ns += thread_ns() - t0 - clock_pair_ns;
	}
	while (held && !w->err)
		w->err = e2e_return(w, toks, &held, min(held, w->c->batch));
	free(toks);
	return NULL;
}

/*
 * Direct ops over @b's niovs in the pages @w received, the same batches
 * and returns: what the socket face's run cost without the socket face.
 * CPU ns per frag, or -1. The NIC posts every page of each queue again
 * meanwhile (dmtok_nic_hold_pages()), so each carries the skb's
 * reference, as in the main runs.
 */
static double e2e_direct(const struct cfg *c, const struct dmtok_scheme_ops *ops,
			 struct net_devmem_dmabuf_binding *b, struct dmtok_net *net, int ifi,
			 const struct e2e_worker *e)
{
	struct totals t = { 0 };
	int err = 0;

	for (unsigned int i = 0; i < c->workers; i++)
		err |= dmtok_nic_hold_pages(net, ifi, i) < 0;
	if (!err)
		err = run_workers(c, ops, b, 0, e, &t);
	for (unsigned int i = 0; i < c->workers; i++)
		dmtok_nic_release_pages(net, ifi, i);
	return err || t.err || !t.frags ? -1 : (t.rx_ns + t.dn_ns) / (double)t.frags;
}

/*
 * One end-to-end run of one scheme: the configured workload (dmabuf size,
 * workers, batch, held) through dmtok_recvmsg()/dmtok_setsockopt(), then
 * the same frags' pages again through the scheme's ops directly, on the
 * same binding: the difference of the two is the socket face's cost, the
 * work and the cache footprint being the same. CPU ns per frag in *@sock
 * and *@direct; -1 if the run failed. Sequential pages only: the NIC
 * takes pages in the page pool's order, so -R cannot go through it.
 */
void e2e_once(const struct cfg *c, const struct dmtok_scheme_ops *ops,
	      double *sock, double *direct)
{
	struct dmtok_netdev_opts o = { .nqueues = c->workers, .mss = 4096, .pool_ring_size = 256 };
	struct net_devmem_dmabuf_binding *b = NULL;
	unsigned int q[MAX_WORKERS];
	struct e2e_worker w[MAX_WORKERS];
	struct dmtok_scheme_info info;
	struct dmtok_net *net;
	double ns = 0, frags = 0;
	int ifi, d, id = -1, err = 0;

	*sock = *direct = -1;
	if (dmtok_scheme_info(ops->name, &info) || dmtok_net_create(&net))
		return;
	if (dmtok_net_set_kernel(net, c->kernel)) {
		dmtok_net_destroy(net);
		return;
	}
	for (unsigned int i = 0; i < c->workers; i++)
		q[i] = i;
	ifi = dmtok_netdev_create(net, &o);
	d = dmtok_dmabuf_create(net, c->dmabuf_size, 4096, 0);
	if (ifi < 0 || d < 0 || (id = dmtok_bind_rx(net, ifi, d, q, c->workers, info.bind_flags)) < 0) {
		dmtok_net_destroy(net);
		return;
	}
	b = dmtok_binding_lookup(net, (uint32_t)id);
	for (unsigned int i = 0; i < c->workers; i++) {
		w[i] = (struct e2e_worker){ .c = c, .net = net };
		w[i].pages = calloc(c->frags + BATCH_FRAGS, sizeof(*w[i].pages));
		w[i].fd = dmtok_socket(net, SOCK_STREAM, ops->name);
		w[i].flow = dmtok_flow_create(net, ifi, i, w[i].fd);
		if (!w[i].pages || w[i].fd < 0 || w[i].flow < 0)
			err = 1;
	}
	for (unsigned int i = 0; i < c->workers && !err; i++)
		pthread_create(&w[i].th, NULL, e2e_run, &w[i]);
	for (unsigned int i = 0; i < c->workers && !err; i++) {
		pthread_join(w[i].th, NULL);
		err |= w[i].err;
		ns += w[i].ns;
		frags += (double)w[i].frags;
	}
	for (unsigned int i = 0; i < c->workers; i++)
		dmtok_close(net, w[i].fd);
	/* every niov home: the direct replay's turn, on the same binding */
	if (!err && frags) {
		*sock = ns / frags;
		*direct = e2e_direct(c, ops, b, net, ifi, w);
	}
	dmtok_unbind(net, (uint32_t)id);
	dmtok_binding_put(b);
	for (unsigned int i = 0; i < c->workers; i++)
		free(w[i].pages);
	if (dmtok_net_destroy(net))
		*sock = *direct = -1;
}
