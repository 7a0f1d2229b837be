#pragma once
// Arrays indexed by dense ids that grow in fixed chunks and never move, so a
// reference to an element stays valid for the whole run and readers of old
// chunks need no synchronisation. Ids are handed out in blocks (IdBlocks) so
// each explorer thread numbers its new entries without contention.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>

#include "explore/chunk_dir.h"

namespace ptcheck::explore {

template <class T>
class ChunkedArray {
 public:
  // Ids below kChunk sit in geometric chunks (1,024 elements, then 1,024,
  // 2,048, ... 32,768), those below kBigFirst in chunks of kChunk, the rest in
  // big chunks of kBig elements: a small run does not pay for 65,536 elements
  // of every array, a big one indexes with a shift. A big chunk is a huge page
  // (2 MiB for 4- and 8-byte elements), which alloc_zeroed() maps with
  // transparent huge pages: the root keys and the leaf locations are read at
  // random ids, and on the SPIN twin at ROUNDS 4 (4 M states) the huge pages
  // took 0.97x the time (paired runs, 1 and 2 threads). Only from 2^20 ids
  // on, so a run of a few hundred thousand states does not round each array
  // up to 2 MiB (ppc_mainline_frag_mix's 187,862 states took 68.9 B/state
  // that way, against 63.3).
  static constexpr unsigned kChunkLog = 16;  // 65,536 elements a chunk
  static constexpr uint64_t kChunk = uint64_t(1) << kChunkLog;
  static constexpr unsigned kFirstLog = 10;
  static constexpr uint64_t kSmall = kChunkLog - kFirstLog + 1;  // geometric chunks: [0, kChunk)
  static constexpr unsigned kBigFirstLog = 20;
  static constexpr uint64_t kBigFirst = uint64_t(1) << kBigFirstLog;
  static constexpr unsigned kBigLog =
      std::clamp<unsigned>(std::bit_width(kHugePage / sizeof(T)) - 1, kChunkLog, kBigFirstLog);
  static constexpr uint64_t kBig = uint64_t(1) << kBigLog;
  static constexpr uint64_t kFirstBig = kSmall - 1 + (kBigFirst >> kChunkLog);  // the first big chunk
  static constexpr uint64_t kMaxChunks = kFirstBig + (((uint64_t(1) << 33) - kBigFirst) >> kBigLog);  // ids below 2^33

  explicit ChunkedArray(MemoryAccount& mem) : dir_(mem, kMaxChunks) {}

  // Makes [first, first + n) addressable (zero-filled when new). False when
  // the memory limit or the id range is exhausted.
  bool ensure(uint64_t first, uint64_t n) {
    for (uint64_t c = chunk_of(first); c <= chunk_of(first + n - 1); ++c)
      if (!dir_.ensure(c, chunk_size(c) * sizeof(T))) return false;
    return true;
  }
  T& operator[](uint64_t id) const {
    if (id >= kBigFirst) [[likely]]
      return chunk(kFirstBig + ((id - kBigFirst) >> kBigLog))[id & (kBig - 1)];
    if (id >= kChunk) return chunk(kSmall - 1 + (id >> kChunkLog))[id & (kChunk - 1)];
    const uint64_t c = chunk_of(id);
    return chunk(c)[id - chunk_start(c)];
  }
  bool present(uint64_t id) const {
    const uint64_t c = chunk_of(id);
    return c < kMaxChunks && dir_.get(c) != nullptr;
  }
  uint64_t bytes() const { return dir_.bytes(); }

  // Chunk c holds ids [chunk_start(c), chunk_start(c) + chunk_size(c)).
  static uint64_t chunk_of(uint64_t id) {
    if (id >= kBigFirst) return kFirstBig + ((id - kBigFirst) >> kBigLog);
    if (id >= kChunk) return kSmall - 1 + (id >> kChunkLog);
    if (id < (uint64_t(1) << kFirstLog)) return 0;
    return uint64_t(63 - __builtin_clzll(id)) - (kFirstLog - 1);
  }
  static uint64_t chunk_start(uint64_t c) {
    if (c >= kFirstBig) return kBigFirst + ((c - kFirstBig) << kBigLog);
    if (c >= kSmall) return (c - kSmall + 1) << kChunkLog;
    return c == 0 ? 0 : uint64_t(1) << (c + kFirstLog - 1);
  }
  static uint64_t chunk_size(uint64_t c) {
    if (c >= kFirstBig) return kBig;
    if (c >= kSmall) return kChunk;
    return uint64_t(1) << (c == 0 ? kFirstLog : c + kFirstLog - 1);
  }

 private:
  T* chunk(uint64_t c) const { return reinterpret_cast<T*>(dir_.get(c)); }

  ChunkDir dir_;
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
