// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The invariant checker (the rules are listed below), called by tests and
 * fuzzers after every step. For every niov of every live binding it
 * recounts the references the model can see -- the NIC's buffer page,
 * frags in socket receive queues, references each socket's scheme records
 * and manual-release urefs parked in the niov -- and compares the sum
 * with pp_ref_count; niovs nobody references must sit exactly once in a
 * free pool (the binding's free list or a page pool's recycle ring), and
 * page-pool in-flight counts must add up. Test infrastructure: its
 * scratch memory comes from libc, not the injectable allocator.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dmtok/alloc.h"
#include "model.h"

struct bcount {
	struct net_devmem_dmabuf_binding *b;
	long *refs;	/* refs[npages] */
	u8 *free;	/* times seen in a free pool */
};

struct check {
	struct bcount *bc;
	size_t nb;
	char *msg;
	size_t msglen;
	int bad;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->bad && c->msg && c->msglen) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->msglen, fmt, ap);
		va_end(ap);
	}
	c->bad = 1;
	return -EUCLEAN;
}

static struct bcount *find_bc(struct check *c, const struct net_iov *niov)
{
	for (size_t i = 0; i < c->nb; i++)
		if (c->bc[i].b == niov->owner &&
		    niov >= c->bc[i].b->niovs &&
		    niov < c->bc[i].b->niovs + c->bc[i].b->npages)
			return &c->bc[i];
	return NULL;
}

static int count_ref(struct check *c, const struct net_iov *niov,
		     const char *who)
{
	struct bcount *bc = find_bc(c, niov);

	if (!bc)
		return fail(c, "%s references a niov of no live binding", who);
	bc->refs[niov->index]++;
	return 0;
}

static int user_ref_cb(void *arg, u32 token, struct net_iov *niov)
{
	(void)token;
	return count_ref(arg, niov, "a scheme");
}

/*
 * Each live binding's counters, seeded with what it holds itself: the
 * pages its gen_pool has free, one reference per niov with urefs (they
 * hold one pp_ref_count together, v10). -ENOMEM if the checker's own
 * memory ran out.
 */
static int count_bindings(struct check *c, struct dmtok_net *net)
{
	struct net_devmem_dmabuf_binding *b;
	size_t i;
	u32 p;

	for (b = net->bindings; b; b = b->next_all)
		c->nb++;
	c->bc = calloc(c->nb ? c->nb : 1, sizeof(*c->bc));
	if (!c->bc)
		return -ENOMEM;
	for (i = 0, b = net->bindings; b; b = b->next_all, i++) {
		c->bc[i].b = b;
		c->bc[i].refs = calloc(b->npages, sizeof(long));
		c->bc[i].free = calloc(b->npages, 1);
		if (!c->bc[i].refs || !c->bc[i].free)
			return -ENOMEM;
		if (atomic_read(&b->ref) <= 0)
			fail(c, "binding %u alive with refcount %d", b->id, atomic_read(&b->ref));
		for (p = 0; p < b->npages; p++) {
			int u = atomic_read(&b->niovs[p].uref);

			c->bc[i].free[p] += !dmtok_binding_page_used(b, p);
			if (b->vec[p] != &b->niovs[p] || b->niovs[p].index != p)
				fail(c, "binding %u vec[%u] rewritten", b->id, p);
			if (u < 0)
				fail(c, "binding %u niov %u: uref %d (underflow)", b->id, p, u);
			c->bc[i].refs[p] += u > 0;
		}
	}
	return 0;
}

/* Page pools: ring and alloc-cache contents are free; inflight must add up. */
static void count_pools(struct check *c, struct dmtok_net *net)
{
	struct dmtok_page_pool *pool;

	TAILQ_FOREACH(pool, &net->pools, all) {
		struct bcount *bc = NULL;
		u64 out = 0;
		size_t i;
		u32 p;

		for (i = 0; i < c->nb; i++)
			if (c->bc[i].b == pool->mp_priv)
				bc = &c->bc[i];
		if (!bc) {
			fail(c, "page pool of a freed binding");
			continue;
		}
		for (p = 0; p < dmtok_pp_held(pool); p++) {
			bc->free[dmtok_pp_held_at(pool, p)->index]++;
			/* page_pool_unref_netmem(): a recycled niov keeps 1 */
			bc->refs[dmtok_pp_held_at(pool, p)->index]++;
		}
		for (p = 0; p < bc->b->npages; p++)
			out += __atomic_load_n(&bc->b->niovs[p].pp, __ATOMIC_RELAXED) == pool;
		if (out != pool->inflight)
			fail(c, "page pool of binding %u: inflight %llu, counted %llu",
			     bc->b->id, (unsigned long long)pool->inflight,
			     (unsigned long long)out);
	}
}

/*
 * The references outside the pools: the buffer page each NIC queue is
 * filling and each page dmtok_nic_hold_pages() posted hold one; so does
 * each frag of a queued skb, and each user reference a socket's scheme
 * records.
 */
static void count_holders(struct check *c, struct dmtok_net *net)
{
	struct dmtok_netdev *dev;
	struct dmtok_sock *sk;

	TAILQ_FOREACH(dev, &net->devs, link)
		for (unsigned int q = 0; q < dev->opts.nqueues; q++) {
			if (dev->rxq[q].cur)
				count_ref(c, dev->rxq[q].cur, "a NIC queue");
			for (u32 h = 0; h < dev->rxq[q].nheld; h++)
				count_ref(c, dev->rxq[q].held[h], "a NIC queue's held page");
		}
	TAILQ_FOREACH(sk, &net->socks, all) {
		struct dmtok_skb *skb;

		TAILQ_FOREACH(skb, &sk->rq, link)
			for (unsigned int f = 0; f < skb->nr_frags; f++)
				count_ref(c, skb->frags[f].niov, "a queued skb");
		sk->ops->for_each_ref(sk->priv, user_ref_cb, c);
	}
}

/* Every niov's pp_ref_count against the references found, and its free state. */
static void compare_counts(struct check *c)
{
	for (size_t i = 0; i < c->nb && !c->bad; i++) {
		struct bcount *bc = &c->bc[i];

		for (u32 p = 0; p < bc->b->npages; p++) {
			long pp = atomic_long_read(&bc->b->niovs[p].pp_ref_count);

			if (pp != bc->refs[p]) {
				fail(c, "binding %u niov %u: pp_ref_count %ld, references found %ld",
				     bc->b->id, p, pp, bc->refs[p]);
				break;
			}
			if (bc->free[p] > 1 ||
			    (!bc->free[p] && pp == 0) ||
			    (bc->free[p] && bc->b->niovs[p].in_ring && pp != 1) ||
			    (bc->free[p] && !bc->b->niovs[p].in_ring && pp != 0)) {
				fail(c, "binding %u niov %u: pp_ref_count %ld but in free pools %u times",
				     bc->b->id, p, pp, bc->free[p]);
				break;
			}
		}
	}
}

/*
 * The series' (v10) user accounting: an unbound manual-release binding
 * whose parked urefs nothing can reclaim any more -- no queue is bound to
 * it and no socket is open, yet users are left, so
 * net_devmem_dmabuf_binding_put_urefs() will never run (a queue's user
 * that dev_dmabuf_uninstall() did not drop).
 */
static void check_parked_urefs(struct check *c, struct dmtok_net *net)
{
	if (!TAILQ_EMPTY(&net->socks))
		return;	/* a socket left is a user that can still go */
	for (size_t i = 0; i < c->nb && !c->bad; i++) {
		struct net_devmem_dmabuf_binding *ub = c->bc[i].b;
		bool queued = false, parked = false;
		struct dmtok_netdev *dev;

		if (!ub->unbound || ub->autorelease || atomic_read(&ub->users) <= 0)
			continue;
		TAILQ_FOREACH(dev, &net->devs, link)
			for (unsigned int q = 0; q < dev->opts.nqueues; q++)
				queued |= dev->rxq[q].binding == ub;
		for (u32 p = 0; p < ub->npages && !parked; p++)
			parked = atomic_read(&ub->niovs[p].uref) > 0;
		if (!queued && parked)
			fail(c, "binding %u: unbound, no queue and no socket left, but %d user(s): "
			     "its parked urefs can never be reclaimed", ub->id, atomic_read(&ub->users));
	}
}

int dmtok_check(struct dmtok_net *net, char *msg, size_t msglen)
{
	struct check c = { .msg = msg, .msglen = msglen };

	if (!net)
		return -EINVAL;
	if (msg && msglen)
		msg[0] = 0;
	dmtok__mutex_lock(&net->lock);
	dmtok__mutex_lock(&net->objs_lock);
	if (count_bindings(&c, net)) {
		fail(&c, "checker out of memory");
	} else {
		count_pools(&c, net);
		count_holders(&c, net);
		compare_counts(&c);
		check_parked_urefs(&c, net);
		if (!c.bad && dmtok_warn_count())
			fail(&c, "%lu WARN(s) hit", dmtok_warn_count());
	}
	dmtok__mutex_unlock(&net->objs_lock);
	dmtok__mutex_unlock(&net->lock);
	for (size_t i = 0; c.bc && i < c.nb; i++) {
		free(c.bc[i].refs);
		free(c.bc[i].free);
	}
	free(c.bc);
	return c.bad ? -EUCLEAN : 0;
}

/*
 * dmtok_check_held(): what the client holds against what the model holds
 * for it. The kernel has no such check -- it cannot know what the user
 * believes -- so this is the model's, for the aliasing the upstream leak
 * causes: after an erased reservation the next __xa_alloc() hands the
 * same id to another frag (tcp_xa_pool_refill(), net/ipv4/tcp.c, 6.12 to
 * 7.0), and the user holds two cmsgs with one token.
 */
struct held_frag {
	u32 token;
	const struct net_iov *niov;
	size_t at;		/* index in the client's list */
};

static int held_cmp(const void *a, const void *b)
{
	const struct held_frag *x = a, *y = b;

	if (x->token != y->token)
		return x->token < y->token ? -1 : 1;
	if (x->niov != y->niov)
		return x->niov < y->niov ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

struct held_refs {
	struct held_frag *v;
	size_t n, cap;
};

static int held_ref_cb(void *arg, u32 token, struct net_iov *niov)
{
	struct held_refs *r = arg;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct held_frag *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n] = (struct held_frag){ token, niov, r->n };
	r->n++;
	return 0;
}

/* The niov a cmsg names: dmabuf_id and frag_offset, as the user reads them. */
static const struct net_iov *held_niov(struct dmtok_net *net, const struct dmabuf_cmsg *cm)
{
	struct net_devmem_dmabuf_binding *b;

	for (b = net->bindings; b; b = b->next_all)
		if (b->id == cm->dmabuf_id && (cm->frag_offset >> b->page_shift) < b->npages)
			return &b->niovs[cm->frag_offset >> b->page_shift];
	return NULL;
}

int dmtok_check_held(struct dmtok_net *net, int fd, const struct dmabuf_cmsg *held,
		     size_t n, char *msg, size_t msglen)
{
	struct check c = { .msg = msg, .msglen = msglen };
	struct held_refs recs = { 0 };
	struct held_frag *h = NULL;
	struct dmtok_sock *sk;
	size_t i, j, k;
	int err = 0;

	if (!net || (!held && n))
		return -EINVAL;
	if (msg && msglen)
		msg[0] = 0;
	sk = dmtok_sock_get_fd(net, fd, &err);
	if (!sk)
		return -err;	/* a positive errno, as the syscall face sets it */
	h = calloc(n ? n : 1, sizeof(*h));
	if (!h) {
		dmtok_sock_put(sk);
		return -ENOMEM;
	}
	dmtok__mutex_lock(&net->lock);
	dmtok__mutex_lock(&net->objs_lock);
	for (i = 0; i < n && !c.bad; i++) {
		h[i] = (struct held_frag){ held[i].frag_token, held_niov(net, &held[i]), i };
		if (!h[i].niov)
			fail(&c, "the user holds token %u of dmabuf id %u at offset %llu: no live "
			     "binding has that frag", held[i].frag_token, held[i].dmabuf_id,
			     (unsigned long long)held[i].frag_offset);
	}
	qsort(h, n, sizeof(*h), held_cmp);
	/* aliasing: one token, two frags the user holds */
	for (i = 1; i < n && !c.bad; i++) {
		if (h[i].token != h[i - 1].token)
			continue;
		if (h[i].niov != h[i - 1].niov)
			fail(&c, "token %u names two frags the user holds (binding %u niov %u and "
			     "binding %u niov %u): aliased -- returning it releases one of them",
			     h[i].token, h[i - 1].niov->owner->id, h[i - 1].niov->index,
			     h[i].niov->owner->id, h[i].niov->index);
		else if (sk->ops->flags & DMTOK_SCHEME_UNIQUE_TOKENS)
			fail(&c, "token %u handed out twice (binding %u niov %u), but %s declares "
			     "one frag per token", h[i].token, h[i].niov->owner->id,
			     h[i].niov->index, sk->ops->name);
	}
	if (c.bad)
		goto out;
	if (sk->ops->flags & DMTOK_SCHEME_SHARED_UREFS) {
		/* the niov's uref counts every frag of it the user holds */
		for (i = 0; i < n && !c.bad; i = j) {
			int u = atomic_read(&h[i].niov->uref);

			for (j = i + 1; j < n && h[j].niov == h[i].niov; j++)
				;
			if ((size_t)(u > 0 ? u : 0) < j - i)
				fail(&c, "the user holds %zu frag(s) of binding %u niov %u (token %u), "
				     "but its uref is %d: the page can go back to the pool while "
				     "the user reads it", j - i, h[i].niov->owner->id,
				     h[i].niov->index, h[i].token, u);
		}
		goto out;
	}
	/* every (token, niov) the user holds is one the scheme records */
	err = sk->ops->for_each_ref(sk->priv, held_ref_cb, &recs);
	if (err) {
		fail(&c, "walking the scheme's references: %d", err);
		goto out;
	}
	qsort(recs.v, recs.n, sizeof(*recs.v), held_cmp);
	for (i = 0, k = 0; i < n && !c.bad; i++) {
		while (k < recs.n && (recs.v[k].token < h[i].token ||
				      (recs.v[k].token == h[i].token &&
				       recs.v[k].niov < h[i].niov)))
			k++;
		if (k < recs.n && recs.v[k].token == h[i].token && recs.v[k].niov == h[i].niov) {
			k++;
			continue;
		}
		fail(&c, "the user holds token %u (binding %u niov %u), but %s records no "
		     "reference for it%s: the page can go back to the pool while the user "
		     "reads it", h[i].token, h[i].niov->owner->id, h[i].niov->index,
		     sk->ops->name,
		     k < recs.n && recs.v[k].token == h[i].token ?
		     " (that token names another niov)" : "");
	}
out:
	dmtok__mutex_unlock(&net->objs_lock);
	dmtok__mutex_unlock(&net->lock);
	dmtok_sock_put(sk);
	free(recs.v);
	free(h);
	return c.bad ? -EUCLEAN : 0;
}
