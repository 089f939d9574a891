// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Token-space and memory arithmetic for dmtok-plan (see dmtok/plan.h).
 * Encodings are generic; memory figures come from each scheme's own plan
 * op, so a scheme loaded from a library is planned like a built-in one,
 * and the plan and dmtok_sock_stats() agree (tests/test_plan.c checks).
 */
#include <errno.h>

#include "dmtok/plan.h"
#include "../model/model.h"	/* dmtok__scheme_get(): the entry pinned while planning */

unsigned int dmtok_plan_bits(uint64_t n)
{
	return n <= 1 ? 0 : 64u - (unsigned int)__builtin_clzll(n - 1);
}

static void enc(struct dmtok_plan_enc_out *e, const char *name,
		unsigned int prefix, unsigned int total, uint64_t needed,
		bool multi)
{
	e->name = name;
	e->prefix_bits = prefix;
	e->index_bits = prefix >= total ? 0 : total - prefix;
	e->needed = needed;
	e->multi_binding = multi;
	e->headroom_bits = (int)e->index_bits - (int)dmtok_plan_bits(needed);
	e->fits = prefix < total && e->headroom_bits >= 0;
}

/* @n + 1, saturating: 2^64 things need 64 bits, as UINT64_MAX does. */
static uint64_t plus1(uint64_t n)
{
	return n == UINT64_MAX ? n : n + 1;
}

/* a * b + c * d, saturating at UINT64_MAX (a total that big is "too much") */
static uint64_t total_of(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t x, y, t;

	if (__builtin_mul_overflow(a, b, &x) || __builtin_mul_overflow(c, d, &y) ||
	    __builtin_add_overflow(x, y, &t))
		return UINT64_MAX;
	return t;
}

static bool bad_input(const struct dmtok_plan_in *in)
{
	return !in || !in->nics || !in->queues_per_nic || !in->dmabuf_size ||
	       !in->page_size || (in->page_size & (in->page_size - 1)) ||
	       in->dmabuf_size % in->page_size || !in->sockets ||
	       !in->socket_bindings;
}

int dmtok_plan(const struct dmtok_plan_in *in,
	       struct dmtok_plan_enc_out e[DMTOK_ENC_COUNT])
{
	uint64_t npages, bindings;

	if (bad_input(in) || !e)
		return -EINVAL;
	npages = in->dmabuf_size / in->page_size;
	bindings = (uint64_t)in->nics * in->queues_per_nic;

	enc(&e[DMTOK_ENC_GLOBAL_ID_PAGE], "global-id+page",
	    dmtok_plan_bits(bindings), 32, npages, true);
	enc(&e[DMTOK_ENC_SLOT_PAGE], "socket-slot+page",
	    dmtok_plan_bits(in->socket_bindings), 32, npages, true);
	enc(&e[DMTOK_ENC_PAGE_ONLY], "page-only", 0, 32, npages, false);
	/* XArray: index 0 unused, xa_limit_31b; "needed" = references + 1 */
	enc(&e[DMTOK_ENC_XARRAY], "xarray", 1, 32, plus1(in->outstanding), true);
	/* slots: 24-bit slot index, slot 0 unused */
	enc(&e[DMTOK_ENC_SLOTS], "slots", 8, 32, plus1(in->outstanding), true);
	return 0;
}

int dmtok_plan_scheme(const struct dmtok_plan_in *in, const char *scheme,
		      struct dmtok_plan_mem_out *out)
{
	const struct dmtok_scheme_ops *ops;
	struct dmtok_scheme_plan p = { 0 };
	struct dmtok_scheme_entry *entry;
	uint64_t bindings;
	int err;

	if (bad_input(in) || !scheme || !out)
		return -EINVAL;
	entry = dmtok__scheme_get(scheme, &ops);	/* unregister: -EBUSY meanwhile */
	if (!entry)
		return -ENOENT;
	p.npages = in->dmabuf_size / in->page_size;
	p.outstanding = in->outstanding;
	p.bindings = in->socket_bindings;
	err = ops->plan ? ops->plan(&p) : -EOPNOTSUPP;
	dmtok__scheme_put(entry);
	if (err)
		return err;
	bindings = (uint64_t)in->nics * in->queues_per_nic;
	*out = (struct dmtok_plan_mem_out){
		.scheme = scheme,
		.per_socket = p.mem_per_socket,
		.per_binding = p.mem_per_binding,
		.total = total_of(p.mem_per_socket, in->sockets, p.mem_per_binding, bindings),
		.close_scan = p.close_scan,
		.token_bits_needed = p.token_bits_needed,
		.token_bits = p.token_bits,
	};
	return 0;
}
