#!/usr/bin/env bash
# The project's mutation score (README "How strong are the targets"), run in
# shards so that a long run can be spread over sittings or machines and
# nothing is lost when one stops: each shard's JSON report goes to
# OUT/shard-I-of-N.json, a shard whose report exists is skipped, and the
# reports are merged into one table at the end (also when some are missing:
# the merge says which).
#
#   scripts/mutate-score.sh [-n SHARDS] [-o OUT] [--merge-only] [--forget PREFIX]... -- MUTATE-ARGS...
#
# Re-checks: any OUT/recheck-*.json (a `ptcheck mutate --json` report, e.g. of
# the shards' survivors with --mutant, with more targets or arches) is merged
# after the shards, and its entry for a mutant replaces the shards' one.
# --forget PREFIX drops the shards' entries for model files starting with
# PREFIX (their lines moved since: re-check those files in a recheck report).
#
# e.g. the score of the generic mixes over the mainline model:
#   scripts/mutate-score.sh -n 4 -o /tmp/mut -- mainline_table_mix file_mix anon_mix \
#       fork_mix thp_mix tlb_munmap_mix hugetlb_share_mix --file model/ --arch x86_64
# PTCHECK (default build/release/checker/ptcheck) is the binary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ptcheck=${PTCHECK:-$here/build/release/checker/ptcheck}
shards=4 out=mutate-score merge_only=0 forget=
while [ $# -gt 0 ]; do
  case $1 in
    -n) shards=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --merge-only) merge_only=1; shift ;;
    --forget) forget="$forget $2"; shift 2 ;;
    --) shift; break ;;
    *) echo "mutate-score.sh: unknown option '$1' (usage: -n SHARDS -o OUT [--merge-only] -- MUTATE-ARGS...)" >&2; exit 2 ;;
  esac
done
case $shards in ''|*[!0-9]*|0) echo "mutate-score.sh: -n wants a positive number, got '$shards'" >&2; exit 2 ;; esac
mkdir -p "$out"
if [ "$merge_only" = 0 ]; then
  [ $# -gt 0 ] || { echo "mutate-score.sh: give the targets and mutate options after --" >&2; exit 2; }
  [ -x "$ptcheck" ] || { echo "mutate-score.sh: no ptcheck at $ptcheck (build first, or set PTCHECK)" >&2; exit 2; }
  for i in $(seq 1 "$shards"); do
    f=$out/shard-$i-of-$shards.json
    if [ -s "$f" ]; then echo "shard $i/$shards: done before ($f)"; continue; fi
    echo "shard $i/$shards: running (progress in $out/shard-$i-of-$shards.log)"
    # Written to a temporary name first: a stopped shard leaves no report and reruns.
    if "$ptcheck" --root "$here" mutate "$@" --shard "$i/$shards" --json >"$f.tmp" 2>"$out/shard-$i-of-$shards.log"; then
      mv "$f.tmp" "$f"
    else
      echo "shard $i/$shards: ptcheck mutate failed (see $out/shard-$i-of-$shards.log)" >&2
      rm -f "$f.tmp"
      exit 1
    fi
  done
fi
python3 - "$out" "$shards" $forget <<'PY'
import glob, json, os, sys
out, shards, forget = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
by_name, seconds, missing, budget = {}, 0.0, [], False
for i in range(1, shards + 1):
    f = os.path.join(out, "shard-%d-of-%d.json" % (i, shards))
    if not os.path.exists(f):
        missing.append(i)
        continue
    j = json.load(open(f))
    for m in j["mutants"]:
        if not any(m["file"].startswith(p) for p in forget):
            by_name[m["name"]] = m
    seconds += j["seconds"]
    budget = budget or j["budget_exhausted"]
rechecks = sorted(glob.glob(os.path.join(out, "recheck-*.json")))
unreadable = []
for f in list(rechecks):
    try:
        j = json.load(open(f))
    except ValueError:  # still being written, or cut short: left out, and said so
        unreadable.append(os.path.basename(f))
        rechecks.remove(f)
        continue
    for m in j["mutants"]:
        by_name[m["name"]] = m
    seconds += j["seconds"]
    budget = budget or j["budget_exhausted"]
mutants = sorted(by_name.values(), key=lambda m: (m["file"], m["line"], m["name"]))
by = {}
for m in mutants:
    by[m["status"]] = by.get(m["status"], 0) + 1
killed = by.get("killed", 0)
mix = sum(1 for m in mutants if m["status"] == "killed" and m["killed_by"]["mix"])
live = killed + by.get("survived", 0) + by.get("timeout", 0)
pct = lambda a, b: "%.1f%%" % (100.0 * a / b) if b else "-"
for m in mutants:
    if m["status"] in ("survived", "timeout", "equivalent?"):
        runs = ", ".join("%s %s" % (r["target"], r["outcome"]) for r in m["runs"])
        print("%-12s %-55s %s  [%s]" % (m["status"], m["name"], m["what"], runs))
print()
print("| mutants | killed (by the mixes) | survived | timeout | equivalent? | unexecuted | stillborn | not run |")
print("|---|---|---|---|---|---|---|---|")
print("| %d | %d (%d) | %d | %d | %d | %d | %d | %d |" % (len(mutants), killed, mix, by.get("survived", 0),
      by.get("timeout", 0), by.get("equivalent?", 0), by.get("unexecuted", 0), by.get("stillborn", 0),
      by.get("not run", 0)))
print()
print("score: %d of the %d mutants that changed outcomes or timed out are killed (%s), by the mixes %d (%s); %.0f s of runs"
      % (killed, live, pct(killed, live), mix, pct(mix, live), seconds))
if rechecks:
    print("re-checked by: %s" % ", ".join(os.path.basename(f) for f in rechecks))
if unreadable:
    print("left out (not a complete JSON report): %s" % ", ".join(unreadable))
if missing:
    print("incomplete: shard(s) %s of %d have no report yet" % (" ".join(map(str, missing)), shards))
if budget:
    print("a shard's time budget ran out: its 'not run' mutants were not checked")
PY
