#pragma once
// A directory of chunks allocated on first use and never moved: the storage
// under ChunkedArray (chunked_array.h) and the plain store's state bytes
// (plain_store.h). Readers load a chunk's pointer without a lock; a missing
// chunk is allocated under the directory's mutex, zero-filled
// (alloc_zeroed), and charged to the run's MemoryAccount. The directory
// itself comes from alloc_zeroed too, so a small run does not pay for the
// slots of every chunk it could ever have (pages are mapped on first touch).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "explore/huge_alloc.h"
#include "explore/memory.h"

namespace ptcheck::explore {

class ChunkDir {
 public:
  ChunkDir(MemoryAccount& mem, uint64_t max_chunks)
      : mem_(mem),
        max_(max_chunks),
        dir_(static_cast<std::atomic<uint8_t*>*>(alloc_zeroed(max_chunks * sizeof(std::atomic<uint8_t*>)))) {
    if (!dir_) throw std::bad_alloc();
  }
  ~ChunkDir() {
    // Only the chunks allocated, not every slot of the directory.
    for (const auto& [p, n] : owned_) free_zeroed(p, n);
    free_zeroed(dir_, max_ * sizeof(std::atomic<uint8_t*>));
    mem_.add(-static_cast<int64_t>(bytes_));
  }
  ChunkDir(const ChunkDir&) = delete;
  ChunkDir& operator=(const ChunkDir&) = delete;

  // Chunk c, allocated with `bytes` zero bytes unless present. False past
  // the directory's end or when memory runs out (alloc_charged).
  bool ensure(uint64_t c, size_t bytes) {
    if (c >= max_) return false;
    if (dir_[c].load(std::memory_order_acquire)) return true;
    std::lock_guard<std::mutex> g(mu_);
    if (dir_[c].load(std::memory_order_relaxed)) return true;
    auto* p = static_cast<uint8_t*>(alloc_charged(mem_, bytes));
    if (!p) return false;
    owned_.emplace_back(p, bytes);
    bytes_ += bytes;
    dir_[c].store(p, std::memory_order_release);
    return true;
  }
  // Chunk c's bytes; null when it was never allocated.
  uint8_t* get(uint64_t c) const { return dir_[c].load(std::memory_order_acquire); }
  uint64_t max_chunks() const { return max_; }
  // Bytes of the chunks allocated (the directory's own slots are not counted).
  uint64_t bytes() const { return bytes_; }

 private:
  MemoryAccount& mem_;
  uint64_t max_;
  std::atomic<uint8_t*>* dir_;
  std::mutex mu_;
  std::vector<std::pair<uint8_t*, size_t>> owned_;  // (under mu_)
  uint64_t bytes_ = 0;
};

}  // namespace ptcheck::explore
