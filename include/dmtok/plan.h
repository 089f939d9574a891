/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Token-space arithmetic behind dmtok-plan: for a system (NICs, queues per
 * NIC, dmabuf size, page size, sockets, references outstanding per
 * socket) and each 32-bit token encoding, whether it fits and with how
 * much headroom, and each scheme's memory per socket.
 */
#ifndef DMTOK_PLAN_H
#define DMTOK_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dmtok_plan_in {
	uint32_t nics;
	uint32_t queues_per_nic;
	uint64_t dmabuf_size;		/* bytes, per binding */
	uint32_t page_size;		/* bytes, power of two */
	uint64_t sockets;
	uint64_t outstanding;		/* references held per socket */
	uint32_t socket_bindings;	/* distinct bindings one socket sees */
};

enum dmtok_plan_enc {
	DMTOK_ENC_GLOBAL_ID_PAGE,	/* global binding id bits + page bits */
	DMTOK_ENC_SLOT_PAGE,		/* per-socket binding slot bits + page bits */
	DMTOK_ENC_PAGE_ONLY,		/* page index only (niov-array, niov-uref) */
	DMTOK_ENC_XARRAY,		/* per-socket XArray index, 31-bit limit */
	DMTOK_ENC_SLOTS,		/* per-socket slot index ("slots", 24 bits) */
	DMTOK_ENC_COUNT
};

struct dmtok_plan_enc_out {
	const char *name;
	unsigned int prefix_bits;	/* bits spent on binding id/slot */
	unsigned int index_bits;	/* bits left for the page/slot index */
	uint64_t needed;		/* pages (or references) to address */
	bool fits;
	bool multi_binding;		/* a socket may take frags of >1 binding */
	int headroom_bits;		/* index_bits - bits(needed); < 0: short */
};

struct dmtok_plan_mem_out {
	const char *scheme;
	uint64_t per_socket;		/* bytes */
	uint64_t per_binding;		/* bytes the scheme adds to each binding */
	uint64_t total;			/* bytes: all sockets and all bindings */
	uint64_t close_scan;		/* entries scanned at close */
	unsigned int token_bits_needed;	/* for this load */
	unsigned int token_bits;	/* the scheme's encoding has */
};

/* Bits needed to number @n distinct things 0..n-1 (0 for n <= 1). */
unsigned int dmtok_plan_bits(uint64_t n);

/*
 * Fills @enc[DMTOK_ENC_COUNT], the token encodings. Returns 0 or -EINVAL
 * for a NULL, zero or inconsistent input.
 */
int dmtok_plan(const struct dmtok_plan_in *in,
	       struct dmtok_plan_enc_out enc[DMTOK_ENC_COUNT]);

/*
 * Fills @out from the registered scheme @scheme's own formula (its plan
 * op). Returns 0, -EINVAL (bad input, or the scheme refuses this load),
 * -ENOENT (no such scheme), -EOPNOTSUPP (the scheme declares no formula).
 */
int dmtok_plan_scheme(const struct dmtok_plan_in *in, const char *scheme,
		      struct dmtok_plan_mem_out *out);

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_PLAN_H */
