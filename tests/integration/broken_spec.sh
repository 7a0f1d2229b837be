#!/usr/bin/env bash
# A spec file that does not parse costs only its own targets: other targets
# still check and list, the broken file is reported with its located error.
set -uo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/spec"
ln -s "$root/arch" "$dir/arch"
ln -s "$root/model" "$dir/model"
cp "$root/spec/toy/counter.ptm" "$dir/spec/good.ptm"
printf 'target broken {\n  thread a { x = ; }\n  expect pass;\n}\n' >"$dir/spec/broken.ptm"
fail() { echo "$1"; echo "$out"; exit 1; }

out=$("$ptcheck" --root "$dir" check lost_update 2>&1); rc=$?
[ $rc -eq 0 ] || fail "named unrelated target: expected exit 0, got $rc"
grep -Eq "^lost_update +x86_64 +violation bug +violation bug" <<<"$out" || fail "no result row"
grep -q "warning: spec/broken.ptm did not load" <<<"$out" || fail "no warning"

out=$("$ptcheck" --root "$dir" check --all 2>&1); rc=$?
[ $rc -eq 2 ] || fail "--all: expected exit 2, got $rc"
grep -Eq "^lost_update_locked +x86_64 +pass +pass" <<<"$out" || fail "--all did not run the good targets"
grep -q "spec/broken.ptm:2:18: error: expected an expression" <<<"$out" || fail "--all: no located error"
grep -q "spec/broken.ptm did not load; its targets and properties are left out" <<<"$out" || fail "--all: no summary"

out=$("$ptcheck" --root "$dir" check broken 2>&1); rc=$?
[ $rc -eq 2 ] || fail "named broken target: expected exit 2, got $rc"
grep -q "no target or property named 'broken' (see \`ptcheck list\`) (1 file did not load: spec/broken.ptm; it may be defined there)" <<<"$out" || fail "no hint"

out=$("$ptcheck" --root "$dir" list 2>&1); rc=$?
[ $rc -eq 2 ] || fail "list: expected exit 2, got $rc"
grep -Eq "^  lost_update +violation bug" <<<"$out" || fail "list lost the good targets"
grep -q "spec/broken.ptm:2:18: error" <<<"$out" || fail "list: no located error"

# A target whose model does not compile is an error row; the others still run.
printf 'import "model/include/linux/types.ptm";\ntarget nocompile { thread a { undefined_fn(); } expect pass; }\n' >"$dir/spec/broken.ptm"
out=$("$ptcheck" --root "$dir" check nocompile lost_update 2>&1); rc=$?
[ $rc -eq 2 ] || fail "compile error: expected exit 2, got $rc"
grep -Eq "^nocompile +x86_64 +pass +error \(below\)" <<<"$out" || fail "no error row"
grep -Eq "^lost_update +x86_64 +violation bug +violation bug" <<<"$out" || fail "lost_update did not run"
grep -q "spec/broken.ptm:2:31: error: " <<<"$out" || fail "no located compile error"
grep -q "is written for" <<<"$out" && fail "a note on the target's own arch"

# --arch to an arch the target does not list: the error says so.
printf 'import "model/include/linux/types.ptm";\ntarget armonly { arch arm64; thread a { undefined_fn(); } expect pass; }\n' >"$dir/spec/broken.ptm"
out=$("$ptcheck" --root "$dir" check armonly --arch powerpc64 2>&1); rc=$?
[ $rc -eq 2 ] || fail "foreign arch: expected exit 2, got $rc"
grep -q "spec/broken.ptm:2:41: error: call to undeclared function" <<<"$out" || fail "foreign arch: no located error"
grep -q "note: target 'armonly' is written for arm64 (spec/broken.ptm); --arch powerpc64 runs it on an arch it does not list" <<<"$out" || fail "foreign arch: no note"
echo ok
