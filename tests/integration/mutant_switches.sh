#!/usr/bin/env bash
# The kernel's own checks, as the mixes' invariants and end checks, kill the
# mutants the issue listed as surviving (docs/kernel-model.md §15): each
# CONFIG_MODEL_MUTANT_* switch on the real path makes its generic mix fail with
# the check that catches it, and the mix passes without the switch (the golden
# counts). A switch that stops being caught fails this test.
#   mutant_switches.sh PTCHECK ROOT
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
# target arch switch error-kind text-of-the-report
while IFS='|' read -r target arch switch kind text; do
  [ -n "$target" ] || continue
  set +e
  "$ptcheck" --root "$root" check "$target" --arch "$arch" --set "CONFIG_MODEL_MUTANT_$switch=y" --json >"$dir/out.json"
  rc=$?
  set -e
  if ! python3 - "$dir/out.json" "$rc" "$kind" "$text" <<'PY'
import json, sys
path, rc, kind, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = json.load(open(path))['results'][0]
assert rc == 1, f"exit status {rc}, expected 1 (a violation)"
assert r['verdict'] == 'violation', r['verdict']
assert r['error_kind'] == kind, f"error kind {r['error_kind']}, expected {kind}"
msg = json.dumps(r)
assert text in msg, f"no '{text}' in the report"
PY
  then
    echo "FAIL: $target ($arch) with CONFIG_MODEL_MUTANT_$switch" >&2
    fail=1
  else
    echo "killed: CONFIG_MODEL_MUTANT_$switch by $target ($arch): $kind"
  fi
done <<'CASES'
file_mix|x86_64|NO_PMD_SAME_RECHECK|alert|in a table no PMD of the mm points to (a lost update)
file_mix|x86_64|RETRACT_NO_PTL|alert|in a table no PMD of the mm points to (a lost update)
ppc_mainline_frag_mix|powerpc64|NO_PMD_SAME_RECHECK|alert|in a table no PMD of the mm points to (a lost update)
file_mix|x86_64|PMD_INSTALL_NO_NR_PTES|alert|non-zero pgtables_bytes on freeing mm
thp_mix|x86_64|SPLIT_PUBLISH_EARLY|invariant|split_ptes_map_huge_pfns
exit_frees_many_tables|x86_64|TABLE_BATCH_OFF_BY_ONE|model-limit|model/mm/mmu_gather.ptm
CASES
exit $fail
