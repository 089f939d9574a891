// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real XArray as a backend of dmtok's XArray API: Linux's own
 * lib/xarray.c (from a kernel source tree, 6.12 as Debian packages it),
 * built in userspace with the kernel's radix-tree test harness
 * (tools/testing/shared: its kmem_cache shim and liburcu for RCU), and
 * reached from the model (src/compat/xarray.c) through the narrow
 * interface below -- this file is the only one compiled against the
 * harness's headers, so the kernel's definitions never meet dmtok's.
 *
 * GPL-2.0-only: a dmtok built with this backend links lib/xarray.c and is
 * distributed under the GPL-2.0 (the project's dual licence allows it).
 * The kernel source is read from the tree at build time; none of it is in
 * dmtok's repository.
 *
 * Allocation: nodes come from the harness's kmem_cache (malloc), not
 * dmtok's injectable allocator, so fault injection does not reach them;
 * the harness's nr_allocated counts live nodes. Nodes are freed through
 * call_rcu, as in the kernel: a thread must be an RCU reader to walk, so
 * each thread registers with liburcu on first use.
 */
#include <pthread.h>
#include <stdlib.h>

#include "xarray-shared.h"
#include <linux/xarray.h>
#include <linux/radix-tree.h>

#include "kxarray.h"

extern int nr_allocated;
/* the harness's (tools/testing/shared/linux.c), declared by its tests only */
extern struct kmem_cache *radix_tree_node_cachep;
void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val);

static pthread_once_t kx_once = PTHREAD_ONCE_INIT;
static pthread_key_t kx_key;
static __thread int kx_registered;

static void kx_thread_exit(void *arg)
{
	(void)arg;
	rcu_unregister_thread();
}

static void kx_init_once(void)
{
	radix_tree_init();
	pthread_key_create(&kx_key, kx_thread_exit);
}

static void kx_enter(void)
{
	pthread_once(&kx_once, kx_init_once);
	if (!kx_registered) {
		rcu_register_thread();
		pthread_setspecific(kx_key, &kx_registered);
		kx_registered = 1;
	}
}

void *dmtok__kx_new(int alloc1, int lock_bh)
{
	struct xarray *xa = malloc(sizeof(*xa));

	kx_enter();
	if (xa)
		xa_init_flags(xa, (alloc1 ? XA_FLAGS_ALLOC1 : XA_FLAGS_ALLOC) |
				  (lock_bh ? XA_FLAGS_LOCK_BH : 0));
	return xa;
}

void dmtok__kx_free(void *p)
{
	kx_enter();
	xa_destroy(p);
	free(p);
}

/*
 * The __xa_* calls need the real XArray's own xa_lock held, as in the
 * kernel. The scheme's lock -- dmtok's xa_lock on its side of the API --
 * is taken outside this one, so the two nest in one order; together they
 * are the kernel's one xa_lock. While a call runs, kx_call names both, and
 * the harness's spin_lock()/spin_unlock() (linux/spinlock.h here) take and
 * drop the outer one with the inner one -- which only __xas_nomem() does
 * inside a call: the outer is dropped after the inner and retaken before
 * it, keeping the order.
 */
static __thread __attribute__((tls_model("initial-exec"))) struct {
	pthread_mutex_t *inner;
	struct dmtok_kx_outer *outer;
} kx_call;

void dmtok__kx_spin_unlock(pthread_mutex_t *m, int type)
{
	pthread_mutex_unlock(m);
	if (m == kx_call.inner && kx_call.outer)
		kx_call.outer->unlock(kx_call.outer, type == DMTOK_KX_LOCK_BH);
}

void dmtok__kx_spin_lock(pthread_mutex_t *m, int type)
{
	if (m == kx_call.inner && kx_call.outer)
		kx_call.outer->lock(kx_call.outer, type == DMTOK_KX_LOCK_BH);
	pthread_mutex_lock(m);
}

/* Under xa_lock: the call's outer lock, and GFP_NOWAIT's fate. */
static void kx_call_begin(struct xarray *xa, struct dmtok_kx_outer *outer,
			  int nowait_fails)
{
	/*
	 * The harness fails GFP_NOWAIT unless told how many may succeed; told
	 * only when that changes (nowait_fails is on only while dmtok-explore
	 * runs its threads one at a time).
	 */
	static int fails = -1;

	if (__atomic_load_n(&fails, __ATOMIC_RELAXED) != nowait_fails) {
		kmem_cache_set_non_kernel(radix_tree_node_cachep, nowait_fails ? 0 : UINT_MAX);
		__atomic_store_n(&fails, nowait_fails, __ATOMIC_RELAXED);
	}
	kx_call.inner = &xa->xa_lock;
	kx_call.outer = outer;
}

static void kx_call_end(void)
{
	kx_call.inner = NULL;
	kx_call.outer = NULL;
}

int dmtok__kx_alloc(void *p, unsigned int *id, void *entry, unsigned int min,
		    unsigned int max, struct dmtok_kx_outer *outer, int nowait_fails)
{
	struct xarray *xa = p;
	int err;

	kx_enter();
	xa_lock(xa);
	kx_call_begin(xa, outer, nowait_fails);
	err = __xa_alloc(xa, id, entry, XA_LIMIT(min, max), GFP_KERNEL);
	kx_call_end();
	xa_unlock(xa);
	return err;
}

/* Is the slot occupied, a reservation included (the raw entry)? */
static int occupied(struct xarray *xa, unsigned long index)
{
	XA_STATE(xas, xa, index);
	void *e = xas_load(&xas);

	return e && !(index == 0 && xa_is_zero(e));
}

void *dmtok__kx_erase(void *p, unsigned long index, long *delta)
{
	struct xarray *xa = p;
	void *old;

	kx_enter();
	xa_lock(xa);
	*delta -= occupied(xa, index);
	old = __xa_erase(xa, index);
	xa_unlock(xa);
	return old;
}

void *dmtok__kx_cmpxchg(void *p, unsigned long index, long *delta, void *old, void *entry,
			struct dmtok_kx_outer *outer, int nowait_fails)
{
	struct xarray *xa = p;
	void *cur;

	kx_enter();
	xa_lock(xa);
	kx_call_begin(xa, outer, nowait_fails);
	*delta -= occupied(xa, index);
	cur = __xa_cmpxchg(xa, index, old, entry, GFP_KERNEL);
	*delta += occupied(xa, index);
	kx_call_end();
	xa_unlock(xa);
	return xa_is_err(cur) ? NULL : cur;
}

void *dmtok__kx_load(void *p, unsigned long index)
{
	kx_enter();
	return xa_load(p, index);
}

void *dmtok__kx_find(void *p, unsigned long *index, unsigned long max)
{
	kx_enter();
	return xa_find(p, index, max, XA_PRESENT);
}

/* Height of the tree (0: empty or a single entry at the head). */
unsigned int dmtok__kx_height(void *p)
{
	struct xarray *xa = p;
	void *head = xa->xa_head;

	if (!xa_is_node(head))
		return head ? 1 : 0;
	return xa_to_node(head)->shift / XA_CHUNK_SHIFT + 1;
}

long dmtok__kx_nodes_allocated(void)
{
	return __atomic_load_n(&nr_allocated, __ATOMIC_RELAXED);
}

unsigned int dmtok__kx_node_bytes(void)
{
	return sizeof(struct xa_node);
}

/* Waits until every node freed through call_rcu so far is freed. */
void dmtok__kx_quiesce(void)
{
	kx_enter();
	rcu_barrier();
}
