#pragma once
// Non-termination: after a complete breadth-first pass, the states from which
// no final state (every context finished, the final checks passed) can be
// reached. From such a state every continuation loops forever (a busy-wait
// nobody satisfies, a retry loop that always retries, threads waiting on each
// other through flags), so the end-of-run checks (kmemleak, final blocks) it
// would have reached never run: the pass would be vacuous.
//
// Algorithm: the explored graph, as compressed rows over the canonical
// breadth-first order (explore/state_graph.h), is the one the search recorded
// as it expanded each state; when it could not (memory), it is rebuilt here
// (each state expanded once more, its successors looked up in the store,
// never inserted). A quick check on the recorded chunks comes first: passes
// in reverse breadth-first order that mark the states that are final or have
// a marked successor; when every state is marked, the run passes with no
// further memory (liveness.cpp, every_state_can_finish). Otherwise, and for
// liveness properties, the states that can reach a final state are found by
// a backward breadth-first search from the final states over the canonical
// rows. Linear in states and transitions. Co-reachability is what the question
// asks; strongly connected components would only be needed for fairness
// (which loops a fair scheduler must leave), which this check does not
// assume: a loop that some schedule can leave towards the end is not
// reported. The first stuck state in canonical order gives the lasso: its
// shortest path from the initial state, then a depth-first walk (successors
// in their fixed order) until a state repeats; the steps from that state on
// repeat forever. Deterministic for every thread count.
//
// When no state is stuck, the same graph answers the system's liveness
// properties "always eventually P" under weak fairness (explore/fair_cycle.h):
// a final state where P is false (the run ends and P never holds again), or a
// weakly fair cycle of P-false states. Both are counterexamples; the one whose
// first state comes first in canonical order is reported, for the first
// property (in declaration order) that has one.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "explore/memory.h"
#include "explore/state_graph.h"
#include "explore/storage.h"
#include "explore/transition_system.h"

namespace ptcheck::explore {

struct Lasso {
  bool found = false;
  StateId stuck = kNoState;  // the first stuck state (canonical order): the prefix is the path to it
  std::vector<Label> walk;   // from `stuck` to the loop's first state
  std::vector<Label> loop;   // the loop, back to its first state
  // A liveness property's counterexample (stuck states come first): its
  // index; `stuck` is where the loop starts (walk is empty), or the final
  // state where the property is false (walk and loop are empty).
  int property = -1;
  std::string skipped;       // why the check did not run (memory), "" when it did
};

// order: every stored state, in canonical breadth-first order (initial state
// first). `recorded`: the graph the search recorded (null, or dropped for
// memory: rebuilt here with one worker and cursor per entry of
// `workers`/`cursors`, the explorer's own, in parallel). workers[0] answers
// the progress and fairness questions. Memory is charged to `mem`.
class StoreCursor;
Lasso find_stuck_states(std::span<const StateId> order, uint64_t id_bound, std::vector<Worker*> workers,
                        std::vector<StoreCursor*> cursors, MemoryAccount& mem, GraphRecorder* recorded = nullptr);

}  // namespace ptcheck::explore
