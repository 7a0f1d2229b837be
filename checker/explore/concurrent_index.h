#pragma once
// A concurrent hash index from keys to dense 32-bit ids, the building block of
// every state store. The keys themselves live elsewhere (in a store's dense
// arrays); the index holds, per slot, 26 bits of the key's hash (which also
// give its home slot, so a shard grows without re-reading any key) and the
// id + 1 (38 bits); 0 is an empty slot. 16 shards, open addressing with
// linear probing; lookups take no lock, insertions lock one shard. A shard's
// table is replaced, never modified in place, when it grows (the new one is
// mapped and faulted in before the lock is taken, the copy made under it);
// old tables are freed through the store's EpochDomain. Few shards keep each table big
// enough for huge pages (huge_alloc.h) and their headers in the cache: with
// 256, the SPIN twin's root index (ROUNDS 4) was 256 tables of a few hundred
// KiB in small pages, and a probe paid a TLB miss; 16 took 0.95x the time
// (1 thread) and 0.97x (2 threads), with the same bytes per state.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "explore/epoch.h"
#include "explore/huge_alloc.h"
#include "explore/memory.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ptcheck::explore {

inline constexpr uint32_t kNoId = ~uint32_t(0);

class ConcurrentIndex {
 public:
  static constexpr unsigned kShardBits = 4;
  static constexpr unsigned kTagBits = 26;
  static constexpr unsigned kIdBits = 38;
  static constexpr uint64_t kIdMask = (uint64_t(1) << kIdBits) - 1;
  static constexpr unsigned kInitialLog2 = 4;

  enum class Outcome { New, Old, Full };

  ConcurrentIndex(MemoryAccount& mem, EpochDomain& epochs);
  ~ConcurrentIndex();
  ConcurrentIndex(const ConcurrentIndex&) = delete;
  ConcurrentIndex& operator=(const ConcurrentIndex&) = delete;

  // Looks up the key of hash h: eq(id) tells whether the stored key `id` is
  // it. Absent: make() stores the key and returns its id (kNoId: the index
  // answers Full) with the shard lock held, before the slot is published
  // (release), so a reader that finds the slot sees everything make() wrote.
  // prepare(), when given, runs when the lock-free probe missed, before the
  // lock is taken: what make() will need and can get without the lock (a
  // store's new id block, whose first touches of fresh memory would
  // otherwise keep the lock held).
  template <class Eq, class Make>
  Outcome find_or_insert(uint64_t h, Eq&& eq, Make&& make, uint32_t& id) {
    return find_or_insert(h, eq, make, [] {}, id);
  }
  template <class Eq, class Make, class Prepare>
  Outcome find_or_insert(uint64_t h, Eq&& eq, Make&& make, Prepare&& prepare, uint32_t& id) {
    const size_t shard = h >> (64 - kShardBits);
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    id = probe(tables_[shard].load(std::memory_order_acquire), tag, eq);
    if (id != kNoId) return Outcome::Old;
    prepare();
    Lock& lk = locks_[shard];
    lk.lock();
    uint64_t* t = tables_[shard].load(std::memory_order_relaxed);
    id = probe(t, tag, eq);  // it may have been inserted since
    if (id != kNoId) {
      lk.unlock();
      return Outcome::Old;
    }
    uint64_t mask = t[0];
    if ((lk.count + 1) * 16 > (mask + 1) * 13) {  // keep the load at most 13/16
      // The bigger table is mapped and its pages faulted in with the lock
      // released: first touches of fresh memory were most of a grow's time,
      // and other threads' insertions into the shard waited through them.
      lk.unlock();
      uint64_t* g = alloc_grown(mask + 1);
      const bool refused = !g;  // memory: the shard stays as it is
      lk.lock();
      t = tables_[shard].load(std::memory_order_relaxed);
      id = probe(t, tag, eq);  // inserted meanwhile?
      mask = t[0];
      const bool full = (lk.count + 1) * 16 > (mask + 1) * 13;
      if (g && (id != kNoId || !full || g[0] != 2 * mask + 1)) {
        discard(g);  // not needed, or another thread grew the shard meanwhile
        g = nullptr;
      }
      if (id != kNoId) {
        lk.unlock();
        return Outcome::Old;
      }
      if (full) {
        if (!g && !refused) g = alloc_grown(mask + 1);  // grown meanwhile, and full again
        if (g) {
          move_into(shard, t, g);
          t = g;
          mask = t[0];
        } else if (lk.count + 2 > mask) {  // could not grow: keep one empty slot
          lk.unlock();
          return Outcome::Full;
        }
      }
    }
    uint64_t i = tag & mask;
    while (slot(t, i).load(std::memory_order_relaxed) != 0) i = (i + 1) & mask;
    id = make();
    if (id == kNoId) {
      lk.unlock();
      return Outcome::Full;
    }
    slot(t, i).store((tag << kIdBits) | (uint64_t(id) + 1), std::memory_order_release);
    ++lk.count;
    lk.unlock();
    return Outcome::New;
  }

  // Lookup only: the id, or kNoId.
  template <class Eq>
  uint32_t find(uint64_t h, Eq&& eq) const {
    const size_t shard = h >> (64 - kShardBits);
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    return probe(tables_[shard].load(std::memory_order_acquire), tag, eq);
  }

  // Inserts an id known to be absent (rebuilding an index from its keys).
  bool insert_unique(uint64_t h, uint32_t id);

  void prefetch(uint64_t h) const {
    const uint64_t* t = tables_[h >> (64 - kShardBits)].load(std::memory_order_acquire);
    const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
    __builtin_prefetch(&t[1 + (tag & t[0])]);
  }

  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t size() const;
  // Removes every entry (no lookup may be running).
  void clear();

 private:
  static std::atomic_ref<uint64_t> slot(uint64_t* t, uint64_t i) { return std::atomic_ref<uint64_t>(t[1 + i]); }

  template <class Eq>
  static uint32_t probe(uint64_t* t, uint64_t tag, Eq& eq) {
    const uint64_t mask = t[0];
    for (uint64_t i = tag & mask;; i = (i + 1) & mask) {
      uint64_t v = slot(t, i).load(std::memory_order_acquire);
      if (v == 0) return kNoId;
      if ((v >> kIdBits) == tag) {
        uint32_t id = static_cast<uint32_t>((v & kIdMask) - 1);
        if (eq(id)) return id;
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

  // A grow in steps: the table of twice old_n slots, accounted and faulted
  // in (nullptr, with the account marked exceeded, when it does not fit);
  // moving the shard's table t into it (under the shard's lock); giving a
  // table not used back. grow() is the three under the lock.
  static bool grow_size_ok(uint64_t old_n) { return old_n * 2 <= (uint64_t(1) << kTagBits); }
  uint64_t* alloc_grown(uint64_t old_n);
  void move_into(size_t shard, uint64_t* t, uint64_t* g);
  void discard(uint64_t* g);
  uint64_t* grow(size_t shard, uint64_t* t);

  MemoryAccount& mem_;
  EpochDomain& epochs_;
  std::unique_ptr<std::atomic<uint64_t*>[]> tables_;
  std::unique_ptr<Lock[]> locks_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace ptcheck::explore
