#!/usr/bin/env bash
# Sleep sets (--por sleep) against the full search (--por none) on targets of
# every kind (passes, violations, all three arches, the seeded bug of the twin benchmark mix):
# the same verdict, error kind, states and depth; and, since every reachable
# state is still expanded, the reduced run's transitions plus the ones it
# skipped as asleep equal the full run's transitions exactly. At least one
# target must actually skip something, or the reduction is not running.
set -euo pipefail
ptcheck=$1
root=$2
targets=(lost_update rcu_free_early philosophers ptl_lifetime_retract ptl_lifetime_reclaim_rcu
         thp_deposit_locked exit_frees_many_tables ppc_thp_deposit_pte rfc_pte_free_defer_pt_rcu_head
         pagewalk_iterator_rewalk twin_lifecycle_bug)
run() {
  "$ptcheck" --root "$root" check "${targets[@]}" --spec "$root/tests/bench/twin/lifecycle.ptm" \
    --threads 2 --json --por "$1"
}
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
run none >"$a" || true
run sleep >"$b" || true
python3 - "$a" "$b" <<'PY'
import json, sys
full = {(r["target"], r["arch"]): r for r in json.load(open(sys.argv[1]))["results"]}
red = {(r["target"], r["arch"]): r for r in json.load(open(sys.argv[2]))["results"]}
bad, skipped = 0, 0
if set(full) != set(red) or not full:
    sys.exit(f"different runs: {sorted(full)} vs {sorted(red)}")
for k, f in sorted(full.items()):
    r = red[k]
    if f["reduction"] != "none" or r["reduction"] != "sleep":
        print(f"{k}: reductions {f['reduction']} / {r['reduction']}"); bad += 1
    for field in ("verdict", "error_kind", "states", "depth"):
        if f[field] != r[field]:
            print(f"{k}: {field} {f[field]} without reduction, {r[field]} with sleep sets"); bad += 1
    if r["transitions"] + r["asleep"] != f["transitions"]:
        print(f"{k}: transitions {r['transitions']} + asleep {r['asleep']} != {f['transitions']}"); bad += 1
    skipped += r["asleep"]
    print(f"ok {k[0]} {k[1]}: {f['states']} states, transitions {f['transitions']} -> {r['transitions']}")
if skipped == 0:
    print("no transition was ever skipped: the reduction did not run"); bad += 1
sys.exit(1 if bad else 0)
PY
