// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The radix tree behind the upstream (xarray) token scheme; see xarray.h.
 * Written for this model from the documented behaviour of lib/xarray.c:
 * it allocates, frees and walks nodes the way the XArray does, so node
 * churn and tree height measured here are the kernel's.
 */
#include "xarray.h"

#define CHUNK(xa)	(1u << (xa)->chunk_shift)
#define MASK(xa)	(CHUNK(xa) - 1)
#define NOT_FOUND	(~0ull)

static u64 full_marks(const struct xarray *xa)
{
	return CHUNK(xa) == 64 ? ~0ull : (1ull << CHUNK(xa)) - 1;
}

void xa_init_flags(struct xarray *xa, u8 chunk_shift)
{
	*xa = (struct xarray){ .chunk_shift = chunk_shift };
	spin_lock_init(&xa->xa_lock);
}

static struct xa_node *node_alloc(struct xarray *xa, u8 shift)
{
	struct xa_node *n = kzalloc(sizeof(*n) + CHUNK(xa) * sizeof(void *),
				    GFP_KERNEL);

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

static u64 capacity(const struct xarray *xa)
{
	return xa->head ? 1ull << (xa->head->shift + xa->chunk_shift) : 0;
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
	struct xa_node *old = xa->head, *root;

	root = node_alloc(xa, (u8)(old->shift + xa->chunk_shift));
	if (!root)
		return -ENOMEM;
	root->slots[0] = old;
	root->count = 1;
	if (!old->free_mark)
		root->free_mark &= ~1ull;
	old->parent = root;
	old->offset = 0;
	xa->head = root;
	return 0;
}

/* Store into a free slot, creating missing nodes all-or-nothing. */
static int store_new(struct xarray *xa, u64 index, void *entry)
{
	struct xa_node *spare[16], *n = xa->head;
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
		if (!spare[i]) {
			while (i--)
				node_free(xa, spare[i]);
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

int __xa_alloc(struct xarray *xa, u32 *id, void *entry, u32 max)
{
	for (;;) {
		u64 idx;

		if (!xa->head) {
			xa->head = node_alloc(xa, 0);
			if (!xa->head)
				return -ENOMEM;
		}
		idx = find_free(xa, xa->head, 0, 1);
		if (idx != NOT_FOUND && idx <= max) {
			int err = store_new(xa, idx, entry);

			if (err)
				return err;
			*id = (u32)idx;
			return 0;
		}
		if (capacity(xa) > max)
			return -EBUSY;
		if (grow(xa))
			return -ENOMEM;
	}
}

static struct xa_node *leaf_for(struct xarray *xa, u64 index)
{
	struct xa_node *n = xa->head;

	if (!n || index >= capacity(xa))
		return NULL;
	while (n && n->shift)
		n = n->slots[(index >> n->shift) & MASK(xa)];
	return n;
}

/* xas_shrink(): drop roots that only hold slot 0. */
static void shrink(struct xarray *xa)
{
	struct xa_node *n = xa->head;

	while (n && n->shift && n->count == 1 && n->slots[0]) {
		struct xa_node *child = n->slots[0];

		child->parent = NULL;
		child->offset = 0;
		xa->head = child;
		node_free(xa, n);
		n = child;
	}
}

void *__xa_erase(struct xarray *xa, unsigned long index)
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
	xa->nr_entries--;
	mark_free(n, off);
	while (!n->count) {	/* delete empty nodes upwards */
		struct xa_node *parent = n->parent;

		if (!parent) {
			xa->head = NULL;
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

void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry)
{
	struct xa_node *n = leaf_for(xa, index);
	void *cur;

	if (!n)
		return NULL;
	cur = n->slots[index & MASK(xa)];
	if (cur == old && cur && entry)
		n->slots[index & MASK(xa)] = entry;
	return cur == XA_ZERO_ENTRY ? NULL : cur;
}

void *xa_load(struct xarray *xa, unsigned long index)
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

void *xa_find(struct xarray *xa, unsigned long *index)
{
	if (!xa->head || *index >= capacity(xa))
		return NULL;
	return find_from(xa, xa->head, 0, index);
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

void xa_destroy(struct xarray *xa)
{
	if (xa->head)
		destroy_node(xa, xa->head);
	xa->head = NULL;
	xa->nr_entries = 0;
	spin_lock_destroy(&xa->xa_lock);
}

unsigned int xa_height(const struct xarray *xa)
{
	return xa->head ? xa->head->shift / xa->chunk_shift + 1u : 0u;
}
