#!/bin/bash
# Runs one libFuzzer target for a bounded time: the checked-in seed corpus is read,
# new inputs go to a scratch folder in the build tree (never into the source tree).
# usage: run.sh FUZZER SEED_DIR SECONDS
set -eu
fuzzer=$1 seed=$2 secs=$3
work="$(dirname "$fuzzer")/corpus-$(basename "$fuzzer")"
mkdir -p "$work"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work" "$seed"
