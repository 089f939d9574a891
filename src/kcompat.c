// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The kernel-compat layer's out-of-line half: the injectable allocator
 * (default calloc/free, and the test allocator that fails the Nth call),
 * the lock used as spinlock_t, and the WARN hit counter. This is the one
 * place the model calls into libc for memory and locks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok/alloc.h"
#include "kcompat.h"

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(spinlock_t),
	       "spinlock_t too small for pthread_mutex_t");

/*
 * Zeroed like kzalloc()/kvzalloc(): the memory is written, so it is
 * committed at allocation as in the kernel, not faulted in lazily later
 * (calloc() of a large size hands back untouched pages, which would move
 * the cost of an array scheme's allocation into its first uses).
 */
static void *zero_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p)
		memset(p, 0, size);
	return p;
}

static void *default_zalloc(void *ctx, size_t size)
{
	(void)ctx;
	return zero_alloc(size);
}

static void default_free(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	(void)size;
	free(ptr);
}

static struct dmtok_allocator cur_alloc = {
	.zalloc = default_zalloc, .free = default_free, .ctx = NULL,
};

void dmtok_set_allocator(const struct dmtok_allocator *a)
{
	if (a && a->zalloc && a->free)
		cur_alloc = *a;
	else
		cur_alloc = (struct dmtok_allocator){ default_zalloc, default_free, NULL };
}

void *dmtok__zalloc(size_t size)
{
	return cur_alloc.zalloc(cur_alloc.ctx, size);
}

void dmtok__free(void *ptr)
{
	if (ptr)
		cur_alloc.free(cur_alloc.ctx, ptr, 0);
}

/* ---- test allocator ---- */

struct test_alloc_state {
	_Atomic long live, calls, failed, fail_nth, fail_from;
};
_Static_assert(sizeof(struct test_alloc_state) <= sizeof(((struct dmtok_test_allocator *)0)->opaque),
	       "opaque too small");

static struct test_alloc_state *tas(const struct dmtok_test_allocator *t)
{
	return (struct test_alloc_state *)(void *)t->opaque;
}

static void *test_zalloc(void *ctx, size_t size)
{
	struct test_alloc_state *s = tas(ctx);
	long n = atomic_fetch_add(&s->calls, 1) + 1;
	long nth = atomic_load(&s->fail_nth), from = atomic_load(&s->fail_from);
	void *p;

	if ((nth && n == nth) || (from && n >= from)) {
		atomic_fetch_add(&s->failed, 1);
		return NULL;
	}
	p = zero_alloc(size);
	if (p)
		atomic_fetch_add(&s->live, 1);
	return p;
}

static void test_free(void *ctx, void *ptr, size_t size)
{
	(void)size;
	atomic_fetch_sub(&tas(ctx)->live, 1);
	free(ptr);
}

void dmtok_test_allocator_install(struct dmtok_test_allocator *t)
{
	memset(t, 0, sizeof(*t));
	t->base.zalloc = test_zalloc;
	t->base.free = test_free;
	t->base.ctx = t;
	dmtok_set_allocator(&t->base);
}

void dmtok_test_allocator_fail_nth(struct dmtok_test_allocator *t, long nth)
{
	struct test_alloc_state *s = tas(t);

	atomic_store(&s->fail_from, 0);
	atomic_store(&s->fail_nth, nth > 0 ? atomic_load(&s->calls) + nth : 0);
}

void dmtok_test_allocator_fail_from(struct dmtok_test_allocator *t, long nth)
{
	struct test_alloc_state *s = tas(t);

	atomic_store(&s->fail_nth, 0);
	atomic_store(&s->fail_from, nth > 0 ? atomic_load(&s->calls) + nth : 0);
}

long dmtok_test_allocator_live(const struct dmtok_test_allocator *t)
{
	return atomic_load(&tas(t)->live);
}

long dmtok_test_allocator_calls(const struct dmtok_test_allocator *t)
{
	return atomic_load(&tas(t)->calls);
}

long dmtok_test_allocator_failed(const struct dmtok_test_allocator *t)
{
	return atomic_load(&tas(t)->failed);
}

/* ---- locks ---- */

void dmtok__spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init((pthread_mutex_t *)(void *)l, NULL);
}

void dmtok__spin_lock(spinlock_t *l)
{
	pthread_mutex_lock((pthread_mutex_t *)(void *)l);
}

void dmtok__spin_unlock(spinlock_t *l)
{
	pthread_mutex_unlock((pthread_mutex_t *)(void *)l);
}

void dmtok__spin_lock_destroy(spinlock_t *l)
{
	pthread_mutex_destroy((pthread_mutex_t *)(void *)l);
}

/* ---- WARN counter ---- */

static _Atomic unsigned long warn_total;
static struct dmtok_warn_site *_Atomic warn_sites;

void dmtok__warn_hit(struct dmtok_warn_site *site)
{
	int zero = 0;

	atomic_fetch_add(&site->hits, 1);
	atomic_fetch_add(&warn_total, 1);
	if (atomic_compare_exchange_strong(&site->listed, &zero, 1)) {
		struct dmtok_warn_site *head = atomic_load(&warn_sites);

		do {
			atomic_store(&site->next, head);
		} while (!atomic_compare_exchange_weak(&warn_sites, &head, site));
	}
}

unsigned long dmtok_warn_count(void)
{
	return atomic_load(&warn_total);
}

void dmtok_warn_reset(void)
{
	struct dmtok_warn_site *s;

	atomic_store(&warn_total, 0);
	for (s = atomic_load(&warn_sites); s; s = atomic_load(&s->next))
		atomic_store(&s->hits, 0);
}

void dmtok_warn_report(FILE *f)
{
	struct dmtok_warn_site *s;

	for (s = atomic_load(&warn_sites); s; s = atomic_load(&s->next))
		if (atomic_load(&s->hits))
			fprintf(f, "WARN %s:%d (%s): %lu hit(s)\n", s->file,
				s->line, s->expr, atomic_load(&s->hits));
}
