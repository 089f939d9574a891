// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The direct-ops cost per frag: each worker owns a socket's scheme state
 * and loops like tcp_recvmsg_dmabuf() plus a real client -- 17-frag skbs
 * (hand_out() per frag, commit per skb), tokens handed back with
 * SO_DEVMEM_DONTNEED in batches -- timed in thread CPU time per side; and
 * the cost of a close holding c->outstanding random pages.
 */
#include "bench.h"

struct worker {
	pthread_t th;
	const struct cfg *c;
	const struct dmtok_scheme_ops *ops;
	struct net_devmem_dmabuf_binding *b;
	unsigned int id;
	uint64_t seed;
	const uint32_t *seq;	/* pages in this order (an e2e run's), or NULL */
	double rx_ns, dn_ns;	/* CPU ns spent in each side */
	uint64_t dn_calls;
	uint64_t frags, released;
	uint64_t mem;
	uint64_t claims, claimed;	/* a "claims" counter, and the tokens released by then */
	int err;
};

/* A scheme's "claims" counter (locked instructions its dontneeds spent), or 0. */
static uint64_t stat_claims(const struct dmtok_scheme_stats *st)
{
	for (unsigned int i = 0; i < st->ncounters && i < DMTOK_SCHEME_MAX_COUNTERS; i++)
		if (st->counters[i].name && !strcmp(st->counters[i].name, "claims"))
			return st->counters[i].value;
	return 0;
}

/*
 * The client returns the oldest tokens, c->batch per call, while it holds
 * c->outstanding: each call timed (thread CPU time, a clock pair's cost
 * subtracted). Returns the tokens still held; w->err on a failed call.
 */
static inline unsigned int return_oldest(struct worker *w, void *priv,
					 struct dmabuf_token *toks, unsigned int held)
{
	const struct cfg *c = w->c;

	while (held >= c->outstanding) {
		double t1 = thread_ns();
		int r;

		if (c->count == COUNT_DONTNEED)
			CALLGRIND_TOGGLE_COLLECT;
		r = w->ops->dontneed(priv, toks, c->batch);
		if (c->count == COUNT_DONTNEED)
			CALLGRIND_TOGGLE_COLLECT;
		w->dn_ns += thread_ns() - t1 - clock_pair_ns;
		w->dn_calls++;
		if (r < 0) {
			w->err = -r;
			break;
		}
		w->released += (unsigned int)r;
		held -= c->batch;
		memmove(toks, toks + c->batch, held * sizeof(*toks));
	}
	return held;
}

/* The tokens still held go back, untimed, so the next run starts clean. */
static void give_back(struct worker *w, void *priv, struct dmabuf_token *toks,
		      unsigned int held)
{
	for (unsigned int i = 0; i < held; i += w->c->batch) {
		unsigned int n = held - i < w->c->batch ? held - i : w->c->batch;
		int r = w->ops->dontneed(priv, toks + i, n);

		if (r > 0)
			w->released += (unsigned int)r;
	}
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	const struct dmtok_scheme_ops *ops = w->ops;
	struct net_devmem_dmabuf_binding *b = w->b;
	struct dmabuf_token *toks;
	struct dmtok_scheme_stats st = { 0 };
	uint64_t span = b->npages / c->workers, base = span * w->id, next = 0;
	uint64_t s = w->seed | 1;
	unsigned int held = 0;
	void *priv;

	toks = calloc(c->outstanding + BATCH_FRAGS, sizeof(*toks));
	if (!toks || dmtok_scheme_init(ops, &priv)) {
		w->err = ENOMEM;
		free(toks);
		return NULL;
	}
	double start = thread_ns();

	while (w->frags < c->frags) {
		struct dmtok_rx_batch batch = { 0 };

		if (c->count == COUNT_RECV)
			CALLGRIND_TOGGLE_COLLECT;
		for (unsigned int k = 0; k < BATCH_FRAGS; k++) {
			uint64_t page = w->seq ? w->seq[w->frags + k] :
					c->random_pages ? xs(&s) % b->npages : base + (next++ % span);
			struct net_iov *niov = b->vec[page];
			u32 tok;

			if (hand_out(ops, priv, &batch, niov, BATCH_FRAGS - k, &tok)) {
				w->err = EIO;
				break;
			}
			toks[held++] = (struct dmabuf_token){ tok, 1 };
		}
		ops->rx_commit(priv, &batch);
		if (c->count == COUNT_RECV)
			CALLGRIND_TOGGLE_COLLECT;
		w->frags += BATCH_FRAGS;
		if (w->err)
			break;
		held = return_oldest(w, priv, toks, held);
		if (w->err)
			break;
	}
	/*
	 * recv side = total - dontneed - the clock reads themselves (about one
	 * calibrated pair per dontneed call outside the brackets as inside).
	 */
	w->rx_ns = thread_ns() - start - w->dn_ns - 2 * clock_pair_ns * (double)w->dn_calls;
	ops->stats(priv, &st);
	w->mem = st.mem_bytes;
	w->claims = stat_claims(&st);
	w->claimed = w->released;
	give_back(w, priv, toks, held);
	dmtok_scheme_release(ops, priv);
	free(toks);
	return NULL;
}

/*
 * The workers of one run, one per socket, started together and joined:
 * with @seq, worker i takes the pages seq[i] received (an e2e replay),
 * else the configured order from the run's seed. -1 if a thread could not
 * be started (the ones that were are joined).
 */
int run_workers(const struct cfg *c, const struct dmtok_scheme_ops *ops,
		struct net_devmem_dmabuf_binding *b, unsigned int run,
		const struct e2e_worker *seq, struct totals *t)
{
	struct worker w[MAX_WORKERS];
	unsigned int n;

	*t = (struct totals){ 0 };
	for (n = 0; n < c->workers; n++) {
		w[n] = (struct worker){ .c = c, .ops = ops, .b = b, .id = n,
					.seed = c->seed + n * 7919 + run,
					.seq = seq ? seq[n].pages : NULL };
		if (pthread_create(&w[n].th, NULL, worker_run, &w[n]))
			break;
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err)
			t->err = w[i].err;
		t->rx_ns += w[i].rx_ns;
		t->dn_ns += w[i].dn_ns;
		t->frags += w[i].frags;
		t->mem = w[i].mem;
		t->claims += w[i].claims;
		t->claimed += w[i].claimed;
		if (w[i].released != w[i].frags && !t->err)
			t->err = EIO;	/* a token that did not come back */
	}
	return n == c->workers ? 0 : -1;
}

/* Close cost: a socket holding c->outstanding random pages, timed release_all. */
double close_once(const struct dmtok_scheme_ops *ops, struct net_devmem_dmabuf_binding *b,
		  unsigned int outstanding, uint64_t *s)
{
	struct dmtok_rx_batch batch = { 0 };
	void *priv;
	double t0;

	if (dmtok_scheme_init(ops, &priv))
		return -1;
	for (unsigned int k = 0; k < outstanding; k++) {
		struct net_iov *niov = b->vec[xs(s) % b->npages];
		u32 tok;

		if (batch.idx == BATCH_FRAGS)
			ops->rx_commit(priv, &batch);
		if (hand_out(ops, priv, &batch, niov, BATCH_FRAGS, &tok))
			break;
	}
	ops->rx_commit(priv, &batch);
	t0 = mono_ns();
	dmtok_scheme_release(ops, priv);
	return (mono_ns() - t0) / 1e3;
}
