#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Runs a libFuzzer target for a bounded time on a scratch copy of its seed
# corpus (the repo's corpus is read, never written).
# usage: run-fuzzer.sh BINARY SECONDS CORPUS_DIR DICT [extra libFuzzer args]
bin=$1; secs=$2; corpus=$3; dict=$4; shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# exit 1 on any finding: libFuzzer's default 77 would read as "skipped"
"$bin" -max_total_time="$secs" -dict="$dict" -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -rss_limit_mb=4096 -timeout=20 "$@" "$work" "$corpus"
