/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/bug.h, include/asm-generic/bug.h (Linux 6.12): WARN_ON(),
 * counted per site and never fatal; a tool's verdict is FAIL when any
 * site fired (dmtok_warn_count()).
 */
#ifndef DMTOK_SHIM_LINUX_BUG_H
#define DMTOK_SHIM_LINUX_BUG_H

#include "types.h"
#include "compiler.h"

/**
 * struct dmtok_warn_site - one WARN_ON() site, registered on its first hit
 * @file: the source file of the site
 * @expr: the condition, or what a run-time site reports
 * @line: the line of the site
 * @hits: how often it fired since the last dmtok_warn_reset()
 * @next: the list of sites hit so far
 * @listed: on that list already
 */
struct dmtok_warn_site {
	const char *file;
	const char *expr;
	int line;
	unsigned long hits;
	struct dmtok_warn_site *next;
	int listed;
};
/** dmtok_warn_hit() - count a hit of @site; dmtok_warn_count() reports */
void dmtok_warn_hit(struct dmtok_warn_site *site);
/** dmtok_warn_at() - count a hit of a site made at run time: @what at @file:@line */
void dmtok_warn_at(const char *file, int line, const char *what);

#define WARN_ON(cond) ({						\
	static struct dmtok_warn_site __dmtok_ws = {			\
		.file = __FILE__, .expr = #cond, .line = __LINE__ };	\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		dmtok_warn_hit(&__dmtok_ws);				\
	__ret_warn;							\
})
/* Every hit is counted; "once" only matters for log noise in the kernel. */
#define WARN_ON_ONCE(cond)	WARN_ON(cond)

#endif /* DMTOK_SHIM_LINUX_BUG_H */
