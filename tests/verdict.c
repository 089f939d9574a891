// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * See verdict.h. The hooks are weak in the sanitizer runtimes and are
 * overridden here; in a build without sanitizers nothing calls them.
 */
#include <stdatomic.h>

#include "dmtok.h"
#include "verdict.h"

static atomic_ulong reports;

/* compiler-rt's interception points, one per runtime */
void __tsan_on_report(void *report);
void __asan_on_error(void);
void __ubsan_on_report(void);

void __tsan_on_report(void *report)
{
	(void)report;
	atomic_fetch_add(&reports, 1);
}

void __asan_on_error(void)
{
	atomic_fetch_add(&reports, 1);
}

void __ubsan_on_report(void)
{
	atomic_fetch_add(&reports, 1);
}

unsigned long dmtok_verdict_sanitizer_reports(void)
{
	return atomic_load(&reports);
}

int dmtok_verdict(const char *what, int fails)
{
	unsigned long san = atomic_load(&reports), warns = dmtok_warn_count();

	if (!fails && !san && !warns) {
		printf("%s: PASS\n", what);
		return 0;
	}
	if (warns)
		dmtok_warn_report(stdout);
	printf("%s: FAIL (%d check%s failed, %lu WARN%s, %lu sanitizer report%s)\n", what,
	       fails, fails == 1 ? "" : "s", warns, warns == 1 ? "" : "s",
	       san, san == 1 ? "" : "s");
	fflush(stdout);
	return 1;
}
