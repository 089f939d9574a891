// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The slots scheme's free-slot stack under threads, in the manner of
 * Concurrency Kit's regressions/ck_stack/validate: producers push chains
 * of slots (free_stack_push_mpsc(), as concurrent dontneeds do), one
 * consumer pops them (free_stack_pop_sc(), as recvmsg does under the
 * socket lock, taking the whole shared stack with one exchange), and
 * every token is in exactly one place at every moment -- on a stack,
 * with the consumer, or with one producer. A token popped twice, or lost,
 * fails it. src/schemes/slots.c is included whole, as the kernel's
 * radix-tree test harness includes lib/xarray.c, so what runs is the
 * scheme's own code. Build it with TSan too (the stress suite does).
 *
 * usage: validate-free-stack [ROUNDS]
 */
#define dmtok_scheme_slots validate_unused_slots_ops	/* the ops are not under test */
#include "slots.c"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define NTOK	4096
#define NPROD	3
#define CHAIN	8		/* most slots a producer pushes at once */

enum { ON_STACK = 0, CONSUMER = 1, PRODUCER = 2 };	/* + producer number */

static struct slots_sock S;
static atomic_int where[NTOK + 1];
static atomic_long errors, pushes;
static atomic_int stop;

/* consumer -> producer p, one ring each (single producer, single consumer) */
static struct {
	u32 buf[NTOK];
	atomic_uint head, tail;
} ring[NPROD];

static void bad(const char *what, u32 t, int was)
{
	if (atomic_fetch_add(&errors, 1) < 10)
		fprintf(stderr, "validate-free-stack: token %u %s (it was at %d)\n", t, what, was);
}

/* Moves @t from @from to @to, failing if it was elsewhere. */
static void move(u32 t, int from, int to)
{
	int was = from;

	if (!atomic_compare_exchange_strong(&where[t], &was, to))
		bad(from == ON_STACK ? "popped but not on the stack" : "pushed by one that did not own it",
		    t, was);
}

static void *producer(void *arg)
{
	unsigned int p = (unsigned int)(uintptr_t)arg, seed = p + 1;

	for (;;) {
		unsigned int head = atomic_load_explicit(&ring[p].head, memory_order_relaxed);
		unsigned int avail = atomic_load_explicit(&ring[p].tail, memory_order_acquire) - head;
		unsigned int k = 1 + rand_r(&seed) % CHAIN;
		u32 tok[CHAIN];

		if (!avail) {
			if (atomic_load(&stop))
				return NULL;
			sched_yield();
			continue;
		}
		if (k > avail)
			k = avail;
		for (unsigned int i = 0; i < k; i++)
			tok[i] = ring[p].buf[(head + i) % NTOK];
		atomic_store_explicit(&ring[p].head, head + k, memory_order_release);
		/* the chain, linked through the slot words, as slots_dontneed() makes it */
		for (unsigned int i = 0; i < k; i++) {
			move(tok[i], PRODUCER + (int)p, ON_STACK);
			if (i + 1 < k)
				WRITE_ONCE(*slot_of(&S, tok[i]), slot_mk_free(tok[i + 1]));
		}
		free_stack_push_mpsc(&S, tok[0], tok[k - 1]);
		atomic_fetch_add_explicit(&pushes, 1, memory_order_relaxed);
	}
}

static void *consumer(void *arg)
{
	long rounds = (long)(intptr_t)arg;

	for (long n = 0; n < rounds;) {
		u32 t = free_stack_pop_sc(&S);
		unsigned int p, tail;

		if (!t) {
			sched_yield();
			continue;
		}
		n++;
		move(t, ON_STACK, CONSUMER);
		if (READ_ONCE(*slot_of(&S, t)))
			bad("popped with its slot word not cleared", t, CONSUMER);
		p = t % NPROD;
		tail = atomic_load_explicit(&ring[p].tail, memory_order_relaxed);
		while (tail - atomic_load_explicit(&ring[p].head, memory_order_acquire) == NTOK)
			sched_yield();
		ring[p].buf[tail % NTOK] = t;
		move(t, CONSUMER, PRODUCER + (int)p);
		atomic_store_explicit(&ring[p].tail, tail + 1, memory_order_release);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	static unsigned char seen[NTOK + 1];
	pthread_t prod[NPROD], cons;
	u32 t;

	if (rounds <= 0) {
		fprintf(stderr, "usage: validate-free-stack [ROUNDS > 0]\n");
		return 2;
	}
	for (t = 1; t <= NTOK; t++) {
		if (ensure_leaf(&S, t)) {
			fprintf(stderr, "validate-free-stack: out of memory\n");
			return 2;
		}
		if (t < NTOK)
			WRITE_ONCE(*slot_of(&S, t), slot_mk_free(t + 1));
	}
	free_stack_push_mpsc(&S, 1, NTOK);
	for (unsigned int p = 0; p < NPROD; p++)
		pthread_create(&prod[p], NULL, producer, (void *)(uintptr_t)p);
	pthread_create(&cons, NULL, consumer, (void *)(intptr_t)rounds);
	pthread_join(cons, NULL);
	atomic_store(&stop, 1);		/* the producers push what they hold, then stop */
	for (unsigned int p = 0; p < NPROD; p++)
		pthread_join(prod[p], NULL);
	/* every token back on the stack, each once */
	while ((t = free_stack_pop_sc(&S))) {
		if (t > NTOK || seen[t]++)
			bad(t > NTOK ? "out of range" : "on the stack twice", t, ON_STACK);
		else if (atomic_load(&where[t]) != ON_STACK)
			bad("on the stack but owned", t, atomic_load(&where[t]));
	}
	for (t = 1; t <= NTOK; t++)
		if (!seen[t])
			bad("lost", t, atomic_load(&where[t]));
	slots_release_all(&S);		/* the leaves and mids */
	printf("validate-free-stack: %ld pops, %ld chain pushes by %d producers, %d tokens: %s\n",
	       rounds, atomic_load(&pushes), NPROD, NTOK, atomic_load(&errors) ? "FAIL" : "PASS");
	return atomic_load(&errors) ? 1 : 0;
}
