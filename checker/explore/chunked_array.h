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
  static constexpr unsigned kChunkLog = 16;  // 65,536 elements a chunk
  static constexpr uint64_t kChunk = uint64_t(1) << kChunkLog;
  static constexpr uint64_t kMaxChunks = uint64_t(1) << (32 - kChunkLog + 1);  // ids below 2^33

  explicit ChunkedArray(MemoryAccount& mem) : mem_(mem), dir_(std::make_unique<std::atomic<T*>[]>(kMaxChunks)) {}
  ~ChunkedArray() {
    for (uint64_t c = 0; c < kMaxChunks; ++c)
      if (T* p = dir_[c].load(std::memory_order_relaxed)) free_zeroed(p, kChunk * sizeof(T));
    mem_.add(-static_cast<int64_t>(bytes_));
  }
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;

  // Makes [first, first + n) addressable (zero-filled when new). False when
  // the memory limit or the id range is exhausted.
  bool ensure(uint64_t first, uint64_t n) {
    for (uint64_t c = first >> kChunkLog; c <= (first + n - 1) >> kChunkLog; ++c) {
      if (c >= kMaxChunks) return false;
      if (dir_[c].load(std::memory_order_acquire)) continue;
      std::lock_guard<std::mutex> g(mu_);
      if (dir_[c].load(std::memory_order_relaxed)) continue;
      if (!mem_.try_add(kChunk * sizeof(T))) return false;
      T* p = static_cast<T*>(alloc_zeroed(kChunk * sizeof(T)));
      if (!p) {
        mem_.add(-static_cast<int64_t>(kChunk * sizeof(T)));
        mem_.mark_exceeded();
        return false;
      }
      bytes_ += kChunk * sizeof(T);
      dir_[c].store(p, std::memory_order_release);
    }
    return true;
  }
  T& operator[](uint64_t id) const {
    return dir_[id >> kChunkLog].load(std::memory_order_acquire)[id & (kChunk - 1)];
  }
  bool present(uint64_t id) const {
    return (id >> kChunkLog) < kMaxChunks && dir_[id >> kChunkLog].load(std::memory_order_acquire) != nullptr;
  }
  uint64_t bytes() const { return bytes_; }

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
