// The tree store's checkpoints (tree_store.h, checkpoint.h): leaves (id,
// length, bytes), each level's node keys, the first `keep` roots, then
// parents and labels. On load the tables are checked against the layout
// before anything reads them, and the indexes are rebuilt.
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"
#include "explore/tree_store.h"

namespace ptcheck::explore {

void TreeStore::save(std::FILE* f, StateId keep) const {
  put<uint32_t>(f, size_, "tree header");
  put<uint32_t>(f, n_leaves_, "tree header");
  put<uint64_t>(f, layout_hash(), "tree header");
  const uint64_t nl = leaf_ids_.next();
  put<uint64_t>(f, nl, "leaves");
  for (uint64_t id = 1; id < nl; ++id) {
    uint32_t len = 0;
    const uint8_t* r = leaf_loc_.present(id) ? leaf_record(static_cast<uint32_t>(id)) : nullptr;
    if (r) std::memcpy(&len, r, 4);
    put<uint32_t>(f, len, "leaves");
    put_bytes(f, r ? r + 8 : nullptr, len, "leaves");
  }
  // Each level: its capacity and its (slot, key) pairs; ids are slots.
  for (unsigned l = 1; l < depth_; ++l) {
    const NodeTable& t = level(l);
    put<uint64_t>(f, t.capacity(), "nodes");
    put<uint64_t>(f, t.count(), "nodes");
    for (uint64_t i = 1; i < t.capacity(); ++i)
      if (uint64_t k = t.key(static_cast<uint32_t>(i))) {
        put<uint32_t>(f, static_cast<uint32_t>(i), "nodes");
        put<uint64_t>(f, k, "nodes");
      }
  }
  put<uint64_t>(f, keep, "roots");
  for (uint64_t id = 0; id < keep; ++id) put<uint64_t>(f, root_keys_[id], "roots");
  save_base(f, keep);
}

void TreeStore::load(std::FILE* f) {
  if (get<uint32_t>(f, "tree header") != size_ || get<uint32_t>(f, "tree header") != n_leaves_ ||
      get<uint64_t>(f, "tree header") != layout_hash())
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
  for (unsigned l = 1; l < depth_; ++l) {
    const uint64_t cap = get<uint64_t>(f, "nodes");
    const uint64_t count = get<uint64_t>(f, "nodes");
    if (cap < NodeTable::kMinCap || cap > NodeTable::kMaxCap || count > NodeTable::limit_of(cap))
      throw CheckpointError("the checkpoint is corrupt (node table size)");
    if (!mem_.try_add(cap * sizeof(uint64_t))) throw CheckpointError("out of memory loading nodes");
    mem_.add(-static_cast<int64_t>(cap * sizeof(uint64_t)));
    levels_[l] = std::make_unique<NodeTable>(mem_, cap);
    for (uint64_t i = 0; i < count; ++i) {
      const uint32_t id = get<uint32_t>(f, "nodes");
      const uint64_t k = get<uint64_t>(f, "nodes");
      if (!levels_[l]->put_at(id, k)) throw CheckpointError("the checkpoint is corrupt (node slots)");
    }
  }
  const uint64_t keep = get<uint64_t>(f, "roots");
  if (keep >= kNoId) throw CheckpointError("the checkpoint is corrupt (roots)");
  uint64_t blocks = (keep + IdBlocks::kBlock - 1) / IdBlocks::kBlock * IdBlocks::kBlock;
  if (blocks && !ensure_states(0, blocks)) throw CheckpointError("out of memory loading states");
  for (uint64_t id = 0; id < keep; ++id) root_keys_[id] = get<uint64_t>(f, "roots");
  load_base(f);
  if (next_id() != keep) throw CheckpointError("the checkpoint is corrupt (state count)");
  check_loaded(keep);
  index_roots(keep);
}

// A checkpoint's checksum (checkpoint.cpp) catches a damaged file; this
// catches a well-formed one whose tables do not make a tree of this layout,
// before anything reads them: every node's children are ids of the level
// below (leaves, at the bottom), every state's tree reaches, at each leaf
// position, a stored leaf of that position's length (or the zero leaf), and
// the states with a root are the states with a parent (load_base checks the
// parents themselves).
void TreeStore::check_loaded(StateId keep) const {
  auto corrupt = [](const char* what) { return CheckpointError(std::string("the checkpoint is corrupt (") + what + ")"); };
  const uint64_t nl = leaf_ids_.next();
  const uint32_t first_leaf = pow2_ - 1;
  // The number of ids at tree position pos's level (leaves: the leaf ids).
  auto ids_at = [&](uint32_t pos) { return pos >= first_leaf ? nl : level(level_of(pos)).capacity(); };
  for (unsigned l = 1; l < depth_; ++l) {
    const NodeTable& t = level(l);
    const uint64_t below = l + 1 < depth_ ? level(l + 1).capacity() : nl;
    for (uint64_t i = 1; i < t.capacity(); ++i) {
      const uint64_t k = t.key(static_cast<uint32_t>(i));
      if ((k >> 32) >= below || uint32_t(k) >= below) throw corrupt("node keys");
    }
  }
  // The positions of a level whose subtrees hold the same leaf lengths form
  // a class (cls: at a leaf position, its length); a node is checked once
  // per class it is met in, a bit per (class, node id) a level: the trees
  // share most of their nodes, and the classes are few.
  std::vector<uint32_t> cls(2 * size_t(pow2_) - 1, 0), classes(depth_, 0);
  for (uint32_t j = 0; j < pow2_; ++j) cls[first_leaf + j] = leaf_len_[j];
  for (unsigned l = depth_; l-- > 1;) {
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> of;
    for (uint32_t pos = (1u << l) - 1; pos < (2u << l) - 1; ++pos)
      cls[pos] = of.try_emplace({cls[2 * pos + 1], cls[2 * pos + 2]}, static_cast<uint32_t>(of.size())).first->second;
    classes[l] = static_cast<uint32_t>(of.size());
  }
  std::vector<std::vector<uint64_t>> seen(depth_);
  uint64_t seen_bytes = 0;
  for (unsigned l = 1; l < depth_; ++l) seen_bytes += classes[l] * ((level(l).capacity() + 63) / 64) * 8;
  if (!mem_.try_add(seen_bytes)) throw CheckpointError("out of memory checking the checkpoint");
  struct Release {
    MemoryAccount& m;
    uint64_t n;
    ~Release() { m.add(-static_cast<int64_t>(n)); }
  } release{mem_, seen_bytes};
  for (unsigned l = 1; l < depth_; ++l) seen[l].assign(classes[l] * ((level(l).capacity() + 63) / 64), 0);
  std::vector<std::pair<uint32_t, uint32_t>> stack;
  for (uint64_t id = 0; id < keep; ++id) {
    const uint64_t root = root_keys_[id];
    const StateId up = parent(static_cast<StateId>(id));
    if ((root == kUnusedRoot) != (up == kUnusedParent)) throw corrupt("states");
    if (root == kUnusedRoot) continue;
    stack.assign({{1, uint32_t(root >> 32)}, {2, uint32_t(root)}});
    while (!stack.empty()) {
      const auto [pos, nid] = stack.back();
      stack.pop_back();
      if (nid >= ids_at(pos)) throw corrupt("roots");
      if (nid == 0) continue;  // the all-zero subtree (or leaf)
      if (pos >= first_leaf) {
        uint32_t len = 0;
        if (leaf_loc_[nid]) std::memcpy(&len, leaf_record(nid), 4);
        if (!leaf_loc_[nid] || len != leaf_len_[pos - first_leaf]) throw corrupt("leaves");
        continue;
      }
      const unsigned l = level_of(pos);
      const uint64_t bit = uint64_t(cls[pos]) * ((level(l).capacity() + 63) / 64) * 64 + nid;
      uint64_t& w = seen[l][bit / 64];
      if (w >> (bit % 64) & 1) continue;
      w |= uint64_t(1) << (bit % 64);
      const uint64_t k = level(l).key(nid);
      if (!k) throw corrupt("node slots");
      stack.push_back({2 * pos + 1, uint32_t(k >> 32)});
      stack.push_back({2 * pos + 2, uint32_t(k)});
    }
  }
}

void TreeStore::index_roots(StateId keep) {
  // Content hashes level by level from the leaves up, one array per level
  // (by node id: slot), two levels held at a time. Node 0 is the pair (0, 0).
  std::vector<uint64_t> below, here;
  auto hash_below = [&](uint32_t id) { return depth_ > 1 ? below[id] : leaf_hash(id); };
  for (unsigned l = depth_; l-- > 1;) {
    const NodeTable& t = level(l);
    if (!mem_.try_add(t.capacity() * sizeof(uint64_t)))
      throw CheckpointError("out of memory indexing states");
    here.assign(t.capacity(), 0);
    for (uint64_t i = 0; i < t.capacity(); ++i) {
      const uint64_t k = i ? t.key(static_cast<uint32_t>(i)) : 0;
      if (i && !k) continue;
      const uint32_t a = uint32_t(k >> 32), b = uint32_t(k);
      here[i] = l + 1 < depth_ ? node_hash(below[a], below[b]) : node_hash(leaf_hash(a), leaf_hash(b));
    }
    mem_.add(-static_cast<int64_t>(below.size() * sizeof(uint64_t)));
    below.swap(here);
    here.clear();
  }
  for (uint64_t id = 0; id < keep; ++id) {
    const uint64_t k = root_keys_[id];
    if (k == kUnusedRoot) continue;
    const uint64_t h = node_hash(hash_below(uint32_t(k >> 32)), hash_below(uint32_t(k)));
    if (!root_index_.insert_unique(h, static_cast<uint32_t>(id)))
      throw CheckpointError("out of memory indexing states");
  }
  mem_.add(-static_cast<int64_t>(below.size() * sizeof(uint64_t)));
}

}  // namespace ptcheck::explore
