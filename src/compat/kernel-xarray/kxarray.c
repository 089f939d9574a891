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

void *dmtok__kx_new(int alloc1)
{
	struct xarray *xa = malloc(sizeof(*xa));

	kx_enter();
	if (xa)
		xa_init_flags(xa, alloc1 ? XA_FLAGS_ALLOC1 : XA_FLAGS_ALLOC);
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
 * kernel (__xas_nomem() drops and retakes it to allocate with
 * GFP_KERNEL). The scheme's lock -- dmtok's xa_lock on its side of the
 * API -- is taken outside this one, so the two nest in one order.
 */
int dmtok__kx_alloc(void *p, unsigned int *id, void *entry, unsigned int min,
		    unsigned int max)
{
	struct xarray *xa = p;
	int err;

	kx_enter();
	xa_lock(xa);
	err = __xa_alloc(xa, id, entry, XA_LIMIT(min, max), GFP_KERNEL);
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

void *dmtok__kx_cmpxchg(void *p, unsigned long index, long *delta, void *old, void *entry)
{
	struct xarray *xa = p;
	void *cur;

	kx_enter();
	xa_lock(xa);
	*delta -= occupied(xa, index);
	cur = __xa_cmpxchg(xa, index, old, entry, GFP_KERNEL);
	*delta += occupied(xa, index);
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
