// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A devmem TCP client written against dmtok the way one is written
 * against the kernel (compare do_server() in
 * tools/testing/selftests/drivers/net/hw/ncdevmem.c): recvmsg with
 * MSG_SOCK_DEVMEM, walk the cmsgs with CMSG_FIRSTHDR/CMSG_NXTHDR, check
 * each frag's payload in the dmabuf through frag_offset, hand tokens back
 * with SO_DEVMEM_DONTNEED 128 at a time. Only the calls' prefix differs.
 *
 * usage: example_client [--scheme-lib PATH] [SCHEME] [MEGABYTES]
 * SCHEME: any registered scheme (default xarray); MEGABYTES: 1..65536
 * (default 64). A wrong argument is refused with the rule it broke.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/scheme.h"

#define TOKENS_PER_CALL 128

static int return_tokens(struct dmtok_net *net, int fd, struct dmabuf_token *t,
			 unsigned int *n)
{
	int r = dmtok_setsockopt(net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t,
				 *n * sizeof(*t));

	if (r != (int)*n) {
		fprintf(stderr, "SO_DEVMEM_DONTNEED: %d of %u (%s)\n", r, *n,
			r < 0 ? strerror(errno) : "short");
		return -1;
	}
	*n = 0;
	return 0;
}

static int usage(const char *why)
{
	fprintf(stderr, "example_client: %s\n"
		"usage: example_client [--scheme-lib PATH] [SCHEME] [MEGABYTES 1..65536]\n", why);
	return 2;
}

int main(int argc, char **argv)
{
	const char *scheme = "xarray", *mb_arg = NULL;
	struct dmtok_scheme_info info;
	char names[1024], err[512];
	unsigned long mb = 64;
	size_t total;
	struct dmtok_netdev_opts opts = { .nqueues = 4, .mss = 4096 };
	struct dmabuf_token tokens[TOKENS_PER_CALL];
	unsigned int ntokens = 0, queues[] = { 0, 1, 2, 3 };
	static char iobuf[80000];
	char ctrl[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 64];
	const uint8_t *dmabuf_mem;
	uint64_t received = 0, frags = 0, linear = 0, errors = 0;
	struct dmtok_net *net;
	int ifindex, dmabuf_fd, binding_id, fd, flow;

	for (int i = 1, pos = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--scheme-lib") && i + 1 < argc) {
			if (dmtok_scheme_load(argv[++i], err, sizeof(err)) < 0)
				return usage(err);
		} else if (argv[i][0] == '-' && argv[i][1] && !(argv[i][1] >= '0' && argv[i][1] <= '9')) {
			return usage("unknown option");
		} else if (pos == 0) {
			scheme = argv[i];
			pos++;
		} else if (pos == 1) {
			mb_arg = argv[i];
			pos++;
		} else {
			return usage("too many arguments");
		}
	}
	if (dmtok_scheme_info(scheme, &info)) {
		snprintf(err, sizeof(err), "unknown scheme '%s' (known: %s)", scheme,
			 dmtok_scheme_list(names, sizeof(names)));
		return usage(err);
	}
	if (mb_arg) {
		char *end;

		errno = 0;
		mb = strtoul(mb_arg, &end, 10);
		if (mb_arg[0] == '-' || *end || end == mb_arg || errno || mb < 1 || mb > 65536)
			return usage("MEGABYTES must be a number from 1 to 65536");
	}
	total = (size_t)mb << 20;

	/* the "system": a NIC, a 64 MiB udmabuf bound to its 4 RX queues */
	if (dmtok_net_create(&net))
		return 1;
	ifindex = dmtok_netdev_create(net, &opts);
	dmabuf_fd = dmtok_dmabuf_create(net, 64 << 20, 4096, DMTOK_DMABUF_BACKED);
	binding_id = dmtok_bind_rx(net, ifindex, dmabuf_fd, queues, 4, info.bind_flags);
	if (binding_id < 0 || dmtok_dmabuf_map(net, dmabuf_fd, &dmabuf_mem, NULL)) {
		fprintf(stderr, "bind: %s\n", strerror(-binding_id));
		return 1;
	}
	fd = dmtok_socket(net, SOCK_STREAM, scheme);
	flow = dmtok_flow_create(net, ifindex, 2, fd);
	if (fd < 0 || flow < 0)
		return 1;

	while (received < total) {
		struct iovec iov = { .iov_base = iobuf, .iov_len = sizeof(iobuf) };
		struct msghdr msg = { 0 };
		struct cmsghdr *cm;
		ssize_t ret;

		/* the sender: 256 KiB arrive */
		if (dmtok_nic_rx(net, flow, 256 * 1024) < 0)
			break;
		for (;;) {
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = ctrl;
			msg.msg_controllen = sizeof(ctrl);
			ret = dmtok_recvmsg(net, fd, &msg, MSG_SOCK_DEVMEM);
			if (ret < 0 && errno == EAGAIN)
				break;
			if (ret < 0) {
				perror("recvmsg");
				return 1;
			}
			for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
				struct dmabuf_cmsg *dc = (struct dmabuf_cmsg *)CMSG_DATA(cm);

				if (cm->cmsg_level != SOL_SOCKET)
					continue;
				if (cm->cmsg_type == SCM_DEVMEM_LINEAR) {
					linear += dc->frag_size;
					received += dc->frag_size;
					continue;
				}
				if (cm->cmsg_type != SCM_DEVMEM_DMABUF)
					continue;
				for (uint32_t i = 0; i < dc->frag_size; i++)
					errors += dmabuf_mem[dc->frag_offset + i] !=
						  dmtok_flow_pattern(flow, received + i);
				received += dc->frag_size;
				frags++;
				tokens[ntokens].token_start = dc->frag_token;
				tokens[ntokens].token_count = 1;
				if (++ntokens == TOKENS_PER_CALL &&
				    return_tokens(net, fd, tokens, &ntokens))
					return 1;
			}
		}
	}
	if (ntokens && return_tokens(net, fd, tokens, &ntokens))
		return 1;
	printf("scheme %s: received %llu bytes in %llu frags (+%llu linear), "
	       "%llu payload errors\n", scheme, (unsigned long long)received,
	       (unsigned long long)frags, (unsigned long long)linear,
	       (unsigned long long)errors);
	dmtok_close(net, fd);
	if (dmtok_check(net, NULL, 0) || dmtok_net_destroy(net))
		return 1;
	return errors ? 1 : 0;
}
