#pragma once
// The concurrent set of visited states: sharded open addressing (linear probing)
// over 64-bit slots; lock-free lookups, one spin lock per shard for insertions. A slot holds 26 bits of the state's
// hash (which also give its home index, so a shard grows without re-reading any
// state) and the state's id + 1 (38 bits); 0 is an empty slot. 256 shards: few
// enough for big tables (huge pages from 2 MiB), enough to make two threads
// rarely wait for the same shard's insertion lock.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "explore/state_store.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ptcheck::explore {

class VisitedSet {
 public:
  static constexpr unsigned kShardBits = 8;
  static constexpr unsigned kTagBits = 26;
  static constexpr unsigned kIdBits = 38;
  static constexpr uint64_t kIdMask = (uint64_t(1) << kIdBits) - 1;
  static constexpr unsigned kInitialLog2 = 4;

  enum class Outcome { New, Old, Full };

  VisitedSet(const StateStore& store, MemoryAccount& mem);
  ~VisitedSet();
  VisitedSet(const VisitedSet&) = delete;
  VisitedSet& operator=(const VisitedSet&) = delete;

  // Looks the state (of hash h) up. Present: calls old(id) (without any lock:
  // what it touches must be atomic) and answers Old. Absent: calls new_id() with
  // the shard lock held; it stores the state and returns its id (or kNoId: the
  // set then answers Full) before the slot is published (release), so a reader
  // that finds the slot sees the state and everything new_id() wrote.
  //
  // Lookups take no lock: a shard's table is replaced, never modified in place,
  // when it grows. Old tables are freed by epochs: a thread announces the
  // current epoch before each batch of lookups (announce) and nothing between
  // batches (quiesce); a table retired at epoch r is freed (try_reclaim) once
  // every thread is quiescent or has announced a later epoch.
  template <class NewId, class Old>
  Outcome find_or_insert(uint64_t h, const uint8_t* s, NewId&& new_id, Old&& old) {
    const size_t shard = h >> (64 - kShardBits);
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    uint64_t id = probe(tables_[shard].load(std::memory_order_seq_cst), tag, s);
    if (id != StateStore::kNoId) {
      old(id);
      return Outcome::Old;
    }
    Lock& lk = locks_[shard];
    lk.lock();
    uint64_t* t = tables_[shard].load(std::memory_order_relaxed);
    id = probe(t, tag, s);  // it may have been inserted since
    if (id != StateStore::kNoId) {
      lk.unlock();
      old(id);
      return Outcome::Old;
    }
    uint64_t mask = t[0];
    if ((lk.count + 1) * 4 > (mask + 1) * 3) {  // keep the load at most 3/4
      if (uint64_t* g = grow(shard, t)) {
        t = g;
        mask = t[0];
      } else if (lk.count + 2 > mask) {  // could not grow: keep one empty slot
        lk.unlock();
        return Outcome::Full;
      }
    }
    uint64_t i = tag & mask;
    while (slot(t, i).load(std::memory_order_relaxed) != 0) i = (i + 1) & mask;
    id = new_id();
    if (id == StateStore::kNoId || id > kIdMask - 1) {
      lk.unlock();
      return Outcome::Full;
    }
    slot(t, i).store((tag << kIdBits) | (id + 1), std::memory_order_release);
    ++lk.count;
    lk.unlock();
    return Outcome::New;
  }

  // Brings the home slot of a state of hash h towards the cache.
  void prefetch(uint64_t h) const {
    const uint64_t* t = tables_[h >> (64 - kShardBits)].load(std::memory_order_seq_cst);
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    __builtin_prefetch(&t[1 + (tag & t[0])]);
  }

  // Epochs (see above); ti < the count given to set_threads.
  void set_threads(unsigned n) { announce_ = std::make_unique<Announce[]>(n), threads_ = n; }
  void announce(unsigned ti) {
    announce_[ti].epoch.store(epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  }
  void quiesce(unsigned ti) { announce_[ti].epoch.store(0, std::memory_order_release); }
  // Frees the retired tables no thread can still be reading.
  void try_reclaim();
  // Frees every retired table. No lookup may be running.
  void reclaim();

  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  // A table: word 0 holds the mask, then mask + 1 slots.
  static std::atomic_ref<uint64_t> slot(uint64_t* t, uint64_t i) {
    return std::atomic_ref<uint64_t>(t[1 + i]);
  }

  uint64_t probe(uint64_t* t, uint64_t tag, const uint8_t* s) const {
    const uint64_t mask = t[0];
    const size_t size = store_.state_size();
    for (uint64_t i = tag & mask;; i = (i + 1) & mask) {
      uint64_t v = slot(t, i).load(std::memory_order_acquire);
      if (v == 0) return StateStore::kNoId;
      if ((v >> kIdBits) == tag) {
        uint64_t id = (v & kIdMask) - 1;
        if (std::memcmp(store_.state(id), s, size) == 0) return id;
      }
    }
  }

  struct alignas(64) Lock {
    std::atomic<bool> locked{false};
    uint64_t count = 0;

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

  uint64_t* grow(size_t shard, uint64_t* t);

  const StateStore& store_;
  MemoryAccount& mem_;
  std::unique_ptr<std::atomic<uint64_t*>[]> tables_;
  std::unique_ptr<Lock[]> locks_;
  struct alignas(64) Announce {
    std::atomic<uint64_t> epoch{0};  // 0: quiescent
  };
  struct Retired {
    uint64_t* table;
    uint64_t epoch;
  };
  std::atomic<uint64_t> epoch_{1};
  std::unique_ptr<Announce[]> announce_;
  unsigned threads_ = 0;
  std::mutex retired_mu_;
  std::vector<Retired> retired_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace ptcheck::explore
