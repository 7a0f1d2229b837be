#!/usr/bin/env bash
# Text traces fold page-allocator bookkeeping by default and still replay;
# --trace-detail shows every access.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check mshare_orphaned_pud_leak --trace-out "$dir/f.trace" >/dev/null
"$ptcheck" --root "$root" check mshare_orphaned_pud_leak --trace-out "$dir/d.trace" --trace-detail >/dev/null
grep -q "(folded: [0-9]* reads, [0-9]* writes of page allocator bookkeeping" "$dir/f.trace" || { echo "not folded"; exit 1; }
! grep -q "(folded:" "$dir/d.trace" || { echo "--trace-detail folded"; exit 1; }
[ "$(wc -l <"$dir/f.trace")" -lt "$(wc -l <"$dir/d.trace")" ] || { echo "folding saved nothing"; exit 1; }
"$ptcheck" --root "$root" replay "$dir/f.trace" "$dir/d.trace"
