#pragma once
// Invariant memos: skip re-running a target's invariants on a new state when
// they cannot answer differently than on its parent.
//
// An invariant is a deterministic function of the state bytes it reads: if a
// new state differs from its parent in none of the words an invariant read
// on the parent (which passed it), the invariant takes the same path on the
// new state, reads the same words with the same values, and passes again
// with the same read set. So the worker keeps, with every frontier state, a
// memo: the id of the tuple of read sets, one per invariant, that its
// invariants read (explore::SuccessorSink::set_memo / state_memo), and on a
// successor runs only the invariants whose set the step wrote, in their
// order (a skipped one passes, so the first to fail is the one a full check
// names). Machine::check_invariant(s, i, reads) notes the reads: every
// access through translate() (the word of the data and the object's shadow
// byte), the shadow bytes first_object()/next_object() scan; anything else
// (a builtin that inspects contexts, another context's stack, a weak memory
// model, a discarded state) makes the set opaque, and an opaque set gets no
// memo (that invariant runs on every successor).
//
// Sets and tuples are interned: the mixes have a handful of distinct read
// sets (the invariants walk the same objects whatever the values), so a memo
// is a small id into a table shared by the workers. Verdicts, counts and
// counterexamples do not depend on it; `check --no-invariant-memo` turns it off.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ptcheck::vm {

class InvariantMemos {
 public:
  static constexpr uint32_t kMaxSets = 1u << 16;
  explicit InvariantMemos(uint32_t state_size);
  ~InvariantMemos();
  InvariantMemos(const InvariantMemos&) = delete;
  InvariantMemos& operator=(const InvariantMemos&) = delete;

  // The id (>= 1) of a read set (one bit per state word), 0 when the
  // table is full.
  uint32_t intern(const std::vector<uint64_t>& bits);
  // Whether `child` equals `parent` in every word of set `set`.
  bool unchanged(uint32_t set, const uint8_t* parent, const uint8_t* child) const;
  uint32_t sets() const { return count_.load(std::memory_order_acquire); }

  // The memo (>= 1) of a tuple of set ids, one per invariant (0: that
  // invariant has no set and runs every time), 0 when the table is full.
  uint32_t intern_tuple(const std::vector<uint32_t>& sets);
  // The set ids of memo's tuple (as many as the tuple interned).
  const uint32_t* tuple(uint32_t memo) const;

  // A memo's portable form, for another process with the same model (the
  // distributed search): per invariant, a word that says whether it has a
  // set, then the set's bits (set_words() words). n: the invariants.
  size_t portable_bytes(size_t n) const { return n * (1 + set_words()) * 8; }
  void export_memo(uint32_t memo, size_t n, uint8_t* out) const;
  // The local memo of a portable form (interning its sets): 0 when a table
  // is full.
  uint32_t import_memo(const uint8_t* in, size_t n);
  // The words of a set's bits (Machine::InvariantReads::bits).
  size_t set_words() const { return (state_size_ / 8 + 64) / 64; }

 private:
  struct Set {
    std::vector<uint64_t> bits;
    std::vector<uint32_t> words;  // the set words, ascending (a last partial word included)
  };
  uint32_t state_size_;
  std::unique_ptr<std::atomic<const Set*>[]> sets_;  // by id - 1; published with release
  std::atomic<uint32_t> count_{0};
  std::unique_ptr<std::atomic<const std::vector<uint32_t>*>[]> tuples_;  // by memo - 1
  std::atomic<uint32_t> tuple_count_{0};
  std::mutex mu_;
  std::unordered_multimap<uint64_t, uint32_t> by_hash_, tuple_by_hash_;
};

}  // namespace ptcheck::vm
