// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The scheme registry: every scheme a socket can be created with, built
 * in or loaded from a shared object, registered through the one call
 * dmtok_scheme_register(). The kernel has no twin (a scheme there is
 * compiled in); the registry is what lets one scheme file run under every
 * dmtok tool without an edit to dmtok. Sockets pin the entry of their
 * scheme, so a scheme in use cannot be unregistered.
 */
#include <ctype.h>
#include <limits.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

#define NAME_MAX_LEN	31
#define MAX_SCHEMES	64

/*
 * Entries live in a fixed table, not on the heap: the registry is
 * process-wide and outlives any allocator a test installs and checks for
 * leaks. A registered scheme is an entry with ops != NULL.
 */
struct dmtok_scheme_entry {
	const struct dmtok_scheme_ops *ops;
	long users;			/* open sockets; reg_lock */
	unsigned long seq;		/* registration order */
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dmtok_scheme_entry reg[MAX_SCHEMES];
static unsigned long reg_seq;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static bool valid_name(const char *name)
{
	size_t n = strnlen(name, NAME_MAX_LEN + 1);

	if (!n || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '-')
			return false;
	return true;
}

/* What is wrong with @ops, or NULL if it can be registered. */
static const char *ops_problem(const struct dmtok_scheme_ops *ops, int *err)
{
	*err = -EINVAL;
	if (!ops)
		return "no ops";
	if (ops->version != DMTOK_SCHEME_VERSION) {
		*err = -EPROTO;
		return "built against another scheme interface version";
	}
	if (!ops->name || !valid_name(ops->name))
		return "name empty, longer than 31 bytes or not [a-z0-9-]";
	if (!ops->rx_reserve || !ops->dontneed || !ops->release_all || !ops->for_each_ref)
		return "a mandatory op is missing (rx_reserve, dontneed, release_all, for_each_ref)";
	if (!ops->init && !ops->priv_size)
		return "neither init nor priv_size: nothing makes the socket's state";
	if (ops->priv_size > INT_MAX)
		return "priv_size above INT_MAX (kzalloc()'s limit)";
	if (ops->flags & ~DMTOK_SCHEME_ALL_FLAGS)
		return "unknown DMTOK_SCHEME_* flag";
	if (ops->bind_flags & ~(unsigned int)DMTOK_BIND_NO_AUTORELEASE)
		return "unknown bind flag";
	if (ops->model_xa_chunk_shift > 6)
		return "model_xa_chunk_shift above 6";
	if (ops->model_xa_kernel && ops->model_xa_chunk_shift)
		return "model_xa_kernel has the kernel's node size: no model_xa_chunk_shift";
	if (ops->model_xa_kernel && !dmtok__xa_kernel_available()) {
		*err = -ENODEV;
		return "needs the kernel's XArray, and dmtok was built without a kernel source";
	}
	*err = 0;
	return NULL;
}

static struct dmtok_scheme_entry *find_locked(const char *name)
{
	for (unsigned int i = 0; i < MAX_SCHEMES; i++)
		if (reg[i].ops && !strcmp(reg[i].ops->name, name))
			return &reg[i];
	return NULL;
}

static int register_locked(const struct dmtok_scheme_ops *ops)
{
	int err;

	if (ops_problem(ops, &err))
		return err;
	if (find_locked(ops->name))
		return -EEXIST;
	for (unsigned int i = 0; i < MAX_SCHEMES; i++)
		if (!reg[i].ops) {
			reg[i] = (struct dmtok_scheme_entry){ ops, 0, ++reg_seq };
			return 0;
		}
	return -ENOSPC;
}

static int unregister_locked(const char *name)
{
	struct dmtok_scheme_entry *e = find_locked(name);

	if (!e)
		return -ENOENT;
	if (e->users)
		return -EBUSY;
	e->ops = NULL;
	return 0;
}

/* The i-th registered entry in registration order, or NULL. */
static struct dmtok_scheme_entry *nth_locked(unsigned int n)
{
	unsigned long last = 0;

	for (;; n--) {
		struct dmtok_scheme_entry *best = NULL;

		for (unsigned int i = 0; i < MAX_SCHEMES; i++)
			if (reg[i].ops && reg[i].seq > last &&
			    (!best || reg[i].seq < best->seq))
				best = &reg[i];
		if (!best || !n)
			return best;
		last = best->seq;
	}
}

/* The built-ins register through the same call as everything else. */
static void register_builtins(void)
{
	dmtok__mutex_lock(&reg_lock);
	for (unsigned int i = 0; dmtok__builtin_schemes[i]; i++)
		(void)register_locked(dmtok__builtin_schemes[i]);
	dmtok__mutex_unlock(&reg_lock);
}

static void lock_registry(void)
{
	pthread_once(&builtin_once, register_builtins);
	dmtok__mutex_lock(&reg_lock);
}

int dmtok_scheme_register(const struct dmtok_scheme_ops *ops)
{
	int err;

	lock_registry();
	err = register_locked(ops);
	dmtok__mutex_unlock(&reg_lock);
	return err;
}

int dmtok_scheme_unregister(const char *name)
{
	int err;

	if (!name)
		return -EINVAL;
	lock_registry();
	err = unregister_locked(name);
	dmtok__mutex_unlock(&reg_lock);
	return err;
}

/*
 * The ops pointers these return are read under the registry lock; the
 * ops themselves belong to whoever registered them and stay valid while
 * the scheme stays registered (see <dmtok/scheme.h>). Everything the
 * library itself reads out of an ops -- names, descriptions, the plan --
 * it reads under the lock or with the entry pinned (dmtok__scheme_get()),
 * so a concurrent dmtok_scheme_unregister() cannot free it under them.
 */
const struct dmtok_scheme_ops *dmtok_scheme_find(const char *name)
{
	const struct dmtok_scheme_ops *ops = NULL;
	struct dmtok_scheme_entry *e;

	if (!name)
		return NULL;
	lock_registry();
	e = find_locked(name);
	if (e)
		ops = e->ops;
	dmtok__mutex_unlock(&reg_lock);
	return ops;
}

unsigned int dmtok_scheme_count(void)
{
	unsigned int n = 0;

	lock_registry();
	for (unsigned int i = 0; i < MAX_SCHEMES; i++)
		n += reg[i].ops != NULL;
	dmtok__mutex_unlock(&reg_lock);
	return n;
}

const struct dmtok_scheme_ops *dmtok_scheme_at(unsigned int i)
{
	const struct dmtok_scheme_ops *ops = NULL;
	struct dmtok_scheme_entry *e;

	lock_registry();
	e = nth_locked(i);
	if (e)
		ops = e->ops;
	dmtok__mutex_unlock(&reg_lock);
	return ops;
}

int dmtok_scheme_info(const char *name, struct dmtok_scheme_info *info)
{
	const struct dmtok_scheme_ops *ops;
	struct dmtok_scheme_entry *e;

	if (!name || !info)
		return -EINVAL;
	lock_registry();
	e = find_locked(name);
	if (!e) {
		dmtok__mutex_unlock(&reg_lock);
		return -ENOENT;
	}
	ops = e->ops;
	*info = (struct dmtok_scheme_info){
		.description = ops->description,
		.flags = ops->flags, .bind_flags = ops->bind_flags,
		.max_outstanding = ops->max_outstanding, .has_plan = !!ops->plan,
	};
	snprintf(info->name, sizeof(info->name), "%s", ops->name);
	dmtok__mutex_unlock(&reg_lock);
	return 0;
}

char *dmtok_scheme_list(char *buf, size_t len)
{
	struct dmtok_scheme_entry *e;
	size_t used = 0;

	if (!buf || !len)
		return buf;
	buf[0] = 0;
	lock_registry();
	for (unsigned int i = 0; (e = nth_locked(i)); i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", e->ops->name);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	dmtok__mutex_unlock(&reg_lock);
	return buf;
}

/* 0 if @ops could be registered, else the errno dmtok_scheme_register() gives. */
int dmtok__scheme_check(const struct dmtok_scheme_ops *ops)
{
	int err;

	(void)ops_problem(ops, &err);
	return err;
}

struct dmtok_scheme_entry *dmtok__scheme_get(const char *name,
					     const struct dmtok_scheme_ops **ops)
{
	struct dmtok_scheme_entry *e;

	lock_registry();
	e = find_locked(name);
	if (e) {
		e->users++;
		*ops = e->ops;
	}
	dmtok__mutex_unlock(&reg_lock);
	return e;
}

void dmtok__scheme_put(struct dmtok_scheme_entry *e)
{
	dmtok__mutex_lock(&reg_lock);
	e->users--;
	dmtok__mutex_unlock(&reg_lock);
}

__attribute__((format(printf, 3, 4)))
static void say(char *err, unsigned long errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The export is read in the order its layout allows: the version first
 * (a library of another layout may have anything after it), then the
 * list. A library that is refused is closed again, so it leaves nothing
 * registered and nothing mapped (its constructors have run, as dlopen()
 * runs them before anything can be checked).
 */
int dmtok_scheme_load(const char *path, char *err, unsigned long errlen)
{
	const struct dmtok_scheme_library *lib;
	const char *why;
	unsigned int i, n;
	void *h;
	int ret;

	if (!path || !*path) {	/* dlopen("") would hand back the program itself */
		say(err, errlen, "no path");
		return -EINVAL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		say(err, errlen, "%s", dlerror());
		return -ENOENT;
	}
	lib = dlsym(h, DMTOK_SCHEME_LIBRARY_SYMBOL);
	if (!lib) {
		say(err, errlen, "%s: no %s (end the scheme file with DMTOK_SCHEME_EXPORT(&ops))",
		    path, DMTOK_SCHEME_LIBRARY_SYMBOL);
		ret = -ENOEXEC;
		goto refuse;
	}
	if (lib->version != DMTOK_SCHEME_VERSION) {
		say(err, errlen, "%s: built against scheme interface %u, this dmtok has %u",
		    path, lib->version, DMTOK_SCHEME_VERSION);
		ret = -EPROTO;
		goto refuse;
	}
	if (!lib->schemes || !lib->schemes[0]) {
		say(err, errlen, "%s: %s lists no scheme", path, DMTOK_SCHEME_LIBRARY_SYMBOL);
		ret = -ENOEXEC;
		goto refuse;
	}
	lock_registry();
	for (n = 0; lib->schemes[n]; n++) {
		why = ops_problem(lib->schemes[n], &ret);
		if (!why) {
			ret = register_locked(lib->schemes[n]);
			why = ret == -EEXIST ? "a scheme of that name is already registered" :
			      ret ? "the registry is full (64 schemes)" : NULL;
		}
		if (ret) {
			say(err, errlen, "%s: scheme %u (%s): %s", path, n,
			    lib->schemes[n]->name ? lib->schemes[n]->name : "?", why);
			for (i = 0; i < n; i++)	/* all or nothing */
				(void)unregister_locked(lib->schemes[i]->name);
			dmtok__mutex_unlock(&reg_lock);
			goto refuse;
		}
	}
	dmtok__mutex_unlock(&reg_lock);
	return (int)n;
refuse:
	dlclose(h);
	return ret;
}
