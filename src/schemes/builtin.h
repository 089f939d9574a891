/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The built-in schemes' ops, one per scheme file in this folder; the
 * library registers them at start-up (builtin.c). A scheme written
 * outside dmtok needs no line here: it ends with DMTOK_SCHEME_EXPORT()
 * and is loaded with dmtok_scheme_load().
 */
#ifndef DMTOK_SCHEMES_BUILTIN_H
#define DMTOK_SCHEMES_BUILTIN_H

struct dmtok_scheme_ops;

extern const struct dmtok_scheme_ops dmtok_scheme_xarray;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_small;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit_kernel;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_array;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_uref;
extern const struct dmtok_scheme_ops dmtok_scheme_niov_uref_v10;
extern const struct dmtok_scheme_ops dmtok_scheme_slots_runs;
extern const struct dmtok_scheme_ops dmtok_scheme_slots;

#endif /* DMTOK_SCHEMES_BUILTIN_H */
