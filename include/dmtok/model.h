/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The device-memory model: a "net" (one instance of the simulated kernel,
 * with its own fd table and binding ids), simulated dmabufs, netdevs with
 * RX queues and page pools, RX bindings, and flows the simulated NIC
 * receives into sockets. Mirrors net/core/devmem.c, net/core/page_pool.c
 * and the RX side of a header-split NIC driver.
 *
 * Convention: every int function here returns 0 (or a non-negative id/fd)
 * on success and a negative errno on failure. The socket face in
 * <dmtok/socket.h> instead returns -1 and sets errno, like the syscalls.
 */
#ifndef DMTOK_MODEL_H
#define DMTOK_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dmtok_net;

/* Limits the model enforces (documented in the README). */
#define DMTOK_MAX_QUEUES	256	/* RX queues per netdev */
#define DMTOK_MAX_FDS		65536	/* fds per net */
#define DMTOK_MAX_NPAGES	(1u << 31)	/* pages per dmabuf */

/* Creates an empty net. Returns 0 or -ENOMEM; *out is set on success. */
int dmtok_net_create(struct dmtok_net **out);
/*
 * Tears the whole net down: closes every fd, unbinds every binding,
 * destroys every netdev, then frees what the last references held.
 * Returns 0, or -EBUSY if something could not be freed (a model bug: the
 * invariant checker says what). NULL is a no-op returning 0.
 */
int dmtok_net_destroy(struct dmtok_net *net);

/*
 * Page-pool release timing. page_pool_destroy() (net/core/page_pool.c,
 * 6.12) returns the pool's ring to the provider and frees the pool if no
 * niov is out; otherwise its delayed work retries every second
 * (page_pool_release_retry()), and puts to the dying pool still recycle
 * into its ring meanwhile -- so an unbound binding, held by its pools,
 * outlives its last niov by up to a second. By default dmtok runs that
 * retry at once, in the put (same end state, no waiting). With @on = 1,
 * pools destroyed from then on wait, in the kernel's order, until
 * dmtok_net_run_deferred() (the delayed work, run now); @on = 0 runs what
 * waits. dmtok_net_destroy() runs it too. Returns 0 or -EINVAL.
 */
int dmtok_net_set_deferred_release(struct dmtok_net *net, int on);
/* Runs every waiting page-pool release. Returns pools freed, or -EINVAL. */
int dmtok_net_run_deferred(struct dmtok_net *net);

/*
 * The timers of the orphaned TCP sockets fire (tcp_fin_timeout, or the
 * retransmit timer giving up): each socket closed while its peer was
 * DMTOK_PEER_SILENT (<dmtok/socket.h>) reaches TCP_CLOSE and is destroyed
 * in softirq (tcp_done() -> tcp_v4_destroy_sock()), its scheme's
 * release_all run there. dmtok_net_destroy() runs it too. Returns the
 * number of sockets destroyed, or -EINVAL.
 */
int dmtok_net_expire_orphans(struct dmtok_net *net);

/*
 * Kernel behaviour profiles: the rules that differ between versions
 * follow the net's profile (docs/fidelity.md has the table).
 *  - DMTOK_KERNEL_6_12: netdev_nl_bind_rx_doit() and
 *    net_devmem_bind_dmabuf() of 6.12 -- the binding id is taken right
 *    after the binding's allocation, before its niovs and the queues, so
 *    any later error uses it up; a queue out of range is -ERANGE, one
 *    named twice or already bound -EEXIST; no autorelease attribute
 *    (DMTOK_BIND_NO_AUTORELEASE is -EOPNOTSUPP).
 *  - DMTOK_KERNEL_6_18 (7.0 alike): netdev_nl_read_rxq_bitmap() refuses a
 *    queue past the device's with -EINVAL before dma_buf_get(), merges a
 *    queue named twice, and the id is taken last, only on success; no
 *    autorelease attribute.
 *  - DMTOK_KERNEL_V10 (the default): 6.18 plus the token series' v10, the
 *    system-wide autorelease mode (-EBUSY on mixing).
 */
enum dmtok_kernel {
	DMTOK_KERNEL_V10 = 0,
	DMTOK_KERNEL_6_12,
	DMTOK_KERNEL_6_18,
};
/* Sets @net's profile; only before its first bind. 0, -EINVAL, -EBUSY. */
int dmtok_net_set_kernel(struct dmtok_net *net, enum dmtok_kernel k);
/* "6.12", "6.18", "v10" (also "7.0") to a profile; -EINVAL for others. */
int dmtok_kernel_parse(const char *s, enum dmtok_kernel *k);

/* ---- dmabufs (udmabuf-like, addressed by fd) ---- */

/* Back the dmabuf with real memory (memfd/mmap, sparse until touched). */
#define DMTOK_DMABUF_BACKED	0x1u

/*
 * Creates a dmabuf of @size bytes made of @page_size pages (0 means 4096;
 * 4096, 16384 and 65536 are accepted). @size must be a non-zero multiple
 * of @page_size and at most DMTOK_MAX_NPAGES pages.
 * Returns an fd >= 0, or -EINVAL, -ENOMEM, -EMFILE.
 */
int dmtok_dmabuf_create(struct dmtok_net *net, uint64_t size,
			uint32_t page_size, unsigned int flags);
/*
 * The same, made of @nsegs DMA segments (1..DMTOK_MAX_SEGS, at most one a
 * page): equal runs of pages, the last taking the remainder, as a
 * udmabuf of scattered pages maps. net_devmem_bind_dmabuf() (6.12, 7.0)
 * makes one gen_pool chunk a segment, and gen_pool_alloc() searches the
 * newest chunk first (gen_pool_add_owner()'s list_add_rcu(),
 * lib/genalloc.c), first fit within it: a binding of this dmabuf hands
 * out its last segment's pages first. Returns an fd, or -EINVAL (@nsegs),
 * and as dmtok_dmabuf_create().
 */
#define DMTOK_MAX_SEGS	4096
int dmtok_dmabuf_create_sg(struct dmtok_net *net, uint64_t size,
			   uint32_t page_size, unsigned int flags, unsigned int nsegs);

/*
 * The CPU view of a backed dmabuf (what the user would mmap), and its
 * size. Returns 0, -EBADF (not a dmabuf fd) or -ENODATA (unbacked).
 */
int dmtok_dmabuf_map(struct dmtok_net *net, int fd, const uint8_t **base,
		     uint64_t *size);

/* ---- netdevs ---- */

struct dmtok_netdev_opts {
	unsigned int nqueues;		/* 1..DMTOK_MAX_QUEUES */
	unsigned int rx_buf_size;	/* RX buffer size in bytes; 0 = page size */
	unsigned int mss;		/* payload bytes per packet; 0 = 4096 */
	unsigned int linear_bytes;	/* payload bytes per packet that land in
					 * host memory (header split imperfect);
					 * 0 = perfect header split */
	unsigned int pool_ring_size;	/* page-pool recycle ring; 0 = 1024 */
};

/* Returns an ifindex > 0, or -EINVAL, -ENOMEM. */
int dmtok_netdev_create(struct dmtok_net *net,
			const struct dmtok_netdev_opts *opts);

/*
 * Unregisters netdev @ifindex as unregister_netdevice() does for devmem
 * (dev_dmabuf_uninstall(), 6.12 to v10): its queues leave their bindings
 * and their page pools are destroyed; the bindings stay until unbound;
 * flows to it deliver nothing (-ENODEV). In v10 a bound queue is a user of
 * its binding and the uninstall does not drop it, so in manual mode the
 * parked urefs are never reclaimed; DMTOK_NETDEV_DESTROY_DROP_USERS drops
 * it (the proposed fix). Returns 0, -EINVAL, -ENODEV.
 */
#define DMTOK_NETDEV_DESTROY_DROP_USERS	0x1u
int dmtok_netdev_destroy(struct dmtok_net *net, int ifindex, unsigned int flags);

/* ---- RX bindings (net_devmem_bind_dmabuf / netdev_nl_bind_rx_doit) ---- */

/*
 * Manual token release (the "autorelease off" binding attribute of the
 * per-niov uref series): user references parked in the niovs are only
 * dropped at unbind.
 */
#define DMTOK_BIND_NO_AUTORELEASE	0x1u

/*
 * Binds dmabuf @dmabuf_fd to @nqueues RX queues of @ifindex, checking in
 * the order and with the errnos of the net's kernel profile
 * (dmtok_net_set_kernel(); v10 by default). Returns the binding id (> 0,
 * allocated cyclically, never 0), or -EINVAL (NULL or no queues, unknown
 * flags; @dmabuf_fd open but not a dmabuf; 6.18/v10: a queue past the
 * device's; before v10: DMTOK_BIND_NO_AUTORELEASE), -ENODEV, -EBADF
 * (@dmabuf_fd not open), -ERANGE (6.12: a queue out of range), -EEXIST
 * (a queue already bound; 6.12: or named twice -- 6.18 merges it),
 * -EBUSY (v10: the other release mode is in use), -ENOMEM. An error
 * after the id was taken uses it up, as in the kernel. Ids are u32 (the
 * kernel's xa_limit_32b): one above INT_MAX cannot be returned here, so
 * the bind is undone and -EOVERFLOW returned; dmtok_bind_rx_id() carries
 * every id.
 */
int dmtok_bind_rx(struct dmtok_net *net, int ifindex, int dmabuf_fd,
		  const unsigned int *queues, unsigned int nqueues,
		  unsigned int flags);
/* The same, with the id in *@id (1..UINT32_MAX). Returns 0 or -errno. */
int dmtok_bind_rx_id(struct dmtok_net *net, int ifindex, int dmabuf_fd,
		     const unsigned int *queues, unsigned int nqueues,
		     unsigned int flags, uint32_t *id);
/*
 * Where the binding-id cursor of xa_alloc_cyclic() stands: the next bind
 * tries @next first (0 reads as 1: ids are never 0), then counts up,
 * wrapping past UINT32_MAX to 1 and skipping ids in use -- for tests and
 * for exploring the u32 wrap from outside. Returns 0 or -EINVAL.
 */
int dmtok_net_set_binding_id_cursor(struct dmtok_net *net, uint32_t next);
/*
 * Unbinds binding @id: its queues lose their page pools. niovs still held
 * by sockets or users keep the binding alive until the last comes home.
 * Returns 0 or -ENOENT (no such binding, e.g. a second unbind).
 */
int dmtok_unbind(struct dmtok_net *net, uint32_t id);

/* ---- flows and the simulated NIC ---- */

/*
 * Creates flow (a TCP stream) that the NIC steers to RX queue @queue of
 * @ifindex and that is delivered to socket @sockfd -- that socket, not
 * the fd number: once it is closed the flow delivers nothing (-ENOTCONN),
 * even if a new socket reuses the number. Returns a flow id >= 0, or
 * -EBADF, -ENOTSOCK, -ENODEV, -EINVAL (not a SOCK_STREAM socket, bad
 * queue), -ENOMEM.
 */
int dmtok_flow_create(struct dmtok_net *net, int ifindex, unsigned int queue,
		      int sockfd);
/* Re-steers flow @flow to another queue, possibly of another netdev. */
int dmtok_flow_steer(struct dmtok_net *net, int flow, int ifindex,
		     unsigned int queue);
/*
 * The NIC receives @nbytes of flow @flow's stream: payload lands in niovs
 * of the queue's binding (or in host memory if the queue has none), in
 * rx_buf_size buffers, packed into skbs of at most MAX_SKB_FRAGS frags and
 * queued on the flow's socket. Delivery stops when the page pool runs dry
 * or the socket's receive queue holds its receive buffer (6 MiB, the
 * default tcp_rmem maximum): the packet is dropped, as the kernel prunes.
 * Returns bytes received (short in those cases), or -EINVAL (@nbytes
 * above 1 GiB, unknown flow), -ENOBUFS (nothing fitted), -ENOMEM,
 * -ENOTCONN (the flow's socket is closed).
 */
ssize_t dmtok_nic_rx(struct dmtok_net *net, int flow, size_t nbytes);

/*
 * The NIC posts buffers: every page the page pool of RX queue @queue of
 * @ifindex can get (page_pool_alloc_netmems() until the binding runs
 * dry), each held with the one reference a driver's buffer -- and then
 * the skb frag it becomes -- holds (pp_ref_count 1). For tools that drive
 * a scheme's ops by hand (dmtok-bench): the niovs they hand out carry the
 * skb's reference meanwhile, so a scheme's put never recycles one, and
 * nobody writes pp_ref_count but the page pool. dmtok_check() counts them
 * as the NIC's. Returns pages held (>= 0), or -EINVAL (NULL @net, bad
 * queue, a queue without a binding), -ENODEV, -EBUSY (held already),
 * -ENOMEM.
 */
int dmtok_nic_hold_pages(struct dmtok_net *net, int ifindex, unsigned int queue);
/*
 * Gives back what dmtok_nic_hold_pages() took (page_pool_put_netmem() each:
 * they go back to the pool's ring, or to the binding when it is full).
 * Unbinding the queue or destroying the device gives them back too.
 * Returns pages released (>= 0), or -EINVAL, -ENODEV.
 */
int dmtok_nic_release_pages(struct dmtok_net *net, int ifindex, unsigned int queue);

/* The payload byte at @offset of flow @flow's stream (the client checks it). */
static inline uint8_t dmtok_flow_pattern(int flow, uint64_t offset)
{
	return (uint8_t)((offset % 251u) ^ ((unsigned int)flow * 37u + 11u));
}

/* ---- invariant checker ---- */

/*
 * Checks every invariant the model can see right now: each niov's
 * pp_ref_count equals NIC + socket-queue + user references, free pools
 * hold exactly the niovs nobody references, and each scheme's tokens
 * resolve to the niov they were issued for. Must be called while no other
 * thread uses @net. Returns 0, or -EUCLEAN with a description in @msg.
 */
int dmtok_check(struct dmtok_net *net, char *msg, size_t msglen);

/*
 * Checks what a client holds against the model: @held are @n
 * SO_DEVMEM_DMABUF cmsgs the client received on socket @fd and has not
 * returned (a token it returned once leaves the list once). The model
 * cannot know what the user believes it holds, so the client says it.
 * Rules: a token names one frag's page -- two held cmsgs with one token
 * naming different niovs are aliased (returning the token releases one of
 * them, maybe the one still being read), and under a scheme that declares
 * DMTOK_SCHEME_UNIQUE_TOKENS no token is held twice at all; every held
 * frag is still referenced for the user -- the socket's scheme records
 * that token on that niov (or, for a DMTOK_SCHEME_SHARED_UREFS scheme, the
 * niov's uref counts it), so its page is not back in the page pool where
 * the NIC can refill it with another flow's data. Must be called while no
 * other thread uses @net. Returns 0, -EUCLEAN with a description in @msg,
 * -EINVAL (NULL @net, or NULL @held with @n > 0), -EBADF/-ENOTSOCK (@fd),
 * -ENOMEM.
 */
struct dmabuf_cmsg;
int dmtok_check_held(struct dmtok_net *net, int fd, const struct dmabuf_cmsg *held,
		     size_t n, char *msg, size_t msglen);

/* Counts of live model objects (for tests and teardown checks). */
struct dmtok_net_counts {
	unsigned long bindings;		/* alive, bound or unbound */
	unsigned long page_pools;	/* alive, including dying ones */
	unsigned long sockets;		/* alive, open or closing */
	unsigned long fds;		/* open fds */
	unsigned long niovs_out;	/* niovs not in any free pool */
};
/* Returns 0, or -EINVAL (NULL @net or @c). */
int dmtok_net_counts(struct dmtok_net *net, struct dmtok_net_counts *c);

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_MODEL_H */
