// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-bench: what each token scheme costs, measured the same way for
 * all. Each RX worker owns a socket and loops like tcp_recvmsg_dmabuf()
 * plus a real client: 17-frag skbs (reserve a token, take the
 * pp_ref_count, record it, commit), tokens handed back with
 * SO_DEVMEM_DONTNEED in batches of 128 one-token entries (as ncdevmem
 * does). Costs are per-thread CPU time per frag -- the quantity the
 * review's rx-worker CPU% measures -- split into the recvmsg side and the
 * dontneed side. Runs interleave the schemes; every figure is a median
 * with its min-max over the runs, and ratios (against the xarray scheme
 * and against a floor measured in the same run: a scheme that only does
 * what none can avoid, the user's pp_ref_count up, and down with
 * napi_pp_put_page()) are medians of per-run ratios. Then memory per socket,
 * close time, 1-vs-2-thread dontneed on one socket, and the review's
 * CPU-saving prediction next to the 4.9 points kperf measured.
 *
 * Every niov in use carries one base reference for the whole run (the
 * skb's: the NIC posted every page, dmtok_nic_hold_pages()), so a put
 * never recycles a page: only token work is timed.
 * Timing: the worker's whole loop and each dontneed call in thread CPU
 * time (the cost of a clock-read pair, calibrated at start, subtracted);
 * the recvmsg side is the difference, so the "recv" column includes the
 * loop's own bookkeeping, which the floor shows. Close and the 1-vs-2
 * thread test use the monotonic clock (wall time).
 */
#include <getopt.h>
#include <libutil.h>

#include "bench.h"

/* strtonum() with the allowed range in the message */
static long long num_arg(int opt, const char *arg, long long lo, long long hi,
			 const char **err)
{
	static char msg[96];
	const char *e = NULL;
	long long v = strtonum(arg, lo, hi, &e);

	if (e) {
		snprintf(msg, sizeof(msg), "%s (allowed %lld..%lld)", e, lo, hi);
		*err = msg;
	}
	(void)opt;
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: dmtok-bench [options]\n"
"  -w N     RX workers, one socket each (default: 4, or fewer to use no more\n"
"           workers than CPUs; -w 4 is the review's shape on any machine)\n"
"  -s SIZE  dmabuf size, K/M/G suffixes (default 2G)\n"
"  -n N     frags per worker per run (default 1000000)\n"
"  -r N     runs; median [min-max] reported (default 9, at most 64)\n"
"  -b N     tokens per SO_DEVMEM_DONTNEED call (default 128, at most 128)\n"
"  -o N     tokens held before returning (default 128; multiple of -b)\n"
"  -t N     tokens one socket returns in the 1-vs-2-thread test (default 524288,\n"
"           at most the dmabuf's pages: the threads' shares never share a niov)\n"
"  -R       random pages instead of sequential\n"
"  -S SEED  PRNG seed (default 1)\n"
"  -x, --scheme NAME      only this registered scheme (plus the floor and\n"
"           xarray baselines); default: every registered scheme\n"
"  -L, --scheme-lib PATH  load the schemes of a scheme library first\n"
"  -c FILE  append results as CSV to FILE\n"
"  -1       callgrind mode: one run, fixed work, no wall-clock tests\n"
"  -C SIDE  count instructions of one side (recv or dontneed) under callgrind\n"
"           --collect-atstart=no: one dump per scheme (bench/instructions.sh)\n"
"  -k, --kernel VER       the kernel profile of the end-to-end runs' nets\n"
"           (6.12, 6.18, 7.0 or v10, the default): bind rules and errnos\n"
"           follow it; a scheme the profile cannot bind (manual release\n"
"           before v10) has no end-to-end figure; the direct-op figures do\n"
"           not depend on it\n"
"  -q       no progress output\n"
"  -h, --help\n");
}

/* -C SIDE: which side's instructions to count */
static const char *count_arg(struct cfg *c, const char *side)
{
	c->fixed = 1;
	c->runs = 1;
	if (!HAVE_COUNT)
		return "built without valgrind's <valgrind/callgrind.h>";
	if (!strcmp(side, "recv"))
		c->count = COUNT_RECV;
	else if (!strcmp(side, "dontneed"))
		c->count = COUNT_DONTNEED;
	else
		return "not a side: recv or dontneed";
	return NULL;
}

/* One option into @c: NULL, or what is wrong with its argument. */
static const char *one_opt(struct cfg *c, int opt, const char *arg, const char **csv)
{
	static char lerr[512];
	const char *err = NULL;

	switch (opt) {
	case 'w': c->workers = (unsigned int)num_arg(opt, arg, 1, MAX_WORKERS, &err); break;
	case 's': if (expand_number(arg, &c->dmabuf_size)) err = "not a size (K/M/G/T suffixes)"; break;
	case 'n': c->frags = (uint64_t)num_arg(opt, arg, BATCH_FRAGS, 1ll << 40, &err); break;
	case 'r': c->runs = (unsigned int)num_arg(opt, arg, 1, 64, &err); break;
	case 'b': c->batch = (unsigned int)num_arg(opt, arg, 1, 128, &err); break;
	case 'o': c->outstanding = (unsigned int)num_arg(opt, arg, 1, 1 << 20, &err); break;
	case 't': c->scale_tokens = (size_t)num_arg(opt, arg, 256, 1 << 24, &err); break;
	case 'R': c->random_pages = 1; break;
	case 'S': c->seed = (uint64_t)num_arg(opt, arg, 1, 1ll << 62, &err); break;
	case 'x': c->only = arg; break;
	case 'L':
		if (dmtok_scheme_load(arg, lerr, sizeof(lerr)) < 0)
			err = lerr;
		break;
	case 'c': *csv = arg; break;
	case '1': c->fixed = 1; c->runs = 1; break;
	case 'C': err = count_arg(c, arg); break;
	case 'q': c->quiet = 1; break;
	case 'k':
		if (dmtok_kernel_parse(arg, &c->kernel))
			err = "not a kernel profile (6.12, 6.18, 7.0 or v10)";
		c->kernel_name = arg;
		break;
	}
	return err;
}

/* What is wrong with the options together, or NULL. */
static const char *check_cfg(struct cfg *c, char *buf, size_t len)
{
	char names[1024];

	if (!c->workers) {	/* a default that does not fight itself for CPUs */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		c->workers = cpus > 0 && cpus < 4 ? (unsigned int)cpus : 4;
		c->workers_default = 1;
	}
	if (c->only && !dmtok_scheme_find(c->only))
		snprintf(buf, len, "unknown scheme '%s' (known: %s)", c->only,
			 dmtok_scheme_list(names, sizeof(names)));
	else if (c->outstanding % c->batch)
		snprintf(buf, len, "-o %u is not a multiple of -b %u", c->outstanding, c->batch);
	else if (c->dmabuf_size % 4096 || c->dmabuf_size / 4096 < c->workers)
		snprintf(buf, len, "-s must be a multiple of 4 KiB with at least one page per "
			 "worker (%u)", c->workers);
	else
		return NULL;
	return buf;
}

/* The options into @c. Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct cfg *c, const char **csv)
{
	static const struct option longopts[] = {
		{ "scheme", required_argument, NULL, 'x' },
		{ "scheme-lib", required_argument, NULL, 'L' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *err;
	char buf[1200];
	int opt;

	while ((opt = getopt_long(argc, argv, "w:s:n:r:b:o:t:RS:x:L:c:C:k:1qh", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == '?' || opt == ':') {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
		err = one_opt(c, opt, optarg, csv);
		if (err) {
			if (opt == 'L')
				fprintf(stderr, "dmtok-bench: --scheme-lib: %s\n", err);
			else
				fprintf(stderr, "dmtok-bench: -%c %s: %s\n", opt, optarg, err);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dmtok-bench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	err = check_cfg(c, buf, sizeof(buf));
	if (err) {
		fprintf(stderr, "dmtok-bench: %s\n", err);
		return 2;
	}
	return -1;
}

/*
 * The floor, upstream xarray, then the scheme(s) asked for, into @res,
 * each with its optional ops filled for the direct runs. Returns how many.
 */
static unsigned int pick_schemes(const struct cfg *c, struct result *res)
{
	static struct dmtok_scheme_ops filled[MAX_SCHEMES];
	const struct dmtok_scheme_ops *list[MAX_SCHEMES], *ops;
	unsigned int n = 0;

	list[n++] = &floor_ops;
	list[n++] = dmtok_scheme_find("xarray");
	for (unsigned int i = 0; (ops = dmtok_scheme_at(i)) && n < MAX_SCHEMES; i++)
		if (strcmp(ops->name, "xarray") && (!c->only || !strcmp(c->only, ops->name)))
			list[n++] = ops;
	for (unsigned int i = 0; i < n; i++) {
		res[i].ops = with_stubs(list[i], &filled[i]);
		res[i].name = list[i]->name;
	}
	return n;
}

/*
 * The direct runs' binding: one queue, c->dmabuf_size of pages, each
 * posted by the NIC (dmtok_nic_hold_pages()) and so carrying the skb's
 * reference for the whole run: a put never recycles a page. NULL if it
 * cannot be made.
 */
static struct net_devmem_dmabuf_binding *setup_binding(struct cfg *c, struct dmtok_net **net)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	struct net_devmem_dmabuf_binding *b = NULL;
	unsigned int q = 0;
	int ifi, d, id;

	*net = NULL;
	if (dmtok_net_create(net) ||
	    (ifi = dmtok_netdev_create(*net, &o)) < 0 ||
	    (d = dmtok_dmabuf_create(*net, c->dmabuf_size, 4096, 0)) < 0 ||
	    (id = dmtok_bind_rx(*net, ifi, d, &q, 1, DMTOK_BIND_NO_AUTORELEASE)) < 0 ||
	    !(b = dmtok_binding_lookup(*net, (uint32_t)id)) ||
	    dmtok_nic_hold_pages(*net, ifi, 0) != (int)b->npages) {
		fprintf(stderr, "dmtok-bench: cannot set up a %llu-byte binding\n",
			(unsigned long long)c->dmabuf_size);
		if (b)
			dmtok_binding_put(b);
		dmtok_net_destroy(*net);
		return NULL;
	}
	floor_binding = b;
	if (c->scale_tokens > b->npages)	/* one niov per token: no false sharing */
		c->scale_tokens = b->npages;
	return b;
}

/*
 * The pages go back to the pool with the net (the unbind releases them).
 * A net that does not come apart (a reference left over) or a WARN during
 * the runs voids the figures: 0 if neither happened.
 */
static int teardown(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b)
{
	int err;

	dmtok_binding_put(b);
	err = dmtok_net_destroy(net);
	if (err)
		fprintf(stderr, "dmtok-bench: the net did not come apart (%d): a reference leaked\n", err);
	if (dmtok_warn_count()) {
		dmtok_warn_report(stderr);
		err = -EUCLEAN;
	}
	return err;
}

/* One run of one scheme: all workers, then close, then the scaling test. */
static int run_once(const struct cfg *c, struct result *r,
		    struct net_devmem_dmabuf_binding *b, unsigned int run, size_t scale_n)
{
	const struct dmtok_scheme_ops *ops = r->ops;
	uint64_t s = c->seed + run, frags;
	struct totals t;

	if (run_workers(c, ops, b, run, NULL, &t))
		return -1;
	if (t.err)
		r->err = t.err;
	r->mem = t.mem;
	frags = t.frags;
	if (c->count) {	/* one callgrind dump per scheme: "SIDE SCHEME FRAGS" */
		char label[128];

		snprintf(label, sizeof(label), "%s %s %llu", c->count == COUNT_RECV ? "recv" :
			 "dontneed", r->name, (unsigned long long)frags);
		CALLGRIND_DUMP_STATS_AT(label);
	}
	if (!frags)
		frags = 1;
	r->rx[run] = t.rx_ns / (double)frags;
	r->dn[run] = t.dn_ns / (double)frags;
	r->rt[run] = r->rx[run] + r->dn[run];
	r->per_claim[run] = t.claims ? (double)t.claimed / (double)t.claims : 0;
	/* the floor keeps no state: nothing to close, and it could not put what it holds */
	r->close_us[run] = ops == &floor_ops ? 0 : close_once(ops, b, c->outstanding, &s);
	/* wall-clock scaling means nothing under callgrind: skipped in -1 */
	r->scale1[run] = c->fixed ? 0 : dontneed_scaling(c, ops, b, scale_n, 1);
	r->scale2[run] = c->fixed ? 0 : dontneed_scaling(c, ops, b, scale_n, 2);
	/* the floor is no socket scheme: it has no end-to-end figure */
	r->e2e[run] = r->e2e_direct[run] = 0;
	if (!c->fixed && !c->random_pages && ops != &floor_ops)
		e2e_once(c, ops, &r->e2e[run], &r->e2e_direct[run]);
	return 0;
}

/*
 * Rounds @from..@to-1: each round runs every scheme once, so a ratio is
 * taken between figures measured close in time, per round, and
 * summarised as the median of the per-round ratios.
 */
static int run_rounds(const struct cfg *c, struct result *res, unsigned int nlist,
		      struct net_devmem_dmabuf_binding *b, unsigned int from, unsigned int to)
{
	for (unsigned int run = from; run < to; run++) {
		for (unsigned int i = 0; i < nlist; i++) {
			size_t n = c->scale_tokens;

			if (res[i].ops->max_outstanding && n > res[i].ops->max_outstanding)
				n = res[i].ops->max_outstanding;
			if (run_once(c, &res[i], b, run, n))
				return -1;
		}
		if (!c->quiet && isatty(2))
			fprintf(stderr, "\r  run %u/%u", run + 1, to);
	}
	if (!c->quiet && isatty(2))
		fprintf(stderr, "\r%40s\r", "");
	return 0;
}

/* Does any row's round trip, or its ratio to the floor, spread too much? */
static bool any_noisy(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	for (unsigned int i = 0; i < nlist; i++) {
		double vf[64];

		if (res[i].err)
			continue;
		for (unsigned int run = 0; run < c->runs; run++)
			vf[run] = res[i].rt[run] / res[0].rt[run];
		if (rel_spread(spread_of(res[i].rt, c->runs)) > SPREAD_WARN ||
		    (i && rel_spread(spread_of(vf, c->runs)) > SPREAD_WARN))
			return true;
	}
	return false;
}

/*
 * Runs interleave the schemes (run 1 of each, then run 2 of each...), so a
 * ratio is taken between figures measured close in time. A noisy row is
 * not printed as it is: the rounds run again (as many more, up to 64 in
 * all) and every row is summarised over all of them.
 */
static int measure(struct cfg *c, struct result *res, unsigned int n,
		   struct net_devmem_dmabuf_binding *b)
{
	unsigned int more;

	if (run_rounds(c, res, n, b, 0, c->runs))
		return -1;
	if (c->fixed || c->runs == 1 || c->runs >= 64 || !any_noisy(c, res, n))
		return 0;
	more = c->runs < 64 - c->runs ? c->runs : 64 - c->runs;
	if (run_rounds(c, res, n, b, c->runs, c->runs + more))
		return -1;
	printf("(%u more runs: a row spread more than %.0f%% over the first %u)\n",
	       more, SPREAD_WARN * 100, c->runs);
	c->runs += more;
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c = { .workers = 0, .dmabuf_size = 2ull << 30, .frags = 1000000,
			 .runs = 9, .batch = 128, .outstanding = 128, .seed = 1,
			 .scale_tokens = 1u << 19, .kernel = DMTOK_KERNEL_V10, .kernel_name = "v10" };
	static struct result res[MAX_SCHEMES];
	struct net_devmem_dmabuf_binding *b;
	struct dmtok_net *net;
	const char *csv = NULL;
	unsigned int n;
	int ret;

	dmtok_set_kernel_debug(0);	/* a production kernel's costs: no lockdep */
	ret = parse_args(argc, argv, &c, &csv);
	if (ret >= 0)
		return ret;
	n = pick_schemes(&c, res);
	if (csv && !(c.csv = fopen(csv, "a"))) {
		perror(csv);
		return 1;
	}
	b = setup_binding(&c, &net);
	if (!b) {
		if (c.csv)
			fclose(c.csv);
		return 1;
	}
	calibrate_clock();
	print_machine(&c);
	printf("clock: %s, %.0f ns per read pair (subtracted)\n", THREAD_CLOCK_NAME, clock_pair_ns);
	if (c.csv && ftell(c.csv) == 0)
		fprintf(c.csv, "scheme,workers,dmabuf_bytes,random,batch,outstanding,seed,"
			"rx_ns,dontneed_ns,roundtrip_ns,roundtrip_min,roundtrip_max,"
			"x_floor,x_floor_min,x_floor_max,mem_bytes,close_us\n");
	ret = measure(&c, res, n, b);
	if (!ret) {
		print_costs(&c, res, n);
		if (!c.fixed)
			print_scaling(&c, res, n);
		print_claims(&c, res, n);
		if (!c.fixed) {
			print_e2e(&c, res, n);
			print_review(&c, res, n);
		}
	} else {
		fprintf(stderr, "dmtok-bench: a run could not be made\n");
	}
	if (c.csv)
		fclose(c.csv);
	if (teardown(net, b)) {
		printf("FAIL: a WARN fired or a reference leaked (above): the figures are void\n");
		return 1;
	}
	return ret || window_invalid ? 1 : 0;
}
