// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The guest's /init: devmem TCP receive on a real kernel, driven by op
 * sequences. It loads dmtoksim.ko (two paired netdevs, see dmtoksim.c),
 * moves dmtoksim1 into a second network namespace where a child process
 * is the TCP sender, binds a udmabuf to dmtoksim0's RX queue 0 through the
 * netdev generic-netlink family (netdev_nl_bind_rx_doit(), 6.12), and runs
 * each /seq/NN-name.seq file: the receiver's recvmsg(MSG_SOCK_DEVMEM) cmsgs
 * (tcp_recvmsg_dmabuf()), SO_DEVMEM_DONTNEED (sock_devmem_dontneed()),
 * close, unbind, and the page pools' inflight counts read back from
 * netlink (NETDEV_CMD_PAGE_POOL_GET, net/core/page_pool_user.c).
 *
 * Its output goes to /dev/ttyS1 (run.sh gives qemu a second serial port
 * for it, so kernel messages stay on ttyS0) in the format tests/guest/
 * replay.c prints for the same sequence played against dmtok; run.sh
 * compares the two. The sequence language is described in replay.c.
 *
 * Besides the sequence ops the guest knows one more: "race SECONDS
 * GUESS PAUSE": the sender streams, one thread receives and returns its
 * tokens, another returns token ids 1 to GUESS every PAUSE microseconds --
 * the ids the XArray reserves next, since it hands out the lowest free ones (the stale-token race of examples/xarray-leak/REPORT.md); after
 * close and unbind the page pool's inflight count is what leaked.
 *
 * Built static (no libc in the guest), run as PID 1; it powers the guest off.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/udmabuf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dmtok/uapi.h"
#include "seq.h"

/* include/uapi/linux/netdev.h, 6.12 (the build host's headers are older) */
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

#define RX_IP	"10.0.0.1"
#define TX_IP	"10.0.0.2"
#define PORT	5201

static FILE *out;
static int to_child[2], from_child[2];

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(out, "error ");
	vfprintf(out, fmt, ap);
	fprintf(out, "\n");
	va_end(ap);
	fflush(out);
	sync();
	reboot(RB_AUTOBOOT);	/* qemu -no-reboot exits */
	_exit(1);
}

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
 * NETDEV_CMD_BIND_RX of @dmabuf to RX queue 0 of @ifindex on a fresh netlink
 * socket, returned in *@nlfd: the binding lives until that socket closes
 * (netdev_nl_sock_priv_destroy(), 6.12). Returns the binding id or -errno.
 */
static long bind_rx(int ifindex, int dmabuf, int *nlfd)
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
	nl_u32(&r, NETDEV_A_QUEUE_ID, 0);
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

/* ---- links ---- */

/* a sysctl, a debugfs knob, a sysfs attribute */
static void write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

static void link_up(const char *name, const char *ip)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ip) {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &sin->sin_addr);
		if (ioctl(fd, SIOCSIFADDR, &ifr))
			die("SIOCSIFADDR %s: %s", name, strerror(errno));
		inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
		if (ioctl(fd, SIOCSIFNETMASK, &ifr))
			die("SIOCSIFNETMASK %s: %s", name, strerror(errno));
	}
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS %s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die("SIOCSIFFLAGS %s: %s", name, strerror(errno));
	close(fd);
}

/* RTM_NEWLINK with IFLA_NET_NS_PID: moves @name into @pid's namespace. */
static void link_to_netns(const char *name, pid_t pid)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlreq r;
	int fd = nl_open(NETLINK_ROUTE), err;

	ifi.ifi_index = if_nametoindex(name);
	if (!ifi.ifi_index)
		die("no %s", name);
	nl_start(&r, RTM_NEWLINK, NLM_F_ACK);
	nl_put(&r, &ifi, sizeof(ifi));
	nl_u32(&r, IFLA_NET_NS_PID, pid);
	err = nl_talk(fd, &r, NULL, NULL);
	if (err)
		die("move %s: %s", name, strerror(-err));
	close(fd);
}

/* ---- the sender: a child in the second namespace, driven through a pipe */

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)((off % 251u) ^ 0x5a);
}

static void sender(void)
{
	/* whole segments per send(): 1448 bytes of payload a segment (MTU 1500,
	 * IPv4, TCP with timestamps), so segment sizes do not depend on timing
	 */
	static uint8_t buf[45 * 1448];
	uint64_t sent = 0;
	char line[64];
	FILE *in = fdopen(to_child[0], "r");
	int fd = -1;

	while (fgets(line, sizeof(line), in)) {
		unsigned long n = 0;

		if (!strncmp(line, "connect", 7)) {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_port = htons(PORT) };

			inet_pton(AF_INET, RX_IP, &a.sin_addr);
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0 || connect(fd, (void *)&a, sizeof(a)))
				die("connect: %s", strerror(errno));
			sent = 0;
		} else if (sscanf(line, "send %lu", &n) == 1) {
			while (n) {
				size_t k = n < sizeof(buf) ? n : sizeof(buf);
				ssize_t w;

				for (size_t i = 0; i < k; i++)
					buf[i] = pattern(sent + i);
				w = send(fd, buf, k, 0);
				if (w <= 0)
					die("send: %s", strerror(errno));
				sent += w;
				n -= w;
			}
		} else if (sscanf(line, "stream %lu", &n) == 1) {
			/* a send blocked on a full window must not outlive the
			 * stream: a receiver whose page pool ran dry reads nothing
			 */
			struct timeval tv = { .tv_usec = 200000 };
			time_t end = time(NULL) + n;

			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)i;
			while (time(NULL) < end)
				if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) <= 0 &&
				    errno != EAGAIN && errno != EINTR)
					break;
		} else if (!strncmp(line, "close", 5)) {
			close(fd);
			fd = -1;
		}
		if (write(from_child[1], "k", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static void tell(const char *fmt, ...)
{
	char line[64], k;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(to_child[1], line, strlen(line)) < 0 ||
	    read(from_child[0], &k, 1) != 1)
		die("the sender died");
}

/* ---- the receiver ---- */

struct rx {
	int listener, fd, nlfd, dmabuf, ifindex;
	uint32_t id;
	uint8_t *cpu;
	size_t size;
	uint64_t unread, stream_off;
	struct seq_rx seq;
};

static void wait_queued(struct rx *rx)
{
	for (int tries = 0; tries < 20000; tries++) {
		int inq = 0;

		if (ioctl(rx->fd, SIOCINQ, &inq))
			die("SIOCINQ: %s", strerror(errno));
		if ((uint64_t)inq >= rx->unread)
			return;
		usleep(500);
	}
	die("the data did not arrive");
}

static void op_recv(struct rx *rx, const struct seq_op *op)
{
	char *control = seq_recv_prepare(&rx->seq, op);
	struct msghdr *msg = &rx->seq.msg;
	const uint8_t *data = (const uint8_t *)rx->seq.data;
	uint64_t off = rx->stream_off;
	size_t in_iov = 0;
	struct cmsghdr *c;
	ssize_t ret;

	if (!control)
		die("recv: no memory for %llu cmsgs", op->a);
	ret = recvmsg(rx->fd, msg, seq_recv_flags(op));
	if (ret < 0)
		ret = -errno;
	/* the payload is the sender's: in the dmabuf where a cmsg says, in the
	 * iov for SO_DEVMEM_LINEAR cmsgs and for data in host memory
	 */
	if (!seq_report_recv(out, &rx->seq, ret) && ret > 0)
		for (ssize_t i = 0; i < ret; i++)
			if (data[i] != pattern(off + i))
				die("payload at stream offset %llu differs",
				    (unsigned long long)off + i);
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		struct dmabuf_cmsg d;
		bool dmabuf = c->cmsg_type == SO_DEVMEM_DMABUF;

		memcpy(&d, CMSG_DATA(c), sizeof(d));
		for (uint32_t i = 0; i < d.frag_size; i++)
			if ((dmabuf ? rx->cpu[d.frag_offset + i] : data[in_iov + i]) !=
			    pattern(off + i))
				die("payload at stream offset %llu differs",
				    (unsigned long long)off + i);
		in_iov += dmabuf ? 0 : d.frag_size;
		off += d.frag_size;
	}
	if (ret > 0 && op->mode != SEQ_RECV_PEEK) {
		rx->stream_off += ret;
		rx->unread -= ret;
	}
	free(control);
}

static long dontneed(int fd, const struct dmabuf_token *t, unsigned int n)
{
	long r = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, t, sizeof(*t) * n);

	return r < 0 ? -errno : r;
}

/* dontneed for seq_dontneed_held(): @arg is the struct rx */
static long rx_dontneed(void *arg, const struct dmabuf_token *t, unsigned int n)
{
	return dontneed(((struct rx *)arg)->fd, t, n);
}

static void op_unbind(struct rx *rx)
{
	/* netdev_nl_sock_priv_destroy() unbinds as the socket is released */
	close(rx->nlfd);
	rx->nlfd = -1;
	/* the CPU mapping stays: frags of the binding may still be queued */
	close(rx->dmabuf);
	seq_print_unbind(out);
}

/*
 * The inflight count of the binding's page pools once a destroyed pool's
 * deferred release has run: page_pool_release_retry() empties its ring
 * every DEFER_TIME (1 s, net/core/page_pool.c, 6.12), so niovs returned
 * after the unbind count as inflight until then. Waits up to 2.5 s for the
 * pools to go; what is still inflight then is held (or leaked).
 */
static long settled_inflight(struct rx *rx)
{
	struct pools p;

	for (int i = 0; i < 50; i++) {
		page_pools(rx->id, &p);
		if (!p.count)
			return 0;
		usleep(50000);
	}
	return p.inflight;
}

static void op_pools(struct rx *rx)
{
	seq_print_pools(out, settled_inflight(rx));
}

/* ---- the race: recvmsg against a dontneed of guessed ids ---- */

struct race {
	struct rx *rx;
	volatile int stop;
	unsigned int guess, pause;
	unsigned long guesses, guessed;
};

static void *guesser(void *arg)
{
	struct race *r = arg;
	struct dmabuf_token t;

	while (!r->stop) {
		t.token_start = 1;
		t.token_count = r->guess;
		long n = dontneed(r->rx->fd, &t, 1);

		r->guesses++;
		if (n > 0)
			r->guessed += n;
		if (r->pause)
			usleep(r->pause);
	}
	return NULL;
}

static void op_race(struct rx *rx, unsigned int seconds, unsigned int guess,
		    unsigned int pause)
{
	static char data[1 << 16];
	char control[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 64];
	struct race r = { .rx = rx, .guess = guess, .pause = pause };
	unsigned long frags = 0, calls = 0, aliased = 0;
	struct timespec t0, t1;
	pthread_t th;
	pid_t pid;

	pid = fork();
	if (!pid) {
		tell("stream %u\n", seconds);
		_exit(0);
	}
	pthread_create(&th, NULL, guesser, &r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* until the stream has ended and nothing more comes */
	for (int idle = 0; idle < 10; ) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct dmabuf_token t[64];
		struct cmsghdr *c;
		unsigned int n = 0;
		struct pollfd pfd = { rx->fd, POLLIN, 0 };

		if (poll(&pfd, 1, 200) <= 0 ||
		    recvmsg(rx->fd, &msg, MSG_SOCK_DEVMEM | MSG_DONTWAIT) <= 0) {
			if (waitpid(pid, NULL, WNOHANG) == pid)
				pid = 0;
			idle += !pid;
			continue;
		}
		calls++;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct dmabuf_cmsg d;

			if (c->cmsg_type != SO_DEVMEM_DMABUF)
				continue;
			memcpy(&d, CMSG_DATA(c), sizeof(d));
			t[n++] = (struct dmabuf_token){ d.frag_token, 1 };
		}
		frags += n;
		/* a token handed out twice while the user holds both cmsgs:
		 * an id erased mid-call and reserved again by the next refill
		 * of the same recvmsg. The erased id was a reservation (the
		 * bug: the first cmsg's frag is the leaked one, and returning
		 * the token releases the second) or a token of this call the
		 * guessing thread released (the process's own doing); from
		 * here the two cannot be told apart.
		 */
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < i; j++)
				if (t[i].token_start == t[j].token_start) {
					aliased++;
					break;
				}
		if (n)
			dontneed(rx->fd, t, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r.stop = 1;
	pthread_join(th, NULL);
	if (pid)
		waitpid(pid, NULL, 0);
	close(rx->fd);
	rx->fd = -1;
	tell("close\n");
	op_unbind(rx);
	fprintf(out, "race seconds=%.1f recvmsg=%lu frags=%lu guesses=%lu guessed=%lu aliased=%lu leaked=%ld\n",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		calls, frags, r.guesses, r.guessed, aliased, settled_inflight(rx));
}

/*
 * nomem on: every GFP_NOWAIT allocation from the XArray's node cache fails
 * (failslab, Documentation/fault-injection/fault-injection.rst: the cache's
 * own switch plus cache-filter; ignore-gfp-wait keeps GFP_KERNEL ones
 * working), so an __xa_alloc() that needs a node goes through
 * __xas_nomem(): the lock dropped by its type, the node allocated with the
 * caller's gfp. Needs CONFIG_FAILSLAB and debugfs (the small kernel of
 * run.sh --kernel-build); Debian's kernel has neither.
 */
static void op_nomem(int on)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/cache-filter", "Y" },
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "Y" },
		{ "/sys/kernel/debug/failslab/probability", "100" },
		{ "/sys/kernel/debug/failslab/interval", "1" },
		{ "/sys/kernel/debug/failslab/times", "100000" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
	};

	if (on) {
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
			die("debugfs: %s", strerror(errno));
		for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
			write_file(knobs[i][0], knobs[i][1]);
	}
	write_file("/sys/kernel/slab/radix_tree_node/failslab", on ? "1" : "0");
	if (on) {
		fprintf(out, "nomem on\n");
		return;
	}
	/* failslab counts "times" down as it fails: what it injected */
	char left[32] = "";
	int fd = open("/sys/kernel/debug/failslab/times", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, left, sizeof(left) - 1) <= 0)
		die("failslab/times: %s", strerror(errno));
	close(fd);
	fprintf(out, "nomem off injected=%ld\n", 100000 - atol(left));
}

/* ---- one sequence ---- */

static void run_seq(struct rx *rx, const char *path)
{
	static struct seq_op op;
	static char line[SEQ_LINE_MAX];
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		int err = seq_parse(line, &op);

		if (err == 1)
			continue;
		if (err)
			die("%s: bad line: %s", path, line);
		switch (op.kind) {
		case SEQ_NAME:
			seq_print_name(out, op.name);
			break;
		case SEQ_BIND: {
			uint8_t *cpu;
			int dmabuf = udmabuf_create(op.a, (void **)&cpu), nlfd;
			long id = bind_rx(rx->ifindex, dmabuf, &nlfd);

			seq_print_bind(out, id);
			if (id <= 0) {	/* refused: the binding before stays */
				munmap(cpu, op.a);
				close(dmabuf);
				break;
			}
			if (rx->cpu)
				munmap(rx->cpu, rx->size);
			rx->cpu = cpu;
			rx->size = op.a;
			rx->dmabuf = dmabuf;
			rx->nlfd = nlfd;
			rx->id = id;
			rx->seq.niovs.n = 0;
			break;
		}
		case SEQ_CONNECT:
			tell("connect\n");
			rx->fd = accept(rx->listener, NULL, NULL);
			if (rx->fd < 0)
				die("accept: %s", strerror(errno));
			rx->unread = rx->stream_off = 0;
			rx->seq.nheld = 0;
			seq_print_connect(out);
			break;
		case SEQ_SEND:
			tell("send %llu\n", (unsigned long long)op.a);
			rx->unread += op.a;
			wait_queued(rx);
			seq_print_send(out, op.a);
			break;
		case SEQ_RECV:
			op_recv(rx, &op);
			break;
		case SEQ_DONTNEED: {
			struct dmabuf_token t = { op.a, op.b };

			seq_print_dontneed(out, dontneed(rx->fd, &t, 1));
			break;
		}
		case SEQ_DONTNEED_HELD:
			seq_dontneed_held(out, &rx->seq, rx_dontneed, rx);
			break;
		case SEQ_DONTNEED_RAW: {
			long r = setsockopt(rx->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					    op.raw, op.rawlen);

			seq_print_dontneed(out, r < 0 ? -errno : r);
			break;
		}
		case SEQ_CLOSE:
			close(rx->fd);
			rx->fd = -1;
			tell("close\n");
			seq_print_close(out);
			break;
		case SEQ_UNBIND:
			op_unbind(rx);
			break;
		case SEQ_POOLS:
			op_pools(rx);
			break;
		case SEQ_RACE:
			op_race(rx, op.a, op.b, op.c);
			break;
		case SEQ_NOMEM:
			op_nomem(op.a);
			break;
		}
		fflush(out);
	}
	fclose(f);
}

static int seq_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".seq");
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct dirent **names;
	static struct rx rx;
	int fd, n, one = 1;
	pid_t child;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	out = fd >= 0 ? fdopen(fd, "w") : stdout;
	setvbuf(out, NULL, _IOLBF, 0);
	{
		struct utsname u;

		uname(&u);
		fprintf(out, "guest kernel %s, %ld CPUs\n", u.release,
			sysconf(_SC_NPROCESSORS_ONLN));
	}

	fd = open("/dmtoksim.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		die("loading dmtoksim.ko: %s", strerror(errno));
	close(fd);

	if (pipe(to_child) || pipe(from_child))
		die("pipe");
	child = fork();
	if (!child) {
		char k;

		if (unshare(CLONE_NEWNET))
			die("unshare: %s", strerror(errno));
		if (write(from_child[1], "k", 1) != 1 ||
		    read(to_child[0], &k, 1) != 1)
			_exit(1);
		link_up("lo", NULL);
		link_up("dmtoksim1", TX_IP);
		if (write(from_child[1], "k", 1) != 1)
			_exit(1);
		sender();
	}
	{
		char k;

		if (read(from_child[0], &k, 1) != 1)
			die("the sender did not start");
		link_to_netns("dmtoksim1", child);
		if (write(to_child[1], "k", 1) != 1 ||
		    read(from_child[0], &k, 1) != 1)
			die("the sender did not configure its link");
	}
	link_up("lo", NULL);
	link_up("dmtoksim0", RX_IP);
	/* the whole of a sequence's data is queued before it is read: a
	 * receive buffer of tcp_rmem's default maximum (6 MiB) from the start,
	 * as dmtok's socket has
	 */
	write_file("/proc/sys/net/ipv4/tcp_rmem", "4096 6291456 6291456");
	rx.ifindex = if_nametoindex("dmtoksim0");

	{
		int g = nl_open(NETLINK_GENERIC);

		netdev_family = genl_family(g, "netdev");
		close(g);
	}

	rx.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, RX_IP, &a.sin_addr);
	setsockopt(rx.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rx.listener < 0 || bind(rx.listener, (void *)&a, sizeof(a)) ||
	    listen(rx.listener, 4))
		die("listen: %s", strerror(errno));
	rx.fd = rx.nlfd = -1;

	n = scandir("/seq", &names, seq_filter, alphasort);
	for (int i = 0; i < n; i++) {
		char path[300];

		snprintf(path, sizeof(path), "/seq/%s", names[i]->d_name);
		run_seq(&rx, path);
	}
	fprintf(out, "guest done\n");
	fflush(out);
	sync();
	reboot(RB_AUTOBOOT);	/* qemu -no-reboot exits */
	return 0;
}
