#pragma once
// Lossless tree compression (LTSmin's treedbs, Laarman et al., "Parallel tree
// compression"): the state vector is cut into leaves along its own structure
// (a thread's context, each stack slice, each struct page, each page's
// contents, each slab object, the globals, the RCU queue; at most 64 bytes a
// leaf). Each distinct leaf content is stored once (leaf id); a complete
// binary tree over the leaf ids is hash-consed bottom-up, every internal node
// being the pair of its children's ids (node id); the root pair is the state
// (state id). States that share most of their leaves share most of their
// nodes, so a new state typically costs its root and a node or two. The
// leaves go in the shape's layout order (StateShape::order), spread evenly
// over the tree's 2^k positions with zero-length padding between them.
//
// Internal nodes live in one NodeTable per tree level (node_table.h): the
// slot holds the pair itself and the slot is the id, so a lookup is one probe
// and a node costs 8 bytes over the table's load. Roots keep dense state ids
// (the explorer numbers layers by them): a dense array of root pairs and a
// ConcurrentIndex over it. Leaves are few; they keep an index and an arena.
//
// The root index is hashed by the tree's content hash (leaf_hash/node_hash:
// a hash over the leaf ids, linear in them), not by the root pair: leaf ids
// never change, so a root's index slot survives every rebuild, and a cursor
// knows the hash from the changed leaves before it interns a node, so it
// prefetches the root's slot while it climbs the tree.
//
// Growing a level changes its ids (they are slots), and with them the keys of
// every level above and the roots. So a full table is never grown alone: the
// cursor that finds it full parks every other cursor (each marks itself
// active for the length of a call, and waits while a rebuild is pending),
// rebuilds the levels bottom-up into bigger tables, remapping ids level by
// level, re-keys the roots (their index stays), and bumps the generation; each
// cursor re-reads its cached tree on its next call. The parked cursors do not
// idle meanwhile: each level's slots, and then the roots, are cut into chunks
// that every parked cursor takes too (share, help_rebuild), so a rebuild at
// two threads is not a serial stretch of the run. A rebuild holds one
// level's old and new table at a time (and two id maps), and runs only as
// often as the tables double (near the memory limit, the full levels grow by
// 1.25x: node_table.h).
//
// Incremental: a cursor keeps the tree of the state it materialized last;
// inserting a successor interns only the leaves that differ from it and the
// nodes on their paths to the root. Materializing walks down from the root
// and skips every subtree equal to the one already in the buffer, so
// consecutive frontier states (often siblings) cost little.
//
// Ids 0 are reserved: leaf 0 is all zero bytes, node 0 the pair (0, 0), so
// zero regions (unused stack, padding leaves) are never stored or looked up.
#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "explore/mix64.h"
#include "explore/node_table.h"
#include "explore/storage.h"

namespace ptcheck::explore {

class TreeCursor;

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

  uint64_t nodes() const;
  uint64_t leaves() const { return leaf_index_.size(); }
  // Rebuilds so far (each grows at least one level).
  uint64_t rebuilds() const { return gen_.load(std::memory_order_relaxed); }
  // Of those, the ones that grew the full levels by 1.25x only, because
  // doubling did not fit under the memory limit (node_table.h).
  uint64_t tight_rebuilds() const { return tight_rebuilds_.load(std::memory_order_relaxed); }
  // Chunks of rebuild work that parked cursors took (share); and the chunk
  // size, in slots or roots (tests make it small, so that every rebuild is
  // shared out in many chunks).
  uint64_t helped_chunks() const { return helped_chunks_.load(std::memory_order_relaxed); }
  void set_rebuild_grain(uint64_t g) { rebuild_grain_ = g ? g : 1; }

 private:
  friend class TreeCursor;
  struct Arena {  // one cursor's current chunk of leaf bytes
    uint8_t* at = nullptr;
    size_t left = 0;
    size_t next_chunk = size_t(1) << 16;  // doubles up to 1 MiB (tree_store.cpp)
  };
  // One cursor's flag: inside a store call.
  struct alignas(64) Gate {
    std::atomic<int> active{0};
  };

  bool ensure_states(uint64_t first, uint64_t n) override;
  // 0 for all-zero bytes; kNoId when memory runs out.
  uint32_t intern_leaf(const uint8_t* p, uint32_t len, IdCursor& ids, Arena& arena);
  // The state of root pair `key`, whose tree has content hash `hash`.
  Found intern_root(uint64_t key, uint64_t hash, IdCursor& ids);
  // The content hash of a tree: a leaf's is its id's, mixed; a node's is
  // kLeft * left + kRight * right (mod 2^64), so it does not depend on node
  // ids (which rebuilds change). A state's hash is its root position's, and
  // it is linear in the leaves' hashes: the sum over the leaf positions j of
  // leaf_weight_[j] * leaf_hash(leaf j), the weight being the product of
  // kLeft and kRight along j's path from the root. A cursor updates it by one
  // product per changed leaf (tree_cursor.cpp) instead of rehashing each
  // changed path, level by level, up to the root. The weights are odd, so a
  // state differing in one leaf has another hash.
  static constexpr uint64_t kLeft = 0x9e3779b97f4a7c15ull, kRight = 0xc2b2ae3d27d4eb4full;
  static uint64_t leaf_hash(uint32_t lid) { return mix64(lid ^ 0x5bd1e995u); }
  static uint64_t node_hash(uint64_t left, uint64_t right) { return left * kLeft + right * kRight; }
  // Every stored root's content hash, from the node tables (loading a
  // checkpoint, which stores no hashes).
  void index_roots(StateId keep);
  // Throws CheckpointError unless the loaded tables make trees of this
  // layout (tree_store_io.cpp).
  void check_loaded(StateId keep) const;
  static constexpr uint64_t kUnusedRoot = ~uint64_t(0);  // root_keys_ of an unused id
  // Room for n bytes in the cursor's chunk (a new chunk, faulted in, when it
  // lacks it); false when memory runs out.
  bool arena_reserve(Arena& a, size_t n);
  uint8_t* arena_alloc(Arena& a, size_t n);
  bool refill_leaf_ids(IdCursor& ids);
  // Which bytes each leaf position holds (checkpoints must agree on it).
  uint64_t layout_hash() const;
  const uint8_t* leaf_record(uint32_t id) const { return reinterpret_cast<const uint8_t*>(leaf_loc_[id]); }
  static unsigned level_of(uint32_t pos) { return 31u - static_cast<unsigned>(__builtin_clz(pos + 1)); }
  NodeTable& level(unsigned l) const { return *levels_[l]; }

  void add_gate(Gate* g);
  void remove_gate(Gate* g);
  // Called by a cursor (whose gate is active) that met a full level: rebuilds
  // unless another cursor is already doing so (then returns at once; the
  // caller re-enters and waits). False when the rebuild does not fit in memory.
  bool grow(Gate& self);
  // shared: other cursors exist (they may help, and insert concurrently).
  bool rebuild(bool shared);
  // A rebuild's work is shared with the cursors it parked: it cuts each
  // level's slots (and then the roots) into chunks, posts them as a job and
  // takes chunks itself; a parked cursor waiting in wait_rebuild() takes
  // chunks too. share() returns when every chunk is done. Without other
  // cursors (post false) the rebuilder takes every chunk, in order.
  struct Job {
    const std::function<void(uint64_t, uint64_t)>* run;  // a chunk: run(begin, end)
    uint64_t n = 0, grain = 0;
    std::atomic<uint64_t> next{0};  // the next chunk's begin
    std::atomic<uint64_t> done{0};  // elements of the chunks finished
  };
  void share(uint64_t n, uint64_t grain, const std::function<void(uint64_t, uint64_t)>& run, bool post);
  // Takes chunks of the posted job, if any, until none is left; false when
  // it took none.
  bool help_rebuild();
  // Waits while a rebuild runs (a cursor parked by it), helping it.
  void wait_rebuild();
  // The new capacity of each level ([l]; 0: it keeps its table and ids) and
  // the memory the rebuild needs on top of what is held; false when a level
  // cannot grow.
  bool plan_growth(bool tight, std::vector<uint64_t>& new_cap, uint64_t& need) const;

  uint32_t size_ = 0;
  uint32_t n_leaves_ = 0;  // leaf positions: pow2_ once there is padding (length 0)
  uint32_t pow2_ = 2;  // leaves of the complete tree (padded with zero leaves)
  unsigned depth_ = 1;  // log2(pow2_): levels 1 .. depth_-1 hold internal nodes
  std::vector<uint32_t> leaf_off_, leaf_len_;
  std::vector<uint64_t> leaf_weight_;  // by leaf position (leaf_hash above)
  // The leaf positions each kDiffBlock-byte block of the state overlaps:
  // block b's are block_leaves_[block_first_[b] .. block_first_[b + 1]), and
  // block_masks_[k] has bit i set when block_leaves_[k] holds byte i of the
  // block. A cursor diffs a successor against its base a block at a time,
  // byte by byte, and the masks name exactly the leaves that differ
  // (tree_cursor.cpp).
  static constexpr uint32_t kDiffBlock = kDiffBlockBytes;
  std::vector<uint32_t> block_first_, block_leaves_;
  std::vector<uint64_t> block_masks_;

  IdBlocks leaf_ids_;
  ChunkedArray<uint64_t> leaf_loc_;   // leaf id -> its record (uint32 length, bytes)
  ChunkedArray<uint64_t> root_keys_;  // state id -> its root pair (~0: unused id)
  ConcurrentIndex leaf_index_, root_index_;
  std::vector<std::unique_ptr<NodeTable>> levels_;  // by level; [0] unused

  std::mutex gates_mu_;
  std::vector<Gate*> gates_;
  std::atomic<bool> growing_{false};
  std::atomic<Job*> job_{nullptr};
  std::atomic<unsigned> helpers_in_{0};  // cursors inside help_rebuild (job_ may be theirs)
  std::atomic<uint64_t> job_seq_{0};     // bumped as a job is posted and as a rebuild ends
  std::atomic<uint64_t> helped_chunks_{0};
  // Small enough to balance two cores on a level of a few MiB, big enough
  // that taking a chunk costs nothing.
  uint64_t rebuild_grain_ = uint64_t(1) << 15;
  std::atomic<bool> broken_{false};  // a rebuild threw half-way: the tables are unusable
  std::atomic<uint64_t> gen_{0};
  std::atomic<uint64_t> tight_rebuilds_{0};
  std::atomic<bool> full_{false};  // a rebuild did not fit: no level grows any more

  std::mutex arena_mu_;
  std::vector<std::pair<uint8_t*, size_t>> arena_chunks_;
  uint64_t arena_bytes_ = 0;
};

}  // namespace ptcheck::explore
