#pragma once
// Storage for the explorer: a chunked arena of fixed-size states, each with its
// parent link (a word and a label). Chunks never move, so a state's address is
// stable for the whole run, and readers of old chunks need no synchronisation.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "explore/transition_system.h"

namespace ptcheck::explore {

// Bytes held by the explorer, against an optional limit (0 = unlimited).
class MemoryAccount {
 public:
  explicit MemoryAccount(uint64_t limit) : limit_(limit) {}
  // Adds n bytes unless that would exceed the limit (then returns false).
  bool try_add(uint64_t n) {
    uint64_t cur = bytes_.load(std::memory_order_relaxed);
    for (;;) {
      if (limit_ && cur + n > limit_) {
        exceeded_.store(true, std::memory_order_relaxed);
        return false;
      }
      if (bytes_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed)) return true;
    }
  }
  void add(int64_t n) { bytes_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }
  void mark_exceeded() { exceeded_.store(true, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> exceeded_{false};
  uint64_t limit_;
};

class StateStore {
 public:
  // Ids are handed out in blocks of kBlock; a block never straddles two chunks.
  static constexpr uint64_t kBlock = 256;
  static constexpr uint64_t kNoId = ~uint64_t(0);

  StateStore(size_t state_size, MemoryAccount& mem);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  size_t state_size() const { return size_; }

  // Reserves the ids [first, first + kBlock), allocating their chunk if needed.
  // Returns kNoId when the memory limit or the id capacity is exhausted.
  uint64_t reserve_block();

  uint8_t* state(uint64_t id) const { return chunk(id) + (id & mask_) * size_; }
  uint64_t& parent(uint64_t id) const {
    return reinterpret_cast<uint64_t*>(chunk(id) + parents_off_)[id & mask_];
  }
  Label& label(uint64_t id) const {
    return reinterpret_cast<Label*>(chunk(id) + labels_off_)[id & mask_];
  }
  // Bytes allocated for chunks and their directory.
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  uint8_t* chunk(uint64_t id) const {
    return dir_[id >> shift_].load(std::memory_order_acquire);
  }

  size_t size_;
  unsigned shift_;       // log2(states per chunk)
  uint64_t mask_;        // states per chunk - 1
  size_t parents_off_;   // offset of the parent words in a chunk
  size_t labels_off_;    // offset of the labels in a chunk
  size_t chunk_bytes_;
  uint64_t max_chunks_;
  std::unique_ptr<std::atomic<uint8_t*>[]> dir_;
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> bytes_{0};
  std::mutex alloc_mu_;
  MemoryAccount& mem_;
};

}  // namespace ptcheck::explore
