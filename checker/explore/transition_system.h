#pragma once
// The contract between the explorer and whatever it explores. The explorer knows
// nothing of kernels or interpreters: a state is a fixed-size byte vector, a
// transition is an opaque 32-bit label, and a Worker enumerates successors.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ptcheck::explore {

// Chosen by the system; the explorer only stores labels and hands back the path.
// (The interpreter encodes thread index and nondeterministic choice in it.)
using Label = uint32_t;

class SuccessorSink {
 public:
  virtual ~SuccessorSink() = default;
  // One successor. `next` (state_size() bytes) is only valid during the call.
  // violation=true: this transition ends in an error (a failed check, a BUG, an
  // invariant broken in `next`); the explorer records it as a counterexample
  // candidate and does not store `next`.
  virtual void emit(Label label, const uint8_t* next, bool violation) = 0;
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
  // Checks the state-level properties (invariants) of the initial state.
  // Returns true when the initial state itself is a violation.
  virtual bool initial_violation(const uint8_t* state) = 0;
};

class TransitionSystem {
 public:
  virtual ~TransitionSystem() = default;
  virtual size_t state_size() const = 0;
  // Writes the initial state into `out` (state_size() bytes).
  virtual void initial_state(uint8_t* out) const = 0;
  virtual std::unique_ptr<Worker> make_worker() const = 0;
};

}  // namespace ptcheck::explore
