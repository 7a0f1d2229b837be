#include "explore/tree_store.h"

#include <algorithm>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"

namespace ptcheck::explore {

namespace {
constexpr uint64_t kUnusedRoot = ~uint64_t(0);
constexpr size_t kArenaChunk = size_t(1) << 20;
const uint8_t kZeros[TreeStore::kMaxLeaf] = {};

// splitmix64's finalizer: every key bit reaches the high bits the index uses.
inline uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}
inline uint64_t pair(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }
}  // namespace

TreeStore::TreeStore(const StateShape& shape, MemoryAccount& mem)
    : StateStorage(mem),
      size_(shape.size),
      leaf_loc_(mem),
      node_keys_(mem),
      root_keys_(mem),
      leaf_index_(mem, epochs_),
      node_index_(mem, epochs_),
      root_index_(mem, epochs_) {
  for (size_t i = 0; i + 1 < shape.cuts.size(); ++i) {
    // Pieces longer than a leaf are cut further.
    for (uint32_t o = shape.cuts[i]; o < shape.cuts[i + 1]; o += kMaxLeaf) {
      leaf_off_.push_back(o);
      leaf_len_.push_back(std::min(kMaxLeaf, shape.cuts[i + 1] - o));
    }
  }
  n_leaves_ = static_cast<uint32_t>(leaf_off_.size());
  while (pow2_ < n_leaves_) pow2_ *= 2;
  leaf_ids_.set_next(1);  // 0: the all-zero leaf
  node_ids_.set_next(1);  // 0: the pair (0, 0)
}

TreeStore::~TreeStore() {
  for (auto& [p, n] : arena_chunks_) free_zeroed(p, n);
  mem_.add(-static_cast<int64_t>(arena_bytes_));
}

uint64_t TreeStore::bytes() const {
  return base_bytes() + leaf_loc_.bytes() + node_keys_.bytes() + root_keys_.bytes() + leaf_index_.bytes() +
         node_index_.bytes() + root_index_.bytes() + arena_bytes_;
}

bool TreeStore::ensure_states(uint64_t first, uint64_t n) {
  if (!root_keys_.ensure(first, n)) return false;
  for (uint64_t i = first; i < first + n; ++i) root_keys_[i] = kUnusedRoot;
  return true;
}

uint8_t* TreeStore::arena_alloc(Arena& a, size_t n) {
  if (a.left < n) {
    if (!mem_.try_add(kArenaChunk)) return nullptr;
    auto* p = static_cast<uint8_t*>(alloc_zeroed(kArenaChunk));
    if (!p) {
      mem_.add(-static_cast<int64_t>(kArenaChunk));
      mem_.mark_exceeded();
      return nullptr;
    }
    std::lock_guard<std::mutex> g(arena_mu_);
    arena_chunks_.emplace_back(p, kArenaChunk);
    arena_bytes_ += kArenaChunk;
    a.at = p;
    a.left = kArenaChunk;
  }
  uint8_t* r = a.at;
  a.at += n;
  a.left -= n;
  return r;
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
  auto make = [&]() -> uint32_t {
    if (ids.empty()) {
      uint64_t first = leaf_ids_.reserve();
      if (first + IdBlocks::kBlock >= kNoId || !leaf_loc_.ensure(first, IdBlocks::kBlock)) return kNoId;
      ids.next = first;
      ids.end = first + IdBlocks::kBlock;
    }
    uint8_t* r = arena_alloc(arena, 8 + (len + 7) / 8 * 8);
    if (!r) return kNoId;
    std::memcpy(r, &len, 4);
    std::memcpy(r + 8, p, len);
    uint32_t id = static_cast<uint32_t>(ids.next++);
    leaf_loc_[id] = reinterpret_cast<uint64_t>(r);
    return id;
  };
  uint32_t id = kNoId;
  leaf_index_.find_or_insert(h, eq, make, id);
  return id;
}

uint32_t TreeStore::intern_node(uint64_t key, IdCursor& ids) {
  if (key == 0) return 0;
  auto eq = [&](uint32_t id) { return node_keys_[id] == key; };
  auto make = [&]() -> uint32_t {
    if (ids.empty()) {
      uint64_t first = node_ids_.reserve();
      if (first + IdBlocks::kBlock >= kNoId || !node_keys_.ensure(first, IdBlocks::kBlock)) return kNoId;
      ids.next = first;
      ids.end = first + IdBlocks::kBlock;
    }
    uint32_t id = static_cast<uint32_t>(ids.next++);
    node_keys_[id] = key;
    return id;
  };
  uint32_t id = kNoId;
  node_index_.find_or_insert(mix(key), eq, make, id);
  return id;
}

Found TreeStore::intern_root(uint64_t key, IdCursor& ids) {
  auto eq = [&](uint32_t id) { return root_keys_[id] == key; };
  auto make = [&]() -> uint32_t {
    StateId id = take_state_id(ids);
    if (id == kNoState) return kNoId;
    root_keys_[id] = key;
    return id;
  };
  Found f;
  auto o = root_index_.find_or_insert(mix(key ^ 0x5bd1e995u), eq, make, f.id);
  f.is_new = o == ConcurrentIndex::Outcome::New;
  f.full = o == ConcurrentIndex::Outcome::Full;
  return f;
}

// ---------------------------------------------------------------------------

class TreeCursor final : public StoreCursor {
 public:
  explicit TreeCursor(TreeStore& st)
      : st_(st), base_(std::max<uint32_t>(st.size_, 1)), tree_(2 * st.pow2_ - 1, kNoId) {}

  const uint8_t* materialize(StateId id) override {
    if (id == base_id_) return base_.data();
    const uint64_t root = st_.root_keys_[id];
    // Walk down from the root's children, skipping subtrees equal to the
    // ones already in base_.
    stack_.clear();
    stack_.push_back({1, uint32_t(root >> 32)});
    stack_.push_back({2, uint32_t(root)});
    const uint32_t first_leaf = st_.pow2_ - 1;
    while (!stack_.empty()) {
      auto [pos, nid] = stack_.back();
      stack_.pop_back();
      if (tree_[pos] == nid) continue;
      tree_[pos] = nid;
      if (pos >= first_leaf) {
        uint32_t j = pos - first_leaf;
        if (j >= st_.n_leaves_) continue;
        uint8_t* dst = base_.data() + st_.leaf_off_[j];
        if (nid == 0) std::memset(dst, 0, st_.leaf_len_[j]);
        else std::memcpy(dst, st_.leaf_record(nid) + 8, st_.leaf_len_[j]);
        continue;
      }
      const uint64_t key = nid == 0 ? 0 : st_.node_keys_[nid];
      stack_.push_back({2 * pos + 1, uint32_t(key >> 32)});
      stack_.push_back({2 * pos + 2, uint32_t(key)});
    }
    base_id_ = id;
    return base_.data();
  }

  Found find_or_insert(const uint8_t* s) override {
    if (base_id_ == kNoState) return insert_full(s);
    const uint32_t first_leaf = st_.pow2_ - 1;
    undo_.clear();
    level_.clear();
    for (uint32_t j = 0; j < st_.n_leaves_; ++j) {
      const uint32_t off = st_.leaf_off_[j], len = st_.leaf_len_[j];
      if (std::memcmp(s + off, base_.data() + off, len) == 0) continue;
      uint32_t lid = st_.intern_leaf(s + off, len, leaf_ids_, arena_);
      if (lid == kNoId) return restore_full();
      const uint32_t pos = first_leaf + j;
      if (lid == tree_[pos]) continue;
      undo_.push_back({pos, tree_[pos]});
      tree_[pos] = lid;
      const uint32_t parent = (pos - 1) / 2;
      if (level_.empty() || level_.back() != parent) level_.push_back(parent);
    }
    if (level_.empty()) return Found{base_id_, false, false};
    // Up the tree, one level at a time: positions of a level ascend, so their
    // parents do too and duplicates are adjacent.
    while (!(level_.size() == 1 && level_[0] == 0)) {
      next_.clear();
      for (uint32_t pos : level_) {
        if (pos == 0) {  // the root sits with a shallower leaf's parents only when the tree is tiny
          if (next_.empty() || next_.back() != 0) next_.push_back(0);
          continue;
        }
        uint32_t nid = st_.intern_node(pair(tree_[2 * pos + 1], tree_[2 * pos + 2]), node_ids_);
        if (nid == kNoId) return restore_full();
        undo_.push_back({pos, tree_[pos]});
        tree_[pos] = nid;
        const uint32_t parent = (pos - 1) / 2;
        if (next_.empty() || next_.back() != parent) next_.push_back(parent);
      }
      level_.swap(next_);
    }
    Found f = st_.intern_root(pair(tree_[1], tree_[2]), state_ids_);
    restore();
    return f;
  }

  void new_layer() override { state_ids_.drop(); }

 private:
  struct Item {
    uint32_t pos, id;
  };
  void restore() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) tree_[it->first] = it->second;
    undo_.clear();
  }
  Found restore_full() {
    restore();
    return Found{kNoState, false, true};
  }
  // No base: intern every leaf and node; the state becomes the base.
  Found insert_full(const uint8_t* s) {
    const uint32_t first_leaf = st_.pow2_ - 1;
    std::vector<uint32_t> t(2 * st_.pow2_ - 1, 0);
    for (uint32_t j = 0; j < st_.n_leaves_; ++j) {
      uint32_t lid = st_.intern_leaf(s + st_.leaf_off_[j], st_.leaf_len_[j], leaf_ids_, arena_);
      if (lid == kNoId) return Found{kNoState, false, true};
      t[first_leaf + j] = lid;
    }
    for (uint32_t pos = first_leaf; pos-- > 1;) {
      t[pos] = st_.intern_node(pair(t[2 * pos + 1], t[2 * pos + 2]), node_ids_);
      if (t[pos] == kNoId) return Found{kNoState, false, true};
    }
    Found f = st_.intern_root(pair(t[1], t[2]), state_ids_);
    if (f.full) return f;
    tree_ = std::move(t);
    std::memcpy(base_.data(), s, st_.size_);
    base_id_ = f.id;
    return f;
  }

  TreeStore& st_;
  std::vector<uint8_t> base_;
  std::vector<uint32_t> tree_;
  StateId base_id_ = kNoState;
  IdCursor state_ids_, node_ids_, leaf_ids_;
  TreeStore::Arena arena_;
  std::vector<std::pair<uint32_t, uint32_t>> undo_;
  std::vector<uint32_t> level_, next_;
  std::vector<Item> stack_;
};

std::unique_ptr<StoreCursor> TreeStore::cursor() { return std::make_unique<TreeCursor>(*this); }

// ---------------------------------------------------------------------------
// Checkpoints: leaves (id, length, bytes), node keys, the first `keep` roots,
// then parents and labels; the indexes are rebuilt on load.

void TreeStore::save(std::FILE* f, StateId keep) const {
  put<uint32_t>(f, size_, "tree header");
  put<uint32_t>(f, n_leaves_, "tree header");
  const uint64_t nl = leaf_ids_.next(), nn = node_ids_.next();
  put<uint64_t>(f, nl, "leaves");
  for (uint64_t id = 1; id < nl; ++id) {
    uint32_t len = 0;
    const uint8_t* r = leaf_loc_.present(id) ? leaf_record(static_cast<uint32_t>(id)) : nullptr;
    if (r) std::memcpy(&len, r, 4);
    put<uint32_t>(f, len, "leaves");
    put_bytes(f, r ? r + 8 : nullptr, len, "leaves");
  }
  put<uint64_t>(f, nn, "nodes");
  for (uint64_t id = 1; id < nn; ++id) put<uint64_t>(f, node_keys_.present(id) ? node_keys_[id] : 0, "nodes");
  put<uint64_t>(f, keep, "roots");
  for (uint64_t id = 0; id < keep; ++id) put<uint64_t>(f, root_keys_[id], "roots");
  save_base(f, keep);
}

void TreeStore::load(std::FILE* f) {
  if (get<uint32_t>(f, "tree header") != size_ || get<uint32_t>(f, "tree header") != n_leaves_)
    throw CheckpointError("the checkpoint was written for a different state layout");
  const uint64_t nl = get<uint64_t>(f, "leaves");
  if (nl >= kNoId) throw CheckpointError("the checkpoint is corrupt (leaves)");
  Arena arena;
  if (!leaf_loc_.ensure(0, std::max<uint64_t>(nl, 1))) throw CheckpointError("out of memory loading leaves");
  std::vector<uint8_t> buf;
  for (uint64_t id = 1; id < nl; ++id) {
    uint32_t len = get<uint32_t>(f, "leaves");
    if (len > kMaxLeaf) throw CheckpointError("the checkpoint is corrupt (leaf length)");
    if (!len) continue;
    buf.resize(len);
    get_bytes(f, buf.data(), len, "leaves");
    uint8_t* r = arena_alloc(arena, 8 + (len + 7) / 8 * 8);
    if (!r) throw CheckpointError("out of memory loading leaves");
    std::memcpy(r, &len, 4);
    std::memcpy(r + 8, buf.data(), len);
    leaf_loc_[id] = reinterpret_cast<uint64_t>(r);
    if (!leaf_index_.insert_unique(XXH3_64bits_withSeed(buf.data(), len, len), static_cast<uint32_t>(id)))
      throw CheckpointError("out of memory indexing leaves");
  }
  leaf_ids_.set_next(nl);
  const uint64_t nn = get<uint64_t>(f, "nodes");
  if (nn >= kNoId || !node_keys_.ensure(0, std::max<uint64_t>(nn, 1))) throw CheckpointError("cannot load nodes");
  for (uint64_t id = 1; id < nn; ++id) {
    uint64_t k = get<uint64_t>(f, "nodes");
    node_keys_[id] = k;
    if (k && !node_index_.insert_unique(mix(k), static_cast<uint32_t>(id)))
      throw CheckpointError("out of memory indexing nodes");
  }
  node_ids_.set_next(nn);
  const uint64_t keep = get<uint64_t>(f, "roots");
  if (keep >= kNoId) throw CheckpointError("the checkpoint is corrupt (roots)");
  uint64_t blocks = (keep + IdBlocks::kBlock - 1) / IdBlocks::kBlock * IdBlocks::kBlock;
  if (blocks && !ensure_states(0, blocks)) throw CheckpointError("out of memory loading states");
  for (uint64_t id = 0; id < keep; ++id) {
    uint64_t k = get<uint64_t>(f, "roots");
    root_keys_[id] = k;
    if (k != kUnusedRoot && !root_index_.insert_unique(mix(k ^ 0x5bd1e995u), static_cast<uint32_t>(id)))
      throw CheckpointError("out of memory indexing states");
  }
  load_base(f);
}

}  // namespace ptcheck::explore
