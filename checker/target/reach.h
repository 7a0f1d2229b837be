#pragma once
// Reach points (`reach ...;` in a target): what a `pass` must have executed
// somewhere in the explored space, so that it cannot be vacuous. At load
// time each point is resolved to the instructions that reach it, and a name
// or line the target's program does not have is a located error; after a
// run, the coverage marks (vm/coverage.h) say which points no explored path
// executed.
//
//   reach pte_free_now;                       a function was entered
//   reach pte_offset_map_lock: goto again;    a `goto again;` in it ran (the retry)
//   reach zap_pte_range:out;                  the statement labelled `out:` ran
//   reach pmd_same_retry;                     a label (in exactly one function)
//   reach model/mm/pgtable-generic.ptm:233;   some code on that line ran
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontend/ast.h"
#include "vm/coverage.h"
#include "vm/model.h"

namespace ptcheck {

struct ReachPoint {
  std::string text;  // as written in the target: "pte_offset_map_lock: goto again"
  SourceLoc loc;     // where it is written
  std::vector<std::pair<uint32_t, uint32_t>> at;  // (function id, pc): running any one reaches the point
};

// Throws InputError at the point's spec location when the compiled program
// has no such function, label, goto or line; lenient (a mutant's program):
// such a point resolves to nothing and so is never reached.
std::vector<ReachPoint> resolve_reach(const std::vector<ast::ReachDecl>& decls, const vm::Model& m,
                                      const SourceManager& sm, bool lenient = false);

// The points no mark in c says ran, in declaration order.
std::vector<std::string> unreached_points(const std::vector<ReachPoint>& points, const vm::Coverage& c);

}  // namespace ptcheck
