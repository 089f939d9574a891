// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz target 4: dmtok's XArray model against the kernel's own
 * lib/xarray.c (the *-kernel backend), step by step. Random sequences of
 * the calls the schemes make -- __xa_alloc with XA_ZERO_ENTRY or an entry
 * and a limit, __xa_cmpxchg, __xa_erase, xa_load, xa_find -- on two
 * XArrays made with XA_FLAGS_ALLOC1, one per backend. Must agree exactly:
 * every return value, every id handed out, every entry loaded or found,
 * and the tree's height after every step. Node counts are compared at the
 * end, after the kernel's RCU-deferred frees have run. Built only when
 * dmtok has the kernel backend; links the static library for the model's
 * backend switch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok/kernel.h"
#include "dmtok/alloc.h"
#include "compat/compat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

__attribute__((noreturn)) static void diff(const char *what, unsigned long a, unsigned long b,
					   unsigned int step)
{
	fprintf(stderr, "DMTOK-FUZZ: xarray differential: step %u: %s: model %#lx, kernel %#lx\n",
		step, what, a, b);
	abort();
}

static unsigned int height(const struct xarray *xa)
{
	struct dmtok_xa_stats st;

	dmtok_xa_stats(xa, &st);
	return st.height;
}

/* Live nodes: the model's own count, the kernel's after its RCU frees ran. */
static void same_nodes(const struct xarray *m, const struct xarray *k, long base,
		       unsigned int step)
{
	struct dmtok_xa_stats sm, sk;

	dmtok__xa_kernel_quiesce();
	dmtok_xa_stats(m, &sm);
	dmtok_xa_stats(k, &sk);
	if (sm.nodes != sk.nodes - (unsigned long long)base)
		diff("live nodes", (unsigned long)sm.nodes, (unsigned long)(sk.nodes - base), step);
}

/* entries are small even numbers, XA_ZERO_ENTRY, or netmem-like odd ones */
static void *entry_of(uint8_t b)
{
	if (b % 5 == 0)
		return XA_ZERO_ENTRY;
	return (void *)(uintptr_t)((b % 2) ? ((uintptr_t)b << 12) | 1 : (uintptr_t)b << 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xarray m, k;
	struct dmtok_xa_stats s0;
	unsigned int step = 0;
	size_t i = 0;
	long base;

	if (!dmtok__xa_kernel_available())
		return 0;
	xa_init_flags(&m, XA_FLAGS_ALLOC1);
	dmtok__xa_init_kernel(1);
	xa_init_flags(&k, XA_FLAGS_ALLOC1);
	dmtok__xa_init_kernel(0);
	if (!k.kx)
		abort();
	dmtok__xa_kernel_quiesce();
	dmtok_xa_stats(&k, &s0);
	base = (long)s0.nodes;	/* nodes other arrays still hold (none, normally) */
	while (i + 3 <= size && step < 4096) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		unsigned long idx = (unsigned long)a | ((unsigned long)(b & 3) << 8);
		void *e = entry_of(b), *rm, *rk;
		unsigned long im, ik;
		u32 idm = 0, idk = 0;
		int em, ek;

		i += 3;
		step++;
		switch (op % 6) {
		case 0:
		case 1: {	/* __xa_alloc with a limit: xa_limit_31b or a small one */
			struct xa_limit lim = (op & 8) ? XA_LIMIT(0, (u32)a + 1) : xa_limit_31b;

			em = __xa_alloc(&m, &idm, e, lim, GFP_KERNEL);
			ek = __xa_alloc(&k, &idk, e, lim, GFP_KERNEL);
			if (em != ek)
				diff("__xa_alloc return", (unsigned long)em, (unsigned long)ek, step);
			if (!em && idm != idk)
				diff("__xa_alloc id", idm, idk, step);
			break;
		}
		case 2:
			rm = __xa_erase(&m, idx);
			rk = __xa_erase(&k, idx);
			if (rm != rk)
				diff("__xa_erase", (unsigned long)rm, (unsigned long)rk, step);
			break;
		case 3:	/* commit a reservation, or store over an entry */
			/*
			 * Known, accepted difference: a store into index 0 of an
			 * empty array keeps the entry in the kernel's xa_head,
			 * with no node, and its free marks then differ when the
			 * tree grows; the model builds a node. Not compared (see
			 * the README).
			 */
			if ((op & 8) && idx == 0 && xa_empty(&m))
				break;
			rm = __xa_cmpxchg(&m, idx, (op & 8) ? NULL : XA_ZERO_ENTRY, e, GFP_KERNEL);
			rk = __xa_cmpxchg(&k, idx, (op & 8) ? NULL : XA_ZERO_ENTRY, e, GFP_KERNEL);
			if (rm != rk)
				diff("__xa_cmpxchg", (unsigned long)rm, (unsigned long)rk, step);
			break;
		case 4:
			rm = xa_load(&m, idx);
			rk = xa_load(&k, idx);
			if (rm != rk)
				diff("xa_load", (unsigned long)rm, (unsigned long)rk, step);
			break;
		default:
			im = ik = idx;
			rm = xa_find(&m, &im, ULONG_MAX, XA_PRESENT);
			rk = xa_find(&k, &ik, ULONG_MAX, XA_PRESENT);
			if (rm != rk)
				diff("xa_find entry", (unsigned long)rm, (unsigned long)rk, step);
			if (rm && im != ik)
				diff("xa_find index", im, ik, step);
			break;
		}
		if (height(&m) != height(&k))
			diff("height", height(&m), height(&k), step);
		if (!(step % 256))
			same_nodes(&m, &k, base, step);
	}
	same_nodes(&m, &k, base, step);
	xa_destroy(&m);
	xa_destroy(&k);
	return 0;
}
