#!/usr/bin/env bash
# ^C during `check` ends the run with a table: the target being explored is
# incomplete, the ones after it are listed as "not run" (table and JSON).
# SIGTERM (kill, timeout(1), a batch scheduler) and SIGHUP (the terminal
# went away) do the same (table only); SIGHUP is skipped when this shell
# inherited it ignored (nohup), as ptcheck then leaves it ignored.
# The signal goes out once the first target's progress line shows it is
# exploring (anon_mix at 1 thread takes seconds per arch), not after a fixed
# sleep: a faster explorer once finished the whole list before the signal.
set -uo pipefail
ptcheck=$1 root=$2
sigs="INT:table INT:json TERM:table"
# SigIgn's lowest bit is SIGHUP.
(( 0x$(awk '/^SigIgn:/ {print $2}' /proc/$$/status) & 1 )) || sigs="$sigs HUP:table"
for run in $sigs; do
  sig=${run%%:*} fmt=${run#*:}
  out=$(mktemp) err=$(mktemp)
  extra=()
  [ "$fmt" = json ] && extra=(--json)
  "$ptcheck" --root "$root" check anon_mix lost_update rcu_free_early --threads 1 --progress \
    "${extra[@]}" >"$out" 2>"$err" &
  pid=$!
  for _ in $(seq 600); do
    grep -q '^states ' "$err" && break
    sleep 0.1
  done
  grep -q '^states ' "$err" || { echo "$fmt: no progress line within 60 s"; cat "$err"; kill "$pid"; exit 1; }
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  if [ "$rc" -ne 3 ]; then echo "SIG$sig, $fmt: expected exit 3, got $rc"; cat "$out" "$err"; exit 1; fi
  if [ "$fmt" = table ]; then
    grep -Eq "^lost_update +x86_64 +violation bug +not run" "$out" || { cat "$out"; exit 1; }
    grep -Eq "^rcu_free_early +x86_64 .*not run" "$out" || { cat "$out"; exit 1; }
    grep -q "rows marked 'not run' were not checked" "$out" || { cat "$out"; exit 1; }
  else
    [ "$(grep -c '"verdict": "not run"' "$out")" -ge 2 ] || { cat "$out"; exit 1; }
  fi
  rm -f "$out" "$err"
  echo "SIG$sig ($fmt): incomplete, the rest not run"
done
echo ok
