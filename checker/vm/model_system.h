#pragma once
// A compiled model as the explorer's TransitionSystem: one Machine per worker,
// labels encoding (context, choice).
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "explore/transition_system.h"
#include "vm/machine.h"

namespace ptcheck::vm {

class InvariantMemos;

class ModelSystem : public explore::TransitionSystem {
 public:
  // witness: every worker fails the acquisition that adds this lock-order
  // edge (circular-locking), so a search returns the first path taking it.
  // coverage: every worker records what it executes, or only the
  // instructions flagged as reach points (vm/coverage.h).
  explicit ModelSystem(const Model& m, std::optional<LockEdge> witness = std::nullopt,
                       CoverageMode coverage = CoverageMode::Off);
  ~ModelSystem() override;
  // Invariant memos (vm/invariant_memo.h), on by default; set before workers are made.
  void set_invariant_memo(bool on);
  size_t state_size() const override { return m_.state_size; }
  void initial_state(uint8_t* out) const override;
  explore::StateShape shape() const override;
  std::unique_ptr<explore::Worker> make_worker() const override;
  // The initial state failed to build (an error in init or at a thread's start).
  bool init_failed() const { return init_failed_; }
  const ErrorInfo& init_error() const { return init_error_; }
  // Every lock-order edge the workers recorded, merged and sorted.
  std::vector<LockEdge> lock_edges() const;
  // What init and every worker executed, merged (empty without coverage).
  Coverage coverage() const;
  // Invariant memos: new states on which some invariant ran, and those on
  // which the memo skipped them all; invariant runs and skips, one per
  // invariant and new state; the instructions the workers' machines
  // interpreted (Machine::instructions()). Summed over the workers made. A cache line each: every
  // worker counts every new state, and two workers' counters on one line made
  // the line bounce between the cores (the SPIN twin at 2 threads spent 5% of
  // its CPU there).
  struct alignas(64) WorkerCounts {
    uint64_t ran = 0, skipped = 0;
    uint64_t invariants_ran = 0, invariants_skipped = 0;
    uint64_t instructions = 0;
  };
  WorkerCounts worker_counts() const;
  // Checkpoints: the lock-order edges and coverage marks so far
  // (TransitionSystem::observations).
  std::vector<uint8_t> observations() const override;
  void restore_observations(const std::vector<uint8_t>& bytes) const override;

 private:
  const Model& m_;
  std::vector<uint8_t> initial_;
  bool init_failed_ = false;
  ErrorInfo init_error_;
  std::optional<LockEdge> witness_;
  mutable std::mutex deps_mu_;
  mutable std::deque<LockDeps> deps_;  // one per worker made
  CoverageMode coverage_ = CoverageMode::Off;
  Coverage init_cov_;
  mutable std::deque<Coverage> covs_;  // one per worker made, with coverage
  std::unique_ptr<InvariantMemos> memos_;  // null: off
  mutable std::deque<WorkerCounts> worker_counts_;  // one per worker made
  // What a resumed run's checkpoint gathered before it (restore_observations).
  mutable std::vector<LockEdge> resumed_edges_;
  mutable Coverage resumed_cov_;
};

}  // namespace ptcheck::vm
