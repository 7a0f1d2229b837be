#pragma once
// Liveness under weak fairness, on the explored graph: for a property
// "always eventually P" (GF P), a counterexample is an infinite run that is
// weakly fair and on which P is false from some point on, i.e. a reachable
// cycle through states where P is false, on which every fairness unit (the
// interpreter: a context) that is enabled in every state of the cycle also
// takes a step in it.
//
// Algorithm: the strongly connected components (Boost.Graph's
// strong_components, an iterative Tarjan) of the subgraph of states where P
// is false. A component with an edge inside it holds a weakly fair cycle iff
// every unit that is enabled in all of its states takes one of its internal
// edges: a cycle through every state and edge of the component is then fair,
// and if some unit is enabled throughout and never moves inside, every cycle
// in the component starves it. (Weak fairness needs no nested search, unlike
// strong fairness.) The component holding the first P-false state in
// canonical order that lies on a fair cycle is chosen, so the answer is the
// same for every thread count; the loop is stitched inside it by
// breadth-first paths: through one internal edge of each unit that moves
// there, and through a state where each unit that does not move is disabled.
// Linear in states and edges, plus one breadth-first pass over the component
// per unit.
#include <cstdint>
#include <vector>

namespace ptcheck::explore {

// The explored graph as compressed rows over the canonical breadth-first
// order: the edges of state k are [row[k], row[k+1]) of `succ` (target
// state) and `unit` (the fairness unit that takes the edge, any number).
struct RowGraph {
  const std::vector<uint64_t>& row;
  const std::vector<uint32_t>& succ;
  const std::vector<uint32_t>& unit;
  uint64_t states() const { return row.size() - 1; }
};

struct FairCycle {
  bool found = false;
  uint32_t entry = 0;           // the loop starts and ends here (canonical index)
  std::vector<uint64_t> edges;  // the loop, as edge indices into succ/unit
};

// bad[k]: P is false in state k.
FairCycle find_fair_cycle(const RowGraph& g, const std::vector<uint8_t>& bad);

}  // namespace ptcheck::explore
