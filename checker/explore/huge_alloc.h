#pragma once
// Zeroed allocations for the explorer's big arrays: from 2 MiB up they are
// anonymous mappings advised to use transparent huge pages (random accesses over
// hundreds of MiB are otherwise dominated by TLB misses); smaller ones use calloc.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>

namespace ptcheck::explore {

inline constexpr size_t kHugePage = size_t(2) << 20;

inline void* alloc_zeroed(size_t bytes) {
  if (bytes < kHugePage) return std::calloc(1, bytes);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

inline void free_zeroed(void* p, size_t bytes) {
  if (!p) return;
  if (bytes < kHugePage) std::free(p);
  else munmap(p, bytes);
}

}  // namespace ptcheck::explore
