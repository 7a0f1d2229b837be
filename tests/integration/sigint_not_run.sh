#!/usr/bin/env bash
# ^C during `check` ends the run with a table: the target being explored is
# incomplete, the ones after it are listed as "not run" (table and JSON).
set -uo pipefail
ptcheck=$1 root=$2
for fmt in table json; do
  out=$(mktemp)
  extra=()
  [ "$fmt" = json ] && extra=(--json)
  "$ptcheck" --root "$root" check ppc_mainline_frag_mix lost_update rcu_free_early "${extra[@]}" >"$out" 2>&1 &
  pid=$!
  sleep 1.5
  kill -INT "$pid"
  wait "$pid"
  rc=$?
  if [ "$rc" -ne 3 ]; then echo "$fmt: expected exit 3, got $rc"; cat "$out"; exit 1; fi
  if [ "$fmt" = table ]; then
    grep -Eq "^lost_update +x86_64 +violation bug +not run" "$out" || { cat "$out"; exit 1; }
    grep -Eq "^rcu_free_early +x86_64 .*not run" "$out" || { cat "$out"; exit 1; }
    grep -q "rows marked 'not run' were not checked" "$out" || { cat "$out"; exit 1; }
  else
    [ "$(grep -c '"verdict": "not run"' "$out")" -ge 2 ] || { cat "$out"; exit 1; }
  fi
  rm -f "$out"
done
echo ok
