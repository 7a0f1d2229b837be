#!/usr/bin/env bash
# Prints what a weak memory model costs on some targets: one Markdown table
# row per target and arch with its verdict, states and seconds under sc, tso
# and lkmm (`ptcheck check T --memory-model M --threads 1 --json`), the rows
# docs/memory-model.md "Cost" shows. A run that stops early (the time limit,
# a model limit) shows its verdict as the result said it (incomplete, ...).
#   bash scripts/weak-cost.sh [--time-limit SECONDS] [--arch ARCH] [--ptcheck PATH] TARGET...
# Exit 0 when every run finished with the same verdict under the three
# models, 1 otherwise (the table is printed either way), 2 on bad usage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() {
  echo "usage: bash scripts/weak-cost.sh [--time-limit SECONDS] [--arch ARCH] [--ptcheck PATH] TARGET..." >&2
  exit 2
}
limit=600 arch="" ptcheck="$root/build/release/checker/ptcheck" targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
    --arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
    --ptcheck) [ $# -ge 2 ] || usage; ptcheck=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "weak-cost.sh: error: unknown option '$1'" >&2; usage ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || usage
[ -x "$ptcheck" ] || { echo "weak-cost.sh: error: no ptcheck at $ptcheck (build it: bash scripts/build.sh release)" >&2; exit 2; }
command -v jq >/dev/null || { echo "weak-cost.sh: error: jq is needed (scripts/setup.sh installs it)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "| target | arch | sc states | sc s | tso states | tso s | lkmm states | lkmm s | verdict |"
echo "|---|---|---|---|---|---|---|---|---|"
status=0
for t in "${targets[@]}"; do
  for m in sc tso lkmm; do
    args=(check "$t" --memory-model "$m" --threads 1 --json --time-limit "$limit")
    [ -z "$arch" ] || args+=(--arch "$arch")
    rc=0
    (cd "$root" && "$ptcheck" "${args[@]}") >"$tmp/$m.json" 2>"$tmp/$m.err" || rc=$?
    if [ "$rc" -ge 2 ] || ! jq -e '.results[0]' "$tmp/$m.json" >/dev/null 2>&1; then
      echo "weak-cost.sh: error: $t under $m: $(head -c 300 "$tmp/$m.err")" >&2
      exit 2
    fi
  done
  n=$(jq '.results | length' "$tmp/sc.json")
  for ((i = 0; i < n; i++)); do
    row="| $t | $(jq -r ".results[$i].arch" "$tmp/sc.json")"
    verdicts=()
    for m in sc tso lkmm; do
      v=$(jq -r ".results[$i] | .verdict + (if .error_kind then \" \" + .error_kind else \"\" end)" "$tmp/$m.json")
      row+=$(jq -r ".results[$i] | \" | \" + (.states|tostring) + \" | \" + (.seconds*100|round/100|tostring)" "$tmp/$m.json")
      verdicts+=("$v")
    done
    if [ "${verdicts[0]}" = "${verdicts[1]}" ] && [ "${verdicts[0]}" = "${verdicts[2]}" ]; then
      row+=" | ${verdicts[0]} |"
    else
      row+=" | sc: ${verdicts[0]}; tso: ${verdicts[1]}; lkmm: ${verdicts[2]} |"
      status=1
    fi
    echo "$row"
  done
done
exit $status
