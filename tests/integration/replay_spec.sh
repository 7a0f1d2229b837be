#!/usr/bin/env bash
# A counterexample of a target defined outside spec/ (check --spec FILE, FILE
# relative to the current directory) replays without naming FILE again: the
# trace header records it. --bound values are recorded too and replayed.
set -euo pipefail
ptcheck=$1 root=$2 fixtures=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$fixtures/extra/mix.ptm" "$dir/mix.ptm"
cd "$dir"
"$ptcheck" --root "$root" check --spec mix.ptm mix_bug --bound ops=2 --trace-out m.trace >out.txt
grep -q "^spec: *$dir/mix.ptm" m.trace || { echo "no spec: line"; cat m.trace; exit 1; }
grep -q "^bounds: *LIMIT=1 threads=1 ops=2" m.trace || { echo "no bounds: line"; cat m.trace; exit 1; }
grep -q "| mix: op boom(c)" m.trace || { echo "op not named"; cat m.trace; exit 1; }
cd /
out=$("$ptcheck" --root "$root" replay "$dir/m.trace" 2>&1)
grep -q "reproduced bug at step 10" <<<"$out" || { echo "$out"; exit 1; }
# With the file moved, replay says where it looked and takes --spec.
mv "$dir/mix.ptm" "$dir/moved.ptm"
if out=$("$ptcheck" --root "$root" replay "$dir/m.trace" 2>&1); then echo "replayed without its spec"; exit 1; fi
grep -q "give its file with --spec" <<<"$out" || { echo "$out"; exit 1; }
out=$("$ptcheck" --root "$root" replay --spec "$dir/moved.ptm" "$dir/m.trace" 2>&1 || true)
grep -q "mix.ptm was part of the program when the trace was recorded and is not now" <<<"$out" || { echo "$out"; exit 1; }
echo "ok"
