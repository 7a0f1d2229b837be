#!/usr/bin/env bash
# --junit FILE is JUnit XML with a failure per unexpected result; --trace-out
# F.dot / F.svg are Graphviz sequence diagrams.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check lost_update lost_update_locked --junit "$dir/r.xml" >/dev/null
grep -q '<testsuites name="ptcheck" tests="2" failures="0" errors="0" skipped="0"' "$dir/r.xml"
grep -q '<testcase classname="ptcheck.x86_64" name="lost_update"' "$dir/r.xml"
# An unexpected verdict is a <failure> carrying the trace (lost_update on a
# spec copy that expects pass).
mkdir "$dir/spec"
sed 's/expect violation bug;/expect pass;/' "$root/spec/toy/counter.ptm" >"$dir/spec/counter.ptm"
ln -s "$root/arch" "$dir/arch"
ln -s "$root/model" "$dir/model"
if "$ptcheck" --root "$dir" check lost_update --junit "$dir/f.xml" >/dev/null; then echo "expected exit 1"; exit 1; fi
grep -q 'failures="1"' "$dir/f.xml"
grep -q '<failure message="expected pass, got violation bug"># ptcheck counterexample' "$dir/f.xml"
if command -v python3 >/dev/null; then
  python3 -c "import sys, xml.dom.minidom as m; [m.parse(f) for f in sys.argv[1:]]" "$dir/r.xml" "$dir/f.xml"
fi
"$ptcheck" --root "$root" check rcu_free_early --trace-out "$dir/t.dot" >/dev/null
grep -q "^digraph trace {" "$dir/t.dot"
grep -q 'V \[shape=octagon, color=red' "$dir/t.dot"
if command -v dot >/dev/null; then
  "$ptcheck" --root "$root" check rcu_free_early --trace-out "$dir/t.svg" >/dev/null
  grep -q "<svg" "$dir/t.svg"
fi
echo ok
