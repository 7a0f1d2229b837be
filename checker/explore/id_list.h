#pragma once
// A list of state ids that only grows, in one anonymous mapping that grows
// with mremap(): the pages already written move with the mapping instead of
// being copied into a fresh buffer, so growing costs no copy and touches only
// the new tail. The breadth-first search appends every layer to one of these
// (the canonical order the non-termination check reads). With std::vector the
// copies on growth, each into freshly mapped pages, took 0.12 s of the SPIN
// twin's default run at ROUNDS 4 (4.08 M ids), against 0.05 s with the
// capacity reserved ahead: on the virtual machine of the benchmarks the first
// touch of a page costs far more than copying it (docs/benchmarks.md). The
// time outside the parallel layers went from 0.49 s to about 0.3 s (2
// threads, loaded machine).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <span>

#include "explore/huge_alloc.h"
#include "explore/storage.h"

namespace ptcheck::explore {

class IdList {
 public:
  IdList() = default;
  ~IdList() {
    if (p_) munmap(p_, cap_ * sizeof(StateId));
  }
  IdList(const IdList&) = delete;
  IdList& operator=(const IdList&) = delete;

  void push_back(StateId id) { append(&id, 1); }
  void append(const StateId* ids, size_t n) {
    if (!n) return;
    reserve(size_ + n);
    std::memcpy(p_ + size_, ids, n * sizeof(StateId));
    size_ += n;
  }
  // Room for n ids (std::bad_alloc when the system refuses).
  void reserve(size_t n) {
    if (n <= cap_) return;
    const size_t want = std::max({n, 2 * cap_, kMinBytes / sizeof(StateId)});
    static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = (want * sizeof(StateId) + page - 1) / page * page;
    void* q = p_ ? mremap(p_, cap_ * sizeof(StateId), bytes, MREMAP_MAYMOVE)
                 : mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (bytes >= kHugePage) madvise(q, bytes, MADV_HUGEPAGE);
#endif
    p_ = static_cast<StateId*>(q);
    cap_ = bytes / sizeof(StateId);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return cap_; }
  StateId operator[](size_t i) const { return p_[i]; }
  const StateId* data() const { return p_; }
  std::span<const StateId> span() const { return {p_, size_}; }

 private:
  static constexpr size_t kMinBytes = 64 * 1024;
  StateId* p_ = nullptr;
  size_t size_ = 0, cap_ = 0;
};

}  // namespace ptcheck::explore
