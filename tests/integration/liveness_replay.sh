#!/usr/bin/env bash
# Liveness properties (always_eventually, spec/toy/fairness.ptm): the search's
# lasso replays, and replay re-checks the whole claim, so a doctored trace is
# refused: a loop without the walker's step starves a context that could move
# all along (not weakly fair); a loop cut short does not return to its state;
# a property name the target lacks is refused.
set -uo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "$*"; exit 1; }

"$ptcheck" --root "$root" check retry_starved_by_writer --trace-out "$dir/rs.json" >"$dir/out.txt" 2>&1
[ $? -eq 0 ] || { cat "$dir/out.txt"; fail "the expected liveness violation did not pass as expected"; }
out=$("$ptcheck" --root "$root" replay "$dir/rs.json" 2>&1) || fail "replay failed: $out"
grep -q "reproduced liveness: 'walker_done' stays false on the weakly fair loop" <<<"$out" || fail "$out"

# Drop the walker's step from the loop (and renumber): the writer alone still
# returns to the loop's first state, but the walker could move in every state.
jq 'del(.steps[] | select(.thread == "walker")) | .steps |= [to_entries[] | .value.index = (.key + 1) | .value]' \
  "$dir/rs.json" >"$dir/unfair.json"
if out=$("$ptcheck" --root "$root" replay "$dir/unfair.json" 2>&1); then fail "an unfair loop replayed: $out"; fi
grep -q "walker can move in every state of the loop and never does: the loop is not weakly fair" <<<"$out" || fail "$out"

# Cut the last step: the loop no longer closes.
jq '.steps |= .[:-1]' "$dir/rs.json" >"$dir/open.json"
if out=$("$ptcheck" --root "$root" replay "$dir/open.json" 2>&1); then fail "an open loop replayed: $out"; fi
grep -q "is not the one step 1 started from: no loop" <<<"$out" || fail "$out"

# A property the target does not have.
jq '.violation.report[0] = "property: no_such_thing"' "$dir/rs.json" >"$dir/noprop.json"
if out=$("$ptcheck" --root "$root" replay "$dir/noprop.json" 2>&1); then fail "an unknown property replayed: $out"; fi
grep -q "needs a 'property: NAME' line" <<<"$out" || fail "$out"

# The run-end form: every context finishes with the property false.
"$ptcheck" --root "$root" check deferred_free_forgotten --trace-out "$dir/df.trace" >/dev/null 2>&1
out=$("$ptcheck" --root "$root" replay "$dir/df.trace" 2>&1) || fail "replay failed: $out"
grep -q "reproduced liveness: the run ends after step 5 with 'no_callback_pending' false" <<<"$out" || fail "$out"
echo ok
