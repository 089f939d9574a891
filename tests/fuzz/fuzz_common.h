/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Shared pieces of the fuzz targets: the scheme selection, an input
 * reader, the client bookkeeping, and the checks that turn any broken
 * rule into a crash libFuzzer reports: "DMTOK-FUZZ: <check>: <detail>"
 * then abort().
 *
 * Which schemes a target runs: every registered one, or only the one
 * named by --scheme=NAME (libFuzzer passes flags that start with "--"
 * through to LLVMFuzzerInitialize) or the environment's DMTOK_SCHEME.
 * --scheme-lib=PATH (or DMTOK_SCHEME_LIB) loads a scheme library first.
 * An unknown name is an error, never a silent fallback.
 */
#ifndef DMTOK_FUZZ_COMMON_H
#define DMTOK_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/scheme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *fuzz_only;	/* one scheme, or NULL: all registered */

static void fuzz_load_lib(const char *path)
{
	char err[512];

	if (dmtok_scheme_load(path, err, sizeof(err)) < 0) {
		fprintf(stderr, "DMTOK-FUZZ: --scheme-lib: %s\n", err);
		exit(2);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env = getenv("DMTOK_SCHEME_LIB");
	char list[1024];

	if (env)
		fuzz_load_lib(env);
	fuzz_only = getenv("DMTOK_SCHEME");
	for (int i = 1; argc && argv && i < *argc; i++) {
		const char *a = (*argv)[i];

		if (!strncmp(a, "--scheme-lib=", 13))
			fuzz_load_lib(a + 13);
		else if (!strncmp(a, "--scheme=", 9))
			fuzz_only = a + 9;
	}
	if (fuzz_only && !dmtok_scheme_find(fuzz_only)) {
		fprintf(stderr, "DMTOK-FUZZ: unknown scheme '%s' (known: %s)\n", fuzz_only,
			dmtok_scheme_list(list, sizeof(list)));
		exit(2);
	}
	return 0;
}

/* The @i-th scheme this target runs, or NULL past the end. */
static inline const char *fuzz_scheme_at(unsigned int i)
{
	const struct dmtok_scheme_ops *ops;

	if (fuzz_only)
		return i ? NULL : fuzz_only;
	ops = dmtok_scheme_at(i);
	return ops ? ops->name : NULL;
}

static inline unsigned int fuzz_scheme_count(void)
{
	return fuzz_only ? 1 : dmtok_scheme_count();
}

/* What dmtok_bind_rx() needs for @scheme to take the binding's frags. */
static inline unsigned int fuzz_bind_flags(const char *scheme)
{
	struct dmtok_scheme_info info;

	return dmtok_scheme_info(scheme, &info) ? 0 : info.bind_flags;
}

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
	ssize_t r = dmtok_recvmsg(net, s->fd, &msg, flags);
	struct dmabuf_cmsg dc;
	struct cmsghdr *cm;
	int e = errno, type;

	if (r >= 0)
		dmtok_cmsg_for_each(&msg, cm, type, &dc)
			if (type == SCM_DEVMEM_DMABUF && s->ntok < MAXTOK)
				s->tok[s->ntok++] = dc.frag_token;
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
