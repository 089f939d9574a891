/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The token-scheme interface. The socket code (socket.c, the model of
 * tcp_recvmsg_dmabuf(), sock_devmem_dontneed() and
 * tcp_release_user_frags()) calls these ops; each scheme lives in one
 * scheme_*.c file that includes only this header. A new scheme is one new
 * file plus one line in the table in scheme.c.
 *
 * Calling contexts (the kernel's): rx_* run under the socket lock, one at
 * a time per socket, concurrently with dontneed. dontneed runs without the
 * socket lock, concurrently with rx_* and with other dontneeds on the same
 * socket. release_all runs alone, after every other user of the socket.
 */
#ifndef DMTOK_SCHEME_H
#define DMTOK_SCHEME_H

#include "devmem.h"

#ifndef DEVMEM_UAPI_STRUCTS_DEFINED
#define DEVMEM_UAPI_STRUCTS_DEFINED
struct dmabuf_token {	/* include/uapi/linux/uio.h */
	u32 token_start;
	u32 token_count;
};
#endif

/* net/core/sock.c */
#define MAX_DONTNEED_TOKENS	128
#define MAX_DONTNEED_FRAGS	1024

/*
 * Per-recvmsg batch, struct tcp_xa_pool in net/ipv4/tcp.c: schemes that
 * reserve tokens ahead use max/tokens; every scheme may record the niovs
 * handed out in this call.
 */
struct dmtok_rx_batch {
	u8 max;		/* max <= MAX_SKB_FRAGS */
	u8 idx;		/* idx <= max */
	u32 tokens[MAX_SKB_FRAGS];
	struct dmtok_niov *niovs[MAX_SKB_FRAGS];
};

struct dmtok_scheme_stats {
	u64 mem_bytes;
	u64 tokens_out;
	u64 bindings_seen;
	u64 xa_node_allocs, xa_node_frees, xa_locks, xa_height;
};

typedef int (*dmtok_ref_cb)(void *arg, u32 token, struct dmtok_niov *niov);

struct dmtok_scheme_ops {
	const char *name;
	/* Creates the per-socket state (tcp_init_sock()). 0 or -ENOMEM. */
	int (*init)(void **priv, long param);
	/*
	 * Reserves the token for a frag of @niov about to be handed to the
	 * user; @max_frags frags are left in this skb. 0 or -errno.
	 */
	int (*rx_reserve)(void *priv, struct dmtok_rx_batch *b,
			  struct dmtok_niov *niov, unsigned int max_frags,
			  u32 *token);
	/*
	 * The cmsg for the frag reserved last went out and the socket took
	 * one pp_ref_count on @niov for the user: record the reference.
	 */
	void (*rx_taken)(void *priv, struct dmtok_rx_batch *b,
			 struct dmtok_niov *niov, u32 token);
	/* End of an skb or of the call: commit taken, roll back the rest. */
	void (*rx_commit)(void *priv, struct dmtok_rx_batch *b);
	/*
	 * SO_DEVMEM_DONTNEED after the generic checks (tokens copied, count
	 * within MAX_DONTNEED_TOKENS). Returns frags released or -errno.
	 */
	int (*dontneed)(void *priv, const struct dmabuf_token *tokens,
			unsigned int num_tokens);
	/* tcp_release_user_frags() and free the state. */
	void (*release_all)(void *priv);
	void (*stats)(void *priv, struct dmtok_scheme_stats *st);
	/*
	 * Checker hook: @cb once per user reference this socket's state
	 * records (token, niov). Stops at and returns the first non-zero @cb.
	 */
	int (*for_each_ref)(void *priv, dmtok_ref_cb cb, void *arg);
	long param;	/* passed to init (e.g. xarray node shift) */
};

const struct dmtok_scheme_ops *dmtok_scheme_find(const char *name);

extern const struct dmtok_scheme_ops dmtok_scheme_xarray;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_small;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_array;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_uref;
extern const struct dmtok_scheme_ops dmtok_scheme_slots;

#endif /* DMTOK_SCHEME_H */
