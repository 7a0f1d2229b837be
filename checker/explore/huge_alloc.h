#pragma once
// Zeroed allocations for the explorer's big arrays: from 2 MiB up they are
// anonymous mappings aligned to 2 MiB and advised to use transparent huge
// pages (random accesses over hundreds of MiB are otherwise dominated by TLB
// misses); smaller ones use calloc. The alignment matters: a huge page backs
// only an aligned 2 MiB range that lies wholly inside the mapping, and mmap
// aligns to 4 KiB only, so an unaligned 2 MiB table got no huge page at all
// and a bigger one lost its ends (the SPIN twin at ROUNDS 4 had 8 MiB of its
// 170 MiB in huge pages before).
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "explore/memory.h"

namespace ptcheck::explore {

inline constexpr size_t kHugePage = size_t(2) << 20;

inline void* alloc_zeroed(size_t bytes) {
  if (bytes < kHugePage) return std::calloc(1, bytes);
  // Map a huge page more than asked, then unmap the unaligned head and the
  // tail: what stays is `bytes` long and starts on a 2 MiB boundary.
  const size_t span = bytes + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~uintptr_t(kHugePage - 1);
  if (aligned > start) munmap(raw, aligned - start);
  // The kept length, rounded up to the host's page size (munmap works in pages).
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t end = aligned + ((bytes + page - 1) & ~(page - 1));
  if (start + span > end) munmap(reinterpret_cast<void*>(end), start + span - end);
  void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

// Faults in the pages of an alloc_zeroed block now (writable, huge pages
// where advised), so that the caller's first writes do not wait for them:
// done before taking a lock that others wait on. Only a hint: on kernels
// without MADV_POPULATE_WRITE a block from a huge page up is left as it is.
inline void prefault(void* p, size_t bytes) {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (bytes < kHugePage) {
    // calloc's block: a big one is a fresh mapping of its own, whose pages a
    // first read would map to the shared zero page and a later write copy
    // (a second fault, and a TLB flush on every other core running the
    // process: the concurrent index's shard tables, which a grow probes
    // before it writes). A write per page maps each page writable at once;
    // an atomic or of 0 writes without changing what the caller stored.
    auto* b = static_cast<unsigned char*>(p);
    for (size_t o = 0; o < bytes; o += page) std::atomic_ref<unsigned char>(b[o]).fetch_or(0, std::memory_order_relaxed);
    return;
  }
#ifdef MADV_POPULATE_WRITE
  madvise(p, (bytes + page - 1) & ~(page - 1), MADV_POPULATE_WRITE);
#endif
}

inline void free_zeroed(void* p, size_t bytes) {
  if (!p) return;
  if (bytes < kHugePage) std::free(p);
  else munmap(p, bytes);
}

// alloc_zeroed() charged to a run's account: null when the bytes are over
// its limit, or when the allocation itself fails (the account is then marked
// exceeded too, as the limit was not what refused). Freed with free_zeroed()
// and mem.add(-bytes).
inline void* alloc_charged(MemoryAccount& mem, size_t bytes) {
  if (!mem.try_add(bytes)) return nullptr;
  void* p = alloc_zeroed(bytes);
  if (!p) {
    mem.add(-static_cast<int64_t>(bytes));
    mem.mark_exceeded();
  }
  return p;
}

}  // namespace ptcheck::explore
