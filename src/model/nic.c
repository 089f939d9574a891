// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The simulated NIC: netdevs with RX queues, flows steered to queues by a
 * table that can change while the flow is active, and the receive path of
 * a header-split driver. Payload lands in rx_buf_size buffers carved out
 * of niovs from the queue's page pool (several buffers share a niov when
 * rx_buf_size < page size, each frag holding one pp_ref_count and the
 * driver one more until the page is used up), is written into the dmabuf
 * when it has memory, and is packed into skbs of at most MAX_SKB_FRAGS
 * frags queued on the flow's socket. A queue without a binding receives
 * into host memory (readable skbs), as a queue without a memory provider.
 */
#include <errno.h>
#include <string.h>

#include "model.h"

int dmtok_netdev_create(struct dmtok_net *net,
			const struct dmtok_netdev_opts *opts)
{
	struct dmtok_netdev *dev;
	struct dmtok_netdev_opts o;
	unsigned int i;
	int ifindex;

	if (!net || !opts)
		return -EINVAL;
	o = *opts;
	if (!o.mss)
		o.mss = 4096;
	if (!o.pool_ring_size)
		o.pool_ring_size = 1024;
	if (!o.nqueues || o.nqueues > DMTOK_MAX_QUEUES || o.mss > 65536 ||
	    (o.rx_buf_size && (o.rx_buf_size < 256 || o.rx_buf_size > 65536)) ||
	    o.linear_bytes > o.mss || o.pool_ring_size > 65536)
		return -EINVAL;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->rxq = kvcalloc(o.nqueues, sizeof(*dev->rxq), GFP_KERNEL);
	if (!dev->rxq) {
		kfree(dev);
		return -ENOMEM;
	}
	dev->opts = o;
	for (i = 0; i < o.nqueues; i++)
		pthread_mutex_init(&dev->rxq[i].lock, NULL);
	dmtok__mutex_lock(&net->lock);
	ifindex = dev->ifindex = net->next_ifindex++;
	TAILQ_INSERT_TAIL(&net->devs, dev, link);
	dmtok__mutex_unlock(&net->lock);
	return ifindex;
}

/*
 * unregister_netdevice_many_notify() (net/core/dev.c, 6.12) for the parts
 * devmem sees: dev_dmabuf_uninstall() (net/core/devmem.c; the series'
 * v10 does not change it) takes each queue out of its binding's
 * bound_rxqs -- and drops nothing else: in v10 a bound queue is one of the
 * binding's users, and net_devmem_unbind_dmabuf() later drops a user only
 * for the queues still in bound_rxqs, so the queue's user is never
 * dropped. The driver's queues go with their page pools (page_pool_destroy()).
 * DMTOK_NETDEV_DESTROY_DROP_USERS is the proposed fix: the uninstall drops
 * the queue's user itself. Flows steered to the device deliver nothing
 * from then on (-ENODEV).
 */
int dmtok_netdev_destroy(struct dmtok_net *net, int ifindex, unsigned int flags)
{
	struct dmtok_netdev *dev;
	struct dmtok_flow *fl;
	unsigned int i;

	if (!net || (flags & ~DMTOK_NETDEV_DESTROY_DROP_USERS))
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	dev = dmtok_netdev_find(net, ifindex);
	if (!dev) {
		dmtok__mutex_unlock(&net->lock);
		return -ENODEV;
	}
	TAILQ_REMOVE(&net->devs, dev, link);
	TAILQ_FOREACH(fl, &net->flows, link)
		if (fl->dev == dev)
			fl->dev = NULL;
	for (i = 0; i < dev->opts.nqueues; i++) {
		/* dev_dmabuf_uninstall(), then the driver's queues go */
		struct net_devmem_dmabuf_binding *b = dmtok__rxq_unbind(&dev->rxq[i], NULL);

		if (b && (flags & DMTOK_NETDEV_DESTROY_DROP_USERS)) {
			/* the reclaim's last put may free the pool and its ref */
			dmtok_binding_get(b);
			net_devmem_dmabuf_binding_user_put(b);
			dmtok__binding_put(b);
		}
		pthread_mutex_destroy(&dev->rxq[i].lock);
	}
	dmtok__mutex_unlock(&net->lock);
	kvfree(dev->rxq);
	kfree(dev);
	return 0;
}

static struct dmtok_flow *flow_find(struct dmtok_net *net, int id)
{
	struct dmtok_flow *fl;

	TAILQ_FOREACH(fl, &net->flows, link)
		if (fl->id == id)
			return fl;
	return NULL;
}

int dmtok_flow_create(struct dmtok_net *net, int ifindex, unsigned int queue,
		      int sockfd)
{
	struct dmtok_netdev *dev;
	struct dmtok_flow *fl;
	struct dmtok_sock *sk;
	int err;

	if (!net)
		return -EINVAL;
	u64 serial;

	sk = dmtok_sock_get_fd(net, sockfd, &err);
	if (!sk)
		return -err;
	err = sk->type == SOCK_STREAM ? 0 : -EINVAL;
	serial = sk->serial;
	dmtok_sock_put(sk);
	if (err)
		return err;
	fl = kzalloc(sizeof(*fl), GFP_KERNEL);
	if (!fl)
		return -ENOMEM;
	dmtok__mutex_lock(&net->lock);
	dev = dmtok_netdev_find(net, ifindex);
	if (!dev || queue >= dev->opts.nqueues) {
		dmtok__mutex_unlock(&net->lock);
		kfree(fl);
		return dev ? -EINVAL : -ENODEV;
	}
	fl->id = net->next_flow++;
	fl->sockfd = sockfd;
	fl->sock_serial = serial;
	fl->dev = dev;
	fl->queue = queue;
	TAILQ_INSERT_TAIL(&net->flows, fl, link);
	err = fl->id;
	dmtok__mutex_unlock(&net->lock);
	return err;
}

int dmtok_flow_steer(struct dmtok_net *net, int flow, int ifindex,
		     unsigned int queue)
{
	struct dmtok_netdev *dev;
	struct dmtok_flow *fl;
	int err = 0;

	if (!net)
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	fl = flow_find(net, flow);
	dev = dmtok_netdev_find(net, ifindex);
	if (!fl)
		err = -EINVAL;
	else if (!dev)
		err = -ENODEV;
	else if (queue >= dev->opts.nqueues)
		err = -EINVAL;
	else {
		fl->dev = dev;
		fl->queue = queue;
	}
	dmtok__mutex_unlock(&net->lock);
	return err;
}

static void fill_pattern(u8 *dst, int flow, u64 off, u32 n)
{
	for (u32 i = 0; i < n; i++)
		dst[i] = dmtok_flow_pattern(flow, off + i);
}

/* Per-packet staging so a page pool running dry drops a whole packet. */
#define MAX_PKT_FRAGS	(65536 / 256)

struct rx_ctx {
	struct dmtok_rxq *q;
	struct dmtok_sock *sk;
	struct dmtok_skb *skb;	/* being filled */
	u32 rx_buf, page_size;
	u8 *base;		/* dmabuf memory or NULL */
};

static int rx_flush(struct rx_ctx *c)
{
	int err = 0;

	if (c->skb) {
		err = dmtok_sock_enqueue(c->sk, c->skb);
		if (err)
			dmtok_skb_free(c->skb);
		c->skb = NULL;
	}
	return err;
}

/* One devmem packet: @lin bytes to host memory, @pay bytes to niovs. */
static int rx_devmem_packet(struct rx_ctx *c, int flow, u64 off, u32 lin,
			    u32 pay)
{
	struct dmtok_frag st[MAX_PKT_FRAGS];
	unsigned int n = 0, i = 0;
	u32 left = pay;
	int err;

	while (left) {
		struct dmtok_rxq *q = c->q;
		u32 len = min(left, c->rx_buf);

		if (!q->cur) {
			q->cur = dmtok_pp_alloc(q->pool);
			q->cur_off = 0;
			if (!q->cur) {
				for (i = 0; i < n; i++)
					dmtok_pp_put_niov(st[i].niov);
				return -ENOBUFS;
			}
		}
		st[n].niov = q->cur;
		st[n].off = q->cur_off;
		st[n].size = len;
		page_pool_ref_netmem(net_iov_to_netmem(q->cur));	/* the frag's ref */
		if (c->base)
			fill_pattern(c->base + net_iov_virtual_addr(q->cur) + q->cur_off,
				     flow, off + lin + (pay - left), len);
		n++;
		left -= len;
		q->cur_off += c->rx_buf;
		if (q->cur_off + c->rx_buf > c->page_size) {
			dmtok_pp_put_niov(q->cur);	/* driver is done with the page */
			q->cur = NULL;
		}
	}

	if (lin) {	/* linear payload starts a new skb */
		err = rx_flush(c);
		if (!err) {
			c->skb = dmtok_skb_alloc(lin);
			err = c->skb ? 0 : -ENOMEM;
		}
		if (err)
			goto drop;
		fill_pattern(c->skb->data, flow, off, lin);
	}
	for (i = 0; i < n; i++) {
		if (!c->skb || c->skb->nr_frags == MAX_SKB_FRAGS) {
			err = rx_flush(c);
			if (!err) {
				c->skb = dmtok_skb_alloc(0);
				err = c->skb ? 0 : -ENOMEM;
			}
			if (err)
				goto drop;
		}
		c->skb->frags[c->skb->nr_frags++] = st[i];
		c->skb->len += st[i].size;
	}
	return 0;
drop:
	for (; i < n; i++)
		dmtok_pp_put_niov(st[i].niov);
	return err;
}

ssize_t dmtok_nic_rx(struct dmtok_net *net, int flow, size_t nbytes)
{
	struct rx_ctx c = { 0 };
	struct dmtok_netdev *dev;
	struct dmtok_flow *fl;
	unsigned int queue;
	size_t done = 0;
	u64 off;
	int err = 0, sockfd;
	u64 serial;

	if (!net || nbytes > (1u << 30))
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	fl = flow_find(net, flow);
	if (!fl) {
		dmtok__mutex_unlock(&net->lock);
		return -EINVAL;
	}
	dev = fl->dev;
	if (!dev) {	/* its device was destroyed */
		dmtok__mutex_unlock(&net->lock);
		return -ENODEV;
	}
	queue = fl->queue;
	sockfd = fl->sockfd;
	serial = fl->sock_serial;
	off = fl->offset;
	dmtok__mutex_unlock(&net->lock);

	/*
	 * The flow belongs to the socket it was made for, not to its fd
	 * number: once that socket is closed the flow delivers nothing, even
	 * when a new socket got the same fd (a TCP flow is its socket).
	 */
	c.sk = dmtok_sock_get_fd(net, sockfd, &err);
	if (c.sk && c.sk->serial != serial) {
		dmtok_sock_put(c.sk);
		c.sk = NULL;
	}
	if (!c.sk)
		return -ENOTCONN;
	c.q = &dev->rxq[queue];
	dmtok__mutex_lock(&c.q->lock);
	dmtok__softirq_enter();		/* NAPI poll: net_rx_action() */
	if (c.q->binding) {
		c.page_size = 1u << c.q->binding->page_shift;
		c.rx_buf = dev->opts.rx_buf_size ?
			   min(dev->opts.rx_buf_size, c.page_size) : c.page_size;
		c.base = c.q->binding->dmabuf->base;
	}
	while (done < nbytes && !err) {
		u32 seg = (u32)min(nbytes - done, (size_t)dev->opts.mss);

		/* sk_rcvbuf: a full receive queue drops the packet (pruned) */
		if (dmtok_sock_rcvbuf_full(c.sk, (c.skb ? c.skb->len + DMTOK_SKB_OVERHEAD : 0) +
					   seg + DMTOK_SKB_OVERHEAD)) {
			err = -ENOBUFS;
			break;
		}

		if (c.q->binding) {
			u32 lin = min(seg, dev->opts.linear_bytes);

			err = rx_devmem_packet(&c, flow, off + done, lin, seg - lin);
		} else {	/* host memory: one readable skb per packet */
			err = rx_flush(&c);
			if (!err) {
				c.skb = dmtok_skb_alloc(seg);
				err = c.skb ? 0 : -ENOMEM;
			}
			if (!err) {
				c.skb->readable = true;
				fill_pattern(c.skb->data, flow, off + done, seg);
			}
		}
		if (!err)
			done += seg;
	}
	if (rx_flush(&c) && !err)
		err = -ENOTCONN;
	dmtok__softirq_exit();
	dmtok__mutex_unlock(&c.q->lock);
	dmtok_sock_put(c.sk);

	dmtok__mutex_lock(&net->lock);
	fl->offset += done;
	dmtok__mutex_unlock(&net->lock);
	return done ? (ssize_t)done : err;
}

/* The bound queue @queue of @ifindex, its lock taken; NULL with *err set if none. */
static struct dmtok_rxq *rxq_lock(struct dmtok_net *net, int ifindex, unsigned int queue,
				  int *err)
{
	struct dmtok_netdev *dev;
	struct dmtok_rxq *q = NULL;

	*err = -EINVAL;
	if (!net)
		return NULL;
	dmtok__mutex_lock(&net->lock);
	dev = dmtok_netdev_find(net, ifindex);
	*err = !dev ? -ENODEV : queue >= dev->opts.nqueues ? -EINVAL : 0;
	if (!*err) {
		q = &dev->rxq[queue];
		dmtok__mutex_lock(&q->lock);
		if (!q->binding) {
			dmtok__mutex_unlock(&q->lock);
			*err = -EINVAL;
			q = NULL;
		}
	}
	dmtok__mutex_unlock(&net->lock);
	return q;
}

/*
 * A driver posting RX buffers from its page pool (page_pool_alloc_netmems(),
 * in NAPI context), all it can get.
 */
int dmtok_nic_hold_pages(struct dmtok_net *net, int ifindex, unsigned int queue)
{
	struct dmtok_rxq *q;
	struct net_iov *niov;
	u32 n = 0, cap;
	int err;

	q = rxq_lock(net, ifindex, queue, &err);
	if (!q)
		return err;
	if (q->held) {
		dmtok__mutex_unlock(&q->lock);
		return -EBUSY;
	}
	cap = q->binding->npages;
	q->held = kvmalloc_array(cap, sizeof(*q->held), GFP_KERNEL);
	if (!q->held) {
		dmtok__mutex_unlock(&q->lock);
		return -ENOMEM;
	}
	dmtok__softirq_enter();
	while (n < cap && (niov = dmtok_pp_alloc(q->pool)))
		q->held[n++] = niov;
	dmtok__softirq_exit();
	q->nheld = n;
	dmtok__mutex_unlock(&q->lock);
	return (int)n;
}

int dmtok_nic_release_pages(struct dmtok_net *net, int ifindex, unsigned int queue)
{
	struct dmtok_rxq *q;
	struct net_iov **held;
	u32 n;
	int err;

	q = rxq_lock(net, ifindex, queue, &err);
	if (!q)
		return err;
	held = dmtok_rxq_take_held(q, &n);
	dmtok__mutex_unlock(&q->lock);
	dmtok_pp_put_array(held, n);
	return (int)n;
}
