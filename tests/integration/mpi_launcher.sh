#!/usr/bin/env bash
# mpi_launcher.sh PTCHECK ROOT: scripts/ptcheck-mpirun ends a distributed run
# with ptcheck's own exit statuses: the check's status when the run ends (0
# as expected, 3 at a limit), 3 and a message when a rank is killed, and 3
# with rank 0's incomplete table when the run is interrupted (Ctrl-C to the
# launcher's process group), within seconds. Skipped (77) without mpirun.
set -uo pipefail
ptcheck=$1 root=$2
launcher=$root/scripts/ptcheck-mpirun
command -v mpirun >/dev/null 2>&1 || { echo "skip: mpirun not found"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
M=(--oversubscribe --allow-run-as-root --bind-to none -np 2)
fail() { echo "FAIL: $*"; exit 1; }

"$launcher" "${M[@]}" -- "$ptcheck" --root "$root" check lost_update rcu_call_rcu --no-liveness >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 0 ] || { cat out.txt err.txt; fail "expected results: exit $rc, not 0"; }
"$launcher" "${M[@]}" -- "$ptcheck" --root "$root" check hugetlb_pmd_share_unshare --no-liveness --max-states 2000 >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 3 ] || { cat out.txt err.txt; fail "a limit: exit $rc, not 3"; }
grep -q "incomplete" out.txt || { cat out.txt; fail "no incomplete row"; }
"$launcher" "${M[@]}" -- "$ptcheck" --root "$root" check --no-such-flag >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || { cat out.txt err.txt; fail "bad input: exit $rc, not 2"; }
ls -A | grep -q ptcheck-mpirun-status && fail "a status file was left behind"

# A long run whose rank 1 is killed, then one that is interrupted.
for how in kill interrupt; do
  # In its own process group, with SIGINT not ignored (a background job of a
  # script starts with it ignored; at a terminal the launcher gets ^C).
  setsid python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    "$launcher" "${M[@]}" -- "$ptcheck" --root "$root" check hugetlb_pmd_share_unshare --no-liveness --progress \
    >out.txt 2>err.txt &
  lpid=$!
  ranks=()
  for _ in $(seq 1 200); do
    mapfile -t ranks < <(pgrep -f -- "--root $root check hugetlb_pmd_share_unshare" | grep -v "^$lpid$" || true)
    [ "${#ranks[@]}" -ge 3 ] && break   # mpirun and its two ranks
    sleep 0.1
  done
  # Until the first progress line: the search is under way (a fixed sleep raced it).
  for _ in $(seq 1 300); do
    grep -q '^states ' err.txt && break
    sleep 0.1
  done
  if [ "$how" = kill ]; then
    rank=$(pgrep -P "$(pgrep -P "$lpid" mpirun | head -1)" | tail -1)
    [ -n "$rank" ] || { cat err.txt; kill -- -"$lpid"; fail "no rank to kill"; }
    kill -9 "$rank"
  else
    kill -INT -- -"$lpid"
  fi
  t0=$(date +%s)
  ( sleep 60 && kill -9 -- -"$lpid" ) >/dev/null 2>&1 &
  dog=$!
  wait "$lpid"
  rc=$?
  kill "$dog" 2>/dev/null
  secs=$(( $(date +%s) - t0 ))
  echo "$how: exit $rc after ${secs} s"
  [ "$rc" -eq 3 ] || { cat out.txt err.txt; fail "$how: exit $rc, not 3"; }
  [ "$secs" -le 30 ] || fail "$how: took ${secs} s"
  if [ "$how" = kill ]; then
    grep -q "ptcheck-mpirun: a rank was killed (signal 9" err.txt || { cat err.txt; fail "no message for the killed rank"; }
  else
    # ^C reaches the launcher only; the ranks get SIGUSR1 through mpirun,
    # stop together, and rank 0 prints the incomplete table.
    grep -q "ptcheck-mpirun: interrupted" err.txt || { cat err.txt; fail "no message for the interrupt"; }
    grep -Eq "^hugetlb_pmd_share_unshare +x86_64 +pass +incomplete \(interrupted\)" out.txt ||
      { cat out.txt err.txt; fail "no incomplete table after the interrupt"; }
  fi
done
echo ok
