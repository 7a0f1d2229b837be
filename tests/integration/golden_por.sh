#!/usr/bin/env bash
# The golden counts of mode por (sleep sets, tests/golden/counts.tsv): one
# `check --all --por sleep` at 2 threads, compared row by row.
set -euo pipefail
ptcheck=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2046
"$ptcheck" check --all --threads 2 --json $("$here/golden_counts.sh" flags por) >"$out" || true
"$here/golden_counts.sh" compare por "$out"
