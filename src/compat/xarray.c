// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok's model of lib/xarray.c (Linux 6.12), behind the kernel-named
 * XArray API of <dmtok/kernel/xarray.h>: the calls the token schemes make
 * (xa_init_flags, __xa_alloc, __xa_cmpxchg, __xa_erase, xa_load, xa_find,
 * xa_destroy). Written for this model from the documented behaviour of
 * the XArray: it allocates, frees and walks nodes the way the XArray does
 * (free-slot marks, lowest free index first, empty nodes deleted upwards,
 * xas_shrink()), so ids handed out and tree height match the kernel's.
 * Known differences in node churn and per-call cost are in the README.
 */
#include <string.h>

#include "compat.h"
#ifdef DMTOK_HAVE_KERNEL_XARRAY
#include "kernel-xarray/kxarray.h"
#endif

#define CHUNK(xa)	(1u << (xa)->chunk_shift)
#define MASK(xa)	(CHUNK(xa) - 1)
#define NOT_FOUND	(~0ull)

static u64 full_marks(const struct xarray *xa)
{
	return CHUNK(xa) == 64 ? ~0ull : (1ull << CHUNK(xa)) - 1;
}

/* model-private xa_flags bit: the kernel backend could not be created */
#define DMTOK_XA_KERNEL_FAILED	((gfp_t)0x80000000u)

/* Node size and backend for XArrays created now: set around a scheme's init. */
static _Thread_local unsigned int init_chunk_shift;
static _Thread_local int init_kernel;

void dmtok__xa_init_shift(unsigned int chunk_shift)
{
	init_chunk_shift = chunk_shift;
}

void dmtok__xa_init_kernel(int kernel)
{
	init_kernel = kernel;
}

/*
 * The real lib/xarray.c backend (src/compat/kernel-xarray), compiled in
 * when meson found a kernel source tree. Each call below forwards to it
 * when the XArray was created with it.
 */
#ifdef DMTOK_HAVE_KERNEL_XARRAY
bool dmtok__xa_kernel_available(void)
{
	return true;
}
#else
bool dmtok__xa_kernel_available(void)
{
	return false;
}
#define dmtok__kx_new(a, b)		((void)(a), (void)(b), NULL)
#define dmtok__kx_free(x)		((void)(x))
#define dmtok__kx_alloc(x, i, e, lo, hi, o, f)	((void)(x), (void)(o), (void)(f), -ENODEV)
#define dmtok__kx_erase(x, i, d)	((void)(x), (void)(d), NULL)
#define dmtok__kx_cmpxchg(x, i, d, o, e, ou, f)	((void)(x), (void)(d), (void)(ou), (void)(f), NULL)
#define dmtok__kx_load(x, i)		((void)(x), NULL)
#define dmtok__kx_find(x, i, m)		((void)(x), NULL)
#define dmtok__kx_height(x)		((void)(x), 0u)
#define dmtok__kx_nodes_allocated()	0L
#define dmtok__kx_node_bytes()		0u
#define dmtok__kx_quiesce()		((void)0)
#endif

/*
 * xas_lock_type() / xas_unlock_type() (lib/xarray.c, 6.12): xa_lock taken
 * or dropped the way the array was made to be locked -- _bh for
 * XA_FLAGS_LOCK_BH, plain otherwise -- whatever the caller took it with.
 */
static void xa_lock_type(struct xarray *xa, bool bh)
{
	if (bh)
		spin_lock_bh(&xa->xa_lock);
	else
		spin_lock(&xa->xa_lock);
}

static void xa_unlock_type(struct xarray *xa, bool bh)
{
	if (bh)
		spin_unlock_bh(&xa->xa_lock);
	else
		spin_unlock(&xa->xa_lock);
}

#ifdef DMTOK_HAVE_KERNEL_XARRAY
/*
 * The kernel backend's __xas_nomem() drops xa_lock: the scheme's lock
 * here is part of it (kernel-xarray/linux/spinlock.h), dropped with the
 * lock type the kernel chose -- plain unless the array was made with
 * XA_FLAGS_LOCK_BH, whatever the caller took it with -- and then the
 * kernel allocates a node with GFP_KERNEL: might_sleep() there.
 */
static void kx_outer_unlock(struct dmtok_kx_outer *o, int bh)
{
	struct xarray *xa = o->arg;

	/* the model's own tests call __xa_*() bare: nothing to drop */
	o->dropped = dmtok_spin_is_held(&xa->xa_lock);
	if (!o->dropped)
		return;
	xa_unlock_type(xa, bh);
	dmtok__might_sleep("lib/xarray.c", 339);	/* 6.12: __xas_nomem()'s kmem_cache_alloc_lru() */
}

static void kx_outer_lock(struct dmtok_kx_outer *o, int bh)
{
	if (o->dropped)
		xa_lock_type(o->arg, bh);
}

#define KX_OUTER(xa)	(&(struct dmtok_kx_outer){ kx_outer_unlock, kx_outer_lock, (xa), 0 })
#else
#define KX_OUTER(xa)	NULL
#endif

/*
 * Does GFP_NOWAIT fail for the backend's node allocations in this call?
 * Under dmtok-explore's memory pressure, yes. Under an injecting allocator
 * (the tests' fail-Nth sweeps) the harness's own allocator cannot be
 * reached, so one GFP_NOWAIT probe through dmtok's decides for the call's
 * node allocations -- failed, they come through __xas_nomem(), as
 * failslab on radix_tree_node makes them in a kernel (the qemu guest's
 * nomem sequence). With the default allocator nothing fails and nothing
 * is probed (the benchmarks pay nothing).
 */
static int kx_nowait_fails(void)
{
	void *probe;

	if (__atomic_load_n(&dmtok__sched_nowait_fails, __ATOMIC_RELAXED) && dmtok__sched_on())
		return 1;
	if (!dmtok__alloc_custom())
		return 0;
	probe = kmalloc(dmtok__kx_node_bytes(), GFP_NOWAIT | __GFP_NOWARN);
	kfree(probe);
	return !probe;
}

/* Lets the kernel backend's deferred (RCU) node frees finish. */
void dmtok__xa_kernel_quiesce(void)
{
	dmtok__kx_quiesce();
}

void dmtok_xa_init_flags(struct xarray *xa, gfp_t flags)
{
	unsigned int shift = init_chunk_shift ? init_chunk_shift : 6;

	*xa = (struct xarray){ .chunk_shift = (u8)shift, .xa_flags = flags };
	spin_lock_init(&xa->xa_lock);
	if (init_kernel) {
		xa->kx = dmtok__kx_new(!!(flags & XA_FLAGS_ZERO_BUSY),
				       !!(flags & XA_FLAGS_LOCK_BH));
		if (!xa->kx)	/* every call then refuses, nothing crashes */
			xa->xa_flags |= DMTOK_XA_KERNEL_FAILED;
	}
}

/* A node with 1 << chunk_shift slots. */
static size_t node_size(const struct xarray *xa)
{
	return sizeof(struct xa_node) + CHUNK(xa) * sizeof(void *);
}

/*
 * xas_alloc() (lib/xarray.c, 6.12): a node the op's __xas_nomem() got
 * beforehand, else one allocated under the lock with GFP_NOWAIT, which
 * never sleeps and may fail.
 */
static struct xa_node *node_alloc(struct xarray *xa, u8 shift)
{
	size_t size = node_size(xa);
	struct xa_node *n = xa->xa_alloc;

	if (n) {
		xa->xa_alloc = n->parent;
		memset(n, 0, size);
	} else {
		n = kzalloc(size, GFP_NOWAIT | __GFP_NOWARN);
	}
	if (!n)
		return NULL;
	n->shift = shift;
	n->free_mark = full_marks(xa);
	xa->node_allocs++;
	xa->nodes++;
	return n;
}

static void node_free(struct xarray *xa, struct xa_node *n)
{
	xa->node_frees++;
	xa->nodes--;
	kfree(n);
}

/* A node an op allocated but could not use: the op's next try takes it. */
static void node_spare(struct xarray *xa, struct xa_node *n)
{
	xa->node_allocs--;
	xa->nodes--;
	n->parent = xa->xa_alloc;
	xa->xa_alloc = n;
}

/*
 * __xas_nomem() (lib/xarray.c, 6.12): the op ran out of memory under the
 * lock. If @gfp may block, drop xa_lock -- with the lock type the array
 * was made with (xa_lock_type(): XA_FLAGS_LOCK_BH or plain, whatever the
 * caller took it with) --, allocate one node with @gfp, take the lock
 * again: the caller restarts the op, and anything may have happened to
 * the array meanwhile. Else allocate without dropping it. True if the op
 * should be tried again. An array used without its lock (the model's own
 * tests call __xa_*() bare) allocates without any drop.
 */
static bool xas_nomem(struct xarray *xa, gfp_t gfp)
{
	size_t size = node_size(xa);
	bool held = dmtok_spin_is_held(&xa->xa_lock);
	bool bh = xa->xa_flags & XA_FLAGS_LOCK_BH;
	struct xa_node *n;

	if (gfpflags_allow_blocking(gfp) && held) {
		xa_unlock_type(xa, bh);
		n = kmalloc(size, gfp);
		xa_lock_type(xa, bh);
	} else {
		n = kmalloc(size, gfp);
	}
	if (!n)
		return false;
	n->parent = xa->xa_alloc;
	xa->xa_alloc = n;
	return true;
}

/* xas_destroy(): the op is over; what __xas_nomem() got and it left goes */
static void xas_destroy(struct xarray *xa)
{
	while (xa->xa_alloc) {
		struct xa_node *n = xa->xa_alloc;

		xa->xa_alloc = n->parent;
		kfree(n);
	}
}

/*
 * Does the tree reach @index? The kernel's XArray takes any unsigned long
 * (xas_max()/xas_expand()): a root whose span is 64 bits or more covers
 * everything, so this never shifts by 64 or more.
 */
static bool covers(const struct xarray *xa, u64 index)
{
	unsigned int bits;

	if (!xa->xa_head)
		return false;
	bits = xa->xa_head->shift + xa->chunk_shift;
	return bits >= 64 || !(index >> bits);
}

/* Lowest index >= min whose slot is free, by the marks. */
static u64 find_free(struct xarray *xa, struct xa_node *n, u64 base, u64 min)
{
	unsigned int off = 0;

	if (min > base)
		off = (unsigned int)((min - base) >> n->shift);
	for (; off < CHUNK(xa); off++) {
		u64 sub = base + ((u64)off << n->shift);
		struct xa_node *child;
		u64 r;

		if (!(n->free_mark & (1ull << off)))
			continue;
		if (!n->shift) {
			if (sub >= min)
				return sub;
			continue;
		}
		child = n->slots[off];
		if (!child)
			return max(sub, min);
		r = find_free(xa, child, sub, min);
		if (r != NOT_FOUND)
			return r;
	}
	return NOT_FOUND;
}

/* Clear the free mark above a slot that filled up, as far as needed. */
static void mark_full(struct xa_node *n, unsigned int off)
{
	for (;;) {
		n->free_mark &= ~(1ull << off);
		if (n->free_mark || !n->parent)
			return;
		off = n->offset;
		n = n->parent;
	}
}

static void mark_free(struct xa_node *n, unsigned int off)
{
	for (; n; off = n->offset, n = n->parent) {
		if (n->free_mark & (1ull << off))
			return;
		n->free_mark |= 1ull << off;
	}
}

static int grow(struct xarray *xa)
{
	struct xa_node *old = xa->xa_head, *root;

	root = node_alloc(xa, (u8)(old->shift + xa->chunk_shift));
	if (!root)
		return -ENOMEM;
	root->slots[0] = old;
	root->count = 1;
	if (!old->free_mark)
		root->free_mark &= ~1ull;
	old->parent = root;
	old->offset = 0;
	xa->xa_head = root;
	return 0;
}

/* Store into a free slot, creating missing nodes all-or-nothing. */
static int store_new(struct xarray *xa, u64 index, void *entry)
{
	/* one node a level: 64 levels at the smallest node (chunk shift 1) */
	struct xa_node *spare[64], *n = xa->xa_head;
	unsigned int need = 0, i = 0, off;

	while (n->shift) {	/* count missing levels */
		off = (index >> n->shift) & MASK(xa);
		if (!n->slots[off]) {
			need = n->shift / xa->chunk_shift;
			break;
		}
		n = n->slots[off];
	}
	for (i = 0; i < need; i++) {
		spare[i] = node_alloc(xa, 0);
		if (!spare[i]) {	/* kept for the op's next try */
			while (i--)
				node_spare(xa, spare[i]);
			return -ENOMEM;
		}
	}
	i = 0;
	while (n->shift) {
		struct xa_node *child;

		off = (index >> n->shift) & MASK(xa);
		child = n->slots[off];
		if (!child) {
			child = spare[i++];
			child->shift = (u8)(n->shift - xa->chunk_shift);
			child->parent = n;
			child->offset = (u8)off;
			n->slots[off] = child;
			n->count++;
		}
		n = child;
	}
	off = index & MASK(xa);
	n->slots[off] = entry;
	n->count++;
	xa->nr_entries++;
	mark_full(n, off);
	return 0;
}

static void *model_erase(struct xarray *xa, unsigned long index);
static void *model_cmpxchg(struct xarray *xa, unsigned long index, void *old,
			   void *entry, gfp_t gfp);
static void *model_load(struct xarray *xa, unsigned long index);

/* Was @xa made on the real lib/xarray.c backend? (kx NULL: it failed) */
static bool init_kernel_of(const struct xarray *xa)
{
	return xa->kx || xa->xa_flags & DMTOK_XA_KERNEL_FAILED;
}

/*
 * The first node of an empty tree. With XA_FLAGS_ALLOC1 (ZERO_BUSY) the
 * kernel's xas_create() puts XA_ZERO_ENTRY in the slot of index 0 as it
 * grows the tree from an empty head ("if (!entry && xa_zero_busy(xa))
 * entry = XA_ZERO_ENTRY"), so the first leaf never empties while any id
 * below 64 is in use, and xas_shrink() drops it again only when it is the
 * last thing in the tree. The model does the same, which keeps its node
 * churn the kernel's. The zero entry is not counted in nr_entries.
 *
 * Nothing else keeps index 0 out of allocation: __xa_alloc() searches
 * from limit.min for a free mark. So, as in the kernel, erasing index 0
 * (a dontneed of token 0) frees it, and the next allocation hands out 0.
 */
static int first_node(struct xarray *xa)
{
	struct xa_node *n = node_alloc(xa, 0);

	if (!n)
		return -ENOMEM;
	if (xa->xa_flags & XA_FLAGS_ZERO_BUSY) {
		n->slots[0] = XA_ZERO_ENTRY;
		n->count = 1;
		n->free_mark &= ~1ull;
		xa->zero0 = true;
	}
	xa->xa_head = n;
	return 0;
}

/* Grows the tree until @index fits. */
static int reach(struct xarray *xa, u64 index)
{
	if (!xa->xa_head && first_node(xa))
		return -ENOMEM;
	while (!covers(xa, index))
		if (grow(xa))
			return -ENOMEM;
	return 0;
}

/* __xa_alloc(): lowest free index in @limit (never 0 with ALLOC1). */
/* One try of __xa_alloc() under the lock: 0, -EBUSY or -ENOMEM. */
static int alloc_once(struct xarray *xa, u32 *id, void *entry, u64 min, u64 max)
{
	for (;;) {
		u64 idx;

		if (!xa->xa_head && first_node(xa))
			return -ENOMEM;
		idx = covers(xa, min) ? find_free(xa, xa->xa_head, 0, min) : NOT_FOUND;
		if (idx != NOT_FOUND && idx <= max) {
			int err = store_new(xa, idx, entry);

			if (err)
				return err;
			*id = (u32)idx;
			return 0;
		}
		if (covers(xa, max))
			return -EBUSY;
		if (grow(xa))
			return -ENOMEM;
	}
}

int dmtok_xa_alloc(struct xarray *xa, u32 *id, void *entry,
		   struct xa_limit limit, gfp_t gfp)
{
	u64 min = limit.min, max = limit.max;
	int err;

	if (!xa || !id || !(xa->xa_flags & XA_FLAGS_TRACK_FREE))
		return -EINVAL;
	if (init_kernel_of(xa)) {
		err = xa->kx ? dmtok__kx_alloc(xa->kx, id, entry, limit.min, limit.max,
					       KX_OUTER(xa), kx_nowait_fails()) : -ENOMEM;

		xa->nr_entries += !err;
		return err;
	}
	if (!entry)
		entry = XA_ZERO_ENTRY;
	if (min > max)
		return -EBUSY;
	do {	/* xas_lock(); xas_find_marked(); ... while (__xas_nomem()) */
		err = alloc_once(xa, id, entry, min, max);
	} while (err == -ENOMEM && xas_nomem(xa, gfp));
	xas_destroy(xa);
	return err;
}

static struct xa_node *leaf_for(struct xarray *xa, u64 index)
{
	struct xa_node *n = xa->xa_head;

	if (!n || !covers(xa, index))
		return NULL;
	while (n && n->shift)
		n = n->slots[(index >> n->shift) & MASK(xa)];
	return n;
}

/* xas_shrink(): drop roots that only hold slot 0. */
static void shrink(struct xarray *xa)
{
	struct xa_node *n = xa->xa_head;

	while (n && n->shift && n->count == 1 && n->slots[0]) {
		struct xa_node *child = n->slots[0];

		child->parent = NULL;
		child->offset = 0;
		xa->xa_head = child;
		node_free(xa, n);
		n = child;
	}
	/*
	 * A zero entry at index 0 alone in the tree goes, as in xas_shrink()
	 * ("if (xa_is_zero(entry) && xa_zero_busy(xa)) entry = NULL") --
	 * whether it is ALLOC1's own or a reservation at 0.
	 */
	if (n && !n->shift && n->count == 1 && n->slots[0] == XA_ZERO_ENTRY &&
	    (xa->xa_flags & XA_FLAGS_ZERO_BUSY)) {
		if (!xa->zero0)
			xa->nr_entries--;
		xa->zero0 = false;
		xa->xa_head = NULL;
		node_free(xa, n);
	}
}

void *dmtok_xa_erase(struct xarray *xa, unsigned long index)
{
	if (init_kernel_of(xa)) {
		long delta = 0;	/* a reservation counts: __xa_erase() returns NULL for it */
		void *old = xa->kx ? dmtok__kx_erase(xa->kx, index, &delta) : NULL;

		xa->nr_entries += (u64)delta;
		return old;
	}
	return model_erase(xa, index);
}

static void *model_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node *n = leaf_for(xa, index);
	unsigned int off;
	void *old;

	if (!n)
		return NULL;
	off = index & MASK(xa);
	old = n->slots[off];
	if (!old)
		return NULL;
	n->slots[off] = NULL;
	n->count--;
	if (index == 0 && xa->zero0)	/* ALLOC1's own zero entry: uncounted */
		xa->zero0 = false;
	else
		xa->nr_entries--;
	mark_free(n, off);
	while (!n->count) {	/* delete empty nodes upwards */
		struct xa_node *parent = n->parent;

		if (!parent) {
			xa->xa_head = NULL;
			node_free(xa, n);
			break;
		}
		parent->slots[n->offset] = NULL;
		parent->count--;
		node_free(xa, n);
		n = parent;
	}
	shrink(xa);
	return old == XA_ZERO_ENTRY ? NULL : old;
}

/*
 * __xa_cmpxchg(): stores @entry if the slot holds @old (NULL: an empty
 * slot; storing NULL erases). Returns what the slot held, a reservation
 * read back as NULL (xa_zero_to_null()), so a caller cannot tell "stored
 * over a reservation" from "found the slot empty". An allocation failure
 * while creating nodes is returned as-is in the kernel (xa_err()); here,
 * where no scheme checks it, the store is just not made.
 */
void *dmtok_xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		       void *entry, gfp_t gfp)
{
	if (init_kernel_of(xa)) {
		long delta = 0;
		void *cur = xa->kx ? dmtok__kx_cmpxchg(xa->kx, index, &delta, old, entry,
						       KX_OUTER(xa), kx_nowait_fails()) : NULL;

		xa->nr_entries += (u64)delta;
		return cur;
	}
	return model_cmpxchg(xa, index, old, entry, gfp);
}

/* One try under the lock: what the slot held; *@nomem if a node was missing. */
static void *cmpxchg_once(struct xarray *xa, unsigned long index, void *old,
			  void *entry, bool *nomem)
{
	struct xa_node *n = leaf_for(xa, index);
	void *cur = n ? n->slots[index & MASK(xa)] : NULL;

	*nomem = false;
	if (cur != old || cur == entry)
		return cur == XA_ZERO_ENTRY ? NULL : cur;
	if (!entry) {
		model_erase(xa, index);
	} else if (cur) {
		n->slots[index & MASK(xa)] = entry;
		if (index == 0 && xa->zero0) {	/* ALLOC1's zero entry replaced */
			xa->zero0 = false;
			xa->nr_entries++;
		}
	} else if (reach(xa, index) || store_new(xa, index, entry)) {
		*nomem = true;
	}
	return cur == XA_ZERO_ENTRY ? NULL : cur;
}

static void *model_cmpxchg(struct xarray *xa, unsigned long index, void *old,
			   void *entry, gfp_t gfp)
{
	void *cur;
	bool nomem;

	do {	/* the slot is read again after a lock drop */
		cur = cmpxchg_once(xa, index, old, entry, &nomem);
	} while (nomem && xas_nomem(xa, gfp));
	xas_destroy(xa);
	return cur;
}

void *dmtok_xa_load(struct xarray *xa, unsigned long index)
{
	if (init_kernel_of(xa))
		return xa->kx ? dmtok__kx_load(xa->kx, index) : NULL;
	return model_load(xa, index);
}

static void *model_load(struct xarray *xa, unsigned long index)
{
	struct xa_node *n = leaf_for(xa, index);
	void *e = n ? n->slots[index & MASK(xa)] : NULL;

	return e == XA_ZERO_ENTRY ? NULL : e;
}

static void *find_from(struct xarray *xa, struct xa_node *n, u64 base,
		       unsigned long *index)
{
	unsigned int off = 0;

	if (*index > base)
		off = (unsigned int)((*index - base) >> n->shift);
	for (; off < CHUNK(xa); off++) {
		u64 sub = base + ((u64)off << n->shift);
		void *e = n->slots[off];

		if (!e)
			continue;
		if (n->shift) {
			e = find_from(xa, e, sub, index);
			if (e)
				return e;
		} else if (sub >= *index && e != XA_ZERO_ENTRY) {
			*index = (unsigned long)sub;
			return e;
		}
	}
	return NULL;
}

/* xa_find() for XA_PRESENT: the first real entry in [*index, max]. */
void *dmtok_xa_find(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter)
{
	unsigned long i = *index;
	void *e;

	(void)filter;
	if (init_kernel_of(xa))
		return xa->kx ? dmtok__kx_find(xa->kx, index, max) : NULL;
	if (!covers(xa, i) || i > max)
		return NULL;
	e = find_from(xa, xa->xa_head, 0, &i);
	if (!e || i > max)
		return NULL;
	*index = i;
	return e;
}

static void destroy_node(struct xarray *xa, struct xa_node *n)
{
	unsigned int off;

	if (n->shift)
		for (off = 0; off < CHUNK(xa); off++)
			if (n->slots[off])
				destroy_node(xa, n->slots[off]);
	node_free(xa, n);
}

void dmtok_xa_destroy(struct xarray *xa)
{
	if (init_kernel_of(xa)) {
		if (xa->kx)
			dmtok__kx_free(xa->kx);
		xa->kx = NULL;
		xa->nr_entries = 0;
		return;
	}
	if (xa->xa_head)
		destroy_node(xa, xa->xa_head);
	xa->xa_head = NULL;
	xa->nr_entries = 0;
	xa->zero0 = false;
}

void dmtok_xa_stats(const struct xarray *xa, struct dmtok_xa_stats *st)
{
	if (init_kernel_of(xa)) {
		/*
		 * The real XArray keeps no per-array node count: nodes is the
		 * harness's process-wide count of live nodes (nr_allocated).
		 */
		*st = (struct dmtok_xa_stats){
			.entries = xa->nr_entries,
			.nodes = xa->kx ? (unsigned long long)dmtok__kx_nodes_allocated() : 0,
			.height = xa->kx ? dmtok__kx_height(xa->kx) : 0,
			.node_bytes = dmtok__kx_node_bytes(),
		};
		return;
	}
	st->entries = xa->nr_entries;
	st->nodes = xa->nodes;
	st->node_allocs = xa->node_allocs;
	st->node_frees = xa->node_frees;
	st->height = xa->xa_head ? xa->xa_head->shift / xa->chunk_shift + 1u : 0u;
	st->node_bytes = (unsigned int)node_size(xa);
}
