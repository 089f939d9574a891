/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The three BSD libutil/libc functions the tools use -- strtonum(),
 * expand_number(), humanize_number() -- for platforms that have neither
 * them nor libbsd (meson puts this directory on the include path only
 * then; FreeBSD and macOS have <libutil.h>/<stdlib.h> versions, Debian
 * gets them from libbsd). Only the behaviour the tools rely on:
 * strtonum()'s range errors, binary K/M/G/T/P/E suffixes, and
 * humanize_number() with HN_AUTOSCALE | HN_DECIMAL | HN_NOSPACE |
 * HN_IEC_PREFIXES.
 */
#ifndef DMTOK_BSD_FALLBACK_LIBUTIL_H
#define DMTOK_BSD_FALLBACK_LIBUTIL_H

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define HN_DECIMAL		0x01
#define HN_NOSPACE		0x02
#define HN_IEC_PREFIXES		0x10
#define HN_AUTOSCALE		0x20

static inline long long strtonum(const char *s, long long lo, long long hi, const char **err)
{
	char *end;
	long long v;

	*err = NULL;
	if (lo > hi) {
		*err = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end) {
		*err = "invalid";
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < lo) {
		*err = "too small";
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > hi) {
		*err = "too large";
		return 0;
	}
	return v;
}

static inline int expand_number(const char *s, uint64_t *num)
{
	static const char units[] = "bkmgtpe";
	char *end;
	unsigned int shift = 0;
	uint64_t v;

	errno = 0;
	if (!s || *s == '-') {
		errno = EINVAL;
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (end == s || errno) {
		errno = errno ? errno : EINVAL;
		return -1;
	}
	if (*end) {
		const char *u = NULL;

		for (const char *p = units; *p; p++)
			if (tolower((unsigned char)*end) == *p)
				u = p;
		if (!u || end[1]) {
			errno = EINVAL;
			return -1;
		}
		shift = (unsigned int)(u - units) * 10;
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	*num = v << shift;
	return 0;
}

static inline int humanize_number(char *buf, size_t len, int64_t bytes, const char *suffix,
				  int scale, int flags)
{
	static const char *const pre[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	double v = (double)bytes;
	unsigned int i = 0;

	(void)scale;
	(void)flags;
	while (v >= 1024 && i + 1 < sizeof(pre) / sizeof(pre[0])) {
		v /= 1024;
		i++;
	}
	if (!i)
		return snprintf(buf, len, "%" PRId64 "%s", bytes, suffix);
	return snprintf(buf, len, v < 9.95 ? "%.1f%s%s" : "%.0f%s%s", v, pre[i], suffix);
}

#endif /* DMTOK_BSD_FALLBACK_LIBUTIL_H */
