// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Correct schemes whose tokens are not 1, 2, 3...: a token is any u32 a
 * scheme chooses, and dmtok-conform must assume no more. Both wrap the
 * built-in xarray-fix-commit and map its tokens: "high-tokens" hands out
 * 8193, 8194... (start high), "sparse-tokens" 3, 5, 7... (odd only). A
 * dontneed walks the user's ranges as sock_devmem_dontneed() does -- at
 * most MAX_DONTNEED_FRAGS tokens inspected, a token that is not the
 * image of an issued one skipped -- and returns each mapped token to the
 * inner scheme. For tests/meson.build: dmtok-conform runs both.
 */
#include <dmtok/kernel.h>

struct shape_sock {
	const struct dmtok_scheme_ops *inner;
	void *inner_priv;
	bool sparse;
};

struct shape_each {
	dmtok_ref_cb cb;
	void *arg;
	bool sparse;
};

static u32 to_outer(bool sparse, u32 t)
{
	return sparse ? 2 * t + 1 : t + 8192;
}

/* the inner token of @t, or 0 (never an inner token) if @t is no image */
static u32 to_inner(bool sparse, u32 t)
{
	if (sparse)
		return t & 1 ? t / 2 : 0;
	return t > 8192 ? t - 8192 : 0;
}

static int shape_init(void **priv, bool sparse)
{
	struct shape_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);
	int err;

	if (!s)
		return -ENOMEM;
	s->inner = dmtok_scheme_find("xarray-fix-commit");
	s->sparse = sparse;
	err = s->inner ? dmtok_scheme_init(s->inner, &s->inner_priv) : -ENOENT;
	if (err) {
		kfree(s);
		return err;
	}
	*priv = s;
	return 0;
}

static int high_init(void **priv)
{
	return shape_init(priv, false);
}

static int sparse_init(void **priv)
{
	return shape_init(priv, true);
}

static int shape_rx_reserve(void *priv, struct dmtok_rx_batch *b, struct net_iov *niov,
			    unsigned int max_frags, u32 *token)
{
	struct shape_sock *s = priv;
	int err = s->inner->rx_reserve(s->inner_priv, b, niov, max_frags, token);

	if (!err)
		*token = to_outer(s->sparse, *token);
	return err;
}

static void shape_rx_taken(void *priv, struct dmtok_rx_batch *b, struct net_iov *niov,
			   u32 token)
{
	struct shape_sock *s = priv;

	s->inner->rx_taken(s->inner_priv, b, niov, to_inner(s->sparse, token));
}

static void shape_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	struct shape_sock *s = priv;

	s->inner->rx_commit(s->inner_priv, b);
}

static int shape_dontneed(void *priv, const struct dmabuf_token *tokens,
			  unsigned int num_tokens)
{
	struct shape_sock *s = priv;
	unsigned int i, j, inspected = 0;
	int ret = 0;

	for (i = 0; i < num_tokens; i++)
		for (j = 0; j < tokens[i].token_count; j++) {
			struct dmabuf_token t = { to_inner(s->sparse, tokens[i].token_start + j), 1 };
			int r;

			if (++inspected > MAX_DONTNEED_FRAGS)
				return ret;
			if (!t.token_start)
				continue;
			r = s->inner->dontneed(s->inner_priv, &t, 1);
			if (r > 0)
				ret += r;
		}
	return ret;
}

static void shape_release_all(void *priv)
{
	struct shape_sock *s = priv;

	dmtok_scheme_release(s->inner, s->inner_priv);
	kfree(s);
}

static void shape_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct shape_sock *s = priv;

	s->inner->stats(s->inner_priv, st);
}

static int shape_ref(void *arg, u32 token, struct net_iov *niov)
{
	struct shape_each *e = arg;

	return e->cb(e->arg, to_outer(e->sparse, token), niov);
}

static int shape_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct shape_sock *s = priv;
	struct shape_each e = { cb, arg, s->sparse };

	return s->inner->for_each_ref(s->inner_priv, shape_ref, &e);
}

#define SHAPE_OPS(n, i)							\
	.version = DMTOK_SCHEME_VERSION, .name = (n),			\
	.description = "xarray-fix-commit with its tokens mapped",	\
	.flags = DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS, \
	.init = (i), .rx_reserve = shape_rx_reserve,			\
	.rx_taken = shape_rx_taken, .rx_commit = shape_rx_commit,	\
	.dontneed = shape_dontneed, .release_all = shape_release_all,	\
	.stats = shape_stats, .for_each_ref = shape_for_each_ref

static const struct dmtok_scheme_ops high = { SHAPE_OPS("high-tokens", high_init) };
static const struct dmtok_scheme_ops sparse = { SHAPE_OPS("sparse-tokens", sparse_init) };

DMTOK_SCHEME_EXPORT(&high, &sparse);
