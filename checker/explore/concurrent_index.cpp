#include "explore/concurrent_index.h"

#include <cstring>
#include <new>

namespace ptcheck::explore {

namespace {
constexpr size_t kShards = size_t(1) << ConcurrentIndex::kShardBits;

uint64_t* new_table(uint64_t n) {
  auto* t = static_cast<uint64_t*>(alloc_zeroed((n + 1) * sizeof(uint64_t)));
  if (t) t[0] = n - 1;
  return t;
}
uint64_t table_bytes(const uint64_t* t) { return (t[0] + 2) * sizeof(uint64_t); }
}  // namespace

ConcurrentIndex::ConcurrentIndex(MemoryAccount& mem, EpochDomain& epochs)
    : mem_(mem),
      epochs_(epochs),
      tables_(std::make_unique<std::atomic<uint64_t*>[]>(kShards)),
      locks_(std::make_unique<Lock[]>(kShards)) {
  const uint64_t n = uint64_t(1) << kInitialLog2;
  uint64_t total = kShards * (sizeof(Lock) + sizeof(std::atomic<uint64_t*>));
  for (size_t s = 0; s < kShards; ++s) {
    uint64_t* t = new_table(n);
    if (!t) throw std::bad_alloc();
    tables_[s].store(t, std::memory_order_relaxed);
    total += table_bytes(t);
  }
  bytes_.store(total, std::memory_order_relaxed);
  mem_.add(static_cast<int64_t>(total));
}

ConcurrentIndex::~ConcurrentIndex() {
  epochs_.reclaim();
  for (size_t s = 0; s < kShards; ++s) {
    uint64_t* t = tables_[s].load(std::memory_order_relaxed);
    mem_.add(-static_cast<int64_t>(table_bytes(t)));
    free_zeroed(t, table_bytes(t));
  }
  mem_.add(-static_cast<int64_t>(kShards * (sizeof(Lock) + sizeof(std::atomic<uint64_t*>))));
}

uint64_t* ConcurrentIndex::alloc_grown(uint64_t old_n) {
  const uint64_t n = old_n * 2;
  if (!grow_size_ok(old_n)) {  // the home index comes from the tag
    mem_.mark_exceeded();
    return nullptr;
  }
  const uint64_t add = (n + 1) * sizeof(uint64_t);
  auto* g = static_cast<uint64_t*>(alloc_charged(mem_, add));
  if (!g) return nullptr;
  g[0] = n - 1;  // as new_table() writes it
  prefault(g, add);
  return g;
}

void ConcurrentIndex::discard(uint64_t* g) {
  if (!g) return;
  const uint64_t b = table_bytes(g);
  free_zeroed(g, b);
  mem_.add(-static_cast<int64_t>(b));
}

uint64_t* ConcurrentIndex::grow(size_t shard, uint64_t* t) {
  uint64_t* g = alloc_grown(t[0] + 1);
  if (g) move_into(shard, t, g);
  return g;
}

void ConcurrentIndex::move_into(size_t shard, uint64_t* t, uint64_t* g) {
  const uint64_t old_n = t[0] + 1;
  const uint64_t add = table_bytes(g);
  const uint64_t mask = g[0];
  for (uint64_t j = 0; j < old_n; ++j) {
    uint64_t v = slot(t, j).load(std::memory_order_relaxed);
    if (v == 0) continue;
    uint64_t i = (v >> kIdBits) & mask;
    while (g[1 + i] != 0) i = (i + 1) & mask;
    g[1 + i] = v;
  }
  tables_[shard].store(g, std::memory_order_seq_cst);
  bytes_.fetch_add(add, std::memory_order_relaxed);
  const uint64_t old_bytes = table_bytes(t);
  epochs_.retire([this, t, old_bytes] {
    free_zeroed(t, old_bytes);
    bytes_.fetch_sub(old_bytes, std::memory_order_relaxed);
    mem_.add(-static_cast<int64_t>(old_bytes));
  });
}

bool ConcurrentIndex::insert_unique(uint64_t h, uint32_t id) {
  const size_t shard = h >> (64 - kShardBits);
  const uint64_t tag = (h >> (64 - kShardBits - kTagBits)) & ((uint64_t(1) << kTagBits) - 1);
  Lock& lk = locks_[shard];
  lk.lock();
  uint64_t* t = tables_[shard].load(std::memory_order_relaxed);
  if ((lk.count + 1) * 16 > (t[0] + 1) * 13) {
    uint64_t* g = grow(shard, t);
    if (!g) {
      lk.unlock();
      return false;
    }
    t = g;
  }
  const uint64_t mask = t[0];
  uint64_t i = tag & mask;
  while (slot(t, i).load(std::memory_order_relaxed) != 0) i = (i + 1) & mask;
  slot(t, i).store((tag << kIdBits) | (uint64_t(id) + 1), std::memory_order_release);
  ++lk.count;
  lk.unlock();
  return true;
}

uint64_t ConcurrentIndex::size() const {
  uint64_t n = 0;
  for (size_t s = 0; s < kShards; ++s) n += locks_[s].count;
  return n;
}

void ConcurrentIndex::clear() {
  epochs_.reclaim();
  for (size_t s = 0; s < kShards; ++s) {
    uint64_t* t = tables_[s].load(std::memory_order_relaxed);
    std::memset(t + 1, 0, (t[0] + 1) * sizeof(uint64_t));
    locks_[s].count = 0;
  }
}

}  // namespace ptcheck::explore
