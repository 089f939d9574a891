// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The net: one instance of the simulated kernel. It owns the fd table
 * (fd.c), the binding table, netdevs and flows, closes fds as close(2)
 * does, and tears everything down in kernel order on destroy.
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

int dmtok_close(struct dmtok_net *net, int fd)
{
	struct dmtok_file f;

	if (!net) {
		errno = EINVAL;
		return -1;
	}
	f = dmtok_fd_remove(net, fd);
	if (!f.type) {
		errno = EBADF;
		return -1;
	}
	if (f.type == DMTOK_FILE_DMABUF)
		dmtok_dmabuf_put(f.dmabuf);
	else
		dmtok_sock_put(f.sk);	/* may destroy: tcp_close() */
	return 0;
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

