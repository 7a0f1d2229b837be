// One explorer thread's access to the tree store (tree_store.h): the tree of
// the state it materialized last, interning only what a successor changed,
// and the gate that parks it while another cursor rebuilds the node tables.
#include <cassert>
#include <cstring>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/tree_store.h"
#include "support/line_vector.h"

namespace ptcheck::explore {

namespace {
inline uint64_t pair(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }
}  // namespace

// A list of known greatest length, for the cursor's inner loops: push_back()
// without std::vector's capacity test (on the SPIN twin, 0.968x the
// instructions of the std::vectors it replaced; docs/search.md). Its end is
// a pointer, not a count: a count is a size_t, which on LP64 is the type of
// the uint64_t keys and memo entries the loops store, so the compiler had to
// reload it after each of those stores.
template <class T>
class Scratch {
 public:
  explicit Scratch(size_t cap) : buf_(cap), end_(buf_.data()) {}
  void clear() { end_ = buf_.data(); }
  void push_back(const T& x) {
    assert(end_ < buf_.data() + buf_.size());
    *end_++ = x;
  }
  void pop_back() { --end_; }
  T& back() { return end_[-1]; }
  bool empty() const { return end_ == buf_.data(); }
  size_t size() const { return static_cast<size_t>(end_ - buf_.data()); }
  T& operator[](size_t i) { return buf_.data()[i]; }
  T* begin() { return buf_.data(); }
  T* end() { return end_; }
  std::reverse_iterator<T*> rbegin() { return std::reverse_iterator<T*>(end()); }
  std::reverse_iterator<T*> rend() { return std::reverse_iterator<T*>(begin()); }
  void swap(Scratch& o) {
    std::swap(buf_, o.buf_);  // (the blocks move with their vectors)
    std::swap(end_, o.end_);
  }

 private:
  LineVector<T> buf_;
  T* end_;
};

// Made on the main thread and used by one explorer thread: its buffers are
// LineVectors and the cursor takes whole cache lines (support/line_vector.h).
class alignas(kCacheLine) TreeCursor final : public StoreCursor {
 public:
  explicit TreeCursor(TreeStore& st)
      : st_(st),
        base_(std::max<uint32_t>(st.size_, 1)),
        tree_(2 * st.pow2_ - 1, kNoId) {
    st_.add_gate(&gate_);
    gen_ = st_.gen_.load(std::memory_order_acquire);
  }
  ~TreeCursor() override { st_.remove_gate(&gate_); }

  const uint8_t* materialize(StateId id) override {
    Inside in(*this);
    if (id != base_id_) walk(id);
    return base_.data();
  }

  Found find_or_insert(const uint8_t* s) override { return find_or_insert_from(s, kNoState, nullptr); }

  // With a hint for a successor of the state in hand, only the blocks it
  // names are compared with that state (the others are equal to it).
  Found find_or_insert_from(const uint8_t* s, StateId from, const uint64_t* blocks) override {
    Inside in(*this);
    if (from == kNoState || from != base_id_) blocks = nullptr;
    for (;;) {
      bool grow = false;
      // (A rebuild below re-walks the same state: the bytes, and the hint, stay.)
      Found f = base_id_ == kNoState ? insert_full(s, grow) : insert_diff(s, blocks, grow);
      if (!grow) return f;
      // A level is full: rebuild (or wait for the cursor already doing it),
      // then start over with the new ids.
      if (!st_.grow(gate_)) return Found{kNoState, false, true};
      leave();
      enter();
    }
  }

  void new_layer() override { state_ids_.drop(); }

  // base_ is the only buffer materialize() returns; every write into it
  // marks its blocks in changed_blocks_[taken_ ^ 1] (mark_changed).
  const uint64_t* take_changed() override {
    taken_ ^= 1;
    LineVector<uint64_t>& next = changed_blocks_[taken_ ^ 1];
    std::fill(next.begin(), next.end(), 0);
    return changed_blocks_[taken_].data();
  }

  // A pipeline over consecutive calls (the explorer names each frontier state
  // kAhead states before it materializes it): each call starts the root's
  // children's slots of the newest id and takes every earlier one a level
  // further down, reading the slots its previous call prefetched (cached by
  // now) and prefetching their children's, only where the subtree differs from
  // the tree in hand (walk() skips the others). walk() then finds its top
  // levels of nodes in the cache. On the SPIN twin at ROUNDS 4 (1 thread,
  // paired runs) two states ahead took 0.975x-0.988x the time; three ahead,
  // one level deeper, 1.01x-1.03x (the deeper levels are mostly cached, and
  // the extra reads cost more than they hide).
  unsigned prefetch_distance() const override { return kAhead; }
  void prefetch(StateId id) override {
    Inside in(*this);
    if (st_.depth_ < 3) return;
    const uint32_t first_leaf = st_.pow2_ - 1;
    for (unsigned at = 0; at < kAhead; ++at) {
      if (at == ahead_at_) continue;  // the state materialized next: too late
      Ahead& a = ahead_[at];
      uint32_t n = 0;
      Item next[kAheadWidth];
      for (uint32_t i = 0; i < a.n; ++i) {
        const auto [pos, nid] = a.items[i];
        const uint64_t k = st_.level(TreeStore::level_of(pos)).key(nid);
        const uint32_t kids[2] = {uint32_t(k >> 32), uint32_t(k)};
        for (unsigned j = 0; j < 2; ++j) {
          const uint32_t cpos = 2 * pos + 1 + j;
          if (kids[j] == 0 || kids[j] == tree_[cpos] || cpos >= first_leaf || n == kAheadWidth) continue;
          st_.level(TreeStore::level_of(cpos)).prefetch_id(kids[j]);
          next[n++] = {cpos, kids[j]};
        }
      }
      a.n = n;
      std::copy(next, next + n, a.items);
    }
    Ahead& a = ahead_[ahead_at_];
    ahead_at_ = (ahead_at_ + 1) % kAhead;
    a.n = 0;
    if (id == kNoState || !st_.root_keys_.present(id)) return;
    const uint64_t root = st_.root_keys_[id];
    if (root == ~uint64_t{0}) return;  // an unused id
    const uint32_t kids[2] = {uint32_t(root >> 32), uint32_t(root)};
    for (unsigned j = 0; j < 2; ++j)
      if (kids[j] != 0 && kids[j] != tree_[1 + j]) {
        st_.level(1).prefetch_id(kids[j]);
        a.items[a.n++] = {1 + j, kids[j]};
      }
  }

 private:
  struct Item {
    uint32_t pos, id;
  };
  // Recent lookups (direct-mapped, per cursor): a diamond's second path
  // (a then b after b then a) reaches the same nodes and root soon after the
  // first, from a neighbouring frontier state. Cleared by a rebuild.
  struct Memo {
    uint64_t key = 0;
    uint32_t id = kNoId;
  };
  static constexpr unsigned kMemoLog2 = 12;
  static size_t memo_slot(uint64_t k) { return (k * 0x9e3779b97f4a7c15ull) >> (64 - kMemoLog2); }
  Memo& memo(uint64_t k) { return memo_[memo_slot(k)]; }
  // The root memo: a state's content hash, root pair and id.
  struct RootMemo {
    uint64_t hash = 0, key = 0;
    StateId id = kNoState;
  };
  RootMemo& root_memo(uint64_t hash) { return root_memo_[hash >> (64 - kMemoLog2)]; }
  void forget() {
    std::fill(memo_.begin(), memo_.end(), Memo{});
    std::fill(root_memo_.begin(), root_memo_.end(), RootMemo{});
    for (Ahead& a : ahead_) a.n = 0;  // node ids of the old tables
  }

  struct Inside {
    explicit Inside(TreeCursor& c) : c_(c) { c_.enter(); }
    ~Inside() { c_.leave(); }
    TreeCursor& c_;
  };

  // Marks the cursor active, waiting while a rebuild is pending; re-reads the
  // cached tree when a rebuild changed the ids.
  void enter() {
    for (;;) {
      gate_.active.store(1, std::memory_order_seq_cst);
      if (st_.broken_.load(std::memory_order_relaxed)) {
        gate_.active.store(0, std::memory_order_release);
        throw std::runtime_error("the tree store failed while growing its tables");
      }
      if (!st_.growing_.load(std::memory_order_seq_cst)) break;
      gate_.active.store(0, std::memory_order_release);
      st_.wait_rebuild();  // (helping it)
    }
    const uint64_t g = st_.gen_.load(std::memory_order_acquire);
    if (g != gen_) {
      gen_ = g;
      forget();
      // The node ids changed, the leaf ids did not (and still match base_).
      std::fill(tree_.begin(), tree_.begin() + (st_.pow2_ - 1), kNoId);
      if (base_id_ != kNoState) {
        const StateId id = base_id_;
        base_id_ = kNoState;
        walk(id);  // the same bytes, the new ids
      }
    }
  }
  void leave() { gate_.active.store(0, std::memory_order_release); }

  // Walks down from the root's children, skipping subtrees equal to the ones
  // already in base_, and updates the content hash by each leaf it changes
  // (tree_store.h). A level-by-level walk that prefetched each level's slots
  // before reading any measured 3% slower on the SPIN twin (ROUNDS 4).
  void walk(StateId id) {
    const uint64_t root = st_.root_keys_[id];
    bool unknown = false;  // a leaf position held no id yet: hash them all
    stack_.clear();
    // Only subtrees that differ are pushed (and each position once).
    auto visit = [&](uint32_t pos, uint32_t nid) {
      if (tree_[pos] != nid) stack_.push_back({pos, nid});
    };
    visit(1, uint32_t(root >> 32));
    visit(2, uint32_t(root));
    const uint32_t first_leaf = st_.pow2_ - 1;
    while (!stack_.empty()) {
      auto [pos, nid] = stack_.back();
      stack_.pop_back();
      const uint32_t old = tree_[pos];
      tree_[pos] = nid;
      if (pos >= first_leaf) {
        uint32_t j = pos - first_leaf;
        if (old == kNoId) unknown = true;
        else root_hash_ += st_.leaf_weight_[j] * (TreeStore::leaf_hash(nid) - TreeStore::leaf_hash(old));
        uint8_t* dst = base_.data() + st_.leaf_off_[j];
        if (nid == 0) std::memset(dst, 0, st_.leaf_len_[j]);
        else std::memcpy(dst, st_.leaf_record(nid) + 8, st_.leaf_len_[j]);
        mark_changed(st_.leaf_off_[j], st_.leaf_len_[j]);
        continue;
      }
      const uint64_t key = nid == 0 ? 0 : st_.level(TreeStore::level_of(pos)).key(nid);
      visit(2 * pos + 1, uint32_t(key >> 32));
      visit(2 * pos + 2, uint32_t(key));
    }
    if (unknown) root_hash_ = hash_of_leaves(tree_);
    base_id_ = id;
  }

  // The content hash of a tree whose leaf positions all hold ids
  // (tree_store.h: linear in the leaves' hashes).
  uint64_t hash_of_leaves(const LineVector<uint32_t>& t) const {
    const uint32_t first_leaf = st_.pow2_ - 1;
    uint64_t h = 0;
    for (uint32_t j = 0; j < st_.n_leaves_; ++j) h += st_.leaf_weight_[j] * TreeStore::leaf_hash(t[first_leaf + j]);
    return h;
  }

  // A successor of base_: interns the leaves that differ, updates the content
  // hash by them and prefetches the root's index slot, and interns the nodes
  // on their paths to the root, one level at a time (each level's slots
  // prefetched first).
  //
  // The blocks are compared byte by byte (diff_mask), and each block's leaf
  // masks name exactly the leaves whose bytes differ: no leaf is compared
  // again. (Marking every leaf of a differing block and comparing each one,
  // then listing the changed paths level by level before interning them,
  // cost about 2,000 instructions a call on the SPIN twin at ROUNDS 3,
  // besides the leaf and root lookups: docs/benchmarks.md.)
  Found insert_diff(const uint8_t* s, const uint64_t* blocks, bool& grow) {
    const uint32_t first_leaf = st_.pow2_ - 1;
    undo_.clear();
    level_.clear();
    const uint8_t* b = base_.data();
    const uint32_t full = st_.size_ / TreeStore::kDiffBlock;
    const uint32_t nblk = (st_.size_ + TreeStore::kDiffBlock - 1) / TreeStore::kDiffBlock;
    // changed_ is all zero between calls: the loop below clears what it reads.
    auto diff = [&](uint32_t blk) {
      const uint32_t at = blk * TreeStore::kDiffBlock;
      uint64_t m;
      if (blk < full) m = diff_mask(s + at, b + at);
      else if (st_.size_ >= TreeStore::kDiffBlock) {
        // The tail block: the state's last 64 bytes, shifted to the block's first.
        const uint32_t last = st_.size_ - TreeStore::kDiffBlock;
        m = diff_mask(s + last, b + last) >> (at - last);
      } else {
        m = tail_mask(s + at, b + at, st_.size_ - at);
      }
      if (!m) return;
      for (uint32_t k = st_.block_first_[blk]; k < st_.block_first_[blk + 1]; ++k)
        if (m & st_.block_masks_[k]) {
          const uint32_t j = st_.block_leaves_[k];
          changed_[j / 64] |= uint64_t(1) << (j % 64);
        }
    };
    if (blocks) {
      // Only the blocks the hint names (the tail block may be among them).
      for (uint32_t w = 0; w * 64 < nblk; ++w)
        for (uint64_t bits = blocks[w]; bits; bits &= bits - 1) {
          const uint32_t blk = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
          if (blk >= nblk) break;
          diff(blk);
        }
    } else {
      for (uint32_t blk = 0; blk < nblk; ++blk) diff(blk);
    }
    // The changed leaves in ascending position (as a scan of every leaf would
    // meet them): interned, their parents listed.
    uint64_t rh = root_hash_;
    for (uint32_t w = 0; w < changed_.size(); ++w) {
      uint64_t bits = changed_[w];
      if (!bits) continue;
      changed_[w] = 0;
      for (; bits; bits &= bits - 1) {
        const uint32_t j = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
        const uint32_t lid = st_.intern_leaf(s + st_.leaf_off_[j], st_.leaf_len_[j], leaf_ids_, arena_);
        if (lid == kNoId) {
          std::fill(changed_.begin() + w + 1, changed_.end(), 0);
          return restore_full();
        }
        const uint32_t pos = first_leaf + j;
        assert(lid != tree_[pos]);  // the masks name only leaves whose bytes differ
        rh += st_.leaf_weight_[j] * (TreeStore::leaf_hash(lid) - TreeStore::leaf_hash(tree_[pos]));
        undo_.push_back({pos, tree_[pos]});
        tree_[pos] = lid;
        const uint32_t parent = (pos - 1) / 2;
        if (level_.empty() || level_.back() != parent) level_.push_back(parent);
      }
    }
    if (level_.empty()) return Found{base_id_, false, false};
    // The root memo is keyed by the content hash, known here: a state met
    // recently needs no index slot, so the slot is prefetched only on a miss
    // (the twin at ROUNDS 4 meets about half its roots in the memo; with the
    // node memo checked before prefetching, below, 0.97x the instructions,
    // and 0.92x-0.99x the time at 1 thread in paired runs on a noisy host:
    // docs/benchmarks.md).
    RootMemo& rm = root_memo(rh);
    const bool recent = rm.hash == rh && rm.id != kNoState;
    if (!recent) st_.root_index_.prefetch(rh);
    // The changed nodes below the root, level by level upwards: every leaf is
    // at the same depth, so level_ holds one level's positions, ascending
    // (their parents ascend too, and duplicates are adjacent). (With one or
    // two leaves the root is the leaves' parent: level_ is {0} at once.)
    while (level_[0] != 0) {
      const unsigned lvl = TreeStore::level_of(level_[0]);
      NodeTable& t = st_.level(lvl);
      // The memo first: only the keys it misses are prefetched and looked
      // up (on the SPIN twin it answers about 7 in 8).
      keys_.clear();
      next_.clear();
      for (uint32_t pos : level_) {
        undo_.push_back({pos, tree_[pos]});
        const uint64_t k = pair(tree_[2 * pos + 1], tree_[2 * pos + 2]);
        if (k == 0) {
          tree_[pos] = 0;
          continue;
        }
        // (An empty entry's key, 0, is also the memo key of the pair
        // (lvl << 27, 0): its id, kNoId, tells it apart.)
        const Memo& m = memo(k ^ (uint64_t(lvl) << 59));
        if (m.key == (k ^ (uint64_t(lvl) << 59)) && m.id != kNoId) {
          tree_[pos] = m.id;
          continue;
        }
        keys_.push_back(k);
        next_.push_back(pos);
        t.prefetch(k);
      }
      for (size_t i = 0; i < keys_.size(); ++i) {
        bool inserted = false;
        const uint32_t nid = t.find_or_put(keys_[i], inserted);
        if (nid == NodeTable::kGrow) {
          grow = true;
          restore();
          return Found{};
        }
        Memo& m = memo(keys_[i] ^ (uint64_t(lvl) << 59));
        m.key = keys_[i] ^ (uint64_t(lvl) << 59);
        m.id = nid;
        tree_[next_[i]] = nid;
      }
      parents_.clear();
      for (uint32_t pos : level_) {
        const uint32_t parent = (pos - 1) / 2;
        if (parents_.empty() || parents_.back() != parent) parents_.push_back(parent);
      }
      level_.swap(parents_);
    }
    const uint64_t rk = pair(tree_[1], tree_[2]);
    if (recent && rm.key == rk) {  // (equal hashes alone may be a collision)
      restore();
      return Found{rm.id, false, false};
    }
    Found f = st_.intern_root(rk, rh, state_ids_);
    if (!f.full) rm = RootMemo{rh, rk, f.id};
    restore();
    return f;
  }

  // No base: intern every leaf and node; the state becomes the base.
  Found insert_full(const uint8_t* s, bool& grow) {
    const uint32_t first_leaf = st_.pow2_ - 1;
    LineVector<uint32_t> t(2 * st_.pow2_ - 1, 0);
    for (uint32_t j = 0; j < st_.n_leaves_; ++j) {
      uint32_t lid = st_.intern_leaf(s + st_.leaf_off_[j], st_.leaf_len_[j], leaf_ids_, arena_);
      if (lid == kNoId) return Found{kNoState, false, true};
      t[first_leaf + j] = lid;
    }
    const uint64_t rh = hash_of_leaves(t);
    for (uint32_t pos = first_leaf; pos-- > 1;) {
      const uint64_t k = pair(t[2 * pos + 1], t[2 * pos + 2]);
      if (!k) continue;
      bool inserted = false;
      t[pos] = st_.level(TreeStore::level_of(pos)).find_or_put(k, inserted);
      if (t[pos] == NodeTable::kGrow) {
        grow = true;
        return Found{};
      }
    }
    Found f = st_.intern_root(pair(t[1], t[2]), rh, state_ids_);
    if (f.full) return f;
    tree_ = std::move(t);
    root_hash_ = rh;
    std::memcpy(base_.data(), s, st_.size_);
    mark_changed(0, st_.size_);
    base_id_ = f.id;
    return f;
  }

  // Bytes [off, off + len) of base_ were written.
  void mark_changed(uint32_t off, uint32_t len) {
    if (!len) return;
    uint64_t* bits = changed_blocks_[taken_ ^ 1].data();
    const uint32_t last = (off + len - 1) / TreeStore::kDiffBlock;
    for (uint32_t b = off / TreeStore::kDiffBlock; b <= last; ++b) bits[b / 64] |= uint64_t(1) << (b % 64);
  }

  void restore() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) tree_[it->pos] = it->id;
    undo_.clear();
  }
  Found restore_full() {
    restore();
    return Found{kNoState, false, true};
  }

  // The bytes in which two kDiffBlock-byte blocks differ, bit i for byte i:
  // four 16-byte compares (SSE2, the x86-64 baseline).
  static uint64_t diff_mask(const uint8_t* x, const uint8_t* y) {
    static_assert(TreeStore::kDiffBlock == 64);
#if defined(__SSE2__)
    uint64_t eq = 0;
    for (unsigned k = 0; k < 64; k += 16) {
      const __m128i e = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + k)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(y + k)));
      eq |= uint64_t(static_cast<uint16_t>(_mm_movemask_epi8(e))) << k;
    }
    return ~eq;
#else
    return tail_mask(x, y, 64);
#endif
  }
  // The same for a state of n < 64 bytes.
  static uint64_t tail_mask(const uint8_t* x, const uint8_t* y, uint32_t n) {
    uint64_t m = 0;
    for (uint32_t i = 0; i < n; ++i) m |= uint64_t(x[i] != y[i]) << i;
    return m;
  }

  TreeStore& st_;
  TreeStore::Gate gate_;
  uint64_t gen_ = 0;
  LineVector<uint8_t> base_;
  LineVector<uint32_t> tree_;
  // take_changed(): the blocks of base_ written since the last call (the
  // one taken_ does not name), and the ones it returned last.
  LineVector<uint64_t> changed_blocks_[2] = {LineVector<uint64_t>(blocks_words()), LineVector<uint64_t>(blocks_words())};
  unsigned taken_ = 0;
  size_t blocks_words() const { return (st_.size_ / TreeStore::kDiffBlock + 64) / 64; }
  uint64_t root_hash_ = 0;  // base_'s content hash (tree_store.h)
  StateId base_id_ = kNoState;
  // prefetch()'s pipeline: per state named, the positions whose slots were
  // prefetched last (at most kAheadWidth a level).
  static constexpr unsigned kAhead = 2, kAheadWidth = 8;
  struct Ahead {
    uint32_t n = 0;
    Item items[kAheadWidth];
  };
  Ahead ahead_[kAhead];
  unsigned ahead_at_ = 0;
  IdCursor state_ids_, leaf_ids_;
  TreeStore::Arena arena_;
  struct Undo {
    uint32_t pos, id;
  };
  Scratch<Undo> undo_{scratch_cap()};
  // insert_diff's changed leaf positions (a bit each; all zero between calls).
  LineVector<uint64_t> changed_ = LineVector<uint64_t>((st_.n_leaves_ + 63) / 64);
  // No list below holds more than every tree position once (undo_: the
  // changed leaves and nodes; the others: one level's, or a walk's stack).
  size_t scratch_cap() const { return 2 * size_t(st_.pow2_) + st_.depth_ + 2; }
  Scratch<uint32_t> level_{scratch_cap()}, next_{scratch_cap()}, parents_{scratch_cap()};
  Scratch<uint64_t> keys_{scratch_cap()};
  Scratch<Item> stack_{scratch_cap()};
  LineVector<Memo> memo_ = LineVector<Memo>(size_t(1) << kMemoLog2);
  LineVector<RootMemo> root_memo_ = LineVector<RootMemo>(size_t(1) << kMemoLog2);
};

std::unique_ptr<StoreCursor> TreeStore::cursor() { return std::make_unique<TreeCursor>(*this); }

}  // namespace ptcheck::explore
