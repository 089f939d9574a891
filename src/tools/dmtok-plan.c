// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-plan: does a 32-bit devmem token fit this system, and what does
 * each scheme cost per socket? Prints, for each token encoding, the bits
 * spent on the binding, the bits left, whether the dmabuf's pages (or the
 * outstanding references) fit and the headroom; then memory per socket
 * and in total for each registered scheme that declares a formula (its
 * plan op; --scheme-lib loads more). With no options: the review's
 * example, 8 NICs x 32 queues with one 80 GiB dmabuf of 4 KiB pages per
 * binding.
 */
#include <errno.h>
#include <getopt.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok.h"
#include "dmtok/plan.h"
#include "dmtok/scheme.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmtok-plan [-n|--nics NICS] [-q|--queues QUEUES_PER_NIC]\n"
		"                  [-s|--size DMABUF_SIZE] [-p|--page-size PAGE_SIZE]\n"
		"                  [-k|--sockets SOCKETS] [-o|--outstanding OUTSTANDING]\n"
		"                  [-b|--bindings BINDINGS_PER_SOCKET] [-x|--scheme NAME]...\n"
		"                  [-L|--scheme-lib PATH]... [-C|--csv] [-h|--help]\n"
		"-C prints the memory table as CSV\n"
		"   (scheme,sockets,per_socket,per_binding,total,close_scan)\n"
		"-x limits the memory table to the named schemes (default: every\n"
		"   registered scheme that declares a plan op)\n"
		"sizes take K/M/G/T suffixes (binary). Defaults: the review's example,\n"
		"-n 8 -q 32 -s 80G -p 4K -k 1000 -o 128 -b 2\n");
}

static int parse_count(const char *arg, const char *what, long long maxv,
		       uint64_t *out)
{
	const char *err = NULL;
	long long v = strtonum(arg, 1, maxv, &err);

	if (err) {
		fprintf(stderr, "dmtok-plan: %s '%s' is %s (1..%lld)\n", what,
			arg, err, maxv);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int parse_size(const char *arg, const char *what, uint64_t *out)
{
	if (expand_number(arg, out) || !*out) {
		fprintf(stderr, "dmtok-plan: %s '%s' is not a size\n", what, arg);
		return -1;
	}
	return 0;
}

/* humanize_number() picks the scale that fits the length: 7 gives "2.2KiB". */
static const char *human(char *buf, size_t len, uint64_t bytes)
{
	humanize_number(buf, len < 7 ? len : 7, (int64_t)bytes, "B", HN_AUTOSCALE,
			HN_NOSPACE | HN_DECIMAL | HN_IEC_PREFIXES);
	return buf;
}

int main(int argc, char **argv)
{
	struct dmtok_plan_in in = {
		.nics = 8, .queues_per_nic = 32, .dmabuf_size = 80ull << 30,
		.page_size = 4096, .sockets = 1000, .outstanding = 128,
		.socket_bindings = 2,
	};
	static const struct option longopts[] = {
		{ "nics", required_argument, NULL, 'n' },
		{ "queues", required_argument, NULL, 'q' },
		{ "size", required_argument, NULL, 's' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "sockets", required_argument, NULL, 'k' },
		{ "outstanding", required_argument, NULL, 'o' },
		{ "bindings", required_argument, NULL, 'b' },
		{ "scheme", required_argument, NULL, 'x' },
		{ "scheme-lib", required_argument, NULL, 'L' },
		{ "csv", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dmtok_plan_enc_out enc[DMTOK_ENC_COUNT];
	struct dmtok_plan_mem_out mem[64];
	const char *only[64];
	unsigned int nonly = 0, nmem = 0;
	char err[512], list[1024];
	uint64_t v;
	int c, i, csv = 0;

	while ((c = getopt_long(argc, argv, "n:q:s:p:k:o:b:x:L:Ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': if (parse_count(optarg, "NICS", 1 << 20, &v)) return 2;
			in.nics = (uint32_t)v; break;
		case 'q': if (parse_count(optarg, "QUEUES_PER_NIC", 1 << 16, &v)) return 2;
			in.queues_per_nic = (uint32_t)v; break;
		case 's': if (parse_size(optarg, "DMABUF_SIZE", &in.dmabuf_size)) return 2;
			break;
		case 'p': if (parse_size(optarg, "PAGE_SIZE", &v)) return 2;
			if (v > (1u << 30) || (v & (v - 1))) {
				fprintf(stderr, "dmtok-plan: PAGE_SIZE must be a power of two <= 1G\n");
				return 2;
			}
			in.page_size = (uint32_t)v; break;
		case 'k': if (parse_count(optarg, "SOCKETS", 1ll << 40, &in.sockets)) return 2;
			break;
		case 'o': if (parse_count(optarg, "OUTSTANDING", 1ll << 40, &in.outstanding)) return 2;
			break;
		case 'b': if (parse_count(optarg, "BINDINGS_PER_SOCKET", 1 << 20, &v)) return 2;
			in.socket_bindings = (uint32_t)v; break;
		case 'x':
			if (nonly == 64) {
				fprintf(stderr, "dmtok-plan: at most 64 --scheme options\n");
				return 2;
			}
			only[nonly++] = optarg;
			break;
		case 'L':
			if (dmtok_scheme_load(optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "dmtok-plan: --scheme-lib: %s\n", err);
				return 2;
			}
			break;
		case 'C': csv = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dmtok-plan: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (dmtok_plan(&in, enc)) {
		fprintf(stderr, "dmtok-plan: DMABUF_SIZE must be a multiple of PAGE_SIZE\n");
		return 2;
	}
	for (unsigned int k = 0; k < nonly; k++) {
		int r = dmtok_plan_scheme(&in, only[k], &mem[nmem]);

		if (r == -ENOENT) {
			fprintf(stderr, "dmtok-plan: unknown scheme '%s' (known: %s)\n",
				only[k], dmtok_scheme_list(list, sizeof(list)));
			return 2;
		}
		if (r == -EOPNOTSUPP) {
			fprintf(stderr, "dmtok-plan: scheme '%s' declares no plan op\n", only[k]);
			return 2;
		}
		if (r) {
			fprintf(stderr, "dmtok-plan: scheme '%s' cannot take this load\n", only[k]);
			return 2;
		}
		nmem++;
	}
	if (!nonly) {
		const struct dmtok_scheme_ops *ops;

		for (unsigned int k = 0; (ops = dmtok_scheme_at(k)) && nmem < 64; k++)
			if (!dmtok_plan_scheme(&in, ops->name, &mem[nmem]))
				nmem++;
	}

	char b1[16], b2[16], b3[16];

	if (csv) {
		for (i = 0; i < (int)nmem; i++)
			printf("%s,%llu,%llu,%llu,%llu,%llu\n", mem[i].scheme,
			       (unsigned long long)in.sockets,
			       (unsigned long long)mem[i].per_socket,
			       (unsigned long long)mem[i].per_binding,
			       (unsigned long long)mem[i].total,
			       (unsigned long long)mem[i].close_scan);
		return 0;
	}
	printf("system: %u NICs x %u queues = %llu bindings, dmabuf %s in %s pages "
	       "(%llu pages), %llu sockets, %llu refs outstanding/socket, "
	       "%u bindings/socket\n\n",
	       in.nics, in.queues_per_nic,
	       (unsigned long long)in.nics * in.queues_per_nic,
	       human(b1, sizeof(b1), in.dmabuf_size), human(b2, sizeof(b2), in.page_size),
	       (unsigned long long)(in.dmabuf_size / in.page_size),
	       (unsigned long long)in.sockets, (unsigned long long)in.outstanding,
	       in.socket_bindings);
	printf("%-18s %6s %6s %14s %5s %9s %s\n", "encoding", "prefix", "index",
	       "must address", "fits", "headroom", "bindings/socket");
	for (i = 0; i < DMTOK_ENC_COUNT; i++)
		printf("%-18s %6u %6u %14llu %5s %+8d%s %s\n", enc[i].name,
		       enc[i].prefix_bits, enc[i].index_bits,
		       (unsigned long long)enc[i].needed, enc[i].fits ? "yes" : "NO",
		       enc[i].headroom_bits, "b",
		       enc[i].multi_binding ? "many" : "one");
	printf("\n%-18s %10s %10s %10s %12s %11s\n", "scheme memory", "per socket",
	       "per bind", "in total", "close scans", "token bits");
	for (i = 0; i < (int)nmem; i++) {
		char b4[16];

		printf("%-18s %10s %10s %10s %12llu %4u of %2u%s\n", mem[i].scheme,
		       human(b1, sizeof(b1), mem[i].per_socket),
		       human(b4, sizeof(b4), mem[i].per_binding),
		       human(b3, sizeof(b3), mem[i].total),
		       (unsigned long long)mem[i].close_scan,
		       mem[i].token_bits_needed, mem[i].token_bits,
		       mem[i].token_bits_needed > mem[i].token_bits ? " NO" : "");
	}
	return 0;
}
