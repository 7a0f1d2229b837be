// The concurrent hash index on its own: several threads insert the same keys
// in different orders, from the smallest shard tables up, so shards grow while
// other threads look keys up in them and wait to insert; every key must get
// one id, exactly one insertion of it must be new, and every key must be found
// afterwards, and the memory account must hold just the index's tables. Then
// the memory limit: an index that cannot grow answers Full, and never hangs.
#include <atomic>
#include <thread>
#include <vector>

#include "explore/concurrent_index.h"
#include "explore/mix64.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

namespace {

uint64_t hash_of(uint64_t k) { return mix64(k + 0x9e3779b97f4a7c15ull); }

// The keys behind the ids, as a store keeps them: id -> key, written by
// make() under the shard lock before the id is published.
struct Keys {
  explicit Keys(size_t n) : key(n), next(0) {}
  std::vector<std::atomic<uint64_t>> key;
  std::atomic<uint32_t> next;
};

ConcurrentIndex::Outcome insert(ConcurrentIndex& ix, Keys& ks, uint64_t k, uint32_t& id) {
  auto eq = [&](uint32_t i) { return ks.key[i].load(std::memory_order_acquire) == k; };
  auto make = [&]() -> uint32_t {
    const uint32_t i = ks.next.fetch_add(1);
    if (i >= ks.key.size()) return kNoId;
    ks.key[i].store(k, std::memory_order_release);
    return i;
  };
  return ix.find_or_insert(hash_of(k), eq, make, id);
}

}  // namespace

TEST_GROUP(ConcurrentIndex){};

TEST(ConcurrentIndex, ConcurrentInsertsWhileShardsGrow) {
  MemoryAccount mem(0);
  EpochDomain epochs;
  const unsigned threads = 4;
  epochs.set_threads(threads);
  ConcurrentIndex ix(mem, epochs);
  const uint64_t n = 200003;  // prime: each thread's stride visits every key
  Keys ks(n);
  std::vector<std::vector<uint32_t>> ids(threads, std::vector<uint32_t>(n, kNoId));
  std::vector<uint64_t> news(threads, 0);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (uint64_t j = 0; j < n; ++j) {
        if (j % 64 == 0) {
          epochs.quiesce(t);
          epochs.try_reclaim();
          epochs.announce(t);
        }
        const uint64_t k = (j * (2 * t + 1) + t * 7919) % n;
        uint32_t id = kNoId;
        const auto o = insert(ix, ks, k * 3 + 1, id);
        if (o == ConcurrentIndex::Outcome::Full) return;
        ids[t][k] = id;
        news[t] += o == ConcurrentIndex::Outcome::New;
      }
      epochs.quiesce(t);
    });
  for (auto& t : ts) t.join();
  uint64_t total = 0;
  for (unsigned t = 0; t < threads; ++t) total += news[t];
  LONGS_EQUAL(n, total);
  LONGS_EQUAL(n, ix.size());
  for (uint64_t k = 0; k < n; ++k) {
    CHECK(ids[0][k] != kNoId);
    for (unsigned t = 1; t < threads; ++t) LONGS_EQUAL(ids[0][k], ids[t][k]);
    const uint64_t key = k * 3 + 1;
    LONGS_EQUAL(ids[0][k], ix.find(hash_of(key), [&](uint32_t i) { return ks.key[i].load() == key; }));
  }
  // Tables grown by two threads at once (each maps one with the lock
  // released; the later one is given back) and the retired ones leave no
  // bytes behind in the account.
  epochs.reclaim();
  LONGS_EQUAL(ix.bytes(), mem.bytes());
}

TEST(ConcurrentIndex, AnIndexThatCannotGrowAnswersFull) {
  MemoryAccount probe(0);
  EpochDomain epochs;
  epochs.set_threads(1);
  // The limit leaves no room for any growth: the initial tables only.
  uint64_t initial = 0;
  {
    ConcurrentIndex sized(probe, epochs);
    initial = probe.bytes();
  }
  MemoryAccount mem(initial);
  ConcurrentIndex ix(mem, epochs);
  Keys ks(100000);
  uint64_t stored = 0;
  bool full = false;
  for (uint64_t k = 1; k < 100000 && !full; ++k) {
    uint32_t id = kNoId;
    const auto o = insert(ix, ks, k, id);
    full = o == ConcurrentIndex::Outcome::Full;
    stored += o == ConcurrentIndex::Outcome::New;
  }
  CHECK(full);
  CHECK(stored > 0);
  LONGS_EQUAL(stored, ix.size());
  CHECK(mem.bytes() <= initial);
}
