/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Shared pieces of the fuzz targets: an input reader, a fixed small
 * world (two bound queues, a netdev without binding, two sockets, two
 * flows), the client bookkeeping, and the checks that turn any broken
 * rule into a crash libFuzzer reports: "DMTOK-FUZZ: <check>: <detail>"
 * then abort().
 */
#ifndef DMTOK_FUZZ_COMMON_H
#define DMTOK_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t u8_(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t u16_(struct in *in)
{
	return (uint16_t)(u8_(in) | u8_(in) << 8);
}

static inline uint32_t u32_(struct in *in)
{
	return (uint32_t)u16_(in) | (uint32_t)u16_(in) << 16;
}

__attribute__((noreturn)) static inline void fuzz_fail(const char *check, const char *detail)
{
	fprintf(stderr, "DMTOK-FUZZ: %s: %s\n", check, detail);
	dmtok_warn_report(stderr);
	abort();
}

static inline void fuzz_check(struct dmtok_net *net)
{
	char msg[512];

	if (dmtok_check(net, msg, sizeof(msg)))
		fuzz_fail(dmtok_warn_count() ? "warn" : "invariant", msg);
}

#define MAXTOK 2048

struct fsock {
	int fd, flow;
	uint32_t tok[MAXTOK];	/* frags received, not yet returned */
	unsigned int ntok;
};

/* Receives once; records tokens. Returns recvmsg's result (errno kept). */
static inline ssize_t fuzz_recv(struct dmtok_net *net, struct fsock *s, size_t ctl,
				size_t iovlen, int flags)
{
	static char buf[1 << 16];
	static union { char c[4096]; struct cmsghdr a; } cbuf;
	struct iovec iov = { buf, iovlen };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl ? cbuf.c : NULL,
			      .msg_controllen = ctl > sizeof(cbuf) ? sizeof(cbuf) : ctl };
	struct cmsghdr *cm;
	ssize_t r = dmtok_recvmsg(net, s->fd, &msg, flags);
	int e = errno;

	if (r >= 0)
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct dmabuf_cmsg dc;

			if (cm->cmsg_type != SCM_DEVMEM_DMABUF)
				continue;
			memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
			if (s->ntok < MAXTOK)
				s->tok[s->ntok++] = dc.frag_token;
		}
	errno = e;
	return r;
}

/* Returns the last @k recorded tokens, one entry each; they are forgotten. */
static inline int fuzz_return(struct dmtok_net *net, struct fsock *s, unsigned int k)
{
	struct dmabuf_token t[128];
	int r;

	if (k > s->ntok)
		k = s->ntok;
	if (k > 128)
		k = 128;
	for (unsigned int i = 0; i < k; i++)
		t[i] = (struct dmabuf_token){ s->tok[s->ntok - k + i], 1 };
	s->ntok -= k;
	r = dmtok_setsockopt(net, s->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t,
			     k * sizeof(t[0]));
	return r < 0 ? -errno : r;
}

#endif /* DMTOK_FUZZ_COMMON_H */
