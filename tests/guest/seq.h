/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The op-sequence language both sides of the guest comparison speak: the
 * guest's /init plays a sequence against the real kernel (init.c), and
 * dmtok-guest-replay plays it against dmtok (replay.c); each prints what it
 * saw in the one format below, and tests/guest/run.sh compares the two.
 *
 *   # comment                 blank lines and comments are skipped
 *   name NAME                 printed first: which sequence this is
 *   bind SIZE                 a SIZE-byte udmabuf bound to RX queue 0
 *   connect                   the peer connects; the receiver accepts
 *   send N                    the peer sends N bytes; wait until all are queued
 *   recv NCMSG [IOVLEN [EXTRA]] [peek|plain|badctl]
 *                             recvmsg(MSG_SOCK_DEVMEM | MSG_DONTWAIT) with room
 *                             for NCMSG dmabuf cmsgs and EXTRA bytes more
 *                             (default 0) and IOVLEN bytes of iov (default
 *                             1 MiB); peek adds MSG_PEEK, plain leaves out
 *                             MSG_SOCK_DEVMEM, badctl puts the control
 *                             buffer at address 1 (it faults)
 *   inq 0|1                   setsockopt(SOL_TCP, TCP_INQ) on the receiver
 *   dontneed START COUNT      SO_DEVMEM_DONTNEED of one token range
 *   dontneed held             every token received and not returned yet, one
 *                             range per token, 128 ranges per call
 *   dontneed-raw HEX          SO_DEVMEM_DONTNEED with these optval bytes (up
 *                             to 4096; run.sh makes such sequences from the
 *                             fuzz_dontneed corpus)
 *   close                     the receiver closes its socket
 *   unbind                    the binding's netlink socket closes (6.12)
 *   pools                     the binding's page pools' inflight count, once a
 *                             destroyed pool's deferred release has run
 *   race SECONDS GUESS PAUSE  guest only: see init.c
 *   nomem on|off              guest only: GFP_NOWAIT allocations of XArray
 *                             nodes fail (failslab; see init.c)
 *
 * Header-only so each program stays one file; static functions only.
 */
#ifndef DMTOK_GUEST_SEQ_H
#define DMTOK_GUEST_SEQ_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmtok/uapi.h"	/* struct dmabuf_cmsg, struct dmabuf_token, SO_DEVMEM_* */

enum seq_kind {
	SEQ_NAME, SEQ_BIND, SEQ_CONNECT, SEQ_SEND, SEQ_RECV, SEQ_DONTNEED,
	SEQ_DONTNEED_HELD, SEQ_DONTNEED_RAW, SEQ_CLOSE, SEQ_UNBIND, SEQ_POOLS, SEQ_RACE, SEQ_NOMEM,
	SEQ_INQ,
};

enum seq_recv_mode { SEQ_RECV_DEVMEM, SEQ_RECV_PEEK, SEQ_RECV_PLAIN, SEQ_RECV_BADCTL };

struct seq_op {
	enum seq_kind kind;
	unsigned long long a, b, c;
	enum seq_recv_mode mode;	/* recv */
	char name[64];
	unsigned char raw[4096];	/* dontneed-raw */
	size_t rawlen;
};

/* The longest line: dontneed-raw with 4096 bytes in hex. */
#define SEQ_LINE_MAX	(16 + 2 * 4096 + 2)

/* The recvmsg flags of a recv op (MSG_PEEK is 2, MSG_DONTWAIT 0x40, and
 * MSG_SOCK_DEVMEM 0x2000000 in every ABI).
 */
static int seq_recv_flags(const struct seq_op *op)
{
	int f = 0x40;

	if (op->mode != SEQ_RECV_PLAIN)
		f |= 0x2000000;
	if (op->mode == SEQ_RECV_PEEK)
		f |= 2;
	return f;
}

/* 0: an op in *@op; 1: nothing on the line; -1: not the language. */
static int seq_parse(const char *line, struct seq_op *op)
{
	char word[16] = "", rest[64] = "";
	int n;

	memset(op, 0, sizeof(*op));
	n = sscanf(line, "%15s %63s", word, rest);
	if (n < 1 || word[0] == '#')
		return 1;
	if (!strcmp(word, "name") && n == 2) {
		op->kind = SEQ_NAME;
		memcpy(op->name, rest, sizeof(op->name));
		return 0;
	}
	if (!strcmp(word, "nomem") && n == 2 && (!strcmp(rest, "on") || !strcmp(rest, "off"))) {
		op->kind = SEQ_NOMEM;
		op->a = !strcmp(rest, "on");
		return 0;
	}
	if (!strcmp(word, "dontneed-raw") && n == 2) {
		const char *h = line + strspn(line, " \t") + strlen(word);

		h += strspn(h, " \t");
		op->kind = SEQ_DONTNEED_RAW;
		while (isxdigit((unsigned char)h[0]) && isxdigit((unsigned char)h[1])) {
			if (op->rawlen == sizeof(op->raw))
				return -1;
			sscanf(h, "%2hhx", &op->raw[op->rawlen++]);
			h += 2;
		}
		return *h && !isspace((unsigned char)*h) ? -1 : 0;
	}
	if (!strcmp(word, "dontneed") && n == 2 && !strcmp(rest, "held")) {
		op->kind = SEQ_DONTNEED_HELD;
		return 0;
	}
	static const struct { const char *w; enum seq_kind k; int min, max; } ops[] = {
		{ "bind", SEQ_BIND, 1, 1 },	{ "connect", SEQ_CONNECT, 0, 0 },
		{ "send", SEQ_SEND, 1, 1 },	{ "recv", SEQ_RECV, 1, 3 },
		{ "dontneed", SEQ_DONTNEED, 2, 2 }, { "close", SEQ_CLOSE, 0, 0 },
		{ "unbind", SEQ_UNBIND, 0, 0 }, { "pools", SEQ_POOLS, 0, 0 },
		{ "race", SEQ_RACE, 3, 3 },	{ "inq", SEQ_INQ, 1, 1 },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char args[4][24] = { "" };
		int got, nums = 0;

		if (strcmp(word, ops[i].w))
			continue;
		op->kind = ops[i].k;
		op->b = op->kind == SEQ_RECV ? 1u << 20 : 0;
		got = sscanf(line, "%*s %23s %23s %23s %23s", args[0], args[1], args[2],
			     args[3]);
		if (got < 0)
			got = 0;
		if (op->kind == SEQ_RECV && got > 1) {
			if (!strcmp(args[got - 1], "peek"))
				op->mode = SEQ_RECV_PEEK, got--;
			else if (!strcmp(args[got - 1], "plain"))
				op->mode = SEQ_RECV_PLAIN, got--;
			else if (!strcmp(args[got - 1], "badctl"))
				op->mode = SEQ_RECV_BADCTL, got--;
		}
		for (int k = 0; k < got; k++) {
			char *end;
			unsigned long long v = strtoull(args[k], &end, 0);

			if (*end || args[k][0] == '-' || k > 2)
				return -1;
			*(k == 0 ? &op->a : k == 1 ? &op->b : &op->c) = v;
			nums++;
		}
		return nums >= ops[i].min && nums <= ops[i].max ? 0 : -1;
	}
	return -1;
}

static void seq_print_name(FILE *f, const char *name)
{
	fprintf(f, "seq %s\n", name);
}

static void seq_print_bind(FILE *f, long id)
{
	fprintf(f, "bind %ld\n", id);
}

static void seq_print_connect(FILE *f)
{
	fprintf(f, "connect\n");
}

static void seq_print_send(FILE *f, unsigned long long n)
{
	fprintf(f, "send %llu\n", n);
}

/* @ret: 0, or -errno */
static void seq_print_inq(FILE *f, long ret)
{
	fprintf(f, "inq %ld\n", ret);
}

/*
 * A cmsg of another level (TCP_INQ's, SOL_TCP): its cmsg_len, which
 * put_cmsg() cuts at the room left, and its int if it is whole.
 */
static void seq_print_other_cmsg(FILE *f, const struct cmsghdr *c)
{
	int v;

	fprintf(f, " cmsg level=%d type=%d len=%zu", c->cmsg_level, c->cmsg_type,
		(size_t)c->cmsg_len);
	if (c->cmsg_len >= CMSG_LEN(sizeof(v))) {
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		fprintf(f, " value=%d", v);
	}
	fprintf(f, "\n");
}

/* @ret: bytes, or -errno */
static void seq_print_recv(FILE *f, long ret, int flags, int ncmsg)
{
	fprintf(f, "recv ret=%ld flags=%#x cmsgs=%d\n", ret, (unsigned int)flags, ncmsg);
}

/*
 * Which niov a frag landed in is named by order of first use within the
 * binding (niov=0, 1, ...), not by its dmabuf offset: the offset depends on
 * where the udmabuf's pages sit in physical memory (one genpool chunk per
 * DMA segment, the newest chunk searched first: gen_pool_add_owner()'s
 * list_add_rcu(), lib/genalloc.c), which is the kernel's page allocator,
 * not the token scheme. The raw offset follows on a comment line.
 */
struct seq_niovs {
	uint64_t page[16384];
	unsigned int n;
};

static unsigned int seq_niov(struct seq_niovs *m, uint64_t off)
{
	uint64_t page = off / 4096;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->page[i] == page)
			return i;
	if (m->n < sizeof(m->page) / sizeof(m->page[0]))
		m->page[m->n++] = page;
	return i;
}

static void seq_print_cmsg(FILE *f, struct seq_niovs *m, int level, int type,
			   const struct dmabuf_cmsg *d)
{
	if (type != SO_DEVMEM_DMABUF) {	/* SO_DEVMEM_LINEAR: only a size */
		fprintf(f, " cmsg level=%d type=%d size=%u\n", level, type, d->frag_size);
		return;
	}
	fprintf(f, " cmsg level=%d type=%d niov=%u pgoff=%llu size=%u token=%u id=%u\n",
		level, type, seq_niov(m, d->frag_offset),
		(unsigned long long)(d->frag_offset % 4096), d->frag_size, d->frag_token,
		d->dmabuf_id);
	fprintf(f, "# off=%llu\n", (unsigned long long)d->frag_offset);
}

/* What the receiver of a sequence keeps between ops, on both sides. */
struct seq_rx {
	struct seq_niovs niovs;		/* reset at each bind */
	uint32_t held[65536];		/* tokens received, not returned */
	unsigned int nheld;
	char data[1 << 20];		/* the iov of a recv */
	struct iovec iov;
	struct msghdr msg;
};

/*
 * Sets up @rx->msg for a recv op: room for @op's NCMSG dmabuf cmsgs (the
 * control buffer returned, to be freed; NULL if it cannot be had) and an
 * iov of IOVLEN bytes at most 1 MiB.
 */
static char *seq_recv_prepare(struct seq_rx *rx, const struct seq_op *op)
{
	size_t clen = CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * op->a + op->c;
	char *control = calloc(1, clen ? clen : 1);

	rx->iov.iov_base = rx->data;
	rx->iov.iov_len = op->b < sizeof(rx->data) ? op->b : sizeof(rx->data);
	memset(&rx->msg, 0, sizeof(rx->msg));
	rx->msg.msg_iov = &rx->iov;
	rx->msg.msg_iovlen = 1;
	rx->msg.msg_control = op->mode == SEQ_RECV_BADCTL ? (void *)1 : control;
	rx->msg.msg_controllen = clen;
	return control;
}

/*
 * After the recvmsg of @rx->msg returned @ret (bytes, or -errno -- the
 * kernel writes back no msghdr field on an error, so none is read then):
 * prints the recv line and each cmsg, and keeps the dmabuf tokens in
 * @rx->held. Returns the number of cmsgs.
 */
static int seq_report_recv(FILE *f, struct seq_rx *rx, long ret)
{
	struct cmsghdr *c;
	int n = 0;

	if (ret < 0)
		rx->msg.msg_controllen = 0;
	for (c = CMSG_FIRSTHDR(&rx->msg); c; c = CMSG_NXTHDR(&rx->msg, c))
		n++;
	seq_print_recv(f, ret, ret < 0 ? 0 : rx->msg.msg_flags, n);
	for (c = CMSG_FIRSTHDR(&rx->msg); c; c = CMSG_NXTHDR(&rx->msg, c)) {
		struct dmabuf_cmsg d;

		if (c->cmsg_level != SOL_SOCKET) {
			seq_print_other_cmsg(f, c);
			continue;
		}
		memcpy(&d, CMSG_DATA(c), sizeof(d));
		seq_print_cmsg(f, &rx->niovs, c->cmsg_level, c->cmsg_type, &d);
		if (c->cmsg_type == SO_DEVMEM_DMABUF &&
		    rx->nheld < sizeof(rx->held) / sizeof(rx->held[0]))
			rx->held[rx->nheld++] = d.frag_token;
	}
	return n;
}

/* SO_DEVMEM_DONTNEED on one side: frags released, or -errno. */
typedef long (*seq_dontneed_fn)(void *arg, const struct dmabuf_token *t, unsigned int n);

static void seq_print_dontneed(FILE *f, long ret);

/* dontneed held: one range per token, 128 ranges a call; prints the total. */
static void seq_dontneed_held(FILE *f, struct seq_rx *rx, seq_dontneed_fn dontneed,
			      void *arg)
{
	struct dmabuf_token t[128];
	long total = 0;

	for (unsigned int i = 0; i < rx->nheld; ) {
		unsigned int n = 0;
		long r;

		while (n < 128 && i < rx->nheld)
			t[n++] = (struct dmabuf_token){ rx->held[i++], 1 };
		r = dontneed(arg, t, n);
		if (r < 0) {
			total = r;
			break;
		}
		total += r;
	}
	rx->nheld = 0;
	seq_print_dontneed(f, total);
}

static void seq_print_dontneed(FILE *f, long ret)
{
	fprintf(f, "dontneed %ld\n", ret);
}

static void seq_print_close(FILE *f)
{
	fprintf(f, "close\n");
}

static void seq_print_unbind(FILE *f)
{
	fprintf(f, "unbind\n");
}

static void seq_print_pools(FILE *f, long inflight)
{
	fprintf(f, "pools inflight=%ld\n", inflight);
}

#endif /* DMTOK_GUEST_SEQ_H */
