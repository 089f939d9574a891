// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The net: one instance of the simulated kernel. It owns the fd table
 * (dmabufs and sockets are addressed by fd, so a stale or doubled close
 * is an EBADF instead of a use-after-free), the binding table, netdevs
 * and flows, and tears everything down in kernel order on destroy.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "model.h"

int dmtok_net_create(struct dmtok_net **out)
{
	struct dmtok_net *net;

	if (!out)
		return -EINVAL;
	net = kzalloc(sizeof(*net), GFP_KERNEL);
	if (!net)
		return -ENOMEM;
	pthread_mutex_init(&net->lock, NULL);
	pthread_mutex_init(&net->objs_lock, NULL);
	pthread_mutex_init(&net->sync_lock, NULL);
	pthread_mutex_init(&net->hook_lock, NULL);
	TAILQ_INIT(&net->devs);
	TAILQ_INIT(&net->flows);
	TAILQ_INIT(&net->pools);
	TAILQ_INIT(&net->socks);
	TAILQ_INIT(&net->orphans);
	net->next_binding_id = 1;
	net->next_ifindex = 1;
	*out = net;
	return 0;
}

/* Lowest free fd, like the kernel's fd allocator. */
int dmtok_fd_install(struct dmtok_net *net, struct dmtok_file f)
{
	int fd, err;

	dmtok__mutex_lock(&net->lock);
	for (fd = 0; fd < net->nfiles; fd++)
		if (!net->files[fd].type)
			break;
	if (fd == net->nfiles) {
		int n = net->nfiles ? net->nfiles * 2 : 16;
		struct dmtok_file *nf;

		if (fd >= DMTOK_MAX_FDS) {
			err = -EMFILE;
			goto out;
		}
		if (n > DMTOK_MAX_FDS)
			n = DMTOK_MAX_FDS;
		nf = kvcalloc((size_t)n, sizeof(*nf), GFP_KERNEL);
		if (!nf) {
			err = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < net->nfiles; i++)
			nf[i] = net->files[i];
		kvfree(net->files);
		net->files = nf;
		net->nfiles = n;
	}
	if (f.type == DMTOK_FILE_SOCKET) {
		struct dmtok_sock **leaf = net->sk_dir[fd / 256];

		if (!leaf) {	/* the lock-free table's leaf, made once */
			leaf = kvcalloc(256, sizeof(*leaf), GFP_KERNEL);
			if (!leaf) {
				err = -ENOMEM;
				goto out;
			}
			smp_store_release(&net->sk_dir[fd / 256], leaf);
		}
		f.sk->serial = ++net->next_sock_serial;	/* under net->lock */
		smp_store_release(&leaf[fd % 256], f.sk);
	}
	net->files[fd] = f;
	err = fd;
out:
	dmtok__mutex_unlock(&net->lock);
	return err;
}

static struct dmtok_file *file_lookup(struct dmtok_net *net, int fd)
{
	if (fd < 0 || fd >= net->nfiles || !net->files[fd].type)
		return NULL;
	return &net->files[fd];
}

/* Enter a lookup: count it in the current epoch's parity. */
static unsigned long rd_enter(struct dmtok_net *net)
{
	for (;;) {
		unsigned long e = __atomic_load_n(&net->rd_epoch, __ATOMIC_SEQ_CST);

		__atomic_fetch_add(&net->rd_active[e & 1], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&net->rd_epoch, __ATOMIC_SEQ_CST) == e)
			return e & 1;
		__atomic_fetch_sub(&net->rd_active[e & 1], 1, __ATOMIC_SEQ_CST);
	}
}

static void rd_exit(struct dmtok_net *net, unsigned long idx)
{
	__atomic_fetch_sub(&net->rd_active[idx], 1, __ATOMIC_SEQ_CST);
}

/*
 * synchronize_rcu(), in small: flip the epoch, wait for the lookups
 * counted in the old one. A lookup that starts after the flip cannot find
 * a socket whose slot was cleared before the flip.
 */
void dmtok__sock_synchronize(struct dmtok_net *net)
{
	unsigned long old;

	dmtok__mutex_lock(&net->sync_lock);
	old = __atomic_fetch_add(&net->rd_epoch, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&net->rd_active[old & 1], __ATOMIC_SEQ_CST))
		dmtok__sched_yield();
	dmtok__mutex_unlock(&net->sync_lock);
}

/*
 * fdget() for sockets, without a lock: the slot, then a reference unless
 * the socket is already on its way out (its count reached 0).
 */
struct dmtok_sock *dmtok_sock_get_fd(struct dmtok_net *net, int fd, int *err)
{
	struct dmtok_sock *sk = NULL, **leaf;
	struct dmtok_file *f;
	unsigned long idx;

	if (fd >= 0 && fd < DMTOK_MAX_FDS) {
		idx = rd_enter(net);
		leaf = smp_load_acquire(&net->sk_dir[fd / 256]);
		if (leaf)
			sk = smp_load_acquire(&leaf[fd % 256]);
		if (sk && !atomic_inc_not_zero(&sk->ref))
			sk = NULL;
		rd_exit(net, idx);
		if (sk)
			return sk;
	}
	/* not a live socket: say why, from the table (slow path) */
	dmtok__mutex_lock(&net->lock);
	f = file_lookup(net, fd);
	*err = f && f->type != DMTOK_FILE_SOCKET ? ENOTSOCK : EBADF;
	dmtok__mutex_unlock(&net->lock);
	return NULL;
}

struct dmtok_dmabuf *dmtok_dmabuf_get_fd(struct dmtok_net *net, int fd)
{
	struct dmtok_dmabuf *d = NULL;
	struct dmtok_file *f;

	/* Called with net->lock held. */
	f = file_lookup(net, fd);
	if (f && f->type == DMTOK_FILE_DMABUF) {
		d = f->dmabuf;
		dmtok_dmabuf_get(d);
	}
	return d;
}

int dmtok_close(struct dmtok_net *net, int fd)
{
	struct dmtok_file f = { 0 }, *fp;

	if (!net) {
		errno = EINVAL;
		return -1;
	}
	dmtok__mutex_lock(&net->lock);
	fp = file_lookup(net, fd);
	if (fp) {
		f = *fp;
		fp->type = 0;
		if (f.type == DMTOK_FILE_SOCKET)	/* no new lookup finds it */
			smp_store_release(&net->sk_dir[fd / 256][fd % 256], NULL);
	}
	dmtok__mutex_unlock(&net->lock);
	if (!f.type) {
		errno = EBADF;
		return -1;
	}
	if (f.type == DMTOK_FILE_DMABUF)
		dmtok_dmabuf_put(f.dmabuf);
	else
		dmtok_sock_put(f.sk);	/* may destroy: tcp_v4_destroy_sock() */
	return 0;
}

struct dmtok_netdev *dmtok_netdev_find(struct dmtok_net *net, int ifindex)
{
	struct dmtok_netdev *dev;

	TAILQ_FOREACH(dev, &net->devs, link)
		if (dev->ifindex == ifindex)
			return dev;
	return NULL;
}

struct net_devmem_dmabuf_binding *dmtok_binding_find(struct dmtok_net *net, u32 id)
{
	struct net_devmem_dmabuf_binding *b;

	dmtok__mutex_lock(&net->objs_lock);
	for (b = net->bindings; b; b = b->next_all)
		if (b->id == id && !b->unbound)
			break;
	dmtok__mutex_unlock(&net->objs_lock);
	return b;
}


int dmtok_net_destroy(struct dmtok_net *net)
{
	struct net_devmem_dmabuf_binding *b;
	struct dmtok_netdev *dev;
	struct dmtok_flow *fl;
	int fd, err = 0;

	if (!net)
		return 0;
	for (fd = 0; fd < net->nfiles; fd++)
		if (net->files[fd].type)
			dmtok_close(net, fd);
	/* the orphans' peers never answer: their timers fire */
	dmtok_net_expire_orphans(net);
	dmtok__mutex_lock(&net->lock);
	for (;;) {
		dmtok__mutex_lock(&net->objs_lock);
		for (b = net->bindings; b && b->unbound; b = b->next_all)
			;
		dmtok__mutex_unlock(&net->objs_lock);
		if (!b)
			break;
		dmtok_binding_get(b);
		dmtok__unbind_locked(net, b);
		dmtok__binding_put(b);
	}
	while ((dev = TAILQ_FIRST(&net->devs))) {
		TAILQ_REMOVE(&net->devs, dev, link);
		for (unsigned int i = 0; i < dev->opts.nqueues; i++)
			pthread_mutex_destroy(&dev->rxq[i].lock);
		kvfree(dev->rxq);
		kfree(dev);
	}
	while ((fl = TAILQ_FIRST(&net->flows))) {
		TAILQ_REMOVE(&net->flows, fl, link);
		kfree(fl);
	}
	/* time passes: the page pools' delayed release work runs */
	dmtok__pp_run_deferred(net);
	dmtok__mutex_unlock(&net->lock);
	/* Anything still alive here was leaked by the model or a scheme. */
	if (net->bindings || !TAILQ_EMPTY(&net->pools) || !TAILQ_EMPTY(&net->socks))
		err = -EBUSY;
	if (err)
		return err;	/* keep net alive so the leak stays visible */
	kvfree(net->files);
	for (unsigned int i = 0; i < ARRAY_SIZE(net->sk_dir); i++)
		kvfree(net->sk_dir[i]);
	pthread_mutex_destroy(&net->sync_lock);
	pthread_mutex_destroy(&net->objs_lock);
	pthread_mutex_destroy(&net->hook_lock);
	pthread_mutex_destroy(&net->lock);
	kfree(net);
	return 0;
}

int dmtok_net_set_deferred_release(struct dmtok_net *net, int on)
{
	if (!net || (on != 0 && on != 1))
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	__atomic_store_n(&net->defer_pool_release, (bool)on, __ATOMIC_RELAXED);
	if (!on)	/* what waited is released now, as pools made from now on */
		dmtok__pp_undefer(net);
	dmtok__mutex_unlock(&net->lock);
	return 0;
}

int dmtok_net_run_deferred(struct dmtok_net *net)
{
	int freed;

	if (!net)
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	freed = dmtok__pp_run_deferred(net);
	dmtok__mutex_unlock(&net->lock);
	return freed;
}

int dmtok_net_counts(struct dmtok_net *net, struct dmtok_net_counts *c)
{
	struct dmtok_page_pool *pool;
	struct net_devmem_dmabuf_binding *b;
	struct dmtok_sock *sk;
	int fd;

	if (!net || !c)
		return -EINVAL;
	*c = (struct dmtok_net_counts){ 0 };
	dmtok__mutex_lock(&net->lock);
	for (fd = 0; fd < net->nfiles; fd++)
		c->fds += !!net->files[fd].type;
	dmtok__mutex_unlock(&net->lock);
	dmtok__mutex_lock(&net->objs_lock);
	for (b = net->bindings; b; b = b->next_all) {
		c->bindings++;
		spin_lock_bh(&b->lock);
		c->niovs_out += b->npages - b->nfree;
		spin_unlock_bh(&b->lock);
	}
	TAILQ_FOREACH(pool, &net->pools, all) {
		c->page_pools++;
		spin_lock_bh(&pool->lock);
		c->niovs_out -= dmtok_pp_held(pool);
		spin_unlock_bh(&pool->lock);
	}
	TAILQ_FOREACH(sk, &net->socks, all)
		c->sockets++;
	dmtok__mutex_unlock(&net->objs_lock);
	return 0;
}

struct net_devmem_dmabuf_binding *dmtok_binding_lookup(struct dmtok_net *net, u32 id)
{
	struct net_devmem_dmabuf_binding *b;

	if (!net)
		return NULL;
	dmtok__mutex_lock(&net->lock);
	b = dmtok_binding_find(net, id);
	if (b)
		dmtok_binding_get(b);
	dmtok__mutex_unlock(&net->lock);
	return b;
}

/* Is @fd an open fd of any kind? (dma_buf_get(): -EINVAL vs -EBADF) */
bool dmtok_fd_is_open(struct dmtok_net *net, int fd)
{
	return file_lookup(net, fd) != NULL;	/* net->lock held */
}
