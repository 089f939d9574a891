/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The injectable allocator and the WARN counter. Every allocation dmtok
 * makes goes through the one allocator installed here (the model's
 * kzalloc/kvcalloc), so a test can fail the Nth allocation and count live
 * ones, as the kernel's fault injection and the radix-tree harness's
 * nr_allocated do. WARN sites never abort: they are counted so a test can
 * assert that no user-reachable path hit one.
 */
#ifndef DMTOK_ALLOC_H
#define DMTOK_ALLOC_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A small struct of function pointers, as Concurrency Kit's ck_malloc. */
struct dmtok_allocator {
	/* Returns zeroed memory of @size bytes, or NULL. */
	void *(*zalloc)(void *ctx, size_t size);
	/* Frees @ptr (never NULL); @size is 0: kfree() does not know it. */
	void (*free)(void *ctx, void *ptr, size_t size);
	void *ctx;
};

/*
 * Installs @a (copied) as the allocator; NULL restores the default
 * (calloc/free). Not to be called while any dmtok object is alive.
 */
void dmtok_set_allocator(const struct dmtok_allocator *a);

/*
 * A counting allocator that can fail the Nth allocation. Thread-safe.
 * Fields are read through the accessors below.
 */
struct dmtok_test_allocator {
	struct dmtok_allocator base;
	long opaque[8];
};

/*
 * Installs @t as the allocator with no failure armed (NULL: the default).
 * The arming calls ignore a NULL @t; the counters read -1 for it.
 */
void dmtok_test_allocator_install(struct dmtok_test_allocator *t);
/* Fails the @nth allocation from now (1 = the next one); 0 disarms. */
void dmtok_test_allocator_fail_nth(struct dmtok_test_allocator *t, long nth);
/* Fails every allocation from the @nth on (models sustained pressure). */
void dmtok_test_allocator_fail_from(struct dmtok_test_allocator *t, long nth);
/* Allocations live right now. */
long dmtok_test_allocator_live(const struct dmtok_test_allocator *t);
/* Allocations attempted since install (successful or not). */
long dmtok_test_allocator_calls(const struct dmtok_test_allocator *t);
/* Allocations failed on purpose since install. */
long dmtok_test_allocator_failed(const struct dmtok_test_allocator *t);

/* Total WARN hits since start or the last reset, over all sites. */
unsigned long dmtok_warn_count(void);
void dmtok_warn_reset(void);
/* Prints each site that was hit, with its count, to @f. */
void dmtok_warn_report(FILE *f);

/*
 * The debug kernel the vocabulary plays: every check is on by default, as
 * in a kernel built with PROVE_LOCKING. A benchmark that wants a
 * production kernel's costs turns lockdep off (its classes, order graph
 * and softirq states cost tens of instructions per lock; dmtok-bench does
 * this and says so). The locks held are still tracked (lockdep_is_held(),
 * the atomic-sleep check). Returns the previous flags.
 */
#define DMTOK_DEBUG_LOCKDEP	0x1u
unsigned int dmtok_set_kernel_debug(unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_ALLOC_H */
