/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The token-scheme interface: the ops a scheme implements, the properties
 * it declares, and how it is registered. The socket code of the model
 * (the mirror of tcp_recvmsg_dmabuf(), sock_devmem_dontneed() and
 * tcp_release_user_frags() in net/ipv4/tcp.c and net/core/sock.c, read
 * from Linux 6.12) calls these ops; everything around them (limits,
 * errnos, one pp_ref_count taken per frag handed out) is the model's.
 *
 * This header includes nothing and uses only C types and forward
 * declarations, so the very same file is seen by a scheme built in
 * userspace against dmtok and by the same scheme built by kbuild against
 * real kernel headers. Scheme files include the kernel's own header
 * names (<linux/atomic.h>, <net/netmem.h>, "devmem.h", ...), which
 * dmtok supplies in userspace (include/dmtok/kernel/), and this one.
 *
 * Calling contexts (the kernel's):
 *  - init runs once, alone, when the socket is created (tcp_init_sock()).
 *  - rx_reserve, rx_taken and rx_commit run under the socket lock
 *    (lock_sock()), so never two at once on one socket, but concurrently
 *    with dontneed on the same socket and with anything on other sockets.
 *  - dontneed runs without the socket lock: concurrently with the rx ops
 *    and with other dontneeds on the same socket (SO_DEVMEM_DONTNEED sits
 *    in sk_setsockopt()'s lockless switch).
 *  - release_all runs alone, after every other op on the socket returned,
 *    in atomic context: BH disabled and the socket's bh lock held, in
 *    softirq when the peer's answer destroys the socket (__tcp_close(),
 *    tcp_v4_destroy_sock(), 6.12). It may not sleep: GFP_ATOMIC only.
 *  - stats may run at any time, concurrently with everything
 *    (dmtok_sock_stats() calls it): it reads shared state under the lock
 *    or with the atomics the hot paths write it with.
 *  - for_each_ref runs with the socket quiescent: no other op of the
 *    socket runs meanwhile (its callers, dmtok_check() and
 *    dmtok_check_held(), require that no other thread uses the net), so
 *    it may walk without the scheme's lock.
 *
 * What a scheme may touch: its own per-socket state; the niovs it is
 * handed (pp_ref_count only through napi_pp_put_page(), never a plain
 * store); bindings only through the accessors of "devmem.h".
 * Memory only through kmalloc()/kvmalloc() and friends, which may fail.
 */
#ifndef DMTOK_SCHEME_H
#define DMTOK_SCHEME_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Interface version. A scheme sets .version to the value it was built
 * against; registration refuses any other (-EPROTO), so a scheme library
 * built against another dmtok is never run. Bumped on any change to the
 * ops, the structs below or the meaning of a flag.
 */
#define DMTOK_SCHEME_VERSION	3

/* include/linux/skbuff.h: CONFIG_MAX_SKB_FRAGS default */
#define DMTOK_MAX_SKB_FRAGS	17
/* net/core/sock.c, sock_devmem_dontneed() */
#define DMTOK_MAX_DONTNEED_TOKENS	128
#define DMTOK_MAX_DONTNEED_FRAGS	1024

struct net_iov;
struct dmabuf_token;

/*
 * Declared properties (.flags). The conformance suite reads them and
 * fails a scheme that declares a property it does not honour.
 *
 * DMTOK_SCHEME_MULTI_BINDING: a socket takes frags of any number of
 *	bindings (flow re-steering keeps working); without it, a frag of a
 *	second binding fails recvmsg with the scheme's errno and no WARN.
 * DMTOK_SCHEME_UNIQUE_TOKENS: a token names one frag (upstream's UAPI);
 *	without it a token names a page and frags of one page share it.
 * DMTOK_SCHEME_ALL_OR_NOTHING: a dontneed naming any never-issued token
 *	returns -EINVAL and releases nothing; without it such tokens are
 *	skipped and the rest of the request is still processed.
 * DMTOK_SCHEME_LINGER_UNTIL_UNBIND: references the user still holds at
 *	close are not dropped by close but when the binding's last user goes
 *	(manual release; the series' v10: the binding unbound and every
 *	socket that took its frags closed); without it close drops them
 *	(tcp_release_user_frags()).
 * DMTOK_SCHEME_SHARED_UREFS: user references are counted per niov, not
 *	per socket (net_iov_uref(), the series' niov->uref), so one socket
 *	can return a frag another socket holds. As in the series (v10) all
 *	of a niov's urefs hold one pp_ref_count: the model takes none per
 *	frag for such a scheme; its rx_taken takes it on the uref's 0->1
 *	transition and its dontneed drops it on 1->0. for_each_ref reports
 *	nothing and the checker counts one reference per niov whose uref is
 *	above 0 (a negative uref is an error).
 */
#define DMTOK_SCHEME_MULTI_BINDING		(1u << 0)
#define DMTOK_SCHEME_UNIQUE_TOKENS		(1u << 1)
#define DMTOK_SCHEME_ALL_OR_NOTHING		(1u << 2)
#define DMTOK_SCHEME_LINGER_UNTIL_UNBIND	(1u << 3)
#define DMTOK_SCHEME_SHARED_UREFS		(1u << 4)
#define DMTOK_SCHEME_ALL_FLAGS			0x1fu

/* Bind flag (also in <dmtok/model.h>): the binding's autorelease is off. */
#define DMTOK_BIND_NO_AUTORELEASE	0x1u

/**
 * struct dmtok_rx_batch - the per-recvmsg batch (struct tcp_xa_pool)
 * @max: tokens reserved ahead in @tokens (max <= DMTOK_MAX_SKB_FRAGS)
 * @idx: tokens of @tokens handed out so far (idx <= max)
 * @tokens: tokens reserved by rx_reserve
 * @niovs: the niov of each handed-out token, for a commit step
 *
 * Zeroed by the model before the first rx_reserve of a recvmsg call; the
 * scheme owns its contents until the rx_commit that ends the call.
 */
struct dmtok_rx_batch {
	unsigned char max;
	unsigned char idx;
	unsigned int tokens[DMTOK_MAX_SKB_FRAGS];
	struct net_iov *niovs[DMTOK_MAX_SKB_FRAGS];
};

#define DMTOK_SCHEME_MAX_COUNTERS	8

/**
 * struct dmtok_scheme_stats - what one socket's scheme state holds
 * @mem_bytes: memory the scheme allocated for this socket
 * @tokens_out: user references recorded by this socket
 * @bindings_seen: distinct bindings this socket took frags of
 * @ncounters: entries of @counters in use
 * @counters: scheme-specific counters as name/value pairs (ethtool's
 *	get_strings/get_ethtool_stats); names are string literals
 */
struct dmtok_scheme_stats {
	unsigned long long mem_bytes;
	unsigned long long tokens_out;
	unsigned long long bindings_seen;
	unsigned int ncounters;
	struct {
		const char *name;
		unsigned long long value;
	} counters[DMTOK_SCHEME_MAX_COUNTERS];
};

/**
 * struct dmtok_scheme_plan - input and output of the optional plan op
 * @npages: pages of one binding's dmabuf
 * @outstanding: references one socket holds at once
 * @bindings: bindings one socket takes frags of
 * @mem_per_socket: (out) bytes one socket's state needs
 * @mem_per_binding: (out) bytes the scheme adds to each binding
 * @close_scan: (out) entries close visits
 * @token_bits_needed: (out) bits a token needs for this load
 * @token_bits: (out) bits the scheme's encoding has for it (<= 32)
 */
struct dmtok_scheme_plan {
	unsigned long long npages;
	unsigned long long outstanding;
	unsigned int bindings;
	unsigned long long mem_per_socket;
	unsigned long long mem_per_binding;
	unsigned long long close_scan;
	unsigned int token_bits_needed;
	unsigned int token_bits;
};

/* for_each_ref callback: non-zero stops the walk and is returned. */
typedef int (*dmtok_ref_cb)(void *arg, unsigned int token, struct net_iov *niov);

/**
 * struct dmtok_scheme_ops - a token scheme
 * @version: DMTOK_SCHEME_VERSION, as the scheme was built
 * @name: unique, non-empty, at most 31 bytes of [a-z0-9-]
 * @description: one line for --help listings (may be NULL)
 * @flags: DMTOK_SCHEME_* properties the scheme promises
 * @bind_flags: flags a binding must be made with for this scheme to take
 *	its frags (DMTOK_BIND_NO_AUTORELEASE for manual release); tools bind
 *	with them
 * @max_outstanding: most user references one socket can hold (0: no limit
 *	below 2^31); the scheme's rx_reserve returns -ENOSPC past it
 * @model_xa_chunk_shift: model knob, ignored by the kernel glue: XArrays
 *	that init creates use nodes of 1 << shift slots (0: XA_CHUNK_SHIFT,
 *	6), as the radix-tree test harness shrinks them to reach deep trees
 * @model_xa_kernel: model knob, ignored by the kernel glue: XArrays that
 *	init creates are the kernel's own lib/xarray.c built in userspace
 *	(registration says -ENODEV where dmtok was built without it)
 * @priv_size: if non-zero, the socket's state is @priv_size zeroed bytes
 *	that the caller allocates (kzalloc(GFP_KERNEL)) before @init and
 *	frees after @release_all: *@priv of @init already points at them,
 *	and @init may be NULL. At most INT_MAX.
 * @init: optional with @priv_size: create (or, with @priv_size, set up
 *	in place) the per-socket state in *@priv. Runs at socket creation,
 *	alone. Returns 0 or -ENOMEM.
 * @rx_reserve: reserve the token for a frag of @niov about to be handed to
 *	the user; @max_frags frags (this one included) are left in the skb.
 *	Runs under the socket lock. Returns 0 with *@token set, or -errno
 *	(-ENOMEM, -ENOSPC, or the scheme's refusal of this frag, e.g.
 *	-EFAULT for a second binding); the frag then stays queued.
 * @rx_taken: the cmsg for the frag reserved last went out and the model
 *	took one pp_ref_count on @niov for the user: record the reference
 *	(a DMTOK_SCHEME_SHARED_UREFS scheme takes the pp_ref_count itself,
 *	one per niov). Runs under the socket lock. Cannot fail. Optional.
 * @rx_commit: end of an skb or of the call: make taken tokens visible to
 *	dontneed, roll back reservations not handed out. Runs under the
 *	socket lock. Cannot fail. Optional.
 * @dontneed: SO_DEVMEM_DONTNEED after the generic checks (optlen rules,
 *	at most DMTOK_MAX_DONTNEED_TOKENS entries copied). Stop after
 *	DMTOK_MAX_DONTNEED_FRAGS frags *inspected*; drop one pp_ref_count
 *	with napi_pp_put_page() per frag released. Runs without the socket
 *	lock, concurrent with the rx ops and other dontneeds. Returns frags
 *	released, or -errno (-EINVAL for malformed input where the scheme
 *	declares DMTOK_SCHEME_ALL_OR_NOTHING or has no state yet).
 * @release_all: drop what the user still holds (tcp_release_user_frags())
 *	unless the scheme lingers until unbind, and free the state (not
 *	with @priv_size: the caller frees it). Runs alone, last, in atomic
 *	context (BH off, a spinlock held).
 * @stats: fill @st (zeroed by the caller). Runs at any time. Optional:
 *	without it the socket's stats say 0 tokens out and 0 bytes.
 * @for_each_ref: call @cb once per user reference this socket records
 *	(token, niov); stop at and return the first non-zero. Runs with the
 *	socket quiescent (the checker's callers guarantee it).
 * @plan: optional: fill the outputs of @p from its inputs, for
 *	dmtok-plan. Returns 0 or -EINVAL.
 *
 * Mandatory: @rx_reserve, @dontneed, @release_all, @for_each_ref (the
 * checker's only view of the references a socket holds), and @init
 * unless @priv_size is set. An optional op left NULL is skipped.
 */
struct dmtok_scheme_ops {
	unsigned int version;
	const char *name;
	const char *description;
	unsigned int flags;
	unsigned int bind_flags;
	unsigned int max_outstanding;
	unsigned int model_xa_chunk_shift;
	unsigned int model_xa_kernel;
	unsigned long priv_size;
	int (*init)(void **priv);
	int (*rx_reserve)(void *priv, struct dmtok_rx_batch *b,
			  struct net_iov *niov, unsigned int max_frags,
			  unsigned int *token);
	void (*rx_taken)(void *priv, struct dmtok_rx_batch *b,
			 struct net_iov *niov, unsigned int token);
	void (*rx_commit)(void *priv, struct dmtok_rx_batch *b);
	int (*dontneed)(void *priv, const struct dmabuf_token *tokens,
			unsigned int num_tokens);
	void (*release_all)(void *priv);
	void (*stats)(void *priv, struct dmtok_scheme_stats *st);
	int (*for_each_ref)(void *priv, dmtok_ref_cb cb, void *arg);
	int (*plan)(struct dmtok_scheme_plan *p);
};

/**
 * struct dmtok_scheme_library - what a scheme shared object exports
 * @version: DMTOK_SCHEME_VERSION, as the library was built
 * @schemes: NULL-terminated list of the schemes it provides
 *
 * A scheme library exports one object of this type named
 * DMTOK_SCHEME_LIBRARY_SYMBOL; DMTOK_SCHEME_EXPORT() below defines it.
 */
struct dmtok_scheme_library {
	unsigned int version;
	const struct dmtok_scheme_ops *const *schemes;
};
#define DMTOK_SCHEME_LIBRARY_SYMBOL	"dmtok_scheme_library"

/*
 * DMTOK_SCHEME_EXPORT(&a_ops, &b_ops, ...): the one object a scheme
 * library exports for dmtok_scheme_load(). A scheme file may end with it
 * and still port unchanged: built by kbuild (__KERNEL__) it exports
 * nothing -- except in dmtok's KUnit build (tests/kunit/run.sh), which
 * compiles each scheme file with DMTOK_EXPORT_NAME set, so its export
 * becomes the table the test suite finds.
 */
#ifndef __KERNEL__
#define DMTOK_SCHEME_EXPORT(...)					\
	__attribute__((visibility("default")))				\
	const struct dmtok_scheme_library dmtok_scheme_library = {	\
		DMTOK_SCHEME_VERSION,					\
		(const struct dmtok_scheme_ops *const []){ __VA_ARGS__, NULL } \
	}
#elif defined(DMTOK_EXPORT_NAME)
#define DMTOK_SCHEME_EXPORT(...)					\
	const struct dmtok_scheme_ops *const DMTOK_EXPORT_NAME[] = { __VA_ARGS__, NULL }
#else
#define DMTOK_SCHEME_EXPORT(...)					\
	static const struct dmtok_scheme_ops *const			\
		__dmtok_port_schemes[] __maybe_unused = { __VA_ARGS__ }
#endif

/*
 * The built-in schemes, one file each in src/schemes/, registered when
 * libdmtok loads; declared here so each definition has its declaration
 * (sparse's "should it be static?"), in both worlds. The shared library
 * does not export them: a program finds one by name, dmtok_scheme_find().
 */
extern const struct dmtok_scheme_ops dmtok_scheme_xarray;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_small;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_array;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_uref;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_uref_v10;
extern const struct dmtok_scheme_ops dmtok_scheme_slots_runs;
extern const struct dmtok_scheme_ops dmtok_scheme_slots;

struct xarray;

/**
 * struct dmtok_xa_stats - the shape of one XArray, for a scheme's stats op
 * @entries: occupied slots, reservations (XA_ZERO_ENTRY) included
 * @nodes: nodes now
 * @node_allocs: nodes allocated since xa_init_flags()
 * @node_frees: nodes freed since then
 * @height: levels of the tree
 * @node_bytes: bytes of one node
 */
struct dmtok_xa_stats {
	unsigned long long entries, nodes, node_allocs, node_frees;
	unsigned int height, node_bytes;
};

/**
 * dmtok_xa_stats() - what @xa holds, for a scheme's stats op
 * @xa: an XArray of the scheme's, its xa_lock held
 * @st: filled in
 *
 * In userspace, the model's counts; in the kernel (src/port/port.c) the
 * occupied slots of the real XArray, counted by walking it (the kernel
 * keeps no per-array node counts: those read 0).
 */
void dmtok_xa_stats(const struct xarray *xa, struct dmtok_xa_stats *st);

/**
 * dmtok_scheme_register() - make a scheme available by name
 * @ops: the scheme; must stay valid until unregistered
 *
 * Built-in schemes register through this call too.
 *
 * Return: 0, -EINVAL
 * (NULL ops, bad name, a mandatory op missing, unknown flags), -EPROTO
 * (built against another DMTOK_SCHEME_VERSION), -EEXIST (name taken),
 * -ENODEV (model_xa_kernel set, and dmtok was built without the kernel's
 * XArray), -ENOSPC (64 schemes registered already).
 */
int dmtok_scheme_register(const struct dmtok_scheme_ops *ops);

/**
 * dmtok_scheme_unregister() - remove a scheme
 * @name: its name
 *
 * Return: 0, -EINVAL (NULL name), -ENOENT (not registered), -EBUSY
 * (sockets created with it are still open).
 */
int dmtok_scheme_unregister(const char *name);

/**
 * dmtok_scheme_load() - dlopen a scheme library and register its schemes
 * @path: the shared object
 * @err: where a one-line reason goes on failure (may be NULL)
 * @errlen: size of @err
 *
 * All or nothing: if any scheme of the library is refused, none stays
 * registered and the library is closed again (dlclose()). The version is
 * checked before anything else in the export is read. A library that was
 * taken stays loaded for the life of the process.
 * Return: number of schemes registered (> 0), or -errno: -EINVAL (NULL or
 * empty @path), -ENOENT (cannot be loaded), -ENOEXEC (no
 * DMTOK_SCHEME_LIBRARY_SYMBOL, or no schemes),
 * -EPROTO (another interface version), or dmtok_scheme_register()'s.
 */
int dmtok_scheme_load(const char *path, char *err, unsigned long errlen);

/**
 * dmtok_scheme_find() - a registered scheme by name
 * @name: its name
 *
 * The ops stay valid only while the scheme stays registered: a caller that
 * races dmtok_scheme_unregister() of the same name must keep the ops alive
 * itself (sockets pin their scheme, so a scheme in use cannot go).
 * Return: the ops, or NULL if no scheme of that name is registered.
 */
const struct dmtok_scheme_ops *dmtok_scheme_find(const char *name);

/**
 * dmtok_scheme_init() - a scheme's init, as a socket runs it
 * @ops: a registered scheme's ops
 * @priv: where init stores the per-socket state
 *
 * For tools that drive a scheme's ops directly (dmtok-bench): allocates
 * @ops->priv_size zeroed bytes if set, then calls @ops->init (if any)
 * with the model's knobs in force, as dmtok_socket() does --
 * the XArrays init creates get @ops->model_xa_chunk_shift nodes or, with
 * @ops->model_xa_kernel, the kernel's own lib/xarray.c. Calling
 * @ops->init directly would give them the default model XArray. @ops
 * need not be registered, but must be what registration would accept.
 * Return: what init returns (0 or -errno), -EINVAL for NULL arguments, or
 * the errno dmtok_scheme_register() would refuse @ops with.
 */
int dmtok_scheme_init(const struct dmtok_scheme_ops *ops, void **priv);

/**
 * dmtok_scheme_release() - a scheme's release_all, as a socket's close runs it
 * @ops: the ops @priv was made with by dmtok_scheme_init()
 * @priv: the per-socket state
 *
 * Calls @ops->release_all, then frees @priv if @ops->priv_size is set.
 * (A close runs it in atomic context; this call runs it in the caller's.)
 */
void dmtok_scheme_release(const struct dmtok_scheme_ops *ops, void *priv);

/**
 * dmtok_scheme_count() - number of registered schemes
 *
 * Return: the count; dmtok_scheme_at() takes 0 .. count - 1.
 */
unsigned int dmtok_scheme_count(void);

/**
 * dmtok_scheme_at() - the @i-th registered scheme, in registration order
 * @i: index
 *
 * Return: the ops, or NULL past the end.
 */
const struct dmtok_scheme_ops *dmtok_scheme_at(unsigned int i);

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_SCHEME_H */
