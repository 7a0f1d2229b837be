#!/usr/bin/env bash
# run_fuzzer.sh FUZZER CORPUS WORK SECONDS: runs a libFuzzer target for SECONDS
# on a copy of CORPUS in WORK (the kept corpus is not modified), with ASan;
# fails when it finds a crash, leak or timeout (the input is WORK/crash-*).
# Prints the number of executions.
set -uo pipefail
fuzzer=$(realpath "$1") corpus=$(realpath "$2") work=$3 seconds=$4
mkdir -p "$work/corpus"
cp -n "$corpus"/* "$work/corpus/" 2>/dev/null || true
cd "$work"
log=$(mktemp)
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
  -max_len=65536 -print_final_stats=1 corpus >"$log" 2>&1
rc=$?
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^#[0-9]+.*DONE" "$log" || tail -5 "$log"
if [ $rc -ne 0 ]; then
  tail -60 "$log"
  exit 1
fi
rm -f "$log"
