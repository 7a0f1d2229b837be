// Invariant memos (see invariant_memo.h): the shared table of read sets.
#include "vm/invariant_memo.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace ptcheck::vm {

InvariantMemos::InvariantMemos(uint32_t state_size)
    : state_size_(state_size),
      sets_(std::make_unique<std::atomic<const Set*>[]>(kMaxSets)),
      tuples_(std::make_unique<std::atomic<const std::vector<uint32_t>*>[]>(kMaxSets)) {}

InvariantMemos::~InvariantMemos() {
  for (uint32_t i = 0; i < count_.load(); ++i) delete sets_[i].load();
  for (uint32_t i = 0; i < tuple_count_.load(); ++i) delete tuples_[i].load();
}

uint32_t InvariantMemos::intern_tuple(const std::vector<uint32_t>& sets) {
  const uint64_t h = XXH3_64bits(sets.data(), sets.size() * sizeof(uint32_t));
  std::lock_guard<std::mutex> g(mu_);
  auto [lo, hi] = tuple_by_hash_.equal_range(h);
  for (auto it = lo; it != hi; ++it)
    if (*tuples_[it->second - 1].load(std::memory_order_relaxed) == sets) return it->second;
  const uint32_t n = tuple_count_.load(std::memory_order_relaxed);
  if (n == kMaxSets) return 0;
  tuples_[n].store(new std::vector<uint32_t>(sets), std::memory_order_release);
  tuple_count_.store(n + 1, std::memory_order_release);
  tuple_by_hash_.emplace(h, n + 1);
  return n + 1;
}

const uint32_t* InvariantMemos::tuple(uint32_t memo) const {
  // A memo reached this worker through the explorer after intern_tuple()
  // published it (the layer barrier orders the two).
  return tuples_[memo - 1].load(std::memory_order_acquire)->data();
}

void InvariantMemos::export_memo(uint32_t memo, size_t n, uint8_t* out) const {
  std::memset(out, 0, portable_bytes(n));
  if (!memo) return;
  const uint32_t* t = tuple(memo);
  const size_t w = set_words();
  for (size_t i = 0; i < n; ++i, out += (1 + w) * 8) {
    if (!t[i]) continue;
    const Set* set = sets_[t[i] - 1].load(std::memory_order_acquire);
    const uint64_t one = 1;
    std::memcpy(out, &one, 8);
    std::memcpy(out + 8, set->bits.data(), w * 8);
  }
}

uint32_t InvariantMemos::import_memo(const uint8_t* in, size_t n) {
  const size_t w = set_words();
  std::vector<uint32_t> sets(n, 0);
  std::vector<uint64_t> bits(w);
  bool any = false;
  for (size_t i = 0; i < n; ++i, in += (1 + w) * 8) {
    uint64_t has;
    std::memcpy(&has, in, 8);
    if (!has) continue;
    std::memcpy(bits.data(), in + 8, w * 8);
    sets[i] = intern(bits);
    any = true;
  }
  return any ? intern_tuple(sets) : 0;
}

uint32_t InvariantMemos::intern(const std::vector<uint64_t>& bits) {
  const uint64_t h = XXH3_64bits(bits.data(), bits.size() * sizeof(uint64_t));
  std::lock_guard<std::mutex> g(mu_);
  auto [lo, hi] = by_hash_.equal_range(h);
  for (auto it = lo; it != hi; ++it)
    if (sets_[it->second - 1].load(std::memory_order_relaxed)->bits == bits) return it->second;
  const uint32_t n = count_.load(std::memory_order_relaxed);
  if (n == kMaxSets) return 0;
  auto* set = new Set{bits, {}};
  const uint32_t words = (state_size_ + 7) / 8;
  for (uint32_t w = 0; w < words; ++w)
    if (bits[w >> 6] >> (w & 63) & 1) set->words.push_back(w);
  sets_[n].store(set, std::memory_order_release);
  count_.store(n + 1, std::memory_order_release);
  by_hash_.emplace(h, n + 1);
  return n + 1;
}

bool InvariantMemos::unchanged(uint32_t id, const uint8_t* parent, const uint8_t* child) const {
  // A set reached this worker through a memo the explorer carried after
  // intern() published it (the layer barrier orders the two).
  const Set* set = sets_[id - 1].load(std::memory_order_acquire);
  const uint32_t full = state_size_ / 8;
  for (uint32_t w : set->words) {
    if (w < full) {
      uint64_t a, b;
      std::memcpy(&a, parent + uint64_t(w) * 8, 8);
      std::memcpy(&b, child + uint64_t(w) * 8, 8);
      if (a != b) return false;
    } else if (std::memcmp(parent + uint64_t(w) * 8, child + uint64_t(w) * 8, state_size_ - uint64_t(w) * 8) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace ptcheck::vm
