// The tree store on its own: identity (equal vectors get one id, different
// vectors different ids), materialize round trips, rebuilds of the node
// tables (many of them, from the smallest tables) while cursors on several
// threads insert and read, the memory limit, and checkpoints.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "explore/binio.h"
#include "explore/node_table.h"
#include "explore/tree_store.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

namespace {

// A shape of `pieces` pieces of 8..72 bytes (so some are cut further).
StateShape shape_of(unsigned pieces, uint32_t seed) {
  std::mt19937 rng(seed);
  StateShape s;
  uint32_t at = 0;
  for (unsigned i = 0; i < pieces; ++i) {
    s.cuts.push_back(at);
    at += 8 + rng() % 65;
  }
  s.cuts.push_back(at);
  s.size = at;
  return s;
}

// State number n: n itself and a few words derived from its digits, the rest
// zero or constant, so vectors share most leaves (as explored states do).
std::vector<uint8_t> state_of(uint64_t n, uint32_t size) {
  std::vector<uint8_t> v(size, 0);
  for (uint32_t i = 0; i < size; i += 97) v[i] = 0x5a;
  uint64_t x = n;
  for (unsigned d = 0; x || d == 0; ++d, x /= 7) {
    uint32_t at = (d * 131 + 17) % (size - 8);
    uint64_t w = x % 7 + 1 + (uint64_t(d) << 8);
    std::memcpy(&v[at], &w, 8);
  }
  std::memcpy(&v[0], &n, 8);  // distinct n, distinct vectors
  return v;
}

}  // namespace

TEST_GROUP(NodeTable){};

TEST(NodeTable, GrowthSizes) {
  LONGS_EQUAL(2 * NodeTable::kMinCap, NodeTable::grown(NodeTable::kMinCap));
  LONGS_EQUAL(NodeTable::kMaxCap, NodeTable::grown(NodeTable::kMaxCap / 2 + 1));
  uint64_t cap = NodeTable::kMinCap;
  unsigned steps = 0;
  while (cap < (uint64_t(1) << 30)) {
    const uint64_t next = NodeTable::grown_tight(cap);
    CHECK(next > cap);
    CHECK(next <= cap + cap / 4 + 64);
    LONGS_EQUAL(0, next % 64);
    cap = next;
    ++steps;
  }
  CHECK(steps > 60);
  LONGS_EQUAL(NodeTable::kMaxCap, NodeTable::grown_tight(NodeTable::kMaxCap - 1));
}

// A table of a size that is no power of two: ids are slots in range, one per
// key, stable, until the load limit answers kGrow.
TEST(NodeTable, AnySizeUpToTheLoadLimit) {
  MemoryAccount mem(0);
  const uint64_t cap = NodeTable::grown_tight(NodeTable::grown_tight(uint64_t(1) << 14));  // 25,600
  CHECK(cap & (cap - 1));
  NodeTable t(mem, cap);
  std::map<uint32_t, uint64_t> key_of;
  uint64_t k = 0;
  for (; k < NodeTable::limit_of(cap); ++k) {
    bool ins = false;
    const uint64_t key = (k + 1) * 0x9e3779b97f4a7c15ull;
    const uint32_t id = t.find_or_put(key, ins);
    CHECK(ins);
    CHECK(id != 0 && id < cap);
    CHECK(key_of.emplace(id, key).second);
  }
  LONGS_EQUAL(NodeTable::limit_of(cap), t.count());
  bool ins = false;
  LONGS_EQUAL(NodeTable::kGrow, t.find_or_put(0x1234567ull, ins));
  for (auto& [id, key] : key_of) {
    ins = false;
    LONGS_EQUAL(id, t.find_or_put(key, ins));
    CHECK(!ins);
    LONGS_EQUAL(key, t.key(id));
  }
}

TEST_GROUP(TreeStore){};

TEST(TreeStore, IdsAreIdentityAndMaterializeRoundTrips) {
  MemoryAccount mem(0);
  StateShape sh = shape_of(40, 1);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  std::map<StateId, uint64_t> who;
  const uint64_t n = 60000;  // enough for several rebuilds from 1,024-slot tables
  for (uint64_t i = 0; i < n; ++i) {
    auto v = state_of(i, sh.size);
    if (i % 5 == 0 && i) c->materialize(who.rbegin()->first / 2);  // vary the cursor's base
    Found f = c->find_or_insert(v.data());
    CHECK(!f.full);
    CHECK(f.is_new);
    CHECK(who.emplace(f.id, i).second);
  }
  CHECK(st.rebuilds() > 3);
  auto c2 = st.cursor();
  for (auto [id, i] : who) {
    auto v = state_of(i, sh.size);
    MEMCMP_EQUAL(v.data(), c2->materialize(id), sh.size);
    Found f = c2->find_or_insert(v.data());
    CHECK(!f.is_new);
    LONGS_EQUAL(id, f.id);
  }
}

// Every one of `threads` threads inserts every one of n states (n prime,
// so that each thread's stride visits them all, in its own order), now and
// then reading one back; all must agree on the ids, exactly one insertion of
// each state is new, and every state reads back whole from a fresh cursor.
static void inserts_from_threads(TreeStore& st, const StateShape& sh, unsigned threads, uint64_t n) {
  std::vector<std::vector<StateId>> ids(threads, std::vector<StateId>(n, kNoState));
  std::vector<uint64_t> news(threads, 0);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      auto c = st.cursor();
      for (uint64_t k = 0; k < n; ++k) {
        uint64_t i = (k * (2 * t + 1) + t * 7919) % n;
        auto v = state_of(i, sh.size);
        Found f = c->find_or_insert(v.data());
        if (f.full) return;
        ids[t][i] = f.id;
        news[t] += f.is_new;
        if (k % 3 == 0) {
          const uint8_t* m = c->materialize(f.id);
          if (std::memcmp(m, v.data(), sh.size) != 0) ids[t][i] = kNoState;  // flagged below
        }
      }
    });
  for (auto& t : ts) t.join();
  CHECK(st.rebuilds() > 3);
  uint64_t total = 0;
  for (unsigned t = 0; t < threads; ++t) total += news[t];
  LONGS_EQUAL(n, total);
  for (uint64_t i = 0; i < n; ++i)
    for (unsigned t = 0; t < threads; ++t) {
      CHECK(ids[t][i] != kNoState);
      LONGS_EQUAL(ids[0][i], ids[t][i]);
    }
  auto c = st.cursor();
  for (uint64_t i = 0; i < n; ++i) {
    auto v = state_of(i, sh.size);
    MEMCMP_EQUAL(v.data(), c->materialize(ids[0][i]), sh.size);
    Found f = c->find_or_insert(v.data());
    CHECK(!f.is_new);
    LONGS_EQUAL(ids[0][i], f.id);
  }
}

TEST(TreeStore, ConcurrentInsertsAcrossRebuilds) {
  MemoryAccount mem(0);
  StateShape sh = shape_of(64, 2);
  TreeStore st(sh, mem);
  inserts_from_threads(st, sh, 4, 40009);
}

// The same with rebuilds cut into chunks of 64 slots or roots, which the
// parked cursors take (and insert into the new tables side by side with
// the rebuilding one).
TEST(TreeStore, ConcurrentInsertsAcrossSharedRebuilds) {
  MemoryAccount mem(0);
  StateShape sh = shape_of(64, 5);
  TreeStore st(sh, mem);
  st.set_rebuild_grain(64);
  inserts_from_threads(st, sh, 3, 30011);
}

// take_changed() names every block in which the cursor's buffer changed
// since the previous call: across materializations of other states, the
// re-walk after a rebuild, and inserts (which leave the buffer as it is).
TEST(TreeStore, TakeChangedNamesEveryChangedBlock) {
  MemoryAccount mem(0);
  StateShape sh = shape_of(48, 6);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  std::vector<StateId> ids;
  const uint8_t* buf = nullptr;
  std::vector<uint8_t> at_take;  // the buffer at the previous take_changed()
  std::mt19937 rng(6);
  uint64_t named = 0, checks = 0;
  for (uint64_t i = 0; i < 20000; ++i) {
    auto v = state_of(i, sh.size);
    Found f = c->find_or_insert(v.data());
    CHECK(!f.full);
    ids.push_back(f.id);
    if (i % 3) continue;
    buf = c->materialize(ids[rng() % ids.size()]);
    if (i % 2) buf = c->materialize(ids[rng() % ids.size()]);  // two in a row, one take
    const uint64_t* blocks = c->take_changed();
    CHECK(blocks != nullptr);
    if (!at_take.empty())
      for (uint32_t b = 0; b * 64 < sh.size; ++b) {
        const uint32_t len = std::min<uint32_t>(64, sh.size - b * 64);
        const bool marked = blocks[b / 64] >> (b % 64) & 1;
        named += marked;
        ++checks;
        if (!marked) CHECK_TEXT(std::memcmp(at_take.data() + b * 64, buf + b * 64, len) == 0, "a changed block not named");
      }
    at_take.assign(buf, buf + sh.size);
  }
  CHECK(st.rebuilds() > 2);
  CHECK(named > 0 && named < checks);  // neither nothing nor everything
}

TEST(TreeStore, MemoryLimitAnswersFull) {
  MemoryAccount mem(3u << 20);  // 3 MiB: the first tables fit, growth does not go far
  StateShape sh = shape_of(40, 3);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  bool full = false;
  uint64_t stored = 0;
  for (uint64_t i = 0; i < 2000000 && !full; ++i) {
    auto v = state_of(i, sh.size);
    Found f = c->find_or_insert(v.data());
    full = f.full;
    stored += f.is_new;
  }
  CHECK(full);
  CHECK(mem.exceeded());
  CHECK(mem.peak() <= mem.limit());
  // Before it answered full, the levels grew by 1.25x where doubling no
  // longer fitted.
  CHECK(st.tight_rebuilds() > 0);
  // What was stored is still there.
  auto v = state_of(stored / 2, sh.size);
  Found f = c->find_or_insert(v.data());
  CHECK(!f.is_new);
}

TEST(TreeStore, CheckpointRoundTrip) {
  MemoryAccount mem(0);
  StateShape sh = shape_of(30, 4);
  std::FILE* f = std::tmpfile();
  CHECK(f);
  const uint64_t n = 20000;
  std::vector<StateId> ids(n);
  {
    TreeStore st(sh, mem);
    auto c = st.cursor();
    for (uint64_t i = 0; i < n; ++i) {
      auto v = state_of(i, sh.size);
      ids[i] = c->find_or_insert(v.data()).id;
      st.parent(ids[i]) = i ? ids[i - 1] : kNoState;
      st.label(ids[i]) = Label(i);
    }
    st.save(f, st.next_id());
  }
  std::rewind(f);
  TreeStore st(sh, mem);
  st.load(f);
  std::fclose(f);
  auto c = st.cursor();
  for (uint64_t i = 0; i < n; i += 7) {
    auto v = state_of(i, sh.size);
    MEMCMP_EQUAL(v.data(), c->materialize(ids[i]), sh.size);
    LONGS_EQUAL(Label(i), st.label(ids[i]));
  }
  // The root index, rebuilt from the node tables by content hash, finds them.
  for (uint64_t i = 3; i < n; i += 5) {
    auto v = state_of(i, sh.size);
    Found g = c->find_or_insert(v.data());
    CHECK(!g.is_new);
    LONGS_EQUAL(ids[i], g.id);
  }
  // New states after the load, through more rebuilds.
  for (uint64_t i = n; i < 3 * n; ++i) {
    auto v = state_of(i, sh.size);
    CHECK(c->find_or_insert(v.data()).is_new);
  }
  auto v = state_of(5, sh.size);
  Found again = c->find_or_insert(v.data());
  CHECK(!again.is_new);
  LONGS_EQUAL(ids[5], again.id);
}

// The shape's layout order places the pieces: states come back byte for byte
// in any order, and two pieces that change together cost fewer new nodes side
// by side than far apart (the reason ModelSystem::shape() puts a thread's
// context next to its stack).
TEST(TreeStore, LayoutOrderKeepsStatesAndSharesPaths) {
  const StateShape apart = StateShape::uniform(64 * 64);  // 64 pieces of one leaf each
  StateShape together = apart;
  together.order.push_back(0);
  together.order.push_back(63);
  for (uint32_t i = 1; i < 63; ++i) together.order.push_back(i);
  auto state = [&](uint64_t n) {  // pieces 0 and 63 change together
    std::vector<uint8_t> v(apart.size, 0x11);
    std::memcpy(&v[0], &n, 8);
    std::memcpy(&v[63 * 64], &n, 8);
    return v;
  };
  uint64_t nodes[2];
  const StateShape* shapes[2] = {&apart, &together};
  for (int k = 0; k < 2; ++k) {
    MemoryAccount mem(0);
    TreeStore st(*shapes[k], mem);
    auto c = st.cursor();
    std::vector<StateId> ids;
    for (uint64_t n = 0; n < 5000; ++n) {
      auto v = state(n);
      Found f = c->find_or_insert(v.data());
      CHECK(f.is_new);
      ids.push_back(f.id);
    }
    auto c2 = st.cursor();
    for (uint64_t n = 0; n < 5000; n += 13) MEMCMP_EQUAL(state(n).data(), c2->materialize(ids[n]), apart.size);
    nodes[k] = st.nodes();
  }
  // Apart: two paths of 5 new nodes below the root; together: one.
  CHECK(nodes[1] * 3 < nodes[0] * 2);
}

TEST(TreeStore, CheckpointOfAnotherLayoutIsRefused) {
  MemoryAccount mem(0);
  const StateShape sh = StateShape::uniform(8 * 64);
  StateShape other = sh;
  other.order = {7, 6, 5, 4, 3, 2, 1, 0};
  std::FILE* f = std::tmpfile();
  CHECK(f);
  {
    TreeStore st(sh, mem);
    auto c = st.cursor();
    std::vector<uint8_t> v(sh.size, 3);
    StateId id = c->find_or_insert(v.data()).id;
    st.parent(id) = kNoState;
    st.save(f, st.next_id());
  }
  std::rewind(f);
  TreeStore st(other, mem);
  CHECK_THROWS(CheckpointError, st.load(f));
  std::fclose(f);
}

// A checkpoint image with any one byte changed (its low bit, or its high
// bit) is either refused with a CheckpointError or loads into trees that
// every state materializes from: the load checks node keys, leaves and
// parents against the layout before anything reads them (tree_store_io.cpp;
// before those checks, such images crashed the resume). Under ASan, the
// materializations read nothing outside the tables.
TEST(TreeStore, AlteredCheckpointIsRefusedOrReadable) {
  const StateShape sh = StateShape::uniform(8 * 8, 8);  // 8 leaves of 8 bytes: 3 node levels
  std::vector<uint8_t> image;
  StateId n = 0;
  {
    MemoryAccount mem(0);
    TreeStore st(sh, mem);
    auto c = st.cursor();
    for (uint64_t i = 0; i < 40; ++i) {
      std::vector<uint8_t> v(sh.size, 0);
      v[(i % 8) * 8] = uint8_t(i);
      v[(i * 3 % 8) * 8 + 1] = uint8_t(i / 3 + 1);
      Found f = c->find_or_insert(v.data());
      if (!f.is_new) continue;
      st.parent(f.id) = f.id ? f.id - 1 : kNoState;
      st.label(f.id) = Label(i);
    }
    n = st.next_id();
    std::FILE* f = std::tmpfile();
    CHECK(f);
    st.save(f, n);
    image.resize(static_cast<size_t>(std::ftell(f)));
    std::rewind(f);
    CHECK_EQUAL(image.size(), std::fread(image.data(), 1, image.size(), f));
    std::fclose(f);
  }
  uint64_t refused = 0, loaded = 0;
  for (size_t i = 0; i < image.size(); ++i) {
    for (uint8_t bit : {uint8_t(0x01), uint8_t(0x80)}) {
      std::vector<uint8_t> bad = image;
      bad[i] ^= bit;
      std::FILE* f = fmemopen(bad.data(), bad.size(), "rb");
      CHECK(f);
      MemoryAccount mem(uint64_t(64) << 20);  // a huge count is refused as out of memory
      TreeStore st(sh, mem);
      try {
        st.load(f);
        auto c = st.cursor();
        for (StateId id = 0; id < n; ++id)
          if (st.parent(id) != StateStorage::kUnusedParent) c->materialize(id);
        ++loaded;
      } catch (const CheckpointError&) {
        ++refused;
      }
      std::fclose(f);
    }
  }
  // Both happen: changed leaf bytes or labels load (the checkpoint's
  // checksum is what refuses those, checkpoint_test.cpp).
  CHECK(refused > image.size());
  CHECK(loaded > 0);
}

// 66 one-leaf pieces in a 128-leaf tree. Packed to the left, the two pieces
// that vary (64 and 65) would sit alone in the right half, under a chain of
// nodes each a copy of the one below, all new for every new combination
// (6 nodes a state); spread over the positions, they meet one level higher
// and the chain is gone (5 a state).
TEST(TreeStore, LeavesAreSpreadOverThePositions) {
  const StateShape sh = StateShape::uniform(66 * 64);
  MemoryAccount mem(0);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  std::vector<uint8_t> v(sh.size, 0x22);
  const uint64_t k = 50;
  for (uint64_t a = 0; a < k; ++a)
    for (uint64_t b = 0; b < k; ++b) {
      std::memcpy(&v[64 * 64], &a, 8);
      std::memcpy(&v[65 * 64], &b, 8);
      Found f = c->find_or_insert(v.data());
      CHECK(f.is_new);
      MEMCMP_EQUAL(v.data(), st.cursor()->materialize(f.id), sh.size);
    }
  CHECK(st.nodes() < k * k * 11 / 2);
}

// A cursor finds a successor's changed leaves by diffing it against its base
// 64 bytes at a time: a mask of the bytes that differ, and each leaf's bytes
// in the block (pieces of 8..72 bytes straddle the blocks; the state's last
// block is partial, and a state under 64 bytes is all partial block).
// Every single-byte change, at every offset, must be a new state that
// materializes back, and changing it back must find the base again.
static void every_single_byte_change_is_seen(const StateShape& sh) {
  MemoryAccount mem(0);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  std::vector<uint8_t> base = state_of(12345, sh.size);
  const Found b = c->find_or_insert(base.data());
  CHECK(b.is_new);
  for (uint32_t at = 0; at < sh.size; ++at) {
    std::vector<uint8_t> v = base;
    v[at] ^= 0x81;
    c->materialize(b.id);
    const Found f = c->find_or_insert(v.data());
    CHECK(f.is_new);
    CHECK(f.id != b.id);
    MEMCMP_EQUAL(v.data(), st.cursor()->materialize(f.id), sh.size);
    c->materialize(f.id);
    const Found back = c->find_or_insert(base.data());
    CHECK(!back.is_new);
    LONGS_EQUAL(b.id, back.id);
  }
}

TEST(TreeStore, EverySingleByteChangeIsSeen) {
  const StateShape sh = shape_of(23, 7);
  CHECK(sh.size % 64 != 0);
  every_single_byte_change_is_seen(sh);
}

TEST(TreeStore, EverySingleByteChangeOfAStateUnderABlockIsSeen) {
  StateShape sh;
  sh.cuts = {0, 8, 19, 40};  // three pieces, 40 bytes
  sh.size = 40;
  every_single_byte_change_is_seen(sh);
}

// SuccessorSink::diff_hint's path: a successor of the cursor's base with the
// blocks it may differ in. Named blocks are compared as without a hint (the
// same ids); a block the hint leaves out is taken as equal to the base (the
// contract: the hint over-approximates); a hint for another base than the
// cursor's is not used.
TEST(TreeStore, ADiffHintComparesOnlyItsBlocks) {
  const StateShape sh = shape_of(23, 7);
  const uint32_t nblk = (sh.size + kDiffBlockBytes - 1) / kDiffBlockBytes;
  CHECK(nblk <= 64);
  MemoryAccount mem(0);
  TreeStore st(sh, mem);
  auto c = st.cursor();
  std::vector<uint8_t> base = state_of(777, sh.size);
  const Found b = c->find_or_insert(base.data());
  const Found other = c->find_or_insert(state_of(778, sh.size).data());
  for (uint32_t at = 0; at < sh.size; at += 5) {
    std::vector<uint8_t> v = base;
    v[at] ^= 0x42;
    const uint64_t its_block = uint64_t(1) << (at / kDiffBlockBytes);
    const uint64_t all = ~uint64_t(0);
    c->materialize(b.id);
    const Found f = c->find_or_insert_from(v.data(), b.id, &its_block);
    CHECK(f.id != b.id);
    MEMCMP_EQUAL(v.data(), st.cursor()->materialize(f.id), sh.size);
    LONGS_EQUAL(f.id, c->find_or_insert_from(v.data(), b.id, &all).id);
    LONGS_EQUAL(f.id, c->find_or_insert(v.data()).id);
    // Left out of the hint: the change is not looked at.
    const uint64_t elsewhere = its_block == 1 ? 2 : 1;
    LONGS_EQUAL(b.id, c->find_or_insert_from(v.data(), b.id, &elsewhere).id);
    // A hint about another state than the one in hand is ignored.
    const uint64_t none = 0;
    LONGS_EQUAL(f.id, c->find_or_insert_from(v.data(), other.id, &none).id);
  }
}
