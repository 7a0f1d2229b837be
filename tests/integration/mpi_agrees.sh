#!/usr/bin/env bash
# mpi_agrees.sh PTCHECK TARGET...: `check --json` of each target is the same in
# one process and under `mpirun -np 2` and `-np 4` (docs/distributed.md), except
# for three groups of fields, which are left out of the comparison:
#   - timing and memory: seconds, memory_bytes, bytes_per_state, store_bytes,
#     tree_nodes and tree_leaves (each rank's store holds its own part);
#   - invariant_runs, invariant_skips and instructions, which a distributed run
#     sums over its ranks: with memos a rank checks every successor it sends,
#     whether it is new at its owner or not;
#   - the per-rank figures of the distributed run.
# Then, at -np 2 and with --no-invariant-memo (every new state is checked once,
# by its owner), invariant_runs and invariant_skips must be equal too.
# instructions still differ, since every rank checks the initial state.
# Both sides run with --no-liveness (the liveness pass is not distributed) and
# --por none (the distributed search has no sleep sets). Skipped (77) without
# mpirun or jq.
set -euo pipefail
ptcheck=$1
shift
command -v mpirun >/dev/null 2>&1 || { echo "skip: mpirun not found (apt-get install openmpi-bin)"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "skip: jq not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
norm() {
  jq -S 'walk(if type == "object" then del(.seconds, .memory_bytes, .bytes_per_state, .store_bytes, .tree_nodes,
                                             .tree_leaves, .invariant_runs, .invariant_skips, .instructions, .distributed) else . end)'
}
counts() {  # the invariant counts, which a distributed run sums over its ranks (numbers, never null)
  jq -c '[.results[] | {target, arch, invariant_runs, invariant_skips, n: (.instructions | type)}]'
}
mpi=(mpirun --oversubscribe --allow-run-as-root --bind-to none)
status=0
set +e
"$ptcheck" check "$@" --json --no-liveness --por none --threads 1 >"$tmp/raw1"
rc1=$?
set -e
norm <"$tmp/raw1" >"$tmp/one"
for n in 2 4; do
  set +e
  "${mpi[@]}" -np "$n" "$ptcheck" check "$@" --json --no-liveness --por none >"$tmp/raw$n" 2>"$tmp/err$n"
  rcn=$?
  set -e
  if [ "$rcn" -ne "$rc1" ]; then
    echo "-np $n: exit $rcn, one process: exit $rc1"
    cat "$tmp/err$n"
    status=1
  fi
  if ! norm <"$tmp/raw$n" >"$tmp/n$n" || ! diff -u "$tmp/one" "$tmp/n$n"; then
    echo "-np $n: the JSON differs from one process"
    status=1
  fi
  ranks=$(jq '[.results[] | select(.distributed) | .distributed.ranks] | unique | .[]' "$tmp/raw$n")
  if [ "$ranks" != "$n" ]; then
    echo "-np $n: expected every result to report $n ranks, found '$ranks'"
    status=1
  fi
done
set +e
"$ptcheck" check "$@" --json --no-liveness --por none --threads 1 --no-invariant-memo >"$tmp/nomemo1"
"${mpi[@]}" -np 2 "$ptcheck" check "$@" --json --no-liveness --por none --no-invariant-memo >"$tmp/nomemo2" 2>"$tmp/errnm"
set -e
if ! counts <"$tmp/nomemo1" >"$tmp/c1" || ! counts <"$tmp/nomemo2" >"$tmp/c2" || ! diff -u "$tmp/c1" "$tmp/c2"; then
  echo "-np 2 --no-invariant-memo: the invariant counts differ from one process"
  cat "$tmp/errnm"
  status=1
elif ! grep -q '"n":"number"' "$tmp/c2" || grep -q '"n":"null"' "$tmp/c2"; then
  echo "-np 2: a result without its instructions"
  status=1
fi
echo "mpi: $(jq '.results | length' "$tmp/raw1") results of $* compared at -np 2 and 4 (exit $rc1)"
exit $status
