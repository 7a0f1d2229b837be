#!/usr/bin/env bash
# The TLB mix's pre-fix twin (7a30df49f63a) is reported as an access through a
# stale TLB entry: the title says so in KASAN's shape, and the report names the
# CPU's walk-cache entry, the walk that filled it and the flush that missed it
# (tlb_finish_mmu's, last level only, under the nested-flush range reset).
# The hugetlb unshare mix's twins name the PUD-level entry (the PMD table a walk
# to a hugetlb leaf cached): missing (a4a118f2eead) or leaf-only on arm64
# (c2ff4764e03e, from huge_pmd_unshare_flush).
set -uo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ptcheck" --root "$root" check tlb_munmap_mix_prefix_nested_reset --trace-out "$dir/t.trace" >"$dir/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "expected exit 0 (violation as expected), got $rc"; cat "$dir/out"; exit 1; }
t="$dir/t.trace"
expect() {
  grep -Eq -- "$1" "$t" || { echo "trace does not match /$1/:"; sed -n '/cut here/,$p' "$t"; exit 1; }
}
expect '^BUG: KASAN: use-after-free through a stale TLB entry in tlb_walk_through_cached_table$'
expect "^The access went through CPU 0's stale TLB walk-cache entry: mm [0-9a-f]{16} \(test_mm\), PMD range \[0000000000c00000, 0000000000e00000\) -> PTE table [0-9a-f]{16}$"
expect '^Filled by task init \(step 0\), walking address 0000000000c00000:$'
expect '^Flushes of this mm since the fill, none of which covered the entry before the table was freed at step [0-9]+:$'
expect '^ task mix_[01] \(step [0-9]+\): \[0000000000c00000, [0-9a-f]{16}\), last level only: the walk cache is kept$'
# the too-narrow flush is named by its call chain up to tlb_finish_mmu
grep -Eq '^  tlb_finish_mmu \(model/mm/mmu_gather\.ptm:[0-9]+\)$' <<<"$(sed -n '/^Flushes of this mm/,$p' "$t")" ||
  { echo "no flush from tlb_finish_mmu named:"; sed -n '/^Flushes of this mm/,$p' "$t"; exit 1; }

check_twin() {
  "$ptcheck" --root "$root" check "$1" --trace-out "$dir/t.trace" >"$dir/out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || { echo "$1: expected exit 0 (violation as expected), got $rc"; cat "$dir/out"; exit 1; }
}
check_twin hugetlb_unshare_mix_prefix_no_flush
expect '^BUG: KASAN: use-after-free through a stale TLB entry in tlb_walk_through_cached_pmd_table$'
expect "^The access went through CPU 1's stale TLB walk-cache entry: mm [0-9a-f]{16}, PUD range \[0000000040000000, 0000000080000000\) -> PMD table [0-9a-f]{16}$"
expect '^No flush of this mm since the fill, nor since the table was freed at step [0-9]+: the flush is missing$'
check_twin hugetlb_unshare_mix_prefix_arm64_leaf_flush
expect '^BUG: KASAN: use-after-free through a stale TLB entry in tlb_walk_through_cached_pmd_table$'
expect '^ task mix_[01] \(step [0-9]+\): \[0000000040000000, 0000000080000000\), last level only: the walk cache is kept$'
grep -Eq '^  huge_pmd_unshare_flush \(model/mm/hugetlb\.ptm:[0-9]+\)$' <<<"$(sed -n '/^Flushes of this mm/,$p' "$t")" ||
  { echo "no flush from huge_pmd_unshare_flush named:"; sed -n '/^Flushes of this mm/,$p' "$t"; exit 1; }
echo ok
