#!/usr/bin/env bash
# Golden counts: tests/golden/counts.tsv pins, for every exploration target and
# arch of `check --all` (layout and Z3 queries are left out), the verdict, states, transitions and depth, per mode
# (a mode is a set of extra `check` flags, e.g. with or without a reduction),
# so that an engine change that alters a count is seen and explained.
#
#   golden_counts.sh flags MODE              print MODE's extra check flags
#   golden_counts.sh rows MODE JSON          the TSV rows of a `check --all --json` output
#   golden_counts.sh compare MODE JSON       compare that output with the golden rows of MODE
#   golden_counts.sh regen PTCHECK           rerun every mode (1 thread) and rewrite the file
#
# json_threads_agree.sh (ctest cli.json_threads_agree) runs `check --all` in
# mode full anyway and hands its 1-thread output to `compare`, so the golden
# comparison costs no extra run. scripts/regen-golden.sh calls `regen`.
set -euo pipefail

ROOT=${PTCHECK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GOLDEN=$ROOT/tests/golden/counts.tsv

# The one place that maps a mode to its `ptcheck check` flags. Every mode
# listed here gets rows in the golden file (regen runs check --all per mode).
MODES=(full por)
declare -A MODE_FLAGS=(
  [full]="--por none"
  [por]="--por sleep"
)

die() { echo "golden_counts.sh: $*" >&2; exit 2; }
mode_flags() {
  [[ -v MODE_FLAGS[$1] ]] || die "unknown mode '$1' (modes: ${MODES[*]})"
  echo "${MODE_FLAGS[$1]}"
}
command -v jq >/dev/null 2>&1 || die "jq not found (scripts/setup.sh installs it)"

# rows MODE JSON: target, arch, mode, verdict, states, transitions, depth of the
# exploration results (not the layout and Z3 queries, which have no search); sorted.
rows() {
  jq -r --arg mode "$1" '.results[] | select(.search != "") | [.target, .arch, $mode, .verdict, .states, .transitions, .depth] | @tsv' "$2" |
    LC_ALL=C sort -t $'\t' -k1,1 -k2,2
}

compare() {
  local mode=$1 json=$2
  mode_flags "$mode" >/dev/null
  [ -f "$GOLDEN" ] || die "$GOLDEN is missing; create it with scripts/regen-golden.sh"
  rows "$mode" "$json" | awk -F'\t' -v mode="$mode" -v golden="$GOLDEN" '
    BEGIN {
      n = split("verdict states transitions depth", name, " ")
      while ((getline line < golden) > 0) {
        if (line ~ /^#/ || line ~ /^target\t/ || line == "") continue
        split(line, g, "\t")
        if (g[3] != mode) continue
        key = g[1] "\t" g[2]
        want[key] = line
        order[++ng] = key
      }
    }
    {
      key = $1 "\t" $2
      seen[key] = 1
      if (!(key in want)) {
        printf "target %s arch %s mode %s: not in the golden file (now %s, %s states, %s transitions, depth %s)\n", $1, $2, mode, $4, $5, $6, $7
        bad++
        next
      }
      split(want[key], g, "\t")
      for (i = 1; i <= n; i++)
        if (g[3 + i] != $(3 + i)) {
          printf "target %s arch %s mode %s: %s golden %s, now %s\n", $1, $2, mode, name[i], g[3 + i], $(3 + i)
          bad++
        }
    }
    END {
      for (i = 1; i <= ng; i++)
        if (!(order[i] in seen)) {
          split(order[i], k, "\t")
          printf "target %s arch %s mode %s: in the golden file but not in this run\n", k[1], k[2], mode
          bad++
        }
      if (bad) {
        printf "%d golden count difference(s); regenerate with scripts/regen-golden.sh if the change is intended and explain it in the commit\n", bad
        exit 1
      }
      printf "ok: %d results of mode %s match tests/golden/counts.tsv\n", NR, mode
    }'
}

regen() {
  local ptcheck=$1 tmp
  [ -x "$ptcheck" ] || die "$ptcheck is not an executable"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  {
    echo "# Golden counts of every exploration target and arch of \`ptcheck check --all --threads 1\`, per mode"
    echo "# (the mode -> flags map is in tests/integration/golden_counts.sh). Regenerate with"
    echo "# scripts/regen-golden.sh and explain every changed count in the commit message."
    printf 'target\tarch\tmode\tverdict\tstates\ttransitions\tdepth\n'
    for mode in "${MODES[@]}"; do
      # shellcheck disable=SC2046 # the flags are words
      local rc=0
      (cd "$ROOT" && "$ptcheck" check --all --threads 1 --json $(mode_flags "$mode") >"$tmp/$mode.json") || rc=$?
      [ "$rc" -eq 0 ] || die "check --all in mode $mode exited $rc (not every target meets its expectation): golden counts are not rewritten"
      jq -e '.results | length > 0' "$tmp/$mode.json" >/dev/null || die "check --all in mode $mode gave no results"
      rows "$mode" "$tmp/$mode.json"
    done
  } >"$tmp/counts.tsv"
  mkdir -p "$(dirname "$GOLDEN")"
  mv "$tmp/counts.tsv" "$GOLDEN"
  echo "wrote $GOLDEN ($(grep -c -v -e '^#' -e '^target' "$GOLDEN") rows)"
}

case ${1:-} in
  flags) [ $# -eq 2 ] || die "usage: $0 flags MODE"; mode_flags "$2" ;;
  rows) [ $# -eq 3 ] || die "usage: $0 rows MODE JSON"; rows "$2" "$3" ;;
  compare) [ $# -eq 3 ] || die "usage: $0 compare MODE JSON"; compare "$2" "$3" ;;
  regen) [ $# -eq 2 ] || die "usage: $0 regen PTCHECK"; regen "$2" ;;
  *) die "usage: $0 flags MODE | rows MODE JSON | compare MODE JSON | regen PTCHECK" ;;
esac
