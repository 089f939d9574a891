// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-bench's output: the machine and workload line, then one table a
 * figure -- cost per frag with its ratios to the floor and to xarray,
 * dontneed by one and two threads, tokens per claim, the socket face's
 * cost end to end -- and the review's CPU-saving prediction. Every figure
 * is a median with its min-max over the runs; a ratio is the median of the
 * per-run ratios; a row that spread more than SPREAD_WARN says so.
 */
#include <libutil.h>
#include <sys/utsname.h>

#include "bench.h"

void print_machine(const struct cfg *c)
{
	char model[256] = "unknown", line[512];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char size[16];

	humanize_number(size, 7, (int64_t)c->dmabuf_size, "B", HN_AUTOSCALE,
			HN_NOSPACE | HN_DECIMAL | HN_IEC_PREFIXES);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			if (p) {
				snprintf(model, sizeof(model), "%s", p + 2);
				model[strcspn(model, "\n")] = 0;
			}
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	printf("machine: %s, %ld online CPUs, %s %s %s\n", model, cpus, u.sysname,
	       u.release, u.machine);
	printf("workload: %u RX workers (one socket each) on %ld CPUs%s, %s dmabuf, "
	       "4 KiB frags, %s pages, dontneed %u tokens per call, %u held, "
	       "%llu frags/worker/run, %u runs (median), seed %llu\n",
	       c->workers, cpus,
	       (long)c->workers > cpus ? " (oversubscribed: CPU time per thread is "
					 "measured, so the figures stay per-frag costs)" :
	       c->workers_default && c->workers < 4 ? " (no more than the CPUs; the review's "
						      "4 workers: -w 4)" : "",
	       size, c->random_pages ? "random" : "sequential",
	       c->batch, c->outstanding, (unsigned long long)c->frags, c->runs,
	       (unsigned long long)c->seed);
	printf("kernel: a production config -- the vocabulary's lockdep is off "
	       "(dmtok_set_kernel_debug(0)); slab poisoning and the atomic-sleep check stay; "
	       "end-to-end nets under the %s profile\n", c->kernel_name);
}

static const struct result *by_name(const struct result *res, unsigned int nlist,
				    const char *name)
{
	for (unsigned int i = 0; i < nlist; i++)
		if (!strcmp(res[i].name, name))
			return &res[i];
	return NULL;
}

/* One row of the cost table; true if it is noisy. */
static bool print_cost_row(const struct cfg *c, const struct result *r, bool floor,
			   const struct result *fl, const struct result *xa)
{
	double vf[64], vx[64];
	struct spread rt, rf, rxa, rx, dn, cl;
	char mem[16];
	bool noisy;

	for (unsigned int run = 0; run < c->runs; run++) {
		vf[run] = r->rt[run] / fl->rt[run];
		vx[run] = r->rt[run] / xa->rt[run];
	}
	rt = spread_of(r->rt, c->runs);
	rf = spread_of(vf, c->runs);
	rxa = spread_of(vx, c->runs);
	rx = spread_of(r->rx, c->runs);
	dn = spread_of(r->dn, c->runs);
	cl = spread_of(r->close_us, c->runs);
	humanize_number(mem, 7, (int64_t)r->mem, "B", HN_AUTOSCALE,
			HN_NOSPACE | HN_DECIMAL | HN_IEC_PREFIXES);
	noisy = c->runs > 1 && (rel_spread(rt) > SPREAD_WARN ||
				(!floor && rel_spread(rf) > SPREAD_WARN));
	printf("%-24s %6.1f [%5.1f-%5.1f] %5.2f [%4.2f-%4.2f] %5.2f [%4.2f-%4.2f] %8.1f %9.1f %10s %9.1f%s\n",
	       r->name, rt.med, rt.lo, rt.hi, rf.med, rf.lo, rf.hi,
	       rxa.med, rxa.lo, rxa.hi, rx.med, dn.med, mem, cl.med,
	       noisy ? "  (noisy)" : "");
	if (c->csv)
		fprintf(c->csv, "%s,%u,%llu,%d,%u,%u,%llu,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f,%llu,%.2f\n",
			r->name, c->workers, (unsigned long long)c->dmabuf_size,
			c->random_pages, c->batch, c->outstanding,
			(unsigned long long)c->seed, rx.med, dn.med, rt.med, rt.lo, rt.hi,
			rf.med, rf.lo, rf.hi, (unsigned long long)r->mem, cl.med);
	return noisy;
}

/* The cost table (res[0] is the floor). Returns the number of noisy rows. */
int print_costs(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	const struct result *xa = by_name(res, nlist, "xarray");
	int warned = 0;

	printf("\nper frag, CPU ns: median [min-max] of %u runs; cost ratios are medians of the\n"
	       "per-run ratios (x floor: times the floor's cost, a reference up and\n"
	       "napi_pp_put_page(); x xarray: times upstream's cost, so 0.25 means four\n"
	       "times faster)\n", c->runs);
	printf("%-24s %20s %18s %18s %8s %9s %10s %9s\n", "scheme", "round trip",
	       "x floor", "x xarray", "recv", "dontneed", "mem/sock", "close us");
	for (unsigned int i = 0; i < nlist; i++) {
		if (res[i].err)
			printf("%-24s failed: %s\n", res[i].name, strerror(res[i].err));
		else
			warned += print_cost_row(c, &res[i], i == 0, &res[0], xa);
	}
	if (warned)
		printf("WARNING: %d row(s) spread more than %.0f%% between runs (min-max over the "
		       "median): this machine was noisy; rerun before reading them as results\n",
		       warned, SPREAD_WARN * 100);
	return warned;
}

void print_scaling(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	printf("\ndontneed on one socket: tokens returned by 1 and by 2 threads at once\n"
	       "(wall clock from before the threads are released; Mtok/s, median [min-max];\n"
	       "x2/x1: median of the per-run ratios)\n");
	for (unsigned int i = 1; i < nlist; i++) {
		const struct result *r = &res[i];
		double ratio[64];
		struct spread a, b2, qr;
		int bad = 0;

		if (r->err)
			continue;
		for (unsigned int run = 0; run < c->runs; run++) {
			bad |= r->scale1[run] <= 0 || r->scale2[run] <= 0;
			ratio[run] = r->scale1[run] > 0 ? r->scale2[run] / r->scale1[run] : 0;
		}
		if (bad) {
			printf("  %-24s no figure (a window was refused or the scheme could not "
			       "hold the tokens)\n", r->name);
			continue;
		}
		a = spread_of(r->scale1, c->runs);
		b2 = spread_of(r->scale2, c->runs);
		qr = spread_of(ratio, c->runs);
		printf("  %-24s 1 thread %6.1f [%5.1f-%5.1f]  2 threads %6.1f [%5.1f-%5.1f]"
		       "  x%.2f [%.2f-%.2f]\n", r->name, a.med, a.lo, a.hi,
		       b2.med, b2.lo, b2.hi, qr.med, qr.lo, qr.hi);
	}
}

void print_claims(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	for (unsigned int i = 1; i < nlist; i++) {
		struct spread pc = spread_of(res[i].per_claim, c->runs);

		if (res[i].err || pc.med <= 0)
			continue;
		printf("\ntokens returned per claim (%s: one locked instruction each), "
		       "median [min-max]: %.1f [%.1f-%.1f]\n", res[i].name, pc.med, pc.lo, pc.hi);
	}
}

void print_e2e(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	if (c->random_pages) {
		printf("\nend to end through the socket face: not measured with -R -- the NIC takes\n"
		       "pages in the page pool's order, so random pages cannot go through it\n");
		return;
	}
	printf("\nend to end through the socket face (dmtok_recvmsg with cmsgs, dmtok_setsockopt,\n"
	       "the fd table), CPU ns per frag, median [min-max]; socket face: minus the same\n"
	       "frags' pages by direct ops on the same binding in the same run (same work, same\n"
	       "cache footprint), median of the per-run differences\n");
	for (unsigned int i = 1; i < nlist; i++) {
		const struct result *r = &res[i];
		double over[64];
		struct spread e, dr, ov;
		int bad = 0;

		if (r->err)
			continue;
		for (unsigned int run = 0; run < c->runs; run++) {
			bad |= r->e2e[run] <= 0 || r->e2e_direct[run] <= 0;
			over[run] = r->e2e[run] - r->e2e_direct[run];
		}
		if (bad && c->kernel != DMTOK_KERNEL_V10 &&
		    (r->ops->bind_flags & DMTOK_BIND_NO_AUTORELEASE)) {
			printf("  %-24s no figure (the %s profile cannot bind it: manual "
			       "release is the series' v10)\n", r->name, c->kernel_name);
			continue;
		}
		if (bad) {
			printf("  %-24s no figure (a run through the socket face failed)\n", r->name);
			continue;
		}
		e = spread_of(r->e2e, c->runs);
		dr = spread_of(r->e2e_direct, c->runs);
		ov = spread_of(over, c->runs);
		printf("  %-24s %7.1f [%6.1f-%6.1f]  direct %6.1f  socket face %+6.1f [%+.1f..%+.1f]\n",
		       r->name, e.med, e.lo, e.hi, dr.med, ov.med, ov.lo, ov.hi);
	}
}

/* The review: 45 GB/s of 4 KiB frags = 11 M tokens/s over 4 workers. */
void print_review(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	const struct result *xa = by_name(res, nlist, "xarray"), *na = by_name(res, nlist, "niov-array");
	double per_worker = 45e9 / 4096 / 4, xa_rt, na_rt, pts;

	if (!xa || !na || na->err)
		return;
	xa_rt = spread_of(xa->rt, c->runs).med;
	na_rt = spread_of(na->rt, c->runs).med;
	pts = per_worker * (xa_rt - na_rt) * 1e-9 * 100;
	printf("\nreview check: predicted rx-worker CPU saving of niov-array over xarray\n"
	       "  = (45e9 B/s / 4096 B / 4 workers) x (%.1f - %.1f) ns x 100%%\n", xa_rt, na_rt);
	if (pts >= 0)
		printf("  = %.2f percentage points   (kperf in the review: 83.6%% -> 78.7%%, "
		       "4.9 points)\n", pts);
	else
		printf("  = no saving: niov-array costs more than xarray in this workload\n");
}
