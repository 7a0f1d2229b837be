#pragma once
// The one interface between the explorer and where states live (compare
// LTSmin's find_or_put over db_type_t, and SPIN's single h_store): a store maps
// whole state vectors to dense 32-bit ids, gives the bytes of an id back, and
// keeps each state's parent id and the label of the transition that reached
// it. Hashing, equality and compression are the store's business; the
// explorer only sees ids.
//
// Stores:
//   tree   lossless tree compression over the state's own structure (default;
//          tree_store.h)
//   plain  lossless, every state's full bytes (plain_store.h)
//   hc     hash compaction: 64-bit fingerprints only (lossy; depth-first only)
//   bitstate  Holzmann's bitstate hashing (lossy; depth-first only)
// A lossy store cannot materialize: the breadth-first search refuses it.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "explore/chunked_array.h"
#include "explore/concurrent_index.h"
#include "explore/epoch.h"
#include "explore/memory.h"
#include "explore/transition_system.h"

namespace ptcheck::explore {

using StateId = uint32_t;
inline constexpr StateId kNoState = kNoId;

struct Found {
  StateId id = kNoState;
  bool is_new = false;
  bool full = false;  // the memory limit or the id range is exhausted: nothing was stored
};

// One explorer thread's access to a store; keeps per-thread caches (the tree
// of the last state materialized, the current id blocks). Not shared.
class StoreCursor {
 public:
  virtual ~StoreCursor() = default;
  // The bytes of state id, valid until the next call on this cursor.
  virtual const uint8_t* materialize(StateId id) = 0;
  // Finds `s` (state_size bytes) or stores it with a new id. Successors of the
  // state last materialized are cheapest (the tree store updates only what
  // changed).
  virtual Found find_or_insert(const uint8_t* s) = 0;
  // find_or_insert(s) for a successor of state `from` that differs from it
  // only in the blocks set in `blocks` (SuccessorSink::diff_hint). A store
  // may compare only those blocks when `from` is the state it materialized
  // last; otherwise (and by default) the hint is not used.
  virtual Found find_or_insert_from(const uint8_t* s, StateId from, const uint64_t* blocks) {
    (void)from;
    (void)blocks;
    return find_or_insert(s);
  }
  // The blocks (SuccessorSink::diff_hint's layout) in which the buffer
  // materialize() returns may have changed since the previous call of
  // take_changed() (since the cursor was made, for the first); null when the
  // store does not track them (then materialize() may return any buffer).
  // Valid until the next call on this cursor. The explorer passes them on to
  // its worker (Worker::since_last), which then copies only those blocks of
  // the state it expands next.
  virtual const uint64_t* take_changed() { return nullptr; }
  // A hint: the caller will materialize `id` after prefetch_distance() - 1
  // other states (it names the frontier state that far ahead before each
  // materialize()); the store may start loading what that will read. It must
  // not change what any call returns. Distance 0: no hints wanted.
  virtual unsigned prefetch_distance() const { return 0; }
  virtual void prefetch(StateId id) { (void)id; }
  // Drops the current id block: every id handed out later is >= the store's
  // next_id() read after this call on every cursor.
  virtual void new_layer() = 0;
};

// One search loop's states, from one cursor to one worker: materializes each
// state the worker expands next and passes on the blocks that changed since
// the state it expanded last (StoreCursor::take_changed, Worker::since_last).
// The hint holds only when the worker expands each state loaded here, right
// after its load, and nothing else (the cursor may be used in between: its
// take_changed() covers every write to its buffer). A loop that expands
// anything else on the worker uses a new loader.
class ExpandLoader {
 public:
  const uint8_t* load(StoreCursor& cursor, Worker& worker, StateId id) {
    const uint8_t* s = cursor.materialize(id);
    const uint64_t* changed = cursor.take_changed();
    if (chained_ && changed) worker.since_last(changed);
    chained_ = changed != nullptr;
    return s;
  }

 private:
  bool chained_ = false;  // the worker last expanded the cursor's state, loaded right after a take_changed()
};

class StateStorage {
 public:
  explicit StateStorage(MemoryAccount& mem) : mem_(mem), parents_(mem), labels_(mem) {}
  virtual ~StateStorage() = default;
  StateStorage(const StateStorage&) = delete;
  StateStorage& operator=(const StateStorage&) = delete;

  virtual const char* name() const = 0;
  virtual bool lossless() const { return true; }
  virtual std::unique_ptr<StoreCursor> cursor() = 0;
  // Bytes held by the store (tables, arrays, compressed data).
  virtual uint64_t bytes() const = 0;
  // Lossy stores: the chance that some state was wrongly taken for visited,
  // given `stored` insertions (SPIN-style estimates), and how it was computed.
  virtual double omission_probability(uint64_t /*stored*/) const { return 0; }
  virtual std::string lossy_summary(uint64_t /*stored*/) const { return {}; }
  // Checkpoints: the store's tables and the states below `keep` (dense state
  // ids; states >= keep are dropped, as if never inserted).
  virtual void save(std::FILE* f, StateId keep) const = 0;
  virtual void load(std::FILE* f) = 0;

  // An id handed out in a block but never used for a state (a block's tail).
  static constexpr StateId kUnusedParent = kNoState - 1;
  // Parent id and label of a state (the initial state: kNoState, 0).
  StateId& parent(StateId id) const { return parents_[id]; }
  Label& label(StateId id) const { return labels_[id]; }
  StateId next_id() const { return static_cast<StateId>(ids_.next()); }
  EpochDomain& epochs() { return epochs_; }
  MemoryAccount& memory() { return mem_; }

 protected:
  // A new state id from the cursor's block, with its parent/label slots
  // addressable; kNoState when memory or ids run out.
  StateId take_state_id(IdCursor& c) {
    if (c.empty() && !refill_state_ids(c)) return kNoState;
    return static_cast<StateId>(c.next++);
  }
  // Gives an empty cursor a new block of ids, with their per-state slots
  // addressable (and touched): false when memory or ids run out. A store
  // calls it before taking an index lock too, so that the block's first
  // touches of fresh memory happen outside it.
  bool refill_state_ids(IdCursor& c) {
    uint64_t first = ids_.reserve();
    if (first + IdBlocks::kBlock >= uint64_t(kUnusedParent) || !parents_.ensure(first, IdBlocks::kBlock) ||
        !labels_.ensure(first, IdBlocks::kBlock) || !ensure_states(first, IdBlocks::kBlock))
      return false;
    for (uint64_t i = first; i < first + IdBlocks::kBlock; ++i) parents_[i] = kUnusedParent;
    c.next = first;
    c.end = first + IdBlocks::kBlock;
    return true;
  }
  // Makes the store's own per-state arrays addressable for [first, first+n).
  virtual bool ensure_states(uint64_t first, uint64_t n) = 0;
  uint64_t base_bytes() const { return parents_.bytes() + labels_.bytes(); }
  void save_base(std::FILE* f, StateId keep) const;
  void load_base(std::FILE* f);

  MemoryAccount& mem_;
  EpochDomain epochs_;
  IdBlocks ids_;
  ChunkedArray<StateId> parents_;
  ChunkedArray<Label> labels_;
};

enum class StoreKind { Tree, Plain, HashCompact, Bitstate };
const char* to_string(StoreKind k);

struct StoreOptions {
  StoreKind kind = StoreKind::Tree;
  unsigned bitstate_log2 = 0;  // bitstate: 2^log2 bits (0: from the memory limit)
  unsigned bitstate_hashes = 3;
};

std::unique_ptr<StateStorage> make_store(const StateShape& shape, const StoreOptions& opt, MemoryAccount& mem);

}  // namespace ptcheck::explore
