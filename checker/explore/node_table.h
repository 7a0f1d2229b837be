#pragma once
// One level of the tree store's internal nodes, stored as LTSmin's treedbs
// stores them (Laarman, van de Pol, Weber, "Parallel recursive state
// compression for free"): an open-addressing table of 64-bit keys where the
// key is the node itself (the pair of its children's ids) and a node's id is
// its slot. A lookup is one probe sequence over one array, with no id->key
// indirection and no lock: an insertion is a compare-and-swap of an empty
// slot. Slot 0 is never used: id 0 is the all-zero subtree (key 0), which is
// never stored.
//
// A table cannot grow in place (ids are slots), so the tree store rebuilds
// its levels into bigger tables while every cursor is parked
// (TreeStore::rebuild) and remaps the ids; find_or_put() answers kGrow when
// the table is past its load limit, and the caller restarts after the
// rebuild.
#include <atomic>
#include <cstdint>

#include "explore/concurrent_index.h"
#include "explore/memory.h"
#include "explore/mix64.h"

namespace ptcheck::explore {

class alignas(64) NodeTable {
 public:
  static constexpr uint32_t kGrow = kNoId - 1;   // past the load limit: rebuild, then retry
  static constexpr uint64_t kMinCap = 1024;      // slots (8 KiB)
  static constexpr uint64_t kMaxCap = kGrow;     // ids are 32 bits; kGrow and kNoId are no slots
  // Load limit: 13/16. Linear probing over 8-byte slots stays short (a
  // successful lookup reads about 3 slots, one cache line at most two).
  static uint64_t limit_of(uint64_t cap) { return cap / 16 * 13; }
  // The sizes a level grows to. Any size works (the home is a multiply-shift
  // of the hash, not a mask). A level doubles (grown), which keeps the load
  // low and the rebuilds few: every rebuild re-keys the levels above the one
  // that grew and every root, so at 10^7 states growing by 1.25x each time
  // was 22% slower (measured when a rebuild also re-indexed every root; with
  // the root index by content hash, 1.25x growth measured 47.2 against 49.9
  // bytes per state on mainline_table_mix and 64.8 against 63.7 on
  // ppc_mainline_frag_mix, so doubling stays). Only when doubling no longer
  // fits under the memory limit does the tree store grow the full levels
  // alone by 1.25x (grown_tight), so a run goes on further before it stops
  // at the limit.
  static uint64_t grown(uint64_t cap) { return cap < kMaxCap / 2 ? cap * 2 : kMaxCap; }
  static uint64_t grown_tight(uint64_t cap) {
    const uint64_t n = (cap + cap / 4 + 63) / 64 * 64;
    return n < kMaxCap ? n : kMaxCap;
  }

  // Allocates cap (kMinCap .. kMaxCap) zeroed slots, accounted in mem (throws
  // std::bad_alloc if the system refuses; the caller checks the limit first).
  NodeTable(MemoryAccount& mem, uint64_t cap);
  ~NodeTable();
  NodeTable(const NodeTable&) = delete;
  NodeTable& operator=(const NodeTable&) = delete;

  // The id of `key` (non-zero), stored now if absent (inserted = true);
  // kGrow when it is absent and the table is at its load limit.
  uint32_t find_or_put(uint64_t key, bool& inserted) {
    uint64_t i = home(key);
    for (uint64_t probes = 0; probes < cap_; ++probes, i = i + 1 == cap_ ? 0 : i + 1) {
      if (i == 0) continue;
      std::atomic_ref<uint64_t> s(slots_[i]);
      uint64_t v = s.load(std::memory_order_acquire);
      if (v == key) return static_cast<uint32_t>(i);
      if (v != 0) continue;
      if (count_.load(std::memory_order_relaxed) >= limit_of(cap_)) return kGrow;
      if (s.compare_exchange_strong(v, key, std::memory_order_acq_rel, std::memory_order_acquire)) {
        count_.fetch_add(1, std::memory_order_relaxed);
        inserted = true;
        return static_cast<uint32_t>(i);
      }
      if (v == key) return static_cast<uint32_t>(i);  // another thread stored it first
    }
    return kGrow;
  }
  // Insertion of a key known to be absent, by a rebuild (tree_store.cpp:
  // move_nodes), which adds the count itself (add_count). Shared: other
  // threads insert into the table at the same time (a compare-and-swap
  // claims the slot; the keys being distinct, a lost race only moves the key
  // on); otherwise a plain store.
  template <bool Shared>
  uint32_t put_unique(uint64_t key) {
    for (uint64_t i = home(key);; i = i + 1 == cap_ ? 0 : i + 1) {
      if (i == 0) continue;
      std::atomic_ref<uint64_t> s(slots_[i]);
      uint64_t v = s.load(std::memory_order_relaxed);
      if (v != 0) continue;
      if constexpr (Shared) {
        if (!s.compare_exchange_strong(v, key, std::memory_order_relaxed)) continue;
      } else {
        s.store(key, std::memory_order_relaxed);
      }
      return static_cast<uint32_t>(i);
    }
  }
  void add_count(uint64_t n) { count_.fetch_add(n, std::memory_order_relaxed); }
  // Stores `key` at slot `id` (checkpoint loads restore the exact slots);
  // false when the slot is out of range or taken.
  bool put_at(uint32_t id, uint64_t key);
  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[home(key)]); }
  // The slot of node `id` (a walk down from a root reads it next).
  void prefetch_id(uint32_t id) const { __builtin_prefetch(&slots_[id]); }

  uint64_t key(uint32_t id) const {
    return std::atomic_ref<uint64_t>(slots_[id]).load(std::memory_order_acquire);
  }
  uint64_t capacity() const { return cap_; }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return cap_ * sizeof(uint64_t); }

 private:
  // splitmix64's finalizer (every key bit reaches the high bits), then a
  // multiply-shift onto [0, cap_) (Lemire's fast range reduction).
  uint64_t home(uint64_t key) const {
    const uint64_t x = mix64(key);
    return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * cap_) >> 64);
  }

  // The fields every lookup reads (cap_, slots_) and the count every
  // insertion writes sit on separate cache lines, and the table takes whole
  // lines of its own (the class is aligned, so a neighbouring level's header
  // shares none of them either): with two threads, an insertion no longer
  // takes the other core's copy of the header away (docs/benchmarks.md,
  // 2026-12-05 11:30).
  MemoryAccount& mem_;
  uint64_t cap_;
  uint64_t* slots_;
  alignas(64) std::atomic<uint64_t> count_{0};
};

}  // namespace ptcheck::explore
