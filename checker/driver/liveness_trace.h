#pragma once
// A liveness property's counterexample (always_eventually, explore/fair_cycle.h)
// on the interpreter: re-executes the path and checks what the search claims,
// so that both the search's own trace and `replay` of a stored one prove it
// step by step: the property is false in every state of the loop, the loop
// returns to the state it started from, and the loop is weakly fair (every
// context able to move in every state of it moves in it); or, without a loop,
// the run ends (every context finished) with the property false.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vm/model.h"

namespace ptcheck {

struct LivenessCheck {
  bool ok = false;
  std::string problem;             // why not (the path does not show the violation)
  std::vector<std::string> lines;  // the report's lines (when ok)
};

// labels: the path from the initial state; loop_from: where the loop starts
// (labels[loop_from..] repeat forever), none for a run that ends.
LivenessCheck check_liveness_path(const vm::Model& m, const std::vector<uint32_t>& labels,
                                  std::optional<size_t> loop_from, size_t property);

// The report line naming the property ("property: NAME"), and reading it back
// from a stored trace's report (-1 when absent or not a property of m).
std::string property_line(const vm::Model& m, size_t property);
int property_of(const vm::Model& m, const std::vector<std::string>& report);

}  // namespace ptcheck
