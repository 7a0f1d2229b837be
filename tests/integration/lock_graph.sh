#!/usr/bin/env bash
# --lock-graph FILE.dot: one cluster per run, an edge per lock-order
# dependency (a nested acquisition is its own node), valid for Graphviz; the
# JSON carries the same edges, identical for 1 and 2 explorer threads.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check lockdep_nested_annotation lockdep_same_order --lock-graph "$dir/g.dot" >/dev/null
grep -q '^digraph lock_order {' "$dir/g.dot"
grep -q 'label="lockdep_nested_annotation (x86_64)"' "$dir/g.dot"
grep -q 'label="obj.lock/1"' "$dir/g.dot"
grep -q 'label="lock_a"' "$dir/g.dot"
if command -v dot >/dev/null; then dot -Tsvg "$dir/g.dot" -o "$dir/g.svg" && grep -q "<svg" "$dir/g.svg"; fi
"$ptcheck" --root "$root" check lockdep_abba_sequential --json --threads 1 >"$dir/1.json" || true
"$ptcheck" --root "$root" check lockdep_abba_sequential --json --threads 2 >"$dir/2.json" || true
python3 - "$dir/1.json" "$dir/2.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["results"][0] for f in sys.argv[1:])
assert a["lock_edges"] == b["lock_edges"] == [["lock_a", "lock_b"], ["lock_b", "lock_a"]], a["lock_edges"]
assert a["error_kind"] == b["error_kind"] == "circular-locking"
PY
echo ok
