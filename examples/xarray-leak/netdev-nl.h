/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Devmem TCP setup from userspace, as ncdevmem does it
 * (tools/testing/selftests/drivers/net/hw/ncdevmem.c) but without ynl: a
 * udmabuf from a memfd (drivers/dma-buf/udmabuf.c), the netdev
 * generic-netlink family's NETDEV_CMD_BIND_RX (netdev_nl_bind_rx_doit(),
 * net/core/netdev-genl.c, 6.12) and NETDEV_CMD_PAGE_POOL_GET
 * (net/core/page_pool_user.c), over plain netlink sockets, and the token
 * return itself (SO_DEVMEM_DONTNEED). Shared by the
 * hardware reproducer (devmem-race.c) and the qemu guest's /init
 * (tests/guest/init.c). The includer defines die(fmt, ...), which must not
 * return.
 */
#ifndef DMTOK_NETDEV_NL_H
#define DMTOK_NETDEV_NL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/udmabuf.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmtok/uapi.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* include/uapi/linux/netdev.h, 6.12 (a host's <linux/netdev.h>
 * may be older than the kernel it talks to: Debian 12's is 6.1's) */
#define NETDEV_A_DEV_IFINDEX		1
#define NETDEV_A_PAGE_POOL_INFLIGHT	4
#define NETDEV_A_PAGE_POOL_DMABUF	7
#define NETDEV_A_QUEUE_ID		1
#define NETDEV_A_QUEUE_TYPE		3
#define NETDEV_QUEUE_TYPE_RX		0
#define NETDEV_A_DMABUF_QUEUES		2
#define NETDEV_A_DMABUF_FD		3
#define NETDEV_A_DMABUF_ID		4
#define NETDEV_CMD_PAGE_POOL_GET	5
#define NETDEV_CMD_BIND_RX		13


/* ---- netlink: just enough for one rtnetlink and three genetlink requests */

struct nlreq {
	char buf[8192];
	size_t len;
	struct nlattr *nest;
};

static struct nlmsghdr *nl_start(struct nlreq *r, int type, int flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)r->buf;

	memset(r->buf, 0, sizeof(r->buf));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = 1;
	r->len = NLMSG_HDRLEN;
	r->nest = NULL;
	return h;
}

static void *nl_put(struct nlreq *r, const void *p, size_t n)
{
	void *at = r->buf + r->len;

	memcpy(at, p, n);
	r->len += NLMSG_ALIGN(n);
	return at;
}

static void nl_attr(struct nlreq *r, int type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + n, .nla_type = type };

	memcpy(r->buf + r->len, &a, sizeof(a));
	r->len += NLA_HDRLEN;
	if (n)
		nl_put(r, p, n);
	if (r->nest)
		r->nest->nla_len = r->buf + r->len - (char *)r->nest;
}

static void nl_u32(struct nlreq *r, int type, uint32_t v)
{
	nl_attr(r, type, &v, sizeof(v));
}

static void nl_nest(struct nlreq *r, int type)
{
	r->nest = (struct nlattr *)(r->buf + r->len);
	nl_attr(r, type | NLA_F_NESTED, NULL, 0);
}

static int nl_open(int proto)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	if (fd < 0)
		die("netlink socket: %s", strerror(errno));
	return fd;
}

/* Sends @r; for each reply message calls @cb; returns 0 or -errno from an ack. */
static int nl_talk(int fd, struct nlreq *r,
		   void (*cb)(struct nlmsghdr *h, void *arg), void *arg)
{
	static char rbuf[65536];
	struct nlmsghdr *h = (struct nlmsghdr *)r->buf;

	h->nlmsg_len = r->len;
	if (send(fd, r->buf, r->len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (cb)
				cb(h, arg);
			if (!(h->nlmsg_flags & NLM_F_MULTI) &&
			    !(((struct nlmsghdr *)r->buf)->nlmsg_flags & NLM_F_ACK))
				return 0;
		}
	}
}

/* Calls @cb for each attribute of the generic-netlink payload of @h (or of a nest). */
static void nl_attrs(void *p, size_t len, void (*cb)(struct nlattr *a, void *arg),
		     void *arg)
{
	while (len >= NLA_HDRLEN) {
		struct nlattr *a = p;

		if (a->nla_len < NLA_HDRLEN || (size_t)a->nla_len > len)
			return;
		size_t step = NLA_ALIGN(a->nla_len);

		cb(a, arg);
		len -= step < len ? step : len;
		p = (char *)p + step;
	}
}

static void *genl_payload(struct nlmsghdr *h, size_t *len)
{
	*len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (char *)NLMSG_DATA(h) + GENL_HDRLEN;
}

static uint32_t attr_u32(struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, (char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static uint64_t attr_uint(struct nlattr *a)
{
	uint64_t v = 0;

	if (a->nla_len - NLA_HDRLEN >= 8)
		memcpy(&v, (char *)a + NLA_HDRLEN, 8);
	else
		v = attr_u32(a);
	return v;
}

/* An nl_talk() callback that hands each attribute of a generic-netlink
 * reply to @fn with @arg.
 */
struct genl_visit {
	void (*fn)(struct nlattr *a, void *arg);
	void *arg;
};

static void genl_each_attr(struct nlmsghdr *h, void *visit)
{
	struct genl_visit *v = visit;
	size_t len;
	void *p = genl_payload(h, &len);

	nl_attrs(p, len, v->fn, v->arg);
}

static void family_id_attr(struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
		*(int *)arg = *(uint16_t *)((char *)a + NLA_HDRLEN);
}

static int genl_family(int fd, const char *name)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct nlreq r;
	int id = -1, err;

	nl_start(&r, GENL_ID_CTRL, NLM_F_ACK);
	nl_put(&r, &g, sizeof(g));
	nl_attr(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	err = nl_talk(fd, &r, genl_each_attr, &(struct genl_visit){ family_id_attr, &id });
	if (err || id < 0)
		die("genetlink family %s: %s", name, strerror(-err));
	return id;
}

/* ---- the devmem pieces ---- */

static int netdev_family;

static void binding_id_attr(struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == NETDEV_A_DMABUF_ID)
		*(uint32_t *)arg = attr_u32(a);
}

/*
 * NETDEV_CMD_BIND_RX of @dmabuf to RX queue @queue of @ifindex on a fresh
 * netlink socket, returned in *@nlfd: the binding lives until that socket
 * closes (netdev_nl_sock_priv_destroy(), 6.12). Returns the binding id or
 * -errno.
 */
static long bind_rx(int ifindex, unsigned int queue, int dmabuf, int *nlfd)
{
	struct genlmsghdr g = { .cmd = NETDEV_CMD_BIND_RX, .version = 1 };
	uint32_t id = 0;
	struct nlreq r;
	int err;

	*nlfd = nl_open(NETLINK_GENERIC);
	nl_start(&r, netdev_family, NLM_F_ACK);
	nl_put(&r, &g, sizeof(g));
	nl_u32(&r, NETDEV_A_DEV_IFINDEX, ifindex);
	nl_u32(&r, NETDEV_A_DMABUF_FD, dmabuf);
	nl_nest(&r, NETDEV_A_DMABUF_QUEUES);
	nl_u32(&r, NETDEV_A_QUEUE_ID, queue);
	nl_u32(&r, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX);
	r.nest = NULL;
	err = nl_talk(*nlfd, &r, genl_each_attr, &(struct genl_visit){ binding_id_attr, &id });
	if (err) {
		close(*nlfd);
		*nlfd = -1;
		return err;
	}
	/* the reply came before the ack; read the ack */
	return id;
}

struct pools {
	uint32_t dmabuf;
	long inflight, count;
	struct { uint32_t dmabuf; uint64_t inflight; } cur;	/* the pool being read */
};

static void pool_attr(struct nlattr *a, void *arg)
{
	struct pools *p = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case NETDEV_A_PAGE_POOL_DMABUF: p->cur.dmabuf = attr_u32(a); break;
	case NETDEV_A_PAGE_POOL_INFLIGHT: p->cur.inflight = attr_uint(a); break;
	}
}

/* A pool whose netdev went away reports no ifindex: pools are counted by
 * their binding.
 */
static void pool_cb(struct nlmsghdr *h, void *arg)
{
	struct pools *p = arg;

	memset(&p->cur, 0, sizeof(p->cur));
	genl_each_attr(h, &(struct genl_visit){ pool_attr, p });
	if (p->cur.dmabuf != p->dmabuf)
		return;
	p->count++;
	p->inflight += p->cur.inflight;
}

/* The page pools of binding @dmabuf: how many, and their inflight sum. */
static void page_pools(uint32_t dmabuf, struct pools *p)
{
	struct genlmsghdr g = { .cmd = NETDEV_CMD_PAGE_POOL_GET, .version = 1 };
	struct nlreq r;
	int fd = nl_open(NETLINK_GENERIC), err;

	memset(p, 0, sizeof(*p));
	p->dmabuf = dmabuf;
	nl_start(&r, netdev_family, NLM_F_DUMP);
	nl_put(&r, &g, sizeof(g));
	err = nl_talk(fd, &r, pool_cb, p);
	close(fd);
	if (err)
		die("page-pool-get: %s", strerror(-err));
}

static int udmabuf_create(size_t size, void **cpu)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int memfd, dev, fd;

	memfd = memfd_create("dmtok", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		die("memfd: %s", strerror(errno));
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/udmabuf: %s", strerror(errno));
	c.memfd = memfd;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0)
		die("UDMABUF_CREATE: %s", strerror(errno));
	*cpu = mmap(NULL, size, PROT_READ, MAP_SHARED, memfd, 0);
	if (*cpu == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	close(dev);
	close(memfd);
	return fd;
}

/*
 * The inflight count of binding @id's page pools once destroyed pools have
 * been released: page_pool_release_retry() empties a pool's ring every
 * DEFER_TIME (1 s, net/core/page_pool.c, 6.12), so niovs returned after
 * the unbind count as inflight until then. Waits up to 2.5 s for the pools
 * to go; what is still inflight then is held (or leaked).
 */
static long settled_inflight(uint32_t id)
{
	struct pools p;

	for (int i = 0; i < 50; i++) {
		page_pools(id, &p);
		if (!p.count)
			return 0;
		usleep(50000);
	}
	return p.inflight;
}

/* SO_DEVMEM_DONTNEED of @n token ranges: frags released, or -errno. */
static long dontneed(int fd, const struct dmabuf_token *t, unsigned int n)
{
	long r = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t, sizeof(*t) * n);

	return r < 0 ? -errno : r;
}

#endif /* DMTOK_NETDEV_NL_H */
