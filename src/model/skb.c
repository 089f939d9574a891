// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The skb, as much of include/linux/skbuff.h and net/core/skbuff.c as the
 * devmem receive path uses: a linear part in host memory and up to
 * MAX_SKB_FRAGS frags, each holding one page-pool reference on its niov,
 * dropped when the skb is freed (skb_release_data() ->
 * napi_pp_put_page()). The NIC makes them, sockets queue and free them.
 */
#include "model.h"

/* __alloc_skb() in NAPI: @linear bytes of host memory, no frags yet */
struct dmtok_skb *dmtok_skb_alloc(u32 linear)
{
	struct dmtok_skb *skb = kzalloc(sizeof(*skb), GFP_ATOMIC);

	if (!skb)
		return NULL;
	if (linear) {
		skb->data = kzalloc(linear, GFP_ATOMIC);
		if (!skb->data) {
			kfree(skb);
			return NULL;
		}
	}
	skb->headlen = skb->len = linear;
	return skb;
}

/* kfree_skb(): drop each frag's page-pool reference. */
void dmtok_skb_free(struct dmtok_skb *skb)
{
	unsigned int i;

	for (i = 0; i < skb->nr_frags; i++)
		dmtok_pp_put_niov(skb->frags[i].niov);
	kfree(skb->data);
	kfree(skb);
}
