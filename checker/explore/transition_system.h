#pragma once
// The contract between the explorer and whatever it explores. The explorer knows
// nothing of kernels or interpreters: a state is a fixed-size byte vector, a
// transition is an opaque 32-bit label, and a Worker enumerates successors.
// The explorer hands each successor to its state store (explore/storage.h) and
// tells the worker whether it was new, so state properties (invariants) are
// checked once per state, when it is first stored.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ptcheck::explore {

// Chosen by the system; the explorer only stores labels and hands back the path.
// (The interpreter encodes thread index and nondeterministic choice in it.)
using Label = uint32_t;

// Where a state vector's natural pieces begin and end: piece i is bytes
// [cuts[i], cuts[i+1]). A store may exploit it (the tree store interns each
// piece); a system without structure gets fixed 64-byte pieces.
//
// order, when not empty, is a permutation of the piece indices: the order in
// which a store that lays the pieces out side by side (the tree store's
// leaves) should place them. Pieces that change together belong next to each
// other: a thread's context and its stack change in almost every step, and
// when they share a subtree a new state costs a path, not two.
struct StateShape {
  uint32_t size = 0;
  std::vector<uint32_t> cuts;  // 0 = cuts[0] < ... < cuts.back() = size (just {0} when size is 0)
  std::vector<uint32_t> order;  // empty: memory order
  // The pieces' indices in layout order (order, or 0, 1, ...); throws
  // std::invalid_argument when order is not a permutation of the pieces.
  std::vector<uint32_t> layout() const;
  static StateShape uniform(uint32_t size, uint32_t piece = 64);
};

// What the store made of a successor.
enum class Seen : uint8_t {
  New,    // stored now, by this call: the worker checks its state properties
  Old,    // stored before
  Cycle,  // stored before, and it may close a cycle of the explored graph
          // (breadth-first: found before the current layer; depth-first: on
          // the stack): a partial-order reduction must expand fully here
  Ignored,  // a violating transition, or the search is stopping: not stored
};

// SuccessorSink::diff_hint's block size.
inline constexpr unsigned kDiffBlockBytes = 64;

class SuccessorSink {
 public:
  virtual ~SuccessorSink() = default;
  // One successor. `next` (state_size() bytes) is only valid during the call.
  // `index` numbers the state's successors in the worker's fixed order (the
  // same on every call and thread; with a reduction, successors may be emitted
  // out of order or not at all, but keep their index).
  // violation=true: this transition ends in an error (a failed check, a BUG);
  // the explorer records it as a counterexample candidate and does not store
  // `next`.
  virtual Seen emit(uint32_t index, Label label, const uint8_t* next, bool violation) = 0;
  // The state of the last emit (which returned New) violates a state
  // property; the explorer records it as a counterexample candidate.
  virtual void violating_state() = 0;
  // Partial-order reduction (Worker::expand_sleep): the sleep set of the
  // successor emitted next, as a set of slots (bit i = slot i).
  virtual void sleep_next(uint64_t slots) { (void)slots; }
  // For the next emit() or asleep() only: the blocks of kDiffBlockBytes
  // bytes (bit b of word b / 64: bytes [b * kDiffBlockBytes, (b + 1) *
  // kDiffBlockBytes) of the state) in which that successor may differ from
  // the state being expanded; it equals that state everywhere else. A sink
  // may use it to compare less, or ignore it. `blocks` stays valid until
  // that call returns; the hint is forgotten then.
  virtual void diff_hint(const uint64_t* blocks) { (void)blocks; }
  // Partial-order reduction: a transition expand_sleep() does not emit
  // because it sleeps (`next` is its successor, valid during the call). A
  // sink that records the whole graph (explore/state_graph.h) looks the
  // successor up, and may store it when no awake transition has yet: then it
  // answers New and the worker checks the state as after emit(). It never
  // changes the search's sleep sets, parents or keys.
  virtual Seen asleep(uint32_t index, Label label, const uint8_t* next) {
    (void)index;
    (void)label;
    (void)next;
    return Seen::Ignored;
  }
  // Memos (Worker::memos): a 32-bit value the worker attaches to the state of
  // the last emit that returned New, and gets back with that state when it
  // is expanded: state_memo() is the memo of the state being expanded, 0
  // when it has none (the initial state, a resumed frontier, a search that
  // keeps no memos). A memo may only save work: it must never change what the
  // worker emits or reports.
  virtual void set_memo(uint32_t memo) { (void)memo; }
  virtual uint32_t state_memo() const { return 0; }
};

// Per-explorer-thread scratch and interpreter: one Worker is used by one thread
// at a time, so it may keep mutable buffers.
class Worker {
 public:
  enum class Result {
    Expanded,           // emitted at least one successor
    Terminal,           // no successors: every thread has finished, and final checks pass
    TerminalViolation,  // no successors, every thread finished, a final check failed (e.g. a leak)
    Deadlock,           // no successors but some thread has not finished
  };
  virtual ~Worker() = default;
  // Emits every successor of `state` in a deterministic order (the same order on
  // every call and on every thread).
  virtual Result expand(const uint8_t* state, SuccessorSink& sink) = 0;
  // A hint for the next expand() or expand_sleep() only: the state it is
  // given equals the state the previous expand() or expand_sleep() on this
  // worker was given, except in the blocks set in `blocks` (the layout of
  // SuccessorSink::diff_hint; valid until that call returns). A worker that
  // keeps a copy of the state it expands may update only those blocks.
  virtual void since_last(const uint64_t* blocks) { (void)blocks; }
  // Checks the state-level properties (invariants) of the initial state.
  // Returns true when the initial state itself is a violation.
  virtual bool initial_violation(const uint8_t* state) = 0;
  // The same check of a new state that is not the initial one and whose
  // successor check ran nowhere (a distributed owner's check of a state
  // another rank generated without checking it: dist_bfs.h). It differs from
  // initial_violation() only in that a worker counts it among its invariant
  // runs, as it counts the checks of the successors it generates.
  virtual bool stored_violation(const uint8_t* state) { return initial_violation(state); }

  // Partial-order reduction by sleep sets (Godefroid, "Partial-Order Methods
  // for the Verification of Concurrent Systems", ch. 5). A worker that can
  // tell when two of a state's transitions commute names each transition that
  // may fall asleep by a slot below 64 (the interpreter: its context). Then
  // expand_sleep(state, sink, sleep) emits the successors of the transitions
  // whose slot is not in `sleep`, in the same order and with the same
  // indices as expand(), and before each emit calls sink.sleep_next() with the
  // successor's sleep set: the slots of `sleep` and of the transitions
  // emitted before it at this state that commute with it; for each
  // transition that sleeps it calls sink.asleep() instead, at its place in
  // that order. Every reachable
  // state is still reached, at the same breadth-first depth; only
  // transitions into states reached another way are skipped. The Result is
  // the one expand() gives (a state whose transitions all sleep is Expanded).
  virtual bool sleep_sets() const { return false; }
  virtual Result expand_sleep(const uint8_t* state, SuccessorSink& sink, uint64_t sleep) {
    (void)sleep;
    return expand(state, sink);
  }
  // Transitions expand_sleep() skipped because they slept (a running count).
  uint64_t asleep() const { return asleep_; }
  // Whether the worker uses SuccessorSink memos (the breadth-first search
  // then keeps one uint32 per frontier state).
  virtual bool memos() const { return false; }
  // Memos between processes (the distributed search, where a state is
  // checked by the rank that generated it and expanded by the rank that owns
  // it): a memo's portable form is memo_bytes() long (0: none);
  // export_memo() writes memo's (0: the form of no memo) and import_memo()
  // gives the local memo of one (0 when it names none, or this process's
  // table is full). A memo only saves work, so one lost on the way costs
  // runs, never a verdict.
  virtual size_t memo_bytes() const { return 0; }
  virtual void export_memo(uint32_t memo, uint8_t* out) const {
    (void)memo;
    (void)out;
  }
  virtual uint32_t import_memo(const uint8_t* in) {
    (void)in;
    return 0;
  }

  // Liveness properties "always eventually P" (explore/fair_cycle.h), checked
  // under weak fairness after a complete breadth-first pass. progress(state)
  // says which hold in `state` (bit i: property i, i < progress_count() <=
  // 64); it must be a function of the state alone. fairness_unit(label)
  // names who takes a transition (the interpreter: its context); a unit
  // enabled all along a cycle must move in it.
  virtual unsigned progress_count() const { return 0; }
  virtual uint64_t progress(const uint8_t* state) {
    (void)state;
    return 0;
  }
  virtual uint32_t fairness_unit(Label label) const { return label; }

  // A hash of what a final state means (Stats::final_digest, which `ptcheck
  // mutate` compares across versions of a model): by default every byte
  // (explorer.cpp); a system may leave out bytes that follow its code rather
  // than its outcome (the interpreter: the stacks, sized by the frames).
  virtual uint64_t outcome(const uint8_t* state, size_t size);

 protected:
  uint64_t asleep_ = 0;
};

class TransitionSystem {
 public:
  virtual ~TransitionSystem() = default;
  virtual size_t state_size() const = 0;
  // The state vector's natural pieces, for compressing stores.
  virtual StateShape shape() const { return StateShape::uniform(static_cast<uint32_t>(state_size())); }
  // Writes the initial state into `out` (state_size() bytes).
  virtual void initial_state(uint8_t* out) const = 0;
  virtual std::unique_ptr<Worker> make_worker() const = 0;

  // Checkpoints: what the workers gathered during the search besides states
  // (the model's coverage marks and lock-order edges), saved with a
  // checkpoint and handed back on resume, so that a resumed run reports
  // what an uninterrupted one does (without them, a lock inversion taken
  // before the checkpoint went unreported). They must be sets that seeing a
  // transition twice does not change: the partly expanded layer a checkpoint
  // drops is expanded again on resume. Const like make_worker(): the
  // system's gathered sets are its workers' side (mutable) state.
  virtual std::vector<uint8_t> observations() const { return {}; }
  // Adds what observations() wrote to what the workers gather; throws
  // std::invalid_argument when the bytes are not that.
  virtual void restore_observations(const std::vector<uint8_t>& bytes) const {
    if (!bytes.empty()) throw std::invalid_argument("observations of another kind of system");
  }
};

}  // namespace ptcheck::explore
