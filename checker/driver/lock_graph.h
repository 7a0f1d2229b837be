#pragma once
// The lock-order graph of a run (lockdep's dependency graph) on Boost.Graph:
// the cycle check after the search, the witness paths for each edge of a
// cycle, and the Graphviz form `check --lock-graph` writes.
#include <string>
#include <vector>

#include "driver/run.h"
#include "vm/lock_deps.h"

namespace ptcheck {

// The first cycle (its edges in order, the last one closing it), or empty.
// Deterministic: nodes are visited in key order.
std::vector<vm::LockEdge> find_lock_cycle(const std::vector<vm::LockEdge>& edges);

// Turns a passing result into a circular-locking violation: for each edge of
// the cycle, a breadth-first search for the first (shortest) path taking it;
// the trace is the path of the closing edge, and the report lists every chain.
void report_lock_cycle(CheckResult& r, const Instance& inst, const explore::Options& eo,
                       const std::vector<vm::LockEdge>& cycle);

// One digraph; a cluster per (target, arch) result with dependencies, an edge per dependency.
std::string lock_graph_dot(const std::vector<CheckResult>& results);

}  // namespace ptcheck
