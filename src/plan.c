// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Token-space and memory arithmetic for dmtok-plan (see dmtok/plan.h).
 * Memory figures come from the schemes' own size functions, so the plan
 * and dmtok_sock_stats() agree (tests/test_plan.c checks that they do).
 */
#include <errno.h>

#include "dmtok/plan.h"
#include "kcompat.h"

u64 dmtok__xa_mem(u64 outstanding, unsigned int chunk_shift);
u64 dmtok__slots_mem(u64 outstanding);

unsigned int dmtok_plan_bits(uint64_t n)
{
	return n <= 1 ? 0 : ilog2_u64(n - 1) + 1;
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

int dmtok_plan(const struct dmtok_plan_in *in,
	       struct dmtok_plan_enc_out e[DMTOK_ENC_COUNT],
	       struct dmtok_plan_mem_out m[5])
{
	u64 npages, bindings;

	if (!in || !e || !m || !in->nics || !in->queues_per_nic ||
	    !in->dmabuf_size || !in->page_size ||
	    (in->page_size & (in->page_size - 1)) ||
	    in->dmabuf_size % in->page_size || !in->sockets ||
	    !in->socket_bindings)
		return -EINVAL;
	npages = in->dmabuf_size / in->page_size;
	bindings = (u64)in->nics * in->queues_per_nic;

	enc(&e[DMTOK_ENC_GLOBAL_ID_PAGE], "global-id+page",
	    dmtok_plan_bits(bindings), 32, npages, true);
	enc(&e[DMTOK_ENC_SLOT_PAGE], "socket-slot+page",
	    dmtok_plan_bits(in->socket_bindings), 32, npages, true);
	enc(&e[DMTOK_ENC_PAGE_ONLY], "page-only", 0, 32, npages, false);
	/* XArray: index 0 unused, xa_limit_31b; "needed" = references + 1 */
	enc(&e[DMTOK_ENC_XARRAY], "xarray", 1, 32, in->outstanding + 1, true);
	/* slots: 24-bit slot index, slot 0 unused */
	enc(&e[DMTOK_ENC_SLOTS], "slots", 8, 32, in->outstanding + 1, true);

	m[0] = (struct dmtok_plan_mem_out){ "xarray",
		dmtok__xa_mem(in->outstanding, 6), 0, in->outstanding };
	m[1] = (struct dmtok_plan_mem_out){ "niov-array",
		npages * sizeof(atomic_t), 0, npages };
	m[2] = (struct dmtok_plan_mem_out){ "niov-uref", 8, 0, 0 };
	m[3] = (struct dmtok_plan_mem_out){ "slots",
		dmtok__slots_mem(in->outstanding), 0, in->outstanding + 1 };
	for (int i = 0; i < 4; i++)
		m[i].total = m[i].per_socket * in->sockets;
	/* niov-uref's counters live in the niovs: per binding, not socket */
	m[4] = (struct dmtok_plan_mem_out){ "niov-uref/binding",
		npages * sizeof(atomic_t), npages * sizeof(atomic_t) * bindings, 0 };
	return 0;
}
