#!/usr/bin/env bash
# ptcheck mutate on the toy of spec/toy/mutate.ptm: every operator's mutant
# gets the kill result the toy's head comment states, by the target named.
set -euo pipefail
ptcheck=$1 root=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$ptcheck" --root "$root" mutate mut_count mut_rcu mut_rcu_sync mut_recheck mut_list --file spec/toy/ --json >"$out"
python3 - "$out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
got = {(m["operator"], m["function"]): (m["status"], m.get("killed_by", {}).get("target", ""), m.get("killed_by", {}).get("got", ""))
       for m in j["mutants"]}
want = {
    ("drop-lock-pair", "add_locked"): ("killed", "mut_count@x86_64", "violation bug"),
    ("loop-bound", "add_twice"): ("killed", "mut_count@x86_64", "violation bug"),
    ("drop-rcu-read-lock", "mreader"): ("killed", None, "violation use-after-free"),
    ("swap-accesses", "publish"): ("killed", "mut_rcu@x86_64", "violation bug"),
    ("rcu-free-immediate", "publish"): ("killed", "mut_rcu@x86_64", "violation use-after-free"),
    ("swap-accesses", "publish_sync"): ("killed", "mut_rcu_sync@x86_64", "violation bug"),
    ("drop-grace-period", "publish_sync"): ("killed", "mut_rcu_sync@x86_64", "violation use-after-free"),
    ("drop-lock-pair", "recheck_update"): ("killed", "mut_recheck@x86_64", "violation bug"),
    ("recheck-always", "recheck_update"): ("killed", "mut_recheck@x86_64", "violation bug"),
    ("drop-lock-pair", "unlink_obj"): ("equivalent?", "", ""),
    ("list-del-entry", "unlink_obj"): ("survived", "", ""),
}
for key, (status, target, kind) in want.items():
    s, t, k = got[key]
    assert s == status, (key, got[key])
    if target is not None:
        assert t == target, (key, got[key])
    assert k == kind, (key, got[key])
incdec = sorted(m["status"] for m in j["mutants"] if m["operator"] == "drop-inc-dec")
assert incdec == ["survived", "unexecuted"], incdec
assert len(j["mutants"]) == 13, len(j["mutants"])
s = j["summary"]
assert (s["killed"], s["survived"], s["equivalent_hint"], s["unexecuted"]) == (9, 2, 1, 1), s
# Outcomes: the lock-free unlink takes fewer steps (counts move) but reaches
# the same final states; the dropped counter and the unpoisoned entry end in
# other final states.
runs = {(m["operator"], m["function"]): [r["outcome"] for r in m["runs"]] for m in j["mutants"]}
assert runs[("drop-lock-pair", "unlink_obj")] == ["reordered"], runs
assert runs[("drop-inc-dec", "add_locked")] == ["changed"], runs
assert runs[("list-del-entry", "unlink_obj")] == ["changed"], runs
# Every mutant is named by operator and model file:line.
for m in j["mutants"]:
    assert m["name"] == "%s@%s:%d" % (m["operator"], m["file"], m["line"]), m["name"]
PY
# Restored after each mutant: the last mutant of a run sees no earlier edit,
# so listing the mutants of one target gives the same four every time.
test "$("$ptcheck" --root "$root" mutate mut_rcu --file spec/toy/ --list | wc -l)" -eq 4
# --list narrows as a run does: the shards partition the list, --mutant picks
# one, and an unknown name is an error before any baseline runs (exit 2).
list() { "$ptcheck" --root "$root" mutate mut_rcu mut_list --file spec/toy/ --list "$@"; }
all=$(list | sort)
test "$(echo "$all" | wc -l)" -gt 4
test "$( (list --shard 1/3; list --shard 2/3; list --shard 3/3) | sort)" = "$all"
# (Not `echo "$all" | head -1`: bash writes a line at a time to a pipe, and a
# write after head has exited dies of SIGPIPE, which pipefail turns into a
# failure of the test, once in a few dozen runs on a loaded machine.)
first=${all%%$'\n'*}
first=${first%% *}
test "$(list --mutant "$first" | cut -d' ' -f1)" = "$first"
rc=0
"$ptcheck" --root "$root" mutate mut_rcu --mutant no_such_mutant >/dev/null 2>"$out" || rc=$?
test $rc -eq 2
grep -q "no mutant 'no_such_mutant'" "$out"
echo ok
