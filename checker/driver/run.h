#pragma once
// What the CLI asks for: check a target on an arch (explore, then replay the
// counterexample into a trace), and replay a stored trace.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/coverage.h"
#include "driver/verdict.h"
#include "explore/explorer.h"
#include "target/instantiate.h"
#include "trace/trace.h"
#include "vm/lock_deps.h"

namespace ptcheck {

struct CheckOptions {
  explore::Options explore;
  std::vector<std::pair<std::string, bool>> sets;  // --set
  bool coverage = false;                           // --coverage: record model lines and branches run
  bool invariant_memo = true;                      // vm/invariant_memo.h (--no-invariant-memo: off)
};

struct CheckResult {
  std::string target, arch;
  std::string store, search;   // how it was explored ("tree", "bfs", ...)
  std::string reduction;       // the partial-order reduction used ("sleep", "none")
  std::string liveness;        // the non-termination check: "checked", "off", or why it did not run
  std::string memory_model = "sc";  // vm/memory_model.h: the model the target ran under
  std::string memory_model_limits;  // what that model does not produce ("" for sc)
  bool probabilistic = false;  // a lossy store: a pass (or a count) may have missed states
  double omission_probability = 0;
  std::string lossy_summary;   // SPIN-style estimate of what a lossy store may have missed
  bool shortest = true;        // the counterexample is proven shortest (depth-first: after shortening)
  std::string checkpoint_written, checkpoint_error;
  // Under mpirun: each rank's states and peak memory (empty in one process).
  std::vector<uint64_t> rank_states, rank_memory;
  RowExpected expected;        // driver/verdict.h
  RowVerdict verdict = RowVerdict::Pass;
  std::optional<vm::ErrorKind> error_kind;  // Violation: the kind found
  std::string error;           // Error: why the target could not be checked
  std::string witness;         // a layout property's witness (fails / sat)
  std::string incomplete_reason;
  bool as_expected = false;
  uint32_t state_bytes = 0;    // size of one state vector
  explore::Stats stats;
  // Invariant evaluations (one invariant on one new state) run, and those the
  // invariant memo skipped (vm/invariant_memo.h). Which parent's memo a new
  // state inherits depends on which thread stores it first, so these vary
  // with the thread count; the verdict and counts do not.
  uint64_t invariant_runs = 0, invariant_skips = 0;
  // Instructions the interpreter ran in the search's steps and invariant
  // evaluations (vm::Machine::instructions()); they follow the invariant
  // runs, so they vary with the thread count too.
  uint64_t instructions = 0;
  std::optional<trace::Trace> trace;
  // The lock-order graph's edges, by class name (vm/lock_deps.h), sorted.
  std::vector<std::pair<std::string, std::string>> lock_edges;
  std::shared_ptr<const CoverageData> coverage;  // with --coverage
  std::vector<std::string> reach_points;  // the target's reach points (target/reach.h), as written
  std::vector<std::string> unreached;     // those a complete search never executed (verdict "vacuous")
};

CheckResult check_target(Project& project, const TargetEntry& target, const std::string& arch,
                         const CheckOptions& opt);

// What a row came to, in words (driver/verdict.cpp): "violation
// use-after-free", "incomplete (time-limit)", "vacuous (unreached: P, ...)",
// "pass", "holds", ...
std::string got_text(const CheckResult& r);
std::string vacuous_text(const CheckResult& r);
// The violation's kind name ("use-after-free"), "" without one.
std::string kind_text(const CheckResult& r);
// What a target's `expect` line asks for (Unknown "?" without one; a kind
// ptcheck does not know is kept as written, for the row of a target that
// failed to load).
RowExpected expected_of(const TargetEntry& t);
// A layout property's witness with its answer ("fails when CONFIG_X=y; ..."),
// "" when there is none.
std::string witness_text(const CheckResult& r);

// The state vector of a target, region by region, for sizing a target.
std::string describe_state(Project& project, const TargetEntry& target, const std::string& arch,
                           const std::vector<std::pair<std::string, bool>>& sets);

// What a checkpoint must match to be resumed: target, arch, configs, bounds,
// the model files' hashes, the store and --coverage.
std::string run_fingerprint(const Instance& inst, const explore::Options& o, bool coverage = false);
// The error kind a path of labels ends in ("none" when it ends in none,
// "diverged" when a label is impossible).
std::string violation_kind(const vm::Model& m, const std::vector<uint32_t>& labels);

// Re-executes a path of explorer labels from the initial state and renders it.
// loop_from (livelock): labels[loop_from..] lead back to the state they
// started from; the trace says so, and the violation is the livelock.
// deps: a lock-order witness (vm/lock_deps.h) whose edge ends the path.
// property (liveness, >= 0): the always_eventually property the path breaks,
// with its loop at loop_from or, without one, by ending the run.
trace::Trace build_trace(const Instance& inst, const std::vector<uint32_t>& labels,
                         std::optional<size_t> loop_from = std::nullopt, vm::LockDeps* deps = nullptr,
                         int property = -1);

struct ReplayResult {
  bool reproduced = false;
  std::string message;  // what happened: "reproduced vm-bug at step 7" or where it diverged
  std::vector<std::string> warnings;
};
ReplayResult replay_trace(Project& project, const trace::Trace& t, const std::vector<std::pair<std::string, bool>>& sets);

}  // namespace ptcheck
