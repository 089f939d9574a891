// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz target 3: SO_DEVMEM_DONTNEED argument handling alone, fast. A
 * socket per scheme holds 40 frags; the input is the raw optval (its
 * length is optlen). The call must answer with an errno or a count no
 * larger than what was held, hit no WARN, and leave the invariants intact;
 * close must then bring every niov home.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	unsigned int q = 0;

	if (!size)
		return 0;
	dmtok_warn_reset();
	for (unsigned int i = 0; fuzz_scheme_at(i); i++) {
		const char *name = fuzz_scheme_at(i);
		struct dmtok_net *net;
		struct fsock s = { 0 };
		struct dmtok_net_counts c;
		int ifi, d, b, r;

		if (dmtok_net_create(&net))
			fuzz_fail("setup", "net");
		ifi = dmtok_netdev_create(net, &o);
		d = dmtok_dmabuf_create(net, 64 * 4096, 0, 0);
		b = dmtok_bind_rx(net, ifi, d, &q, 1, fuzz_bind_flags(name));
		s.fd = dmtok_socket(net, SOCK_STREAM, name);
		s.flow = dmtok_flow_create(net, ifi, 0, s.fd);
		if (b < 0 || s.flow < 0 || dmtok_nic_rx(net, s.flow, 40 * 4096) != 40 * 4096)
			fuzz_fail("setup", name);
		while (fuzz_recv(net, &s, 4096, 1 << 16, MSG_SOCK_DEVMEM) > 0)
			;
		r = dmtok_setsockopt(net, s.fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, data,
				     (socklen_t)(size > 4096 ? 4096 : size));
		if (r > 40 || (r < 0 && errno != EINVAL))
			fuzz_fail("dontneed", name);
		fuzz_check(net);
		dmtok_close(net, s.fd);
		dmtok_unbind(net, (uint32_t)b);
		dmtok_net_counts(net, &c);
		if (c.niovs_out || c.bindings)
			fuzz_fail("leak", "niovs not home");
		if (dmtok_net_destroy(net))
			fuzz_fail("leak", name);
	}
	if (dmtok_warn_count())
		fuzz_fail("warn", "WARN hit");
	return 0;
}
