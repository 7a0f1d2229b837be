#!/usr/bin/env bash
# Reach points through the CLI: a pass with an unreached point is "vacuous"
# in the table, the JSON, TAP and JUnit, names the point, and makes the exit
# status 1; a target whose points are all reached still passes.
set -euo pipefail
ptcheck=$1 root=$2
spec=$root/tests/integration/fixtures/reach/vacuous.ptm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check --spec "$spec" reach_met >"$dir/ok"
grep -q "^reach_met .* pass .* pass " "$dir/ok"
set +e
"$ptcheck" --root "$root" check --spec "$spec" reach_missed --junit "$dir/j.xml" >"$dir/table"; rc=$?
"$ptcheck" --root "$root" check --spec "$spec" reach_missed --json >"$dir/j.json"
"$ptcheck" --root "$root" check --spec "$spec" reach_missed --tap >"$dir/tap"
set -e
test "$rc" -eq 1
grep -q "vacuous (unreached: poll: goto again)  <-- UNEXPECTED" "$dir/table"
grep -q "vacuous pass: no explored path reaches 'poll: goto again'" "$dir/table"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['results'][0]
assert r['verdict'] == 'vacuous' and not r['as_expected'], r['verdict']
assert r['reach'] == {'points': ['poll', 'poll: goto again'], 'unreached': ['poll: goto again']}, r['reach']
" "$dir/j.json"
grep -q "^not ok 1 reach_missed x86_64" "$dir/tap"
grep -q "got vacuous (unreached: poll: goto again)" "$dir/tap"
grep -q "<failure message=\"expected pass, got vacuous (unreached: poll: goto again)\"" "$dir/j.xml"
echo ok
