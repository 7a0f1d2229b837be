#include "explore/visited_set.h"

#include <cstdlib>
#include <new>

namespace ptcheck::explore {

VisitedSet::VisitedSet(const StateStore& store, MemoryAccount& mem)
    : store_(store), mem_(mem), shards_(std::make_unique<Shard[]>(size_t(1) << kShardBits)) {
  const uint64_t n = uint64_t(1) << kInitialLog2;
  uint64_t total = sizeof(Shard) << kShardBits;
  for (size_t s = 0; s < (size_t(1) << kShardBits); ++s) {
    shards_[s].mask = n - 1;
    shards_[s].slots = static_cast<uint64_t*>(std::calloc(n, sizeof(uint64_t)));
    if (!shards_[s].slots) throw std::bad_alloc();
    total += n * sizeof(uint64_t);
  }
  bytes_.store(total, std::memory_order_relaxed);
  mem_.add(static_cast<int64_t>(total));
}

VisitedSet::~VisitedSet() {
  for (size_t s = 0; s < (size_t(1) << kShardBits); ++s) std::free(shards_[s].slots);
}

bool VisitedSet::grow(Shard& sh) {
  const uint64_t old_n = sh.mask + 1;
  const uint64_t n = old_n * 2;
  if (n > (uint64_t(1) << kTagBits)) {  // the home index comes from the tag
    mem_.mark_exceeded();
    return false;
  }
  const uint64_t extra = (n - old_n) * sizeof(uint64_t);
  if (!mem_.try_add(extra)) return false;
  auto* slots = static_cast<uint64_t*>(std::calloc(n, sizeof(uint64_t)));
  if (!slots) {
    mem_.add(-static_cast<int64_t>(extra));
    mem_.mark_exceeded();
    return false;
  }
  const uint64_t mask = n - 1;
  for (uint64_t j = 0; j < old_n; ++j) {
    uint64_t v = sh.slots[j];
    if (v == 0) continue;
    uint64_t i = (v >> kIdBits) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = v;
  }
  std::free(sh.slots);
  sh.slots = slots;
  sh.mask = mask;
  bytes_.fetch_add(extra, std::memory_order_relaxed);
  return true;
}

}  // namespace ptcheck::explore
