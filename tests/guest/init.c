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
 * GUESS PAUSE" runs the hardware reproducer, examples/xarray-leak/
 * devmem-race (in the initramfs as /devmem-race), on dmtoksim0 while the
 * sender streams for SECONDS: one thread receives and returns its tokens,
 * another returns token ids 1 to GUESS every PAUSE microseconds -- the ids
 * the XArray reserves next, since it hands out the lowest free ones (the
 * stale-token race of examples/xarray-leak/REPORT.md); after close and
 * unbind the page pool's inflight count is what leaked. The netlink and
 * udmabuf code both use is examples/xarray-leak/netdev-nl.h.
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
#include "netdev-nl.h"

#define RX_IP	"10.0.0.1"
#define TX_IP	"10.0.0.2"
#define PORT	5201
#define RACE_PORT	5202

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
			unsigned int port = PORT;
			struct sockaddr_in a = { .sin_family = AF_INET };

			sscanf(line, "connect %u", &port);
			a.sin_port = htons((uint16_t)port);
			inet_pton(AF_INET, RX_IP, &a.sin_addr);
			/* a receiver of its own (devmem-race) may not listen yet: 5 s */
			for (int tries = 0;; tries++) {
				fd = socket(AF_INET, SOCK_STREAM, 0);
				if (fd < 0)
					die("socket: %s", strerror(errno));
				if (!connect(fd, (void *)&a, sizeof(a)))
					break;
				if (errno != ECONNREFUSED || tries == 100)
					die("connect: %s", strerror(errno));
				close(fd);
				usleep(50000);
			}
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

		if (c->cmsg_level != SOL_SOCKET)	/* TCP_INQ's: no payload */
			continue;
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

static void op_pools(struct rx *rx)
{
	seq_print_pools(out, settled_inflight(rx->id));
}

/*
 * ---- the race: examples/xarray-leak/devmem-race, the hardware
 * reproducer, run here as it would be on a NIC: it binds its own udmabuf
 * to dmtoksim0's queue 0, listens on RACE_PORT, races, closes, unbinds
 * and prints its "race ..." line (to ttyS1, like the rest).
 */
static void op_race(unsigned int seconds, unsigned int guess, unsigned int pause)
{
	char s[16], g[16], u[16], port[16];
	int status;
	pid_t pid;

	snprintf(s, sizeof(s), "%u", seconds + 30);	/* the peer's close ends it */
	snprintf(g, sizeof(g), "%u", guess);
	snprintf(u, sizeof(u), "%u", pause);
	snprintf(port, sizeof(port), "%u", RACE_PORT);
	fflush(out);
	pid = fork();
	if (!pid) {
		dup2(fileno(out), 1);
		dup2(fileno(out), 2);
		execl("/devmem-race", "devmem-race", "-i", "dmtoksim0", "-q", "0", "-p", port,
		      "-s", s, "-g", g, "-u", u, "-m", "16", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		die("fork: %s", strerror(errno));
	tell("connect %u\n", RACE_PORT);	/* retried until it listens */
	tell("stream %u\n", seconds);
	tell("close\n");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		die("devmem-race failed (status %d)", status);
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
			long id = bind_rx(rx->ifindex, 0, dmabuf, &nlfd);

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
		case SEQ_INQ: {
			int v = (int)op.a;

			seq_print_inq(out, setsockopt(rx->fd, SOL_TCP, TCP_INQ, &v, sizeof(v)) ?
				      -errno : 0);
			break;
		}
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
			op_race(op.a, op.b, op.c);
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
