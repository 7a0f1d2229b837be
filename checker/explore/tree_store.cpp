#include "explore/tree_store.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/huge_alloc.h"

namespace ptcheck::explore {

namespace {
constexpr size_t kArenaChunk = kHugePage;
const uint8_t kZeros[TreeStore::kMaxLeaf] = {};

inline uint64_t pair(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }
}  // namespace

TreeStore::TreeStore(const StateShape& shape, MemoryAccount& mem)
    : StateStorage(mem),
      size_(shape.size),
      leaf_loc_(mem),
      root_keys_(mem),
      leaf_index_(mem, epochs_),
      root_index_(mem, epochs_) {
  // The pieces in the shape's layout order (a thread's context next to its
  // stack: transition_system.h); pieces longer than a leaf are cut further.
  for (uint32_t i : shape.layout()) {
    for (uint32_t o = shape.cuts[i]; o < shape.cuts[i + 1]; o += kMaxLeaf) {
      leaf_off_.push_back(o);
      leaf_len_.push_back(std::min(kMaxLeaf, shape.cuts[i + 1] - o));
    }
  }
  n_leaves_ = static_cast<uint32_t>(leaf_off_.size());
  while (pow2_ < n_leaves_) pow2_ *= 2;
  while ((1u << depth_) < pow2_) ++depth_;
  // Spread the leaves evenly over the tree's 2^k positions, the padding
  // (zero-length leaves, id 0) between them: packed to the left, the padding
  // fills the right of the tree, and every node above a right subtree of
  // padding alone is a copy of its left child, new whenever that child is
  // (ppc_mainline_frag_mix: 2.04 nodes per state packed, 1.23 spread).
  if (n_leaves_ < pow2_) {
    std::vector<uint32_t> off(pow2_, 0), len(pow2_, 0);
    for (uint32_t j = 0; j < n_leaves_; ++j) {
      uint32_t p = uint32_t(uint64_t(j) * pow2_ / n_leaves_);
      off[p] = leaf_off_[j];
      len[p] = leaf_len_[j];
    }
    leaf_off_ = off;
    leaf_len_ = len;
    n_leaves_ = pow2_;
  }
  // Each leaf position's weight in the content hash: the product of kLeft
  // and kRight along its path from the root (position 0).
  std::vector<uint64_t> w(2 * size_t(pow2_) - 1, 1);
  for (size_t pos = 1; pos < w.size(); ++pos) w[pos] = w[(pos - 1) / 2] * (pos % 2 ? kLeft : kRight);
  leaf_weight_.assign(w.begin() + (pow2_ - 1), w.end());
  // Each block's leaves, in ascending position (a leaf is at most 64 bytes,
  // so it spans at most two blocks), and their bytes in it.
  static_assert(kDiffBlock == 64, "a block's bytes are the bits of one word");
  const uint32_t blocks = (size_ + kDiffBlock - 1) / kDiffBlock;
  std::vector<std::vector<uint32_t>> of_block(blocks);
  for (uint32_t j = 0; j < n_leaves_; ++j)
    if (leaf_len_[j] != 0)
      for (uint32_t b = leaf_off_[j] / kDiffBlock; b <= (leaf_off_[j] + leaf_len_[j] - 1) / kDiffBlock; ++b)
        of_block[b].push_back(j);
  block_first_.push_back(0);
  for (uint32_t b = 0; b < blocks; ++b) {
    for (uint32_t j : of_block[b]) {
      // The bytes of leaf j inside block b, as bits of the block.
      const uint32_t lo = std::max(leaf_off_[j], b * kDiffBlock) - b * kDiffBlock;
      const uint32_t hi = std::min(leaf_off_[j] + leaf_len_[j], (b + 1) * kDiffBlock) - b * kDiffBlock;
      const uint64_t below_hi = hi == 64 ? ~uint64_t(0) : (uint64_t(1) << hi) - 1;
      block_leaves_.push_back(j);
      block_masks_.push_back(below_hi & ~((uint64_t(1) << lo) - 1));
    }
    block_first_.push_back(static_cast<uint32_t>(block_leaves_.size()));
  }
  levels_.resize(depth_);
  for (unsigned l = 1; l < depth_; ++l) levels_[l] = std::make_unique<NodeTable>(mem, NodeTable::kMinCap);
  leaf_ids_.set_next(1);  // 0: the all-zero leaf
}

TreeStore::~TreeStore() {
  for (auto& [p, n] : arena_chunks_) free_zeroed(p, n);
  mem_.add(-static_cast<int64_t>(arena_bytes_));
}

uint64_t TreeStore::bytes() const {
  uint64_t b = base_bytes() + leaf_loc_.bytes() + root_keys_.bytes() + leaf_index_.bytes() + root_index_.bytes() +
               arena_bytes_;
  for (unsigned l = 1; l < depth_; ++l) b += levels_[l]->bytes();
  return b;
}

uint64_t TreeStore::layout_hash() const {
  std::vector<uint32_t> v(leaf_off_);
  v.insert(v.end(), leaf_len_.begin(), leaf_len_.end());
  return XXH3_64bits(v.data(), v.size() * sizeof(uint32_t));
}

uint64_t TreeStore::nodes() const {
  uint64_t n = 0;
  for (unsigned l = 1; l < depth_; ++l) n += levels_[l]->count();
  return n;
}

bool TreeStore::ensure_states(uint64_t first, uint64_t n) {
  if (!root_keys_.ensure(first, n)) return false;
  for (uint64_t i = first; i < first + n; ++i) root_keys_[i] = kUnusedRoot;
  return true;
}

bool TreeStore::arena_reserve(Arena& a, size_t n) {
  if (a.left < n) {
    // A cursor's chunks grow from 64 KiB to kArenaChunk: a small run's few
    // hundred leaves do not cost a megabyte per explorer thread.
    const size_t size = std::max<size_t>(a.next_chunk, n);
    auto* p = static_cast<uint8_t*>(alloc_charged(mem_, size));
    if (!p) return false;
    prefault(p, size);
    std::lock_guard<std::mutex> g(arena_mu_);
    arena_chunks_.emplace_back(p, size);
    arena_bytes_ += size;
    a.at = p;
    a.left = size;
    a.next_chunk = std::min(2 * a.next_chunk, kArenaChunk);
  }
  return true;
}

uint8_t* TreeStore::arena_alloc(Arena& a, size_t n) {
  if (!arena_reserve(a, n)) return nullptr;
  uint8_t* r = a.at;
  a.at += n;
  a.left -= n;
  return r;
}

bool TreeStore::refill_leaf_ids(IdCursor& ids) {
  uint64_t first = leaf_ids_.reserve();
  if (first + IdBlocks::kBlock >= kNoId || !leaf_loc_.ensure(first, IdBlocks::kBlock)) return false;
  ids.next = first;
  ids.end = first + IdBlocks::kBlock;
  return true;
}

uint32_t TreeStore::intern_leaf(const uint8_t* p, uint32_t len, IdCursor& ids, Arena& arena) {
  if (std::memcmp(p, kZeros, len) == 0) return 0;
  const uint64_t h = XXH3_64bits_withSeed(p, len, len);
  auto eq = [&](uint32_t id) {
    const uint8_t* r = leaf_record(id);
    uint32_t rl;
    std::memcpy(&rl, r, 4);
    return rl == len && std::memcmp(r + 8, p, len) == 0;
  };
  // A new id block and arena room are taken before the index's lock, as in
  // intern_root (their first touches of fresh memory); failing there, make()
  // fails too.
  const size_t rec = 8 + (len + 7) / 8 * 8;
  auto prepare = [&] {
    if (ids.empty()) (void)refill_leaf_ids(ids);
    (void)arena_reserve(arena, rec);
  };
  auto make = [&]() -> uint32_t {
    if (ids.empty() && !refill_leaf_ids(ids)) return kNoId;
    uint8_t* r = arena_alloc(arena, rec);
    if (!r) return kNoId;
    std::memcpy(r, &len, 4);
    std::memcpy(r + 8, p, len);
    uint32_t id = static_cast<uint32_t>(ids.next++);
    leaf_loc_[id] = reinterpret_cast<uint64_t>(r);
    return id;
  };
  uint32_t id = kNoId;
  leaf_index_.find_or_insert(h, eq, make, prepare, id);
  return id;
}

Found TreeStore::intern_root(uint64_t key, uint64_t hash, IdCursor& ids) {
  auto eq = [&](uint32_t id) { return root_keys_[id] == key; };
  auto make = [&]() -> uint32_t {
    StateId id = take_state_id(ids);
    if (id == kNoState) return kNoId;
    root_keys_[id] = key;
    return id;
  };
  // A new block outside the index's lock (refill_state_ids); failing there,
  // make() fails too and the index answers Full.
  auto prepare = [&] {
    if (ids.empty()) (void)refill_state_ids(ids);
  };
  Found f;
  auto o = root_index_.find_or_insert(hash, eq, make, prepare, f.id);
  f.is_new = o == ConcurrentIndex::Outcome::New;
  f.full = o == ConcurrentIndex::Outcome::Full;
  return f;
}


// ---------------------------------------------------------------------------
// Rebuilds (see the file head of tree_store.h).

void TreeStore::add_gate(Gate* g) {
  std::lock_guard<std::mutex> lk(gates_mu_);
  gates_.push_back(g);
}

void TreeStore::remove_gate(Gate* g) {
  std::lock_guard<std::mutex> lk(gates_mu_);
  gates_.erase(std::remove(gates_.begin(), gates_.end(), g), gates_.end());
}

bool TreeStore::grow(Gate& self) {
  if (full_.load(std::memory_order_acquire)) return false;
  bool expected = false;
  if (!growing_.compare_exchange_strong(expected, true, std::memory_order_seq_cst)) return true;
  auto end = [this] {
    growing_.store(false, std::memory_order_seq_cst);
    job_seq_.fetch_add(1, std::memory_order_seq_cst);
    job_seq_.notify_all();
  };
  bool ok;
  {
    std::lock_guard<std::mutex> lk(gates_mu_);
    // Dekker with TreeCursor::enter(): it stores active then reads growing_,
    // this stored growing_ and reads active, all seq_cst.
    for (Gate* g : gates_) {
      if (g == &self) continue;
      for (unsigned spins = 0; g->active.load(std::memory_order_seq_cst); ++spins)
        if (spins > 64) std::this_thread::yield();
    }
    try {
      ok = rebuild(gates_.size() > 1);
    } catch (...) {
      // Half-rebuilt tables: every cursor throws from now on (TreeCursor::enter).
      broken_.store(true, std::memory_order_seq_cst);
      end();
      throw;
    }
    if (!ok) full_.store(true, std::memory_order_release);
    gen_.fetch_add(1, std::memory_order_release);
  }
  end();
  return ok;
}

void TreeStore::share(uint64_t n, uint64_t grain, const std::function<void(uint64_t, uint64_t)>& run, bool post) {
  Job job;
  job.run = &run;
  job.n = n;
  job.grain = grain;
  post = post && n > grain;
  if (post) {
    job_.store(&job, std::memory_order_seq_cst);
    job_seq_.fetch_add(1, std::memory_order_seq_cst);
    job_seq_.notify_all();
  }
  for (uint64_t b; (b = job.next.fetch_add(grain, std::memory_order_relaxed)) < n;) {
    const uint64_t e = std::min(n, b + grain);
    run(b, e);
    job.done.fetch_add(e - b, std::memory_order_release);
  }
  if (!post) return;
  // The chunks other cursors took: wait for them, then for every helper to
  // let go of the job (it lives on this stack).
  while (job.done.load(std::memory_order_acquire) < n) std::this_thread::yield();
  job_.store(nullptr, std::memory_order_seq_cst);
  while (helpers_in_.load(std::memory_order_seq_cst)) std::this_thread::yield();
}

bool TreeStore::help_rebuild() {
  helpers_in_.fetch_add(1, std::memory_order_seq_cst);
  bool took = false;
  // (A job whose chunks are all taken stays posted until the rebuilder's
  // last one is done: its next only grows past n meanwhile.)
  if (Job* job = job_.load(std::memory_order_seq_cst))
    for (uint64_t b; (b = job->next.fetch_add(job->grain, std::memory_order_relaxed)) < job->n;) {
      const uint64_t e = std::min(job->n, b + job->grain);
      (*job->run)(b, e);
      helped_chunks_.fetch_add(1, std::memory_order_relaxed);
      job->done.fetch_add(e - b, std::memory_order_release);
      took = true;
    }
  helpers_in_.fetch_sub(1, std::memory_order_release);
  return took;
}

void TreeStore::wait_rebuild() {
  for (unsigned spins = 0;;) {
    const uint64_t seq = job_seq_.load(std::memory_order_seq_cst);
    if (!growing_.load(std::memory_order_seq_cst)) return;
    if (help_rebuild()) {
      spins = 0;
      continue;
    }
    // Between two jobs (the rebuilder allocates the next level's table) a
    // short spin; then sleep until the next job or the end (grow() bumps
    // job_seq_ for both), instead of spending the core on yields for the
    // whole rebuild.
    if (++spins < 64) std::this_thread::yield();
    else job_seq_.wait(seq, std::memory_order_seq_cst);
  }
}

bool TreeStore::plan_growth(bool tight, std::vector<uint64_t>& new_cap, uint64_t& need) const {
  // Which levels grow: doubling, the full one and every one past 60% (it
  // would be next); tight, the full ones alone, by 1.25x. The others are
  // re-keyed in place of the same size once a level below them changed.
  new_cap.assign(depth_, 0);
  uint64_t transient = 0, grown = 0;
  bool any = false;
  for (unsigned l = depth_; l-- > 1;) {
    const NodeTable& t = level(l);
    uint64_t cap = t.capacity();
    if (tight ? t.count() >= NodeTable::limit_of(cap) : t.count() * 10 > cap * 6) {
      if (cap >= NodeTable::kMaxCap) return false;
      cap = tight ? NodeTable::grown_tight(cap) : NodeTable::grown(cap);
    }
    if (cap != t.capacity()) any = true;
    if (!any) continue;  // nothing below changed: this level keeps its ids
    new_cap[l] = cap;
    const uint64_t below = l + 1 < depth_ ? level(l + 1).capacity() * sizeof(uint32_t) : 0;
    transient = std::max(transient, cap * sizeof(uint64_t) + t.capacity() * sizeof(uint32_t) + below);
    grown += (cap - t.capacity()) * sizeof(uint64_t);
  }
  // The peak, at most: every level's growth, plus one level's new table and
  // two id maps on top of what is held.
  need = grown + transient;
  return true;
}

namespace {
// A rebuild's id map of one level (old slot -> new slot), in an alloc_zeroed
// block: huge pages for the re-keying's random reads, and no zeroing pass
// (each entry of a used slot is written; the others are never read, the
// keys naming used slots only).
struct IdMap {
  IdMap(MemoryAccount& mem, uint64_t n) : mem_(mem), n_(n), p_(static_cast<uint32_t*>(alloc_zeroed(bytes()))) {
    if (!p_) throw std::bad_alloc();
    mem_.add(static_cast<int64_t>(bytes()));
  }
  ~IdMap() {
    free_zeroed(p_, bytes());
    mem_.add(-static_cast<int64_t>(bytes()));
  }
  IdMap(const IdMap&) = delete;
  IdMap& operator=(const IdMap&) = delete;
  size_t bytes() const { return n_ * sizeof(uint32_t); }
  uint32_t* data() const { return p_; }

  MemoryAccount& mem_;
  uint64_t n_;
  uint32_t* p_;
};

// Moves the nodes in old slots [b, e) into `fresh`, re-keyed by `below` (the
// level below's id map; null when that level kept its ids), and records
// their new ids in `remap`. A software pipeline: the inserts land on random
// slots, and so do the reads of `below`, so both are prefetched some nodes
// ahead (the key kAheadKeys slots on, the insert kRing nodes on) instead of
// waiting on memory one node at a time.
template <bool Shared>
void move_nodes(const NodeTable& old, NodeTable& fresh, const uint32_t* below, uint32_t* remap, uint64_t b,
                uint64_t e) {
  constexpr uint64_t kAheadKeys = 16;
  constexpr unsigned kRing = 8;
  struct Pending {
    uint64_t key;
    uint32_t from;
  };
  Pending ring[kRing];
  uint64_t n = 0;
  for (uint64_t i = std::max<uint64_t>(b, 1); i < e; ++i) {
    if (below && i + kAheadKeys < e) {
      const uint64_t a = old.key(static_cast<uint32_t>(i + kAheadKeys));
      if (a) {
        __builtin_prefetch(&below[a >> 32]);
        __builtin_prefetch(&below[uint32_t(a)]);
      }
    }
    uint64_t k = old.key(static_cast<uint32_t>(i));
    if (!k) continue;
    if (below) k = pair(below[k >> 32], below[uint32_t(k)]);
    fresh.prefetch(k);
    Pending& p = ring[n % kRing];
    if (n >= kRing) remap[p.from] = fresh.put_unique<Shared>(p.key);
    p = {k, static_cast<uint32_t>(i)};
    ++n;
  }
  for (uint64_t m = n > kRing ? n - kRing : 0; m < n; ++m) {
    const Pending& p = ring[m % kRing];
    remap[p.from] = fresh.put_unique<Shared>(p.key);
  }
  fresh.add_count(n);
}
}  // namespace

bool TreeStore::rebuild(bool shared) {
  std::vector<uint64_t> new_cap;
  uint64_t need = 0;
  if (!plan_growth(false, new_cap, need) || !mem_.fits(need)) {
    if (!plan_growth(true, new_cap, need) || !mem_.fits(need)) return false;
    tight_rebuilds_.fetch_add(1, std::memory_order_relaxed);
  }
  if (std::all_of(new_cap.begin(), new_cap.end(), [](uint64_t c) { return c == 0; })) return true;

  std::unique_ptr<IdMap> below, remap;  // old id -> new id of the level below / this level
  for (unsigned l = depth_; l-- > 1;) {
    if (!new_cap[l]) continue;
    NodeTable& old = level(l);
    auto fresh = std::make_unique<NodeTable>(mem_, new_cap[l]);
    remap = std::make_unique<IdMap>(mem_, old.capacity());
    remap->data()[0] = 0;
    const uint32_t* bm = below ? below->data() : nullptr;
    uint32_t* rm = remap->data();
    NodeTable& f = *fresh;
    const std::function<void(uint64_t, uint64_t)> run = [&](uint64_t b, uint64_t e) {
      if (shared) move_nodes<true>(old, f, bm, rm, b, e);
      else move_nodes<false>(old, f, bm, rm, b, e);
    };
    share(old.capacity(), rebuild_grain_, run, shared);
    levels_[l] = std::move(fresh);
    below = std::move(remap);
  }
  // The roots pair level-1 ids: re-key them. Their index is by content hash,
  // which no id change touches, so it stays as it is.
  if (below) {
    const uint32_t* bm = below->data();
    const std::function<void(uint64_t, uint64_t)> run = [&](uint64_t b, uint64_t e) {
      for (uint64_t id = b; id < e; ++id) {
        if (!root_keys_.present(id)) continue;
        const uint64_t k = root_keys_[id];
        if (k == kUnusedRoot) continue;
        root_keys_[id] = pair(bm[k >> 32], bm[uint32_t(k)]);
      }
    };
    share(ids_.next(), rebuild_grain_, run, shared);
  }
  return true;
}

}  // namespace ptcheck::explore
