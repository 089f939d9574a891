/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Private structures of the model core (not seen by token schemes): the
 * net and its fd table, dmabufs, page pools, netdevs and RX queues, flows,
 * skbs and sockets, and the functions the core files call in each other.
 *
 * Locking: every lock of the model, in one place. "A > B" means B may be
 * taken while A is held, never the other way round.
 *
 *   net->lock > rxq->lock > sk->rq_lock > pool->lock > binding->lock
 *   sk->lock (lock_sock(), held across recvmsg) > scheme locks (xa_lock,
 *     a scheme's own spinlocks) > pool->lock > binding->lock
 *   net->lock > objs_lock > pool->lock (the deferred-release flush only)
 *   scheme locks > objs_lock (a put that frees a page pool or a binding)
 *   sk->lock > hook_lock
 *
 * objs_lock guards the lists that put paths change (net->bindings,
 * net->pools) and the binding-id cursor: whoever walks or changes them
 * holds it, net->lock or not (binding_free() runs from puts that never
 * take net->lock). It is never taken with pool->lock or binding->lock
 * held. sk->lock is never taken with net->lock or an rxq->lock held.
 * Leaves, under which nothing is taken: hook_lock (the receive hook's
 * pair), sync_lock (dmtok__sock_synchronize(), one grace period at a
 * time), and the registry's reg_lock (registry.c, process-wide; it calls
 * no scheme op while held). The lock-free socket lookup is in net.c.
 * pool->lock and binding->lock are taken with spin_lock_bh() everywhere
 * (NAPI takes them in softirq). The vocabulary's lockdep (kcompat.c)
 * checks every run against these orders: a cycle is a WARN.
 */
#ifndef DMTOK_MODEL_PRIV_H
#define DMTOK_MODEL_PRIV_H

#include <pthread.h>
#ifdef DMTOK_NATIVE_QUEUE_H
#include <sys/queue.h>		/* glibc, the BSDs, macOS */
#else
#include <bsd/sys/queue.h>	/* libbsd (plain, not the overlay: nothing leaks into dmtok.pc) */
#endif

#include "dmtok/model.h"
#include "dmtok/socket.h"
#include "dmtok/scheme.h"
#include "../compat/compat.h"

/* napi_pp_put_page() for a niov; false (and a WARN) if it had no reference. */
DMTOK_INTERNAL bool dmtok_pp_put_niov(struct net_iov *niov);

/* ---- dmabuf ---- */
struct dmtok_dmabuf {
	atomic_t ref;		/* fd + each binding */
	u64 size;
	u32 page_size, page_shift;
	u8 *base;		/* mapping, or NULL if unbacked */
	int memfd;		/* -1 if none */
	u32 nsegs;		/* DMA segments (dmtok_dmabuf_create_sg()), >= 1 */
};
static inline void dmtok_dmabuf_get(struct dmtok_dmabuf *d)
{
	atomic_inc(&d->ref);
}

void dmtok_dmabuf_put(struct dmtok_dmabuf *d);

/* ---- page pool (one per bound RX queue) ---- */
#define DMTOK_PP_ALLOC_CACHE_SIZE	128	/* PP_ALLOC_CACHE_SIZE, 6.12 */
#define DMTOK_PP_ALLOC_CACHE_REFILL	64	/* PP_ALLOC_CACHE_REFILL */
/* The idx-th niov the pool holds (ring, then cache), idx < held(pool); pool->lock. */
#define dmtok_pp_held(pool)	((pool)->ring_count + (pool)->cache_count)
#define dmtok_pp_held_at(pool, idx)					\
	((idx) < (pool)->ring_count ?					\
	 (pool)->ring[((pool)->ring_head + (idx)) % (pool)->ring_size] :	\
	 (pool)->cache[(idx) - (pool)->ring_count])
struct dmtok_page_pool;
/*
 * struct memory_provider_ops (include/net/page_pool/memory_provider.h,
 * 6.12): the only way a page pool reaches its provider -- here, as in
 * the kernel, a devmem binding (binding.c's mp_dmabuf_devmem_*()).
 */
struct dmtok_memory_provider_ops {
	struct net_iov *(*alloc_netmems)(struct dmtok_page_pool *pool);
	bool (*release_netmem)(struct dmtok_page_pool *pool, struct net_iov *niov);
	int (*init)(struct dmtok_page_pool *pool);
	void (*destroy)(struct dmtok_page_pool *pool);
};
struct dmtok_page_pool {
	spinlock_t lock;	/* ring, cache, inflight, dying */
	const struct dmtok_memory_provider_ops *mp_ops;
	void *mp_priv;		/* the provider's: a binding, a reference held */
	struct net_iov **ring;	/* recycle ring (ptr_ring): FIFO, ring_size slots */
	u32 ring_size, ring_head, ring_count;
	struct net_iov *cache[DMTOK_PP_ALLOC_CACHE_SIZE];	/* alloc.cache: LIFO */
	u32 cache_count;
	u64 inflight;		/* niovs taken from the binding, not yet given back */
	bool dying;		/* page_pool_destroy() called */
	bool deferred;		/* its release waits for dmtok_net_run_deferred() */
	struct dmtok_net *net;
	TAILQ_ENTRY(dmtok_page_pool) all;	/* net->pools */
};
/* page_pool_alloc_netmems(): a niov with pp_ref_count == 1, or NULL. */
struct net_iov *dmtok_pp_alloc(struct dmtok_page_pool *pool);
/* one put of each of the @n niovs of @v, then @v is freed (kvfree()) */
void dmtok_pp_put_array(struct net_iov **v, u32 n);
int dmtok_pp_create(struct dmtok_net *net, const struct dmtok_memory_provider_ops *mp_ops,
		    void *mp_priv, u32 ring_size, struct dmtok_page_pool **out);
void dmtok_pp_destroy(struct dmtok_page_pool *pool);
int dmtok__pp_run_deferred(struct dmtok_net *net);
int dmtok__pp_undefer(struct dmtok_net *net);


/* ---- netdev ---- */
struct dmtok_rxq {
	pthread_mutex_t lock;		/* NAPI context of this queue */
	struct net_devmem_dmabuf_binding *binding;	/* mp_params.mp_priv, NULL if none; lock */
	struct dmtok_page_pool *pool;	/* lock */
	struct net_iov *cur;		/* buffer page being filled (holds 1 ref); lock */
	u32 cur_off;			/* lock */
	struct net_iov **held;		/* dmtok_nic_hold_pages(): 1 ref each; lock */
	u32 nheld;			/* lock */
};

/*
 * The pages dmtok_nic_hold_pages() posted on @q, taken off it (q->lock
 * held): *@n of them, for dmtok_pp_put_array() once the lock is dropped.
 */
static inline struct net_iov **dmtok_rxq_take_held(struct dmtok_rxq *q, u32 *n)
{
	struct net_iov **held = q->held;

	*n = q->nheld;
	q->held = NULL;
	q->nheld = 0;
	return held;
}
struct dmtok_netdev {
	int ifindex;
	struct dmtok_netdev_opts opts;
	struct dmtok_rxq *rxq;
	TAILQ_ENTRY(dmtok_netdev) link;
};

/* ---- flows ---- */
struct dmtok_flow {
	int id;
	int sockfd;
	u64 sock_serial;	/* the socket it was made for: an fd number is reused */
	struct dmtok_netdev *dev;
	unsigned int queue;
	u64 offset;		/* stream bytes received so far; net->lock, one NIC thread per flow */
	TAILQ_ENTRY(dmtok_flow) link;
};

/* ---- skb ---- */
struct dmtok_frag {
	struct net_iov *niov;
	u32 off;
	u32 size;
};
struct dmtok_skb {
	TAILQ_ENTRY(dmtok_skb) link;
	u32 len;		/* headlen + frag bytes */
	u32 headlen;
	bool readable;		/* skb_frags_readable(): false for devmem */
	u8 nr_frags;
	u8 *data;		/* linear part, host memory */
	struct dmtok_frag frags[MAX_SKB_FRAGS];
};
TAILQ_HEAD(dmtok_skb_queue, dmtok_skb);
/* skb.c; GFP_ATOMIC: NULL when the allocator fails */
struct dmtok_skb *dmtok_skb_alloc(u32 linear);
void dmtok_skb_free(struct dmtok_skb *skb);

/* ---- socket ---- */
struct dmtok_sock {
	atomic_t ref;			/* fd table + in-flight calls; atomic */
	u64 serial;			/* unique per net, never reused */
	int type;			/* SOCK_STREAM = TCP */
	pthread_mutex_t lock;		/* lock_sock(): serialises recvmsg */
	pthread_mutex_t rq_lock;	/* sk_receive_queue.lock */
	struct dmtok_skb_queue rq;	/* rq_lock (NIC appends, recvmsg eats) */
	u32 copied;			/* bytes of the head skb already read; lock */
	u64 frags_queued;		/* rq_lock */
	u64 rq_bytes;			/* truesize queued, rq_lock: bounded by RCVBUF */
	const struct dmtok_scheme_ops *ops;
	struct dmtok_scheme_entry *scheme;	/* registry entry; pinned while open */
	void *priv;			/* scheme state: rules in each scheme file */
	struct dmtok_net *net;
	TAILQ_ENTRY(dmtok_sock) all;	/* net->socks (alive sockets) */
	u64 rq_len;			/* payload bytes queued, rq_lock (tcp_inq_hint()) */
	bool recvmsg_inq;		/* TCP_INQ (tp->recvmsg_inq); atomic */
	bool peer_silent;		/* dmtok_sock_set_peer(); atomic */
	spinlock_t slock;		/* sk->sk_lock.slock: bh_lock_sock() */
	TAILQ_ENTRY(dmtok_sock) orphan;	/* net->orphans, objs_lock: closed, not destroyed */
};
void dmtok_sock_put(struct dmtok_sock *sk);
/* Would @more bytes (besides what is queued) overflow the receive buffer? */
bool dmtok_sock_rcvbuf_full(struct dmtok_sock *sk, u64 more);
/* Enqueues @skb (NIC side). -ENOTCONN if the socket is closing. */
int dmtok_sock_enqueue(struct dmtok_sock *sk, struct dmtok_skb *skb);

/* ---- fd table ---- */
enum dmtok_file_type { DMTOK_FILE_DMABUF = 1, DMTOK_FILE_SOCKET };
struct dmtok_file {
	enum dmtok_file_type type;
	union {
		struct dmtok_dmabuf *dmabuf;
		struct dmtok_sock *sk;
	};
};

/* ---- net ---- */
struct dmtok_net {
	pthread_mutex_t lock;
	struct dmtok_file *files;	/* files[nfiles], type 0 = free */
	int nfiles;
	u32 next_binding_id;		/* xa_alloc_cyclic() cursor */
	struct net_devmem_dmabuf_binding *bindings;	/* all live bindings (next_all) */
	TAILQ_HEAD(, dmtok_netdev) devs;
	TAILQ_HEAD(, dmtok_flow) flows;
	TAILQ_HEAD(, dmtok_page_pool) pools;
	TAILQ_HEAD(, dmtok_sock) socks;
	TAILQ_HEAD(, dmtok_sock) orphans;	/* objs_lock: waiting for their peers */
	int next_ifindex, next_flow;
	u64 next_sock_serial;		/* lock */
	/* separate lock for object lists touched from put paths */
	pthread_mutex_t objs_lock;
	bool defer_pool_release;	/* net->lock: dmtok_net_set_deferred_release() */
	enum dmtok_kernel kernel;	/* net->lock: dmtok_net_set_kernel() */
	bool bound_once;		/* net->lock: a bind was attempted */
	pthread_mutex_t hook_lock;	/* the pair below, set together */
	dmtok_rx_hook_fn rx_hook;	/* hook_lock; also read alone, atomically */
	void *rx_hook_arg;		/* hook_lock */
	/*
	 * Lock-free socket lookup (fdget() is RCU in the kernel): sockets by
	 * fd in a two-level table of atomic pointers (leaves of 256, made on
	 * first use under net->lock, never freed before the net), read
	 * without any lock; a socket is freed only after every lookup that
	 * could have seen it is over -- two reader counters and an epoch,
	 * flipped and drained by dmtok__sock_synchronize() (a small RCU).
	 */
	struct dmtok_sock **sk_dir[DMTOK_MAX_FDS / 256];	/* each: 256 slots */
	unsigned long rd_epoch;		/* atomic */
	long rd_active[2];		/* atomic: lookups under way, per epoch parity */
	pthread_mutex_t sync_lock;	/* one synchronize at a time */
};

/* __dev_get_by_index(): the netdev @ifindex of @net, or NULL; net->lock held */
static inline struct dmtok_netdev *dmtok_netdev_find(struct dmtok_net *net, int ifindex)
{
	struct dmtok_netdev *dev;

	TAILQ_FOREACH(dev, &net->devs, link)
		if (dev->ifindex == ifindex)
			return dev;
	return NULL;
}

/* binding.c: the live binding of id @id, or NULL (takes objs_lock) */
struct net_devmem_dmabuf_binding *dmtok_binding_find(struct dmtok_net *net, u32 id);

/* Waits until no socket lookup that began before the call is under way. */
void dmtok__sock_synchronize(struct dmtok_net *net);

/* The fd table (fd.c); *_get take a reference the caller must put. */
int dmtok_fd_install(struct dmtok_net *net, struct dmtok_file f);
struct dmtok_sock *dmtok_sock_get_fd(struct dmtok_net *net, int fd, int *err);
struct dmtok_dmabuf *dmtok_dmabuf_get_fd(struct dmtok_net *net, int fd);
/* net->lock held */
bool dmtok_fd_is_open(struct dmtok_net *net, int fd);
/* close_fd(): empties the slot, returns what it held (type 0: nothing) */
struct dmtok_file dmtok_fd_remove(struct dmtok_net *net, int fd);

/* binding.c: a page pool whose memory provider is @b (a reference taken) */
int dmtok_binding_pp_create(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b,
			    u32 ring_size, struct dmtok_page_pool **out);
/* the model's own binding puts (dmtok_binding_put() is the schemes') */
void dmtok__binding_put(struct net_devmem_dmabuf_binding *b);

/* The binding's gen_pool bitmap (binding.c): is page @i handed to a pool? */
#define DMTOK_MAP_BITS	(8 * sizeof(unsigned long))
static inline bool dmtok_binding_page_used(const struct net_devmem_dmabuf_binding *b, u32 i)
{
	return b->used[i / DMTOK_MAP_BITS] & (1UL << (i % DMTOK_MAP_BITS));
}

/* net_devmem_unbind_dmabuf(); binding.c, called with net->lock held */
int dmtok__unbind_locked(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b);
/* A queue leaves its binding (@b, or any if NULL): the binding left, or NULL. */
struct net_devmem_dmabuf_binding *dmtok__rxq_unbind(struct dmtok_rxq *q,
		const struct net_devmem_dmabuf_binding *b);

/* ---- scheme registry (registry.c) ---- */
struct dmtok_scheme_entry;
/* The scheme named @name with a user reference taken, or NULL. */
DMTOK_INTERNAL struct dmtok_scheme_entry *dmtok__scheme_get(const char *name,
		const struct dmtok_scheme_ops **ops);
DMTOK_INTERNAL void dmtok__scheme_put(struct dmtok_scheme_entry *e);
/* 0 if @ops could be registered, else the errno registration gives. */
DMTOK_INTERNAL int dmtok__scheme_check(const struct dmtok_scheme_ops *ops);
/* The built-in schemes (src/schemes/builtin.c). */
extern const struct dmtok_scheme_ops *const dmtok__builtin_schemes[];

/*
 * The socket receive buffer: net.ipv4.tcp_rmem's default maximum (6 MiB,
 * tcp_rmem[2] in net/ipv4/tcp.c, 6.12), the most autotuning grows
 * sk_rcvbuf to. The NIC stops delivering to a socket whose queue holds
 * this much (the kernel prunes and drops, tcp_try_rmem_schedule()).
 * Charged by truesize, as the kernel does: the payload plus the sk_buff
 * and skb_shared_info overhead (SKB_TRUESIZE(): 576 bytes on x86-64), so
 * tiny packets cannot queue without bound.
 */
#define DMTOK_SK_RCVBUF		(6u << 20)
#define DMTOK_SKB_OVERHEAD	576u

/* Used by socket.c on the bad-iovec path. */
#define DMTOK_UIO_MAXIOV	1024

#endif /* DMTOK_MODEL_PRIV_H */
