#!/usr/bin/env bash
# scripts/kernel-litmus.sh on a stand-in tree made of tests/litmus files (no
# kernel tree needed): a row and a verdict per test, per-directory counts, the
# summary line; exit 0 when all agree, 1 on an unlisted disagreement or an
# unsupported test, 2 when the tree lacks the litmus directories.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tree=$dir/linux
mkdir -p "$tree/tools/memory-model/litmus-tests" "$tree/Documentation/litmus-tests/atomic"
cp "$root/tests/litmus/SB+poonceonces.litmus" "$root/tests/litmus/MP+polocks.litmus" "$tree/tools/memory-model/litmus-tests/"
cp "$root/tests/litmus/SB+failedcmpxchgs.litmus" "$tree/Documentation/litmus-tests/atomic/"
script=("$root/scripts/kernel-litmus.sh")
bash "${script[@]}" "$tree" --ptcheck "$ptcheck" >"$dir/ok.out" || { cat "$dir/ok.out"; echo "all agree, yet exit $?"; exit 1; }
grep -q '^tools/memory-model/litmus-tests/SB+poonceonces.litmus  *Sometimes  *Sometimes  *agree$' "$dir/ok.out" || { cat "$dir/ok.out"; exit 1; }
grep -q '^Documentation/litmus-tests: 1 of 1 agree under lkmm$' "$dir/ok.out" || { cat "$dir/ok.out"; exit 1; }
grep -q '^summary (lkmm): 3 tests, 3 agree, 0 disagree, 0 unsupported;' "$dir/ok.out" || { cat "$dir/ok.out"; exit 1; }
# A wrong Result: is an unlisted disagreement; a test ptcheck cannot read is unsupported, with its located error.
sed 's/Result: Never/Result: Sometimes/' "$root/tests/litmus/MP+polocks.litmus" >"$tree/tools/memory-model/litmus-tests/MP+polocks.litmus"
sed 's/WRITE_ONCE(\*x, 1);/frobnicate(x);/' "$root/tests/litmus/SB+poonceonces.litmus" >"$tree/Documentation/litmus-tests/bad.litmus"
rc=0; bash "${script[@]}" "$tree" --ptcheck "$ptcheck" >"$dir/bad.out" || rc=$?
[ "$rc" -eq 1 ] || { cat "$dir/bad.out"; echo "exit $rc, expected 1"; exit 1; }
grep -q 'MP+polocks.litmus  *Sometimes  *Never  *DISAGREE' "$dir/bad.out" || { cat "$dir/bad.out"; exit 1; }
grep -q "bad.litmus .*unsupported (21:2: error: call to undeclared function 'frobnicate')" "$dir/bad.out" || { cat "$dir/bad.out"; exit 1; }
grep -q '^summary (lkmm): 4 tests, 2 agree, 1 disagree, 1 unsupported; 0 known exceptions, 2 not listed' "$dir/bad.out" || { cat "$dir/bad.out"; exit 1; }
# Not a kernel tree: exit 2 with the missing directory named.
rc=0; bash "${script[@]}" "$dir" --ptcheck "$ptcheck" 2>"$dir/none.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'has no tools/memory-model/litmus-tests directory' "$dir/none.err" || { cat "$dir/none.err"; exit 1; }
# Every exception names a known model and a reason.
awk -F'\t' '!/^#/ && NF && (NF != 4 || $1 !~ /^(sc|tso|lkmm)$/ || $4 == "") { print "bad row " NR ": " $0; bad=1 } END { exit bad }' \
  "$root/tests/litmus/kernel-exceptions.tsv"
echo ok
