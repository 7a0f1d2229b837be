#pragma once
// The violations a counterexample path ends in without a failing step, as the
// trace builder (driver/run.cpp) renders them once it has replayed the path:
// a deadlock (no context can move), a lasso's livelock or masked deadlock
// (loop_from: the steps from there on repeat forever), and a liveness
// property's counterexample (driver/liveness_trace.h).
#include <cstdint>
#include <optional>
#include <vector>

#include "driver/report.h"
#include "target/instantiate.h"
#include "trace/trace.h"

namespace ptcheck {
namespace vm {
class Machine;
}

trace::Violation deadlock_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s,
                                    const ObjectHistory& hist);
trace::Violation livelock_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s,
                                    const ObjectHistory& hist, size_t loop_from, size_t steps);
trace::Violation liveness_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s, const ObjectHistory& hist,
                                    const std::vector<uint32_t>& labels, std::optional<size_t> loop_from, size_t property);

}  // namespace ptcheck
