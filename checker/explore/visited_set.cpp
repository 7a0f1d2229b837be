#include "explore/visited_set.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "explore/huge_alloc.h"

namespace ptcheck::explore {

namespace {
uint64_t* new_table(uint64_t n) {
  auto* t = static_cast<uint64_t*>(alloc_zeroed((n + 1) * sizeof(uint64_t)));
  if (t) t[0] = n - 1;
  return t;
}
}  // namespace

VisitedSet::VisitedSet(const StateStore& store, MemoryAccount& mem)
    : store_(store),
      mem_(mem),
      tables_(std::make_unique<std::atomic<uint64_t*>[]>(size_t(1) << kShardBits)),
      locks_(std::make_unique<Lock[]>(size_t(1) << kShardBits)) {
  const uint64_t n = uint64_t(1) << kInitialLog2;
  const size_t shards = size_t(1) << kShardBits;
  uint64_t total = shards * (sizeof(Lock) + sizeof(std::atomic<uint64_t*>));
  for (size_t s = 0; s < shards; ++s) {
    uint64_t* t = new_table(n);
    if (!t) throw std::bad_alloc();
    tables_[s].store(t, std::memory_order_relaxed);
    total += (n + 1) * sizeof(uint64_t);
  }
  bytes_.store(total, std::memory_order_relaxed);
  mem_.add(static_cast<int64_t>(total));
}

VisitedSet::~VisitedSet() {
  reclaim();
  for (size_t s = 0; s < (size_t(1) << kShardBits); ++s)
  {
    uint64_t* t = tables_[s].load(std::memory_order_relaxed);
    free_zeroed(t, (t[0] + 2) * sizeof(uint64_t));
  }
}

void VisitedSet::try_reclaim() {
  std::lock_guard<std::mutex> g(retired_mu_);
  if (retired_.empty()) return;
  uint64_t oldest = ~uint64_t(0);  // the oldest epoch a thread may still be in
  for (unsigned i = 0; i < threads_; ++i) {
    uint64_t e = announce_[i].epoch.load(std::memory_order_seq_cst);
    if (e) oldest = std::min(oldest, e);
  }
  int64_t freed = 0;
  size_t kept = 0;
  for (Retired& r : retired_) {
    if (r.epoch < oldest) {
      freed += static_cast<int64_t>((r.table[0] + 2) * sizeof(uint64_t));
      free_zeroed(r.table, (r.table[0] + 2) * sizeof(uint64_t));
    } else {
      retired_[kept++] = r;
    }
  }
  retired_.resize(kept);
  if (freed) {
    bytes_.fetch_sub(static_cast<uint64_t>(freed), std::memory_order_relaxed);
    mem_.add(-freed);
  }
}

void VisitedSet::reclaim() {
  std::lock_guard<std::mutex> g(retired_mu_);
  int64_t freed = 0;
  for (Retired& r : retired_) {
    freed += static_cast<int64_t>((r.table[0] + 2) * sizeof(uint64_t));
    free_zeroed(r.table, (r.table[0] + 2) * sizeof(uint64_t));
  }
  retired_.clear();
  if (freed) {
    bytes_.fetch_sub(static_cast<uint64_t>(freed), std::memory_order_relaxed);
    mem_.add(-freed);
  }
}

uint64_t* VisitedSet::grow(size_t shard, uint64_t* t) {
  const uint64_t old_n = t[0] + 1;
  const uint64_t n = old_n * 2;
  if (n > (uint64_t(1) << kTagBits)) {  // the home index comes from the tag
    mem_.mark_exceeded();
    return nullptr;
  }
  const uint64_t add = (n + 1) * sizeof(uint64_t);
  if (!mem_.try_add(add)) return nullptr;
  uint64_t* g = new_table(n);
  if (!g) {
    mem_.add(-static_cast<int64_t>(add));
    mem_.mark_exceeded();
    return nullptr;
  }
  const uint64_t mask = n - 1;
  for (uint64_t j = 0; j < old_n; ++j) {
    uint64_t v = slot(t, j).load(std::memory_order_relaxed);
    if (v == 0) continue;
    uint64_t i = (v >> kIdBits) & mask;
    while (g[1 + i] != 0) i = (i + 1) & mask;
    g[1 + i] = v;
  }
  tables_[shard].store(g, std::memory_order_seq_cst);
  {
    // Readers that announce a later epoch load the new table.
    uint64_t r = epoch_.fetch_add(1, std::memory_order_seq_cst);
    std::lock_guard<std::mutex> lg(retired_mu_);
    retired_.push_back({t, r});
  }
  bytes_.fetch_add(add, std::memory_order_relaxed);
  return g;
}

}  // namespace ptcheck::explore
