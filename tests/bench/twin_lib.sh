# Shared by the benchmark scripts (run_twin.sh, twin_pairs.sh,
# thread_ceiling.sh); sourced once ROOT and PTCHECK are set.
#   twin_positive WHAT VALUE...  exits 2 unless every VALUE is a positive number
#   twin_require TOOL...         exits 2 unless every TOOL is found and PTCHECK is built
#   twin_workdir                 sets TWIN (the twins' folder) and W (a temporary
#                                folder, removed when the script exits)
#   timed_append NAME CMD...     appends "wall cpu" of CMD to $T/NAME (GNU time's
#                                line about a non-zero exit status is skipped)
#   timed_pair NAME CMD...       two copies of CMD at once: appends the slower
#                                copy's wall-clock and both copies' CPU seconds
#   median FILE COLUMN, calc FORMAT EXPR
#   run_rounds N REPORT          N rounds of `run_side SIDE` over the array
#                                SIDES, rotated by one each round, then
#                                `REPORT ROUND` (both the caller's functions)
#   side_medians                 wall[SIDE] and cpu[SIDE]: the medians of $T/SIDE
# (timed_append, timed_pair and side_medians need T, a folder for the times.)
twin_positive() {
  local what=$1 n; shift
  for n in "$@"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$0: $what '$n' is not a positive number" >&2; exit 2; }
  done
}
twin_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found (scripts/setup.sh installs it)" >&2; exit 2; }
  done
  [ -x "$PTCHECK" ] || { echo "$0: $PTCHECK not built (cmake --build build/release)" >&2; exit 2; }
}
twin_workdir() {
  TWIN=$ROOT/tests/bench/twin
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
}
timed_append() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$T/last" "$@" >/dev/null 2>&1 || true
  awk '$1 ~ /^[0-9.]+$/ { printf "%s %.2f\n", $1, $2 + $3 }' "$T/last" >>"$T/$name"
}
timed_pair() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$T/pa" "$@" >/dev/null 2>&1 &
  local a=$!
  /usr/bin/time -f '%e %U %S' -o "$T/pb" "$@" >/dev/null 2>&1 &
  local b=$!
  wait "$a" || true
  wait "$b" || true
  awk '$1 ~ /^[0-9.]+$/ { if ($1 + 0 > w + 0) w = $1; c += $2 + $3 } END { printf "%.2f %.2f\n", w, c }' \
    "$T/pa" "$T/pb" >>"$T/$name"
}
median() { sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
run_rounds() {
  local n=$1 report=$2 r k
  for ((r = 0; r < n; ++r)); do
    for ((k = 0; k < ${#SIDES[@]}; ++k)); do run_side "${SIDES[(k + r) % ${#SIDES[@]}]}"; done
    "$report" $((r + 1))
  done
}
side_medians() {
  declare -gA wall cpu
  local s
  for s in "${SIDES[@]}"; do
    wall[$s]=$(median "$T/$s" 1)
    cpu[$s]=$(median "$T/$s" 2)
  done
}
