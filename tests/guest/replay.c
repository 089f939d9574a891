// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-guest-replay: plays op sequences (the language of seq.h) against
 * dmtok -- the xarray scheme (tcp_recvmsg_dmabuf() and
 * sock_devmem_dontneed()'s own algorithm) on a net with the 6.12 profile --
 * and prints what it saw in the format the guest's /init prints for the same
 * sequences run against a real 6.12 kernel (tests/guest/init.c). The netdev
 * is shaped like the guest's: one RX queue, 4096-byte buffers, 1448 bytes of
 * payload per packet (a 1500-byte MTU less IPv4, TCP and the timestamp
 * option), perfect header split.
 *
 * "pools" prints the niovs nobody has returned (dmtok_net_counts()'s
 * niovs_out). The kernel's inflight count also includes niovs parked in a
 * live page pool's caches, so sequences ask for it after the unbind only,
 * when the two mean the same thing.
 *
 * usage: dmtok-guest-replay SEQ_FILE...   exit 0, or 1 on an error
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmtok.h"
#include "seq.h"

#define GUEST_MSS	1448

struct replay {
	struct dmtok_net *net;
	int ifindex, dmabuf, fd, flow;
	uint32_t id;
	struct seq_rx rx;
};

static long dontneed(void *arg, const struct dmabuf_token *t, unsigned int n)
{
	struct replay *r = arg;
	int ret = dmtok_setsockopt(r->net, r->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t,
				   sizeof(*t) * n);

	return ret < 0 ? -errno : ret;
}

static int op_recv(struct replay *r, const struct seq_op *op)
{
	char *control = seq_recv_prepare(&r->rx, op);
	ssize_t ret;

	if (!control)
		return -ENOMEM;
	ret = dmtok_recvmsg(r->net, r->fd, &r->rx.msg, seq_recv_flags(op));
	seq_report_recv(stdout, &r->rx, ret < 0 ? -errno : ret);
	free(control);
	return 0;
}

/* Returns 0, or -1 with the reason printed. */
static int play(struct replay *r, const struct seq_op *op, const char *path)
{
	struct dmtok_net_counts counts;
	unsigned int q = 0;
	long ret;

	switch (op->kind) {
	case SEQ_NAME:
		seq_print_name(stdout, op->name);
		return 0;
	case SEQ_BIND: {
		int dmabuf = dmtok_dmabuf_create(r->net, op->a, 4096, 0);

		if (dmabuf < 0)
			break;
		ret = dmtok_bind_rx(r->net, r->ifindex, dmabuf, &q, 1, 0);
		seq_print_bind(stdout, ret);
		if (ret <= 0) {	/* refused: the binding before stays */
			dmtok_close(r->net, dmabuf);
			return 0;
		}
		r->dmabuf = dmabuf;
		r->id = ret;
		r->rx.niovs.n = 0;
		return 0;
	}
	case SEQ_CONNECT:
		r->fd = dmtok_socket(r->net, SOCK_STREAM, "xarray");
		if (r->fd < 0)
			break;
		r->flow = dmtok_flow_create(r->net, r->ifindex, 0, r->fd);
		if (r->flow < 0)
			break;
		r->rx.nheld = 0;
		seq_print_connect(stdout);
		return 0;
	case SEQ_SEND:
		ret = dmtok_nic_rx(r->net, r->flow, op->a);
		if (ret != (long)op->a) {
			fprintf(stderr, "%s: the NIC took %ld of %llu bytes\n", path, ret, op->a);
			return -1;
		}
		seq_print_send(stdout, op->a);
		return 0;
	case SEQ_RECV:
		return op_recv(r, op);
	case SEQ_INQ: {
		int v = (int)op->a;

		ret = dmtok_setsockopt(r->net, r->fd, SOL_TCP, TCP_INQ, &v, sizeof(v));
		seq_print_inq(stdout, ret < 0 ? -errno : 0);
		return 0;
	}
	case SEQ_DONTNEED: {
		struct dmabuf_token t = { (uint32_t)op->a, (uint32_t)op->b };

		seq_print_dontneed(stdout, dontneed(r, &t, 1));
		return 0;
	}
	case SEQ_DONTNEED_HELD:
		seq_dontneed_held(stdout, &r->rx, dontneed, r);
		return 0;
	case SEQ_DONTNEED_RAW:
		ret = dmtok_setsockopt(r->net, r->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, op->raw,
				       op->rawlen);
		seq_print_dontneed(stdout, ret < 0 ? -errno : ret);
		return 0;
	case SEQ_CLOSE:
		dmtok_close(r->net, r->fd);
		r->fd = -1;
		seq_print_close(stdout);
		return 0;
	case SEQ_UNBIND:
		if (dmtok_unbind(r->net, r->id) || dmtok_close(r->net, r->dmabuf))
			break;
		dmtok_net_run_deferred(r->net);
		seq_print_unbind(stdout);
		return 0;
	case SEQ_POOLS:
		if (dmtok_net_counts(r->net, &counts))
			break;
		seq_print_pools(stdout, (long)counts.niovs_out);
		return 0;
	case SEQ_RACE:
	case SEQ_NOMEM:
		fprintf(stderr, "%s: race and nomem are played in the guest only\n", path);
		return -1;
	}
	fprintf(stderr, "%s: op %d failed: %s\n", path, (int)op->kind, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct dmtok_netdev_opts opts = { .nqueues = 1, .mss = GUEST_MSS };
	static struct replay r;
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: dmtok-guest-replay SEQ_FILE...\n");
		return 1;
	}
	if (dmtok_net_create(&r.net) || dmtok_net_set_kernel(r.net, DMTOK_KERNEL_6_12))
		return 1;
	r.ifindex = dmtok_netdev_create(r.net, &opts);
	if (r.ifindex < 0)
		return 1;
	for (int i = 1; i < argc && !bad; i++) {
		FILE *f = fopen(argv[i], "r");
		struct seq_op op;
		static char line[SEQ_LINE_MAX];

		if (!f) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			bad = 1;
			break;
		}
		while (!bad && fgets(line, sizeof(line), f)) {
			int e = seq_parse(line, &op);

			if (e == 1)
				continue;
			if (e) {
				fprintf(stderr, "%s: not an op: %s", argv[i], line);
				bad = 1;
			} else if (play(&r, &op, argv[i])) {
				bad = 1;
			}
		}
		fclose(f);
	}
	if (dmtok_net_destroy(r.net))
		bad = 1;
	return bad;
}
