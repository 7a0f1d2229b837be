#!/usr/bin/env bash
# Runs `ptcheck litmus` over a Linux tree's own litmus tests (every *.litmus
# under tools/memory-model/litmus-tests and Documentation/litmus-tests) and
# prints one row per test: its expected Result:, ptcheck's Observation, and
# agree / DISAGREE / unsupported (with the reason), then a summary line.
# Exit 0 only when every test that does not agree is a known exception of
# tests/litmus/kernel-exceptions.tsv (same model, same observation); 1
# otherwise; 2 on bad usage or a tree without those directories.
#   bash scripts/kernel-litmus.sh LINUX_TREE [--memory-model lkmm|tso|sc] [--ptcheck PATH]
# The kernel's Result: lines are LKMM's verdicts: only lkmm (the default) has
# a list of exceptions; under sc or tso every weak outcome is a disagreement.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { echo "usage: bash scripts/kernel-litmus.sh LINUX_TREE [--memory-model lkmm|tso|sc] [--ptcheck PATH]" >&2; exit 2; }
tree="" mm=lkmm ptcheck="$root/build/release/checker/ptcheck"
while [ $# -gt 0 ]; do
  case "$1" in
    --memory-model) [ $# -ge 2 ] || usage; mm=$2; shift 2 ;;
    --memory-model=*) mm=${1#*=}; shift ;;
    --ptcheck) [ $# -ge 2 ] || usage; ptcheck=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "kernel-litmus.sh: error: unknown option '$1'" >&2; usage ;;
    *) [ -z "$tree" ] || usage; tree=$1; shift ;;
  esac
done
[ -n "$tree" ] || usage
case "$mm" in sc|tso|lkmm) ;; *) echo "kernel-litmus.sh: error: --memory-model must be sc, tso or lkmm, not '$mm'" >&2; exit 2 ;; esac
[ -x "$ptcheck" ] || { echo "kernel-litmus.sh: error: no ptcheck at $ptcheck (build it: bash scripts/build.sh release)" >&2; exit 2; }
command -v jq >/dev/null || { echo "kernel-litmus.sh: error: jq is needed (scripts/setup.sh installs it)" >&2; exit 2; }
dirs=(tools/memory-model/litmus-tests Documentation/litmus-tests)
for d in "${dirs[@]}"; do
  [ -d "$tree/$d" ] || { echo "kernel-litmus.sh: error: $tree has no $d directory (is it a Linux source tree, 5.8 or later?)" >&2; exit 2; }
done
exceptions="$root/tests/litmus/kernel-exceptions.tsv"

# known[model<TAB>path] = observation<TAB>reason
declare -A known
while IFS=$'\t' read -r emm epath eobs ereason; do
  case "$emm" in ''|'#'*) continue ;; esac
  known["$emm"$'\t'"$epath"]="$eobs"$'\t'"$ereason"
done <"$exceptions"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 agree=0 disagree=0 unsupported=0 excused=0 unexpected=0 stale=0
declare -A per_dir_n per_dir_agree
row() { printf '%-95s %-9s %-11s %s\n' "$@"; }
row TEST EXPECTED PTCHECK VERDICT
for d in "${dirs[@]}"; do
  while IFS= read -r f; do
    rel=${f#"$tree"/}
    n=$((n + 1)); per_dir_n[$d]=$(( ${per_dir_n[$d]:-0} + 1 ))
    expected=$(sed -n 's/^[( ]\* Result: *\([A-Za-z]*\).*/\1/p' "$f" | head -1)
    rc=0
    "$ptcheck" --root "$root" litmus --json --memory-model "$mm" "$f" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
    obs="-" verdict="" reason=""
    if [ "$rc" -ge 2 ] || ! jq -e '.results[0]' "$tmp/out.json" >/dev/null 2>&1; then
      verdict=unsupported
      reason=$(grep -m1 'error' "$tmp/err" || head -1 "$tmp/err" || true)
      reason=${reason#"$f":}
      [ -n "$reason" ] || reason="exit status $rc"
      unsupported=$((unsupported + 1))
    else
      obs=$(jq -r '.results[0].observation' "$tmp/out.json")
      pos=$(jq -r '.results[0].positive' "$tmp/out.json")
      neg=$(jq -r '.results[0].negative' "$tmp/out.json")
      [ "$pos" = 0 ] && [ "$neg" = 0 ] && obs="$obs(0,0)"
      errs=$(jq -r '.results[0].errors | join("; ")' "$tmp/out.json")
      if [ "$(jq -r '.results[0].agrees' "$tmp/out.json")" = true ] && [ -z "$errs" ]; then
        verdict=agree
        agree=$((agree + 1)); per_dir_agree[$d]=$(( ${per_dir_agree[$d]:-0} + 1 ))
      else
        verdict=DISAGREE
        [ -n "$errs" ] && reason="error on some path: $errs"
        disagree=$((disagree + 1))
      fi
    fi
    key="$mm"$'\t'"$rel"
    if [ "$verdict" = agree ]; then
      if [ -n "${known[$key]:-}" ]; then
        stale=$((stale + 1)); verdict="agree (listed as an exception: remove it from kernel-exceptions.tsv)"
      fi
    elif [ -n "${known[$key]:-}" ]; then
      kobs=${known[$key]%%$'\t'*}
      if [ "$kobs" = "$obs" ] || { [ "$verdict" = unsupported ] && [ "$kobs" = unsupported ]; }; then
        excused=$((excused + 1)); reason="known: ${known[$key]#*$'\t'}"
      else
        unexpected=$((unexpected + 1)); reason="listed with '$kobs', observed '$obs'${reason:+; $reason}"
      fi
    else
      unexpected=$((unexpected + 1))
    fi
    row "$rel" "${expected:--}" "$obs" "$verdict${reason:+ ($reason)}"
  done < <(find "$tree/$d" -name '*.litmus' -type f | LC_ALL=C sort)
done
echo
for d in "${dirs[@]}"; do
  echo "$d: ${per_dir_agree[$d]:-0} of ${per_dir_n[$d]:-0} agree under $mm"
done
echo "summary ($mm): $n tests, $agree agree, $disagree disagree, $unsupported unsupported;" \
  "$excused known exceptions, $unexpected not listed, $stale listed but agreeing"
[ "$unexpected" -eq 0 ] && [ "$stale" -eq 0 ]
