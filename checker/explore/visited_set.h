#pragma once
// The concurrent set of visited states: sharded open addressing (linear probing)
// over 64-bit slots, one spin lock per shard. A slot holds 24 bits of the state's
// hash (which also give its home index, so a shard grows without re-reading any
// state) and the state's id + 1 (40 bits); 0 is an empty slot.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

#include "explore/state_store.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ptcheck::explore {

class VisitedSet {
 public:
  static constexpr unsigned kShardBits = 10;
  static constexpr unsigned kTagBits = 24;
  static constexpr unsigned kIdBits = 40;
  static constexpr uint64_t kIdMask = (uint64_t(1) << kIdBits) - 1;
  static constexpr unsigned kInitialLog2 = 4;

  enum class Outcome { New, Old, Full };

  VisitedSet(const StateStore& store, MemoryAccount& mem);
  ~VisitedSet();
  VisitedSet(const VisitedSet&) = delete;
  VisitedSet& operator=(const VisitedSet&) = delete;

  // Looks the state (of hash h) up. If absent, calls new_id() with the shard lock
  // held; it returns the id under which it has stored the state (or kNoId: the
  // set then answers Full). If present, calls old(id) with the shard lock held.
  // Both callbacks run under the lock, so per-state data touched only from them
  // needs no further synchronisation.
  template <class NewId, class Old>
  Outcome find_or_insert(uint64_t h, const uint8_t* s, NewId&& new_id, Old&& old) {
    Shard& sh = shards_[h >> (64 - kShardBits)];
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    const size_t size = store_.state_size();
    sh.lock();
    uint64_t mask = sh.mask;
    uint64_t i = tag & mask;
    for (;;) {
      uint64_t v = sh.slots[i];
      if (v == 0) break;
      if ((v >> kIdBits) == tag) {
        uint64_t id = (v & kIdMask) - 1;
        if (std::memcmp(store_.state(id), s, size) == 0) {
          old(id);
          sh.unlock();
          return Outcome::Old;
        }
      }
      i = (i + 1) & mask;
    }
    // Absent: make room first (keeps the load at most 3/4), then insert.
    if ((sh.count + 1) * 4 > (mask + 1) * 3) {
      if (!grow(sh)) {
        if ((sh.count + 2) > mask) {  // keep at least one empty slot
          sh.unlock();
          return Outcome::Full;
        }
      } else {
        mask = sh.mask;
        i = tag & mask;
        while (sh.slots[i] != 0) i = (i + 1) & mask;
      }
    }
    uint64_t id = new_id();
    if (id == StateStore::kNoId || id > kIdMask - 1) {
      sh.unlock();
      return Outcome::Full;
    }
    sh.slots[i] = (tag << kIdBits) | (id + 1);
    ++sh.count;
    sh.unlock();
    return Outcome::New;
  }

  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Shard {
    std::atomic<bool> locked{false};
    uint64_t mask = 0;
    uint64_t count = 0;
    uint64_t* slots = nullptr;

    void lock() {
      for (unsigned spins = 0;; ++spins) {
        if (!locked.exchange(true, std::memory_order_acquire)) return;
        while (locked.load(std::memory_order_relaxed)) {
#if defined(__x86_64__) || defined(__i386__)
          _mm_pause();
#endif
          if (++spins > 256) {
            std::this_thread::yield();
            spins = 0;
          }
        }
      }
    }
    void unlock() { locked.store(false, std::memory_order_release); }
  };

  bool grow(Shard& sh);

  const StateStore& store_;
  MemoryAccount& mem_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace ptcheck::explore
