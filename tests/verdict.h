/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The last line of a dmtok tool (dmtok-stress, dmtok-interleave,
 * dmtok-leak-repro): PASS only when nothing fired -- no failure the tool
 * counted, no WARN of the model (the kernel's WARN_ON_ONCE sites), and no
 * report of a sanitizer the program was built with. The sanitizers tell
 * through the hooks their runtimes call on every report (compiler-rt:
 * __tsan_on_report, __asan_on_error, __ubsan_on_report); a report printed
 * with halt_on_error=0 would otherwise leave a PASS under it.
 */
#ifndef DMTOK_TESTS_VERDICT_H
#define DMTOK_TESTS_VERDICT_H

#include <stdio.h>

/* Sanitizer reports seen by this process so far. */
unsigned long dmtok_verdict_sanitizer_reports(void);

/*
 * Prints "@what: PASS" or "@what: FAIL (...)" naming what fired, as the
 * last line on stdout, and returns the exit status: 0, or 1.
 */
int dmtok_verdict(const char *what, int fails);

#endif /* DMTOK_TESTS_VERDICT_H */
