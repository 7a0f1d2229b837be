#pragma once
// Shortening a counterexample found depth-first (explore/dfs.cpp).
//  1. Trace minimisation: drop one step at a time, keeping the drop when the
//     rest still replays (each label must still be possible) and ends in a
//     violation of the same kind at its last step; repeat until no single step
//     can go.
//  2. A bounded breadth-first search to one step less than the result, within
//     a state budget: if it finds a violation, that one is shortest; if it
//     completes without one, the minimised trace is proven shortest;
//     otherwise the trace is reported as not proven shortest.
#include <vector>

#include "explore/explorer.h"

namespace ptcheck::explore {

struct Replayed {
  bool violation = false;  // the path ends in a violation at its last step (or state)
  EndKind end = EndKind::None;
  size_t length = 0;       // steps taken before it stopped (a violation may come early)
};

// Replays `path` from the initial state: stops at the first violation.
Replayed replay_path(const TransitionSystem& ts, const std::vector<Label>& path);

// Minimises `r.path` (a violation found by a depth-first search) in place and
// sets r.shortest. `budget_states` bounds the BFS of step 2 (0: skip it).
void shorten(const TransitionSystem& ts, const Options& opt, Result& r, uint64_t budget_states);

}  // namespace ptcheck::explore
