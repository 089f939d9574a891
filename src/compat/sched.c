// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The deterministic scheduler of dmtok_explore() (include/dmtok/explore.h):
 * stateless model checking with a preemption bound, after CHESS. Threads
 * are real threads (each keeps its own kernel context: the spinlocks it
 * holds, BH, softirq), but only one runs at a time: at every scheduling
 * point the running thread records which threads could go on and hands
 * the CPU to the one the schedule names. A thread that would spin on a
 * lock another holds is blocked instead, and runs again only once the
 * lock is free; a thread that waits in a loop (the model's small RCU)
 * yields to everyone else. Each interleaving runs from a fresh setup;
 * after it, the deepest decision with an untried choice within the bound
 * is changed and everything before it replayed.
 *
 * All state shared between the threads is read and written with relaxed
 * atomics and handed over through a futex: ThreadSanitizer sees no
 * happens-before edge from the scheduler, only the ones the model and
 * the scheme make themselves. Nothing in the kernel or in a C library
 * does this for threads using the kernel's vocabulary, hence this file.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif
/*
 * The futex the threads wait on, by its raw syscall (TSan sees no sync
 * in it). The two op numbers are include/uapi/linux/futex.h's, spelled
 * here so a C library without kernel headers (musl) builds it; without
 * SYS_futex the waits spin with sched_yield().
 */
#if defined(__linux__) && defined(SYS_futex)
#define HAVE_FUTEX		1
#define DMTOK_FUTEX_WAIT	128	/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define DMTOK_FUTEX_WAKE	129	/* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
#endif

#include "dmtok/explore.h"
#include "compat.h"

#define LD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ST(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define MAXT		DMTOK_EXPLORE_MAX_THREADS
#define MAXD		(1 << 16)	/* scheduling points in one interleaving */
#define MAXHELD		64		/* locks held at once */

int dmtok_sched_active;
int dmtok__sched_nowait_fails;

enum tstate { T_RUN, T_BLOCKED, T_YIELD, T_DONE };
enum outcome { O_OK, O_DEADLOCK, O_DIVERGED, O_TOO_LONG };

/* One decision: who could go on, who was running, who went on. */
struct decision {
	unsigned char enabled;	/* bit per thread */
	signed char me;		/* the thread at the point; -1: the start */
	unsigned char me_enabled;	/* it could have gone on: switching is a preemption */
	unsigned char chosen;
};

static struct sched {
	unsigned int n;
	int cur;			/* running thread; n: the controller */
	int state[MAXT];
	const void *blk[MAXT];		/* what a T_BLOCKED thread waits for */
	const void *held[MAXHELD];	/* spinlocks and model mutexes held */
	int outcome;
	int aborting;			/* a deadlock: blocked threads exit */
	int freerun;			/* too long: the threads run free */
	unsigned int ndec;
	const unsigned char *prefix;	/* the schedule to follow first */
	unsigned int nprefix;
	struct decision dec[MAXD];
} S;

static _Thread_local int me = -1;

/* ---- the hand-off ---- */

static void wake_all(void)
{
#ifdef HAVE_FUTEX
	syscall(SYS_futex, &S.cur, DMTOK_FUTEX_WAKE, MAXT + 1, NULL, NULL, 0);
#endif
}

/* Until the CPU is @t's: a futex wait, which TSan does not see as a sync. */
static void wait_turn(int t)
{
	for (;;) {
		int c = LD(S.cur);

		if (c == t || LD(S.aborting) || LD(S.freerun))
			return;
#ifdef HAVE_FUTEX
		syscall(SYS_futex, &S.cur, DMTOK_FUTEX_WAIT, c, NULL, NULL, 0);
#else
		sched_yield();
#endif
	}
}

static void held_set(const void *old, const void *new_)
{
	for (int i = 0; i < MAXHELD; i++)
		if (LD(S.held[i]) == old) {
			ST(S.held[i], new_);
			return;
		}
}

static bool lock_held(const void *m)
{
	for (int i = 0; i < MAXHELD; i++)
		if (LD(S.held[i]) == m)
			return true;
	return false;
}

/*
 * Whether what @t waits for is free, from the scheduler's own table: it
 * never reads a lock's memory, which the holder may free meanwhile (and
 * TSan would see the scheduler race with that free).
 */
static bool lock_free(int t)
{
	return !lock_held(LD(S.blk[t]));
}

static unsigned int enabled_set(void)
{
	unsigned int en = 0, yielded = 0;

	for (unsigned int t = 0; t < S.n; t++) {
		switch (LD(S.state[t])) {
		case T_RUN:
			en |= 1u << t;
			break;
		case T_BLOCKED:
			if (lock_free((int)t))
				en |= 1u << t;
			break;
		case T_YIELD:
			yielded |= 1u << t;
			break;
		}
	}
	/* a waiting loop runs again only when nobody else can */
	return en ? en : yielded;
}

/*
 * The scheduling point of thread @self (-1: the controller starting the
 * threads) in state @st: choose who goes on, record it, hand over.
 */
static void decide(int self, int st)
{
	unsigned int en, d = LD(S.ndec);
	int next;

	if (LD(S.freerun))
		return;
	if (self >= 0)
		ST(S.state[self], st);
	en = enabled_set();
	if (!en) {
		bool all_done = true;

		for (unsigned int t = 0; t < S.n; t++)
			all_done &= LD(S.state[t]) == T_DONE;
		if (!all_done) {
			ST(S.outcome, O_DEADLOCK);
			ST(S.aborting, 1);
		}
		ST(S.cur, (int)S.n);
		wake_all();
		return;
	}
	if (d >= MAXD) {	/* a livelock, likely: let the threads run free */
		ST(S.outcome, O_TOO_LONG);
		ST(S.freerun, 1);
		wake_all();
		return;
	}
	{
		bool me_en = st == T_RUN && self >= 0 && (en & (1u << self));

		if (d < LD(S.nprefix)) {
			next = LD(S.prefix[d]);
			if (!(en & (1u << next))) {
				ST(S.outcome, O_DIVERGED);
				next = __builtin_ctz(en);
			}
		} else {
			next = me_en ? self : __builtin_ctz(en);
		}
		ST(S.dec[d].enabled, (unsigned char)en);
		ST(S.dec[d].me, (signed char)self);
		ST(S.dec[d].me_enabled, (unsigned char)me_en);
		ST(S.dec[d].chosen, (unsigned char)next);
		ST(S.ndec, d + 1);
	}
	ST(S.state[next], T_RUN);
	if (next == self)
		return;
	ST(S.cur, next);
	wake_all();
	if (self >= 0 && st != T_DONE) {
		wait_turn(self);
		if (LD(S.aborting))
			pthread_exit(NULL);
	}
}

void dmtok_sched_point(void)
{
	if (me >= 0)
		decide(me, T_RUN);
}

bool dmtok__sched_thread(void)
{
	return me >= 0;
}

/* spin_lock() while exploring; false: free-running, spin as usual */
bool dmtok__sched_spin_lock(spinlock_t *l)
{
	decide(me, T_RUN);
	while (__atomic_fetch_or(&l->locked, 1, __ATOMIC_ACQUIRE) & 1) {
		if (LD(S.freerun))
			return false;
		ST(S.blk[me], l);
		decide(me, T_BLOCKED);
	}
	held_set(NULL, l);
	return true;
}

/* spin_unlock() while exploring, before the release */
void dmtok__sched_spin_unlock(spinlock_t *l)
{
	decide(me, T_RUN);
	held_set(l, NULL);
}

/* pthread_mutex_lock() of a model lock while exploring */
void dmtok__sched_mutex_lock(pthread_mutex_t *m)
{
	decide(me, T_RUN);
	while (pthread_mutex_trylock(m)) {
		if (LD(S.freerun)) {
			pthread_mutex_lock(m);
			break;
		}
		ST(S.blk[me], m);
		decide(me, T_BLOCKED);
	}
	held_set(NULL, m);
}

void dmtok__sched_mutex_unlock(pthread_mutex_t *m)
{
	decide(me, T_RUN);
	held_set(m, NULL);
	pthread_mutex_unlock(m);
}

void dmtok__sched_yield(void)
{
	if (dmtok__sched_on() && !LD(S.freerun))
		decide(me, T_YIELD);
	else
		sched_yield();
}

/* ---- one interleaving ---- */

struct targ {
	const struct dmtok_explore_ops *ops;
	void *ctx;
	int t;
};

static void *thread_main(void *p)
{
	struct targ *a = p;

	me = a->t;
	wait_turn(me);
	if (!LD(S.aborting))
		a->ops->thread(a->ctx, (unsigned int)me);
	decide(me, T_DONE);
	me = -1;
	return NULL;
}

/* Runs @ops once following @prefix, then the default (no preemption). */
static int run_once(const struct dmtok_explore_ops *ops, void *ctx,
		    const unsigned char *prefix, unsigned int nprefix, char *msg, size_t len)
{
	struct targ a[MAXT];
	pthread_t th[MAXT];
	unsigned int started = 0;
	int err;

	err = ops->setup(ctx);
	if (err)
		return err;
	memset(&S, 0, offsetof(struct sched, dec));
	S.n = ops->nthreads;
	S.cur = -1;		/* nobody runs until decision 0 */
	S.prefix = prefix;
	S.nprefix = nprefix;
	__atomic_store_n(&dmtok__sched_nowait_fails, ops->nowait_fails, __ATOMIC_SEQ_CST);
	__atomic_store_n(&dmtok_sched_active, 1, __ATOMIC_SEQ_CST);
	for (; started < S.n; started++) {
		a[started] = (struct targ){ ops, ctx, (int)started };
		err = -pthread_create(&th[started], NULL, thread_main, &a[started]);
		if (err)
			break;
	}
	if (err) {		/* mark the rest done; the started ones run */
		for (unsigned int t = started; t < S.n; t++)
			ST(S.state[t], T_DONE);
	}
	decide(-1, T_RUN);
	wait_turn((int)S.n);
	for (unsigned int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	__atomic_store_n(&dmtok_sched_active, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&dmtok__sched_nowait_fails, 0, __ATOMIC_SEQ_CST);
	if (err)
		return err;
	switch (S.outcome) {
	case O_DEADLOCK:
		snprintf(msg, len, "deadlock: no thread can go on");
		return 1;	/* the state is inconsistent: no finish */
	case O_DIVERGED:
		snprintf(msg, len, "the schedule did not replay (the scenario is not deterministic)");
		break;
	case O_TOO_LONG:
		snprintf(msg, len, "more than %d scheduling points in one interleaving", MAXD);
		break;
	default:
		return ops->finish(ctx, msg, len) ? 1 : 0;
	}
	(void)ops->finish(ctx, msg + strlen(msg), len - strlen(msg));
	return 1;
}

/* ---- schedules as text: runs of thread numbers, "0*12,1*3" ---- */

static void schedule_str(const unsigned char *dec, size_t stride, unsigned int n,
			 char *out, size_t len)
{
	size_t off = 0;
	unsigned int d = 0;

	out[0] = '\0';
	while (d < n && off + 24 < len) {
		unsigned int t = dec[d * stride], run = 0;

		while (d < n && dec[d * stride] == t) {
			d++;
			run++;
		}
		off += (size_t)snprintf(out + off, len - off, "%s%u*%u", off ? "," : "", t, run);
	}
	if (d < n)
		snprintf(out + off, len - off, ",...");
}

static int parse_schedule(const char *s, unsigned char *out, unsigned int *n, unsigned int nthreads)
{
	*n = 0;
	while (*s) {
		char *end;
		unsigned long t = strtoul(s, &end, 10), run;

		if (end == s || *end != '*' || t >= nthreads)
			return -EINVAL;
		s = end + 1;
		run = strtoul(s, &end, 10);
		if (end == s || run == 0 || run > MAXD - *n)
			return -EINVAL;
		for (unsigned long i = 0; i < run; i++)
			out[(*n)++] = (unsigned char)t;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return 0;
}

/* ---- the search ---- */

static unsigned char prefix_buf[MAXD];
static unsigned char tried[MAXD];	/* per depth: choices made there so far */
static pthread_mutex_t explore_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned int preempt_cost(unsigned int d, unsigned int t)
{
	return S.dec[d].me_enabled && (int)t != S.dec[d].me;
}

/*
 * The next prefix: the deepest decision with an untried choice whose
 * preemptions so far stay within @bound. False when there is none.
 */
static bool backtrack(unsigned int bound, unsigned int *nprefix)
{
	static unsigned int pre[MAXD + 1];
	unsigned int n = S.ndec;

	pre[0] = 0;
	for (unsigned int d = 0; d < n; d++)
		pre[d + 1] = pre[d] + preempt_cost(d, S.dec[d].chosen);
	for (unsigned int d = *nprefix; d < n; d++)
		tried[d] = (unsigned char)(1u << S.dec[d].chosen);
	for (unsigned int d = n; d-- > 0;) {
		unsigned int alt = S.dec[d].enabled & ~tried[d];

		for (unsigned int t = 0; alt; t++, alt >>= 1) {
			if (!(alt & 1) || pre[d] + preempt_cost(d, t) > bound)
				continue;
			tried[d] |= (unsigned char)(1u << t);
			for (unsigned int i = 0; i < d; i++)
				prefix_buf[i] = S.dec[i].chosen;
			prefix_buf[d] = (unsigned char)t;
			*nprefix = d + 1;
			return true;
		}
	}
	return false;
}

int dmtok_explore(const struct dmtok_explore_ops *ops, void *ctx,
		  const struct dmtok_explore_opts *o, struct dmtok_explore_result *r)
{
	unsigned int nprefix = 0;
	int err = 0;

	if (!ops || !o || !r || !ops->setup || !ops->thread || !ops->finish ||
	    !ops->nthreads || ops->nthreads > MAXT)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
#ifdef DMTOK_SCHED_POINTS
	r->every_primitive = true;
#endif
	if (pthread_mutex_trylock(&explore_lock))
		return -EBUSY;
	if (o->replay) {
		err = parse_schedule(o->replay, prefix_buf, &nprefix, ops->nthreads);
		if (err)
			goto out;
	}
	for (;;) {
		int rc;

		if (o->log) {
			schedule_str(prefix_buf, 1, nprefix, r->schedule, sizeof(r->schedule));
			fprintf(o->log, "%s\n", r->schedule);
			fflush(o->log);
		}
		rc = run_once(ops, ctx, prefix_buf, nprefix, r->msg, sizeof(r->msg));

		if (rc < 0) {
			err = rc;
			break;
		}
		r->execs++;
		if (S.ndec > r->max_points)
			r->max_points = S.ndec;
		if (rc) {
			r->failed = true;
			schedule_str(&S.dec[0].chosen, sizeof(S.dec[0]), S.ndec,
				     r->schedule, sizeof(r->schedule));
			break;
		}
		if (o->replay)
			break;
		if (!backtrack(o->bound, &nprefix)) {
			r->complete = true;
			break;
		}
		if (o->max_execs && r->execs >= o->max_execs)
			break;
	}
out:
	pthread_mutex_unlock(&explore_lock);
	return err;
}
