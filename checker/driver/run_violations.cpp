// The violations a path ends in without a failing step (see run_violations.h).
#include "driver/run_violations.h"

#include <stdexcept>

#include <fmt/format.h>

#include "driver/liveness_trace.h"
#include "vm/machine.h"

namespace ptcheck {

trace::Violation deadlock_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s,
                                    const ObjectHistory& hist) {
  const vm::Model& m = inst.model;
  vm::ErrorInfo e;
  e.kind = vm::ErrorKind::Deadlock;
  for (uint32_t c = 0; c < m.contexts(); ++c)
    if (!mach.blocked_reason(s, c).empty()) {
      e.context = c;
      e.loc = mach.resting_loc(s, c);
      break;
    }
  return render_violation(m, *inst.env, e, {}, s, hist, mach);
}

trace::Violation livelock_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s,
                                    const ObjectHistory& hist, size_t loop_from, size_t steps) {
  const vm::Model& m = inst.model;
  vm::ErrorInfo e;
  e.kind = vm::ErrorKind::Livelock;
  e.detail = fmt::format("the loop: steps {}..{} repeat forever (after step {} the state is the one step {} started from)",
                         loop_from + 1, steps, steps, loop_from + 1);
  // Name a context that keeps running (a busy-waiter), else any unfinished one.
  bool named = false;
  for (int pass = 0; pass < 2 && !named; ++pass)
    for (uint32_t c = 0; c < m.contexts() && !named; ++c)
      if (reinterpret_cast<const vm::ThreadState*>(s + m.threads_off)[c].func != UINT32_MAX &&
          (pass == 1 || mach.blocked_reason(s, c).empty())) {
        e.context = c;
        e.loc = mach.resting_loc(s, c);
        named = true;
      }
  // Some contexts wait for each other's locks while another keeps moving: a
  // deadlock the busy-waiter masks (no state is without moves). Reported as
  // the deadlock it is (SPIN: an invalid end state), with the lasso.
  std::vector<uint32_t> cycle = mach.deadlock_cycle(s);
  if (!cycle.empty()) {
    std::string who;
    for (uint32_t c : cycle) who += (who.empty() ? "" : " -> ") + m.context_name(c);
    e.kind = vm::ErrorKind::Deadlock;
    e.detail = fmt::format("{} -> {} wait for each other's locks; the contexts still moving keep every state "
                           "with a move, so the deadlock is masked (steps {}..{} repeat forever)",
                           who, m.context_name(cycle[0]), loop_from + 1, steps);
  }
  trace::Violation v = render_violation(m, *inst.env, e, {}, s, hist, mach);
  v.loop_from = static_cast<unsigned>(loop_from + 1);
  return v;
}

trace::Violation liveness_violation(const Instance& inst, vm::Machine& mach, const uint8_t* s, const ObjectHistory& hist,
                                    const std::vector<uint32_t>& labels, std::optional<size_t> loop_from, size_t property) {
  const vm::Model& m = inst.model;
  LivenessCheck lc = check_liveness_path(m, labels, loop_from, property);
  if (!lc.ok) throw std::logic_error("build_trace: the liveness counterexample does not hold: " + lc.problem);
  vm::ErrorInfo e;
  e.kind = vm::ErrorKind::Liveness;
  e.detail = m.progress[property].first;
  trace::Violation v = render_violation(m, *inst.env, e, {}, s, hist, mach);
  v.report.insert(v.report.end(), lc.lines.begin(), lc.lines.end());
  if (loop_from) v.loop_from = static_cast<unsigned>(*loop_from + 1);
  return v;
}

}  // namespace ptcheck
