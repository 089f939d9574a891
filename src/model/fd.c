// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The fd table of a net, as fs/file.c keeps one per process: dmabufs and
 * sockets are addressed by fd, so a stale or doubled close is an EBADF
 * instead of a use-after-free. Lowest-free allocation (alloc_fd()), the
 * lock-free socket lookup of fdget() (RCU in the kernel; a small epoch
 * scheme here), and the removal close(2) starts with.
 */
#include <errno.h>

#include "model.h"

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

/* Is @fd an open fd of any kind? (dma_buf_get(): -EINVAL vs -EBADF) */
bool dmtok_fd_is_open(struct dmtok_net *net, int fd)
{
	return file_lookup(net, fd) != NULL;	/* net->lock held */
}

/* close_fd(): the slot freed, what it held handed back (type 0: none). */
struct dmtok_file dmtok_fd_remove(struct dmtok_net *net, int fd)
{
	struct dmtok_file f = { 0 }, *fp;

	dmtok__mutex_lock(&net->lock);
	fp = file_lookup(net, fd);
	if (fp) {
		f = *fp;
		fp->type = 0;
		if (f.type == DMTOK_FILE_SOCKET)	/* no new lookup finds it */
			smp_store_release(&net->sk_dir[fd / 256][fd % 256], NULL);
	}
	dmtok__mutex_unlock(&net->lock);
	return f;
}
