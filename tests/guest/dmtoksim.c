// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmtoksim: two paired Ethernet devices whose receive queue takes a devmem
 * memory provider, so that devmem TCP receive runs in a real kernel with no
 * NIC. What the kernel needs from a driver for that, as Linux 6.12 asks it:
 *
 *  - a parent device with a DMA mask, for net_devmem_bind_dmabuf()'s
 *    dma_buf_attach() and the dmabuf's dma_map_sgtable();
 *  - netdev_queue_mgmt_ops, for netdev_rx_queue_restart() (the bind and the
 *    unbind restart the queue);
 *  - a page pool per RX queue created with the queue's index and
 *    PP_FLAG_ALLOW_UNREADABLE_NETMEM, PP_FLAG_DMA_MAP and PP_FLAG_DMA_SYNC_DEV
 *    (page_pool_init() refuses a memory provider without both DMA flags in
 *    6.12, and page_pool_check_memory_provider() looks for that pool);
 *  - header split on receive: headers in the skb's linear part, payload in
 *    net_iovs from page_pool_alloc_netmems(), attached with
 *    skb_add_rx_frag_netmem() and marked for recycling, which makes the skb
 *    unreadable for tcp_recvmsg_dmabuf().
 *
 * The "wire" is the peer's xmit: a frame sent on one device is received by the
 * other, as drivers/net/netdevsim/netdev.c's linked ports do (6.12). Frames
 * that are not IPv4 TCP with payload, and every frame while the queue has no
 * memory provider, are forwarded as they are (dev_forward_skb()). The "DMA"
 * into a net_iov is a memcpy through the direct map: the dmabuf's DMA address
 * is its physical address on x86 with dma-direct and no IOMMU, as in a
 * qemu guest; dma_to_phys() and phys_to_virt() turn it back.
 *
 * Written for tests/guest/run.sh, which boots Debian's 6.12 kernel under qemu
 * with this module and tests/guest/init.c. Not a driver for anything else.
 */
#include <linux/dma-direct.h>
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/platform_device.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>

struct dmtoksim_rq {
	spinlock_t lock;		/* pp and its alloc cache */
	struct page_pool *pp;		/* NULL: no memory provider */
};

struct dmtoksim_priv {
	struct net_device *peer;
	struct dmtoksim_rq rq;
	u64 rx_devmem;			/* frames received into net_iovs */
	u64 rx_dropped;			/* no net_iov for a frame */
};

struct dmtoksim_qmem {
	struct page_pool *pp;
};

static struct platform_device *dmtoksim_pdev;
static struct net_device *dmtoksim_dev[2];

/* Bytes of Ethernet, IPv4 and TCP header in a linear frame, or 0 when the
 * frame is not IPv4 TCP carrying payload.
 */
static unsigned int dmtoksim_tcp_hlen(const struct sk_buff *skb,
				      unsigned int *payload)
{
	const struct ethhdr *eth;
	const struct iphdr *iph;
	const struct tcphdr *th;
	unsigned int ihl, thl, tot;

	if (skb_headlen(skb) < ETH_HLEN + sizeof(*iph))
		return 0;
	eth = (const struct ethhdr *)skb->data;
	if (eth->h_proto != htons(ETH_P_IP))
		return 0;
	iph = (const struct iphdr *)(skb->data + ETH_HLEN);
	ihl = iph->ihl * 4;
	if (iph->protocol != IPPROTO_TCP || ihl < sizeof(*iph) ||
	    ip_is_fragment(iph))
		return 0;
	if (skb_headlen(skb) < ETH_HLEN + ihl + sizeof(*th))
		return 0;
	th = (const struct tcphdr *)(skb->data + ETH_HLEN + ihl);
	thl = th->doff * 4;
	tot = ntohs(iph->tot_len);
	if (thl < sizeof(*th) || tot <= ihl + thl ||
	    skb->len < ETH_HLEN + tot)
		return 0;
	*payload = tot - ihl - thl;
	return ETH_HLEN + ihl + thl;
}

/* Receive a TCP frame with header split: the headers copied into a new skb's
 * linear part, the payload into net_iovs of the queue's devmem page pool.
 */
static int dmtoksim_rx_split(struct net_device *dev, struct dmtoksim_rq *rq,
			     struct sk_buff *tx, unsigned int hlen,
			     unsigned int payload)
{
	struct device *dma_dev = &dmtoksim_pdev->dev;
	unsigned int done = 0;
	struct sk_buff *skb;
	int i = 0;

	skb = netdev_alloc_skb(dev, hlen);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, tx->data, hlen);
	skb_mark_for_recycle(skb);

	spin_lock_bh(&rq->lock);
	while (done < payload) {
		unsigned int len = min_t(unsigned int, payload - done,
					 PAGE_SIZE);
		netmem_ref netmem;
		dma_addr_t dma;

		if (!rq->pp || i == MAX_SKB_FRAGS)
			break;
		netmem = page_pool_alloc_netmems(rq->pp, GFP_ATOMIC);
		if (!netmem)
			break;
		dma = page_pool_get_dma_addr_netmem(netmem);
		if (skb_copy_bits(tx, hlen + done,
				  phys_to_virt(dma_to_phys(dma_dev, dma)),
				  len)) {
			page_pool_put_full_netmem(rq->pp, netmem, false);
			break;
		}
		skb_add_rx_frag_netmem(skb, i++, netmem, 0, len, PAGE_SIZE);
		done += len;
	}
	spin_unlock_bh(&rq->lock);

	if (done < payload) {
		kfree_skb(skb);
		return -ENOMEM;
	}
	skb->protocol = eth_type_trans(skb, dev);
	/* the payload cannot be read to checksum it; the "wire" is lossless */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	netif_rx(skb);
	return 0;
}

static netdev_tx_t dmtoksim_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct dmtoksim_priv *priv = netdev_priv(dev);
	struct net_device *peer = priv->peer;
	struct dmtoksim_priv *ppriv = netdev_priv(peer);
	unsigned int hlen, payload = 0, len = skb->len;
	bool devmem;

	if (skb_linearize(skb))
		goto drop;
	hlen = dmtoksim_tcp_hlen(skb, &payload);
	devmem = hlen && READ_ONCE(ppriv->rq.pp);
	if (devmem) {
		if (dmtoksim_rx_split(peer, &ppriv->rq, skb, hlen, payload)) {
			WRITE_ONCE(ppriv->rx_dropped, ppriv->rx_dropped + 1);
			dev_core_stats_rx_dropped_inc(peer);
			goto drop;
		}
		WRITE_ONCE(ppriv->rx_devmem, ppriv->rx_devmem + 1);
		consume_skb(skb);
	} else if (dev_forward_skb(peer, skb) != NET_RX_SUCCESS) {
		dev_core_stats_tx_dropped_inc(dev);
		return NETDEV_TX_OK;
	}
	dev_sw_netstats_tx_add(dev, 1, len);
	return NETDEV_TX_OK;
drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int dmtoksim_open(struct net_device *dev)
{
	netif_carrier_on(dev);
	netif_start_queue(dev);
	return 0;
}

static int dmtoksim_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	netif_carrier_off(dev);
	return 0;
}

static const struct net_device_ops dmtoksim_netdev_ops = {
	.ndo_open		= dmtoksim_open,
	.ndo_stop		= dmtoksim_stop,
	.ndo_start_xmit		= dmtoksim_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

/* netdev_queue_mgmt_ops (include/net/netdev_queues.h, 6.12): the queue's
 * "memory" is its page pool, created from the queue's memory provider as it
 * stands when the core restarts the queue, under rtnl_lock.
 */
static int dmtoksim_queue_mem_alloc(struct net_device *dev, void *mem, int idx)
{
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(dev, idx);
	struct dmtoksim_qmem *qmem = mem;
	struct page_pool_params pp = {
		.order		= 0,
		.pool_size	= 256,
		.nid		= NUMA_NO_NODE,
		.dev		= &dmtoksim_pdev->dev,
		.dma_dir	= DMA_FROM_DEVICE,
		.max_len	= PAGE_SIZE,
		.netdev		= dev,
		.queue_idx	= idx,
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV |
				  PP_FLAG_ALLOW_UNREADABLE_NETMEM,
	};

	qmem->pp = NULL;
	if (!rxq->mp_params.mp_priv)
		return 0;
	qmem->pp = page_pool_create(&pp);
	if (IS_ERR(qmem->pp)) {
		int err = PTR_ERR(qmem->pp);

		qmem->pp = NULL;
		return err;
	}
	return 0;
}

static void dmtoksim_queue_mem_free(struct net_device *dev, void *mem)
{
	struct dmtoksim_qmem *qmem = mem;

	if (qmem->pp)
		page_pool_destroy(qmem->pp);
	qmem->pp = NULL;
}

static int dmtoksim_queue_start(struct net_device *dev, void *mem, int idx)
{
	struct dmtoksim_priv *priv = netdev_priv(dev);
	struct dmtoksim_qmem *qmem = mem;

	spin_lock_bh(&priv->rq.lock);
	WRITE_ONCE(priv->rq.pp, qmem->pp);
	spin_unlock_bh(&priv->rq.lock);
	return 0;
}

static int dmtoksim_queue_stop(struct net_device *dev, void *mem, int idx)
{
	struct dmtoksim_priv *priv = netdev_priv(dev);
	struct dmtoksim_qmem *qmem = mem;

	spin_lock_bh(&priv->rq.lock);
	qmem->pp = priv->rq.pp;
	WRITE_ONCE(priv->rq.pp, NULL);
	spin_unlock_bh(&priv->rq.lock);
	return 0;
}

static const struct netdev_queue_mgmt_ops dmtoksim_queue_ops = {
	.ndo_queue_mem_size	= sizeof(struct dmtoksim_qmem),
	.ndo_queue_mem_alloc	= dmtoksim_queue_mem_alloc,
	.ndo_queue_mem_free	= dmtoksim_queue_mem_free,
	.ndo_queue_start	= dmtoksim_queue_start,
	.ndo_queue_stop		= dmtoksim_queue_stop,
};

static struct net_device *dmtoksim_create(int i)
{
	struct dmtoksim_priv *priv;
	struct net_device *dev;

	dev = alloc_netdev_mqs(sizeof(*priv), "dmtoksim%d", NET_NAME_ENUM,
			       ether_setup, 1, 1);
	if (!dev)
		return NULL;
	priv = netdev_priv(dev);
	spin_lock_init(&priv->rq.lock);
	dev->netdev_ops = &dmtoksim_netdev_ops;
	dev->queue_mgmt_ops = &dmtoksim_queue_ops;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->priv_flags |= IFF_NO_QUEUE;
	eth_hw_addr_random(dev);
	SET_NETDEV_DEV(dev, &dmtoksim_pdev->dev);
	return dev;
}

static void dmtoksim_remove(int n)
{
	while (n-- > 0) {
		struct dmtoksim_priv *priv = netdev_priv(dmtoksim_dev[n]);

		unregister_netdev(dmtoksim_dev[n]);
		if (priv->rq.pp)
			page_pool_destroy(priv->rq.pp);
		free_netdev(dmtoksim_dev[n]);
	}
}

static int __init dmtoksim_init(void)
{
	struct platform_device_info info = {
		.name		= "dmtoksim",
		.id		= PLATFORM_DEVID_NONE,
		.dma_mask	= DMA_BIT_MASK(64),
	};
	int i, err;

	dmtoksim_pdev = platform_device_register_full(&info);
	if (IS_ERR(dmtoksim_pdev))
		return PTR_ERR(dmtoksim_pdev);

	for (i = 0; i < 2; i++) {
		dmtoksim_dev[i] = dmtoksim_create(i);
		if (!dmtoksim_dev[i]) {
			err = -ENOMEM;
			goto err;
		}
	}
	((struct dmtoksim_priv *)netdev_priv(dmtoksim_dev[0]))->peer =
		dmtoksim_dev[1];
	((struct dmtoksim_priv *)netdev_priv(dmtoksim_dev[1]))->peer =
		dmtoksim_dev[0];
	for (i = 0; i < 2; i++) {
		err = register_netdev(dmtoksim_dev[i]);
		if (err)
			goto err_reg;
	}
	return 0;

err_reg:
	dmtoksim_remove(i);
	for (; i < 2; i++)
		free_netdev(dmtoksim_dev[i]);
	platform_device_unregister(dmtoksim_pdev);
	return err;
err:
	while (i-- > 0)
		free_netdev(dmtoksim_dev[i]);
	platform_device_unregister(dmtoksim_pdev);
	return err;
}

static void __exit dmtoksim_exit(void)
{
	dmtoksim_remove(2);
	platform_device_unregister(dmtoksim_pdev);
}

module_init(dmtoksim_init);
module_exit(dmtoksim_exit);
MODULE_DESCRIPTION("dmtok: paired netdevs with devmem TCP receive, for tests");
MODULE_LICENSE("GPL");
