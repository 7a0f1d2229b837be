#pragma once
// Lossless tree compression (LTSmin's treedbs, Laarman et al., "Parallel tree
// compression"): the state vector is cut into leaves along its own structure
// (a thread's context, each stack slice, each struct page, each page's
// contents, each slab object, the globals, the RCU queue; at most 64 bytes a
// leaf). Each distinct leaf content is stored once (leaf id); a complete
// binary tree over the leaf ids is hash-consed bottom-up, every internal node
// being the pair of its children's ids (node id); the root pair is the state
// (state id). States that share most of their leaves share most of their
// nodes, so a new state typically costs its root and a node or two.
//
// Incremental: a cursor keeps the tree of the state it materialized last;
// inserting a successor interns only the leaves that differ from it and the
// nodes on their paths to the root. Materializing walks down from the root
// and skips every subtree equal to the one already in the buffer, so
// consecutive frontier states (often siblings) cost little.
//
// Ids 0 are reserved: leaf 0 is all zero bytes, node 0 the pair (0, 0), so
// zero regions (unused stack, padding leaves) are never stored or looked up.
#include <mutex>
#include <vector>

#include "explore/storage.h"

namespace ptcheck::explore {

class TreeStore final : public StateStorage {
 public:
  static constexpr uint32_t kMaxLeaf = 64;

  TreeStore(const StateShape& shape, MemoryAccount& mem);
  ~TreeStore() override;

  const char* name() const override { return "tree"; }
  std::unique_ptr<StoreCursor> cursor() override;
  uint64_t bytes() const override;
  void save(std::FILE* f, StateId keep) const override;
  void load(std::FILE* f) override;

  uint64_t nodes() const { return node_index_.size(); }
  uint64_t leaves() const { return leaf_index_.size(); }

 private:
  friend class TreeCursor;
  struct Arena {  // one cursor's current chunk of leaf bytes
    uint8_t* at = nullptr;
    size_t left = 0;
  };
  bool ensure_states(uint64_t first, uint64_t n) override;
  // 0 for all-zero bytes; kNoId when memory runs out.
  uint32_t intern_leaf(const uint8_t* p, uint32_t len, IdCursor& ids, Arena& arena);
  uint32_t intern_node(uint64_t key, IdCursor& ids);
  Found intern_root(uint64_t key, IdCursor& ids);
  uint8_t* arena_alloc(Arena& a, size_t n);
  const uint8_t* leaf_record(uint32_t id) const { return reinterpret_cast<const uint8_t*>(leaf_loc_[id]); }

  uint32_t size_ = 0;
  uint32_t n_leaves_ = 0;
  uint32_t pow2_ = 2;  // leaves of the complete tree (padded with zero leaves)
  std::vector<uint32_t> leaf_off_, leaf_len_;

  IdBlocks leaf_ids_, node_ids_;
  ChunkedArray<uint64_t> leaf_loc_;   // leaf id -> its record (uint32 length, bytes)
  ChunkedArray<uint64_t> node_keys_;  // node id -> (left << 32) | right
  ChunkedArray<uint64_t> root_keys_;  // state id -> its root pair (~0: unused id)
  ConcurrentIndex leaf_index_, node_index_, root_index_;
  std::mutex arena_mu_;
  std::vector<std::pair<uint8_t*, size_t>> arena_chunks_;
  uint64_t arena_bytes_ = 0;
};

}  // namespace ptcheck::explore
