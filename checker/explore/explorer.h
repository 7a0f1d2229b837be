#pragma once
// The explorer: searches a TransitionSystem's state space through a state
// store (explore/storage.h).
//
// Breadth-first (the default): layered BFS, parallel with TBB.
// Determinism: the verdict, the number of distinct states, of transitions, the
// depth and the counterexample are the same for every thread count and every run
// (as long as no limit ends the run early). Each frontier state has a position;
// a new state's canonical parent is the smallest (parent position, successor
// index) that reached it during the layer, and the next frontier is ordered by
// that key. The first layer that shows any violation wins; within it a
// state-level end (deadlock, failed final check) beats a violating transition
// or a stored state that breaks an invariant, and ties go to the smallest
// (frontier position, successor index). The layer in which a violation is
// found is finished before the run stops. So the counterexample is a shortest
// one, and canonical.
//
// Depth-first ("find first", explore/dfs.cpp): sequential DFS, or a swarm of
// randomised DFS workers, for the time to the first violation; the
// counterexample found is then shortened (explore/shorten.h). Lossy stores
// (hash compaction, bitstate) are allowed only there.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "explore/storage.h"
#include "explore/transition_system.h"

namespace ptcheck::explore {

enum class SearchKind { Bfs, Dfs, Swarm };
const char* to_string(SearchKind k);

// Partial-order reduction. Sleep: sleep sets (Worker::expand_sleep) in the
// breadth-first search. Each state's sleep set is the intersection of the
// sets its incoming edges from the previous layer give it (every such edge
// is seen before the state is expanded), so the same states are reached at
// the same depths, the counts of states and the verdict stay those of the
// full search, and only transitions into states reached another way are
// skipped (Stats::asleep). Edges from the state's own layer or later ones
// are longer paths and leave its set alone. The depth-first searches ignore it.
enum class Reduction { None, Sleep };
const char* to_string(Reduction r);

struct Options {
  unsigned threads = 0;            // 0 = all cores (std::thread::hardware_concurrency)
  uint64_t max_states = 0;         // 0 = unlimited; reaching it ends the run as Incomplete
  uint64_t max_memory = 0;         // bytes of explorer memory (store + frontiers); 0 = unlimited
  double time_limit = 0;           // seconds; 0 = unlimited
  const std::atomic<bool>* cancel = nullptr;  // set asynchronously (e.g. SIGINT): Incomplete "interrupted"
  bool progress = false;           // print a progress line on stderr about once a second
  SearchKind search = SearchKind::Bfs;
  Reduction reduction = Reduction::None;
  // After a complete breadth-first pass, look for states from which no final
  // state can be reached (explore/liveness.h): a Violation with EndKind::Livelock;
  // then check the worker's liveness properties (EndKind::Liveness).
  bool liveness = false;  // the CLI turns it on (check --no-liveness turns it off)
  // With liveness: record the graph while searching (explore/state_graph.h)
  // rather than rebuild it after the search (same answers; tests compare).
  bool record_graph = true;
  StoreOptions store;
  uint64_t seed = 0;               // swarm / randomised DFS
  unsigned max_depth = 0;          // paths of at most this many transitions (0 = unbounded); ends as "max-depth"
  // Checkpoints (breadth-first, lossless stores): when a run stops early
  // (limit or interrupt), its state is written to `checkpoint`; `resume`
  // continues one. `fingerprint` identifies what is being checked (target,
  // arch, configs, model hashes, options); a checkpoint of another run is refused.
  std::string checkpoint;
  std::string resume;
  std::string fingerprint;
  // Depth-first: a shortened counterexample must end in "the same" violation
  // as the one found (e.g. the same error kind); unset: the same EndKind.
  std::function<bool(const std::vector<Label>& found, const std::vector<Label>& shorter)> same_violation;
  uint64_t shorten_budget = 2'000'000;  // states for the bounded BFS that proves a trace shortest (0: skip)
};

enum class Verdict { Pass, Violation, Incomplete };

enum class EndKind {
  None,               // Pass / Incomplete
  Transition,         // a transition marked violating, or into a state breaking an invariant
  Deadlock,           // a reachable state without successors where some thread has not finished
  TerminalViolation,  // a reachable final state whose final checks fail
  Initial,            // the initial state itself violates an invariant
  Livelock,           // a reachable state from which no final state can be reached (path: a lasso)
  Liveness,           // a liveness property fails under weak fairness (path: a lasso, or a path to a final state)
};

struct Stats {
  uint64_t states = 0;       // distinct states stored, the initial state included
  uint64_t transitions = 0;  // every emitted successor (duplicates and violating ones too)
  uint64_t asleep = 0;       // transitions the reduction skipped (transitions + asleep: the full search's count)
  unsigned depth = 0;        // Pass: BFS layers below the initial state; Violation: path length
  double seconds = 0;
  uint64_t memory_bytes = 0;   // peak memory held by the explorer (store, frontiers)
  double bytes_per_state = 0;  // the search's peak memory / states (memory_bytes also counts the liveness graph and check)
  uint64_t frontier = 0;       // states left unexpanded when the run ended (0 for Pass)
  uint64_t store_bytes = 0;    // the store's share of memory_bytes at the end
  uint64_t tree_nodes = 0, tree_leaves = 0;  // tree store: distinct nodes and leaves
  // The final states (every thread finished, final checks passed) the run
  // expanded, and an order-independent digest of their bytes (the sum of
  // their XXH3 hashes): two runs of one system reach the same set of final
  // states iff these agree (up to hash collisions), whatever the thread
  // count or reduction, since every reachable state is expanded exactly
  // once. The breadth-first searches only, one process or distributed (0
  // after a depth-first one); a checkpoint carries them to the resumed run.
  // `ptcheck mutate` compares them to tell a mutant that changes outcomes
  // from one that only changes interleavings.
  uint64_t final_states = 0, final_digest = 0;
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
  std::string store;           // the store used ("tree", "plain", "hc", "bitstate")
  Reduction reduction = Reduction::None;  // the reduction used
  // Lossy stores: the result is probabilistic; these say how much.
  bool probabilistic = false;
  double omission_probability = 0;
  std::string lossy_summary;
  // Depth-first: whether the counterexample is proven shortest.
  bool shortest = true;
  std::string checkpoint_written;  // where the run's checkpoint went, if one was written
  std::string checkpoint_error;    // why writing it failed
  // The non-termination check (Options::liveness): "checked", "off", or why it
  // did not run. Livelock: path[loop_from..] repeats forever (it ends in the
  // state path[loop_from] started from).
  std::string liveness = "off";
  size_t loop_from = 0;
  // Liveness: the property that fails (Worker::progress bit) and whether the
  // path ends in a loop (path[loop_from..]) or in a final state (no loop).
  int property = -1;
  bool has_loop = false;
  // The distributed search (distributed/dist_bfs.h): states stored and peak
  // memory of each rank (empty for one process).
  std::vector<uint64_t> rank_states, rank_memory;
};

Result explore(const TransitionSystem& ts, const Options& opt);

// Refuses option combinations that cannot work (as SPIN's pan does): a lossy
// store with a breadth-first search, a checkpoint with a depth-first one, ...
// Returns "" when fine, else the reason.
std::string check_options(const Options& opt);

const char* to_string(Verdict v);
const char* to_string(EndKind k);

// The breadth-first search (explorer.cpp) and the depth-first ones (dfs.cpp).
Result explore_bfs(const TransitionSystem& ts, const Options& opt);
Result explore_dfs(const TransitionSystem& ts, const Options& opt);

}  // namespace ptcheck::explore
