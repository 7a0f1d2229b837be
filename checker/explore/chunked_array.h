#pragma once
// Arrays indexed by dense ids that grow in fixed chunks and never move, so a
// reference to an element stays valid for the whole run and readers of old
// chunks need no synchronisation. Ids are handed out in blocks (IdBlocks) so
// each explorer thread numbers its new entries without contention.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "explore/huge_alloc.h"
#include "explore/memory.h"

namespace ptcheck::explore {

template <class T>
class ChunkedArray {
 public:
  // Ids below kChunk sit in geometric chunks (1,024 elements, then 1,024,
  // 2,048, ... 32,768), the rest in chunks of kChunk: a small run does not pay
  // for 65,536 elements of every array, a big one indexes with a shift.
  static constexpr unsigned kChunkLog = 16;  // 65,536 elements a chunk
  static constexpr uint64_t kChunk = uint64_t(1) << kChunkLog;
  static constexpr unsigned kFirstLog = 10;
  static constexpr uint64_t kSmall = kChunkLog - kFirstLog + 1;  // geometric chunks: [0, kChunk)
  static constexpr uint64_t kMaxChunks = kSmall - 1 + (uint64_t(1) << (33 - kChunkLog));  // ids below 2^33

  explicit ChunkedArray(MemoryAccount& mem) : mem_(mem), dir_(std::make_unique<std::atomic<T*>[]>(kMaxChunks)) {}
  ~ChunkedArray() {
    for (uint64_t c = 0; c < kMaxChunks; ++c)
      if (T* p = dir_[c].load(std::memory_order_relaxed)) free_zeroed(p, chunk_size(c) * sizeof(T));
    mem_.add(-static_cast<int64_t>(bytes_));
  }
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;

  // Makes [first, first + n) addressable (zero-filled when new). False when
  // the memory limit or the id range is exhausted.
  bool ensure(uint64_t first, uint64_t n) {
    for (uint64_t c = chunk_of(first); c <= chunk_of(first + n - 1); ++c) {
      if (c >= kMaxChunks) return false;
      if (dir_[c].load(std::memory_order_acquire)) continue;
      std::lock_guard<std::mutex> g(mu_);
      if (dir_[c].load(std::memory_order_relaxed)) continue;
      const uint64_t bytes = chunk_size(c) * sizeof(T);
      if (!mem_.try_add(bytes)) return false;
      T* p = static_cast<T*>(alloc_zeroed(bytes));
      if (!p) {
        mem_.add(-static_cast<int64_t>(bytes));
        mem_.mark_exceeded();
        return false;
      }
      bytes_ += bytes;
      dir_[c].store(p, std::memory_order_release);
    }
    return true;
  }
  T& operator[](uint64_t id) const {
    if (id >= kChunk) [[likely]]
      return dir_[kSmall - 1 + (id >> kChunkLog)].load(std::memory_order_acquire)[id & (kChunk - 1)];
    const uint64_t c = chunk_of(id);
    return dir_[c].load(std::memory_order_acquire)[id - chunk_start(c)];
  }
  bool present(uint64_t id) const {
    const uint64_t c = chunk_of(id);
    return c < kMaxChunks && dir_[c].load(std::memory_order_acquire) != nullptr;
  }
  uint64_t bytes() const { return bytes_; }

  // Chunk c holds ids [chunk_start(c), chunk_start(c) + chunk_size(c)).
  static uint64_t chunk_of(uint64_t id) {
    if (id >= kChunk) return kSmall - 1 + (id >> kChunkLog);
    if (id < (uint64_t(1) << kFirstLog)) return 0;
    return uint64_t(63 - __builtin_clzll(id)) - (kFirstLog - 1);
  }
  static uint64_t chunk_start(uint64_t c) {
    if (c >= kSmall) return (c - kSmall + 1) << kChunkLog;
    return c == 0 ? 0 : uint64_t(1) << (c + kFirstLog - 1);
  }
  static uint64_t chunk_size(uint64_t c) {
    if (c >= kSmall) return kChunk;
    return uint64_t(1) << (c == 0 ? kFirstLog : c + kFirstLog - 1);
  }

 private:
  MemoryAccount& mem_;
  std::unique_ptr<std::atomic<T*>[]> dir_;
  std::mutex mu_;
  uint64_t bytes_ = 0;
};

// Hands out ids in blocks of kBlock from one counter.
class IdBlocks {
 public:
  static constexpr uint64_t kBlock = 256;
  uint64_t reserve() { return next_.fetch_add(kBlock, std::memory_order_relaxed); }
  uint64_t next() const { return next_.load(std::memory_order_relaxed); }
  void set_next(uint64_t n) { next_.store(n, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> next_{0};
};

// One thread's current block.
struct IdCursor {
  uint64_t next = 0, end = 0;
  bool empty() const { return next == end; }
  void drop() { next = end = 0; }
};

}  // namespace ptcheck::explore
