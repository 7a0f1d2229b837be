#!/usr/bin/env bash
# Re-records every counterexamples/*.trace from its target and arch (read from
# the trace's header) after a deliberate model change moved lines or addresses.
# Each new trace must still end in the violation kind the old one recorded.
#   bash scripts/regen-counterexamples.sh [path/to/ptcheck]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ptcheck=${1:-./build/release/checker/ptcheck}
rc=0
for f in counterexamples/*.trace; do
  target=$(sed -n 's/^target: *//p' "$f" | head -1)
  arch=$(sed -n 's/^arch: *//p' "$f" | head -1)
  kind=$(sed -n 's/^violation: *//p' "$f" | head -1)
  tmp=$(mktemp)
  if "$ptcheck" check "$target" --arch "$arch" --trace-out "$tmp" >/dev/null; then
    new_kind=$(sed -n 's/^violation: *//p' "$tmp" | head -1)
    if [ "$new_kind" = "$kind" ]; then
      mv "$tmp" "$f"
      echo "$f: re-recorded ($kind)"
      continue
    fi
    echo "$f: now ends in '$new_kind', was '$kind': left unchanged" >&2
  else
    echo "$f: target $target on $arch no longer meets its expectation: left unchanged" >&2
  fi
  rm -f "$tmp"
  rc=1
done
exit $rc
