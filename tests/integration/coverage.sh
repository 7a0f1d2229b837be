#!/usr/bin/env bash
# --coverage FILE.info: an lcov tracefile genhtml accepts (when lcov is
# installed), a per-file summary after the table, and each run's figures in
# the JSON.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check lost_update_locked rcu_call_rcu --coverage "$dir/c.info" >"$dir/out"
grep -q "^SF:$root/spec/toy/counter.ptm$" "$dir/c.info" || grep -q "^SF:.*/spec/toy/counter.ptm$" "$dir/c.info"
grep -q "^DA:" "$dir/c.info"
grep -q "^BRDA:" "$dir/c.info"
grep -q "^end_of_record$" "$dir/c.info"
grep -q "^spec/toy/rcu.ptm " "$dir/out"
grep -q "^total " "$dir/out"
"$ptcheck" --root "$root" check lost_update_locked --coverage "$dir/j.info" --json >"$dir/j.json" 2>/dev/null
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['results'][0]['coverage']; assert 0 < c['lines_hit'] <= c['lines'], c" "$dir/j.json"
if command -v genhtml >/dev/null; then
  genhtml --quiet --branch-coverage -o "$dir/html" "$dir/c.info" >/dev/null
  test -s "$dir/html/index.html"
fi
echo ok
