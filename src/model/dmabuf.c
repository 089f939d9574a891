// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Simulated dmabufs, the udmabuf the kernel selftests bind: a size, a page
 * size, and optionally real memory from memfd_create()+mmap() (or an
 * anonymous MAP_NORESERVE mapping where memfd is missing), which stays
 * sparse until the NIC writes payload, so an 80 GiB dmabuf costs nothing
 * until touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model.h"

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

static int map_backing(struct dmtok_dmabuf *d)
{
	void *p = MAP_FAILED;

	if (d->size > SIZE_MAX)
		return -ENOMEM;
#if defined(__linux__) && defined(MFD_CLOEXEC)
	d->memfd = memfd_create("dmtok-dmabuf", MFD_CLOEXEC);
	if (d->memfd >= 0) {
		if (ftruncate(d->memfd, (off_t)d->size) == 0)
			p = mmap(NULL, (size_t)d->size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_NORESERVE, d->memfd, 0);
		if (p == MAP_FAILED) {
			close(d->memfd);
			d->memfd = -1;
		}
	}
#endif
	if (p == MAP_FAILED)	/* POSIX fallback: private, sparse */
		p = mmap(NULL, (size_t)d->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	d->base = p;
	return 0;
}

int dmtok_dmabuf_create(struct dmtok_net *net, uint64_t size,
			uint32_t page_size, unsigned int flags)
{
	return dmtok_dmabuf_create_sg(net, size, page_size, flags, 1);
}

int dmtok_dmabuf_create_sg(struct dmtok_net *net, uint64_t size, uint32_t page_size,
			   unsigned int flags, unsigned int nsegs)
{
	struct dmtok_dmabuf *d;
	int err, fd;

	if (!net || (flags & ~DMTOK_DMABUF_BACKED))
		return -EINVAL;
	if (!page_size)
		page_size = 4096;
	if (page_size != 4096 && page_size != 16384 && page_size != 65536)
		return -EINVAL;
	if (!size || size % page_size || size / page_size > DMTOK_MAX_NPAGES)
		return -EINVAL;
	if (!nsegs || nsegs > size / page_size || nsegs > DMTOK_MAX_SEGS)
		return -EINVAL;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	atomic_set(&d->ref, 1);
	d->size = size;
	d->page_size = page_size;
	d->page_shift = ilog2_u64(page_size);
	d->memfd = -1;
	d->nsegs = nsegs;
	if (flags & DMTOK_DMABUF_BACKED) {
		err = map_backing(d);
		if (err) {
			kfree(d);
			return err;
		}
	}
	fd = dmtok_fd_install(net, (struct dmtok_file){
		.type = DMTOK_FILE_DMABUF, .dmabuf = d });
	if (fd < 0)
		dmtok_dmabuf_put(d);
	return fd;
}

void dmtok_dmabuf_put(struct dmtok_dmabuf *d)
{
	if (!atomic_dec_and_test(&d->ref))
		return;
	if (d->base)
		munmap(d->base, (size_t)d->size);
	if (d->memfd >= 0)
		close(d->memfd);
	kfree(d);
}

int dmtok_dmabuf_map(struct dmtok_net *net, int fd, const uint8_t **base,
		     uint64_t *size)
{
	struct dmtok_dmabuf *d;
	int err = 0;

	if (!net || !base)
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	d = dmtok_dmabuf_get_fd(net, fd);
	dmtok__mutex_unlock(&net->lock);
	if (!d)
		return -EBADF;
	if (!d->base)
		err = -ENODATA;
	*base = d->base;	/* stays valid while the fd or a binding holds it */
	if (size)
		*size = d->size;
	dmtok_dmabuf_put(d);
	return err;
}
