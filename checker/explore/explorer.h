#pragma once
// The parallel explicit-state explorer: layered BFS over a TransitionSystem.
//
// Determinism: the verdict, the number of distinct states, of transitions, the
// depth and the counterexample are the same for every thread count and every run
// (as long as no limit ends the run early). Each frontier state has a position;
// a new state's canonical parent is the smallest (parent position, successor
// index) that reached it during the layer, and the next frontier is ordered by
// that key. The first layer that shows any violation wins; within it a
// state-level end (deadlock, failed final check) beats a violating transition,
// and ties go to the smallest (frontier position, successor index). The layer in
// which a violation is found is finished before the run stops.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "explore/transition_system.h"

namespace ptcheck::explore {

struct Options {
  unsigned threads = 0;            // 0 = all cores (std::thread::hardware_concurrency)
  uint64_t max_states = 0;         // 0 = unlimited; reaching it ends the run as Incomplete
  uint64_t max_memory = 0;         // bytes of explorer memory (states + tables); 0 = unlimited
  double time_limit = 0;           // seconds; 0 = unlimited
  const std::atomic<bool>* cancel = nullptr;  // set asynchronously (e.g. SIGINT): Incomplete "interrupted"
  bool progress = false;           // print a progress line on stderr about once a second
};

enum class Verdict { Pass, Violation, Incomplete };

enum class EndKind {
  None,               // Pass / Incomplete
  Transition,         // a transition marked violating (path ends with its label)
  Deadlock,           // a reachable state without successors where some thread has not finished
  TerminalViolation,  // a reachable final state whose final checks fail
  Initial,            // the initial state itself violates an invariant
};

struct Stats {
  uint64_t states = 0;       // distinct states stored, the initial state included
  uint64_t transitions = 0;  // every emitted successor (duplicates and violating ones too)
  unsigned depth = 0;        // Pass: BFS layers below the initial state; Violation: path length
  double seconds = 0;
  uint64_t memory_bytes = 0;   // peak memory held by the explorer (states, links, tables, frontiers)
  double bytes_per_state = 0;  // memory_bytes / states
  uint64_t frontier = 0;       // states left unexpanded when the run ended (0 for Pass)
};

struct Result {
  Verdict verdict = Verdict::Pass;
  // Incomplete: "max-states", "max-memory", "time-limit" or "interrupted".
  // A Violation may also carry a reason: a limit hit while the layer holding the
  // violation was being finished, so the counterexample is real and of the
  // shortest length found so far, but its tie-break may not be the canonical one.
  std::string incomplete_reason;
  EndKind end = EndKind::None;
  // Transition: labels from the initial state, the last one being the violating
  // transition. Deadlock / TerminalViolation: labels leading to that state.
  // Initial: empty.
  std::vector<Label> path;
  Stats stats;
};

Result explore(const TransitionSystem& ts, const Options& opt);

const char* to_string(Verdict v);
const char* to_string(EndKind k);

}  // namespace ptcheck::explore
