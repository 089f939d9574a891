// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Token-space and memory arithmetic for dmtok-plan (see dmtok/plan.h).
 * Encodings are generic; memory figures come from each scheme's own plan
 * op, so a scheme loaded from a library is planned like a built-in one,
 * and the plan and dmtok_sock_stats() agree (tests/test_plan.c checks).
 */
#include <errno.h>

#include "dmtok/plan.h"
#include "dmtok/scheme.h"

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
	enc(&e[DMTOK_ENC_XARRAY], "xarray", 1, 32, in->outstanding + 1, true);
	/* slots: 24-bit slot index, slot 0 unused */
	enc(&e[DMTOK_ENC_SLOTS], "slots", 8, 32, in->outstanding + 1, true);
	return 0;
}

int dmtok_plan_scheme(const struct dmtok_plan_in *in, const char *scheme,
		      struct dmtok_plan_mem_out *out)
{
	const struct dmtok_scheme_ops *ops;
	struct dmtok_scheme_plan p = { 0 };
	uint64_t bindings;
	int err;

	if (bad_input(in) || !scheme || !out)
		return -EINVAL;
	ops = dmtok_scheme_find(scheme);
	if (!ops)
		return -ENOENT;
	if (!ops->plan)
		return -EOPNOTSUPP;
	p.npages = in->dmabuf_size / in->page_size;
	p.outstanding = in->outstanding;
	p.bindings = in->socket_bindings;
	err = ops->plan(&p);
	if (err)
		return err;
	bindings = (uint64_t)in->nics * in->queues_per_nic;
	*out = (struct dmtok_plan_mem_out){
		.scheme = ops->name,
		.per_socket = p.mem_per_socket,
		.per_binding = p.mem_per_binding,
		.total = p.mem_per_socket * in->sockets + p.mem_per_binding * bindings,
		.close_scan = p.close_scan,
		.token_bits_needed = p.token_bits_needed,
		.token_bits = p.token_bits,
	};
	return 0;
}
