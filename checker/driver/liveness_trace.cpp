// Checking a liveness property's counterexample step by step; see liveness_trace.h.
#include "driver/liveness_trace.h"

#include <stdexcept>

#include <fmt/format.h>

#include "vm/machine.h"

namespace ptcheck {

LivenessCheck check_liveness_path(const vm::Model& m, const std::vector<uint32_t>& labels,
                                  std::optional<size_t> loop_from, size_t property) {
  LivenessCheck out;
  if (property >= m.progress.size()) {
    out.problem = "the target has no such liveness property";
    return out;
  }
  const std::string& name = m.progress[property].first;
  auto fails = [&](std::string why) {
    out.problem = std::move(why);
    return out;
  };
  vm::Machine mach(m);
  std::vector<uint8_t> s(m.buffer_size());
  if (!mach.build_initial(s.data())) return fails("the initial state fails to build");
  auto holds = [&]() { return (mach.progress(s.data()) >> property) & 1; };
  const uint32_t C = m.contexts();
  std::vector<size_t> moved_at(C, 0), disabled_at(C, 0);  // 1-based step numbers, 0: never
  std::vector<std::string> why_disabled(C);
  std::vector<uint8_t> loop_start;
  std::vector<vm::Move> moves;
  try {
    for (size_t i = 0; i < labels.size(); ++i) {
      vm::Move mv = vm::Machine::unlabel(labels[i]);
      moves.clear();
      mach.moves(s.data(), moves);
      if (loop_from && i >= *loop_from) {
        if (i == *loop_from) loop_start.assign(s.begin(), s.begin() + m.state_size);
        if (holds()) return fails(fmt::format("'{}' holds before step {}, which is in the loop", name, i + 1));
        for (uint32_t c = 0; c < C; ++c) {
          bool can = false;
          for (const auto& x : moves) can = can || x.context == c;
          if (!can && !disabled_at[c]) {
            disabled_at[c] = i + 1;
            why_disabled[c] = mach.blocked_reason(s.data(), c);
          }
        }
        if (mv.context < C && !moved_at[mv.context]) moved_at[mv.context] = i + 1;
      }
      bool possible = false;
      for (const auto& x : moves) possible = possible || (x.context == mv.context && x.choice == mv.choice);
      if (!possible) return fails(fmt::format("step {} is not possible", i + 1));
      if (!mach.step(s.data(), mv)) return fails(fmt::format("step {} fails ({})", i + 1, vm::kind_name(mach.error().kind)));
    }
    out.lines.push_back(property_line(m, property));
    if (!loop_from) {
      moves.clear();
      mach.moves(s.data(), moves);
      if (!moves.empty() || !mach.all_done(s.data())) return fails("the path does not end the run");
      if (holds()) return fails(fmt::format("'{}' holds when the run ends", name));
      out.lines.push_back(fmt::format("every context has finished after step {} and '{}' is false: it never holds again",
                                      labels.size(), name));
      out.ok = true;
      return out;
    }
  } catch (const std::runtime_error& e) {
    return fails(e.what());
  }
  if (*loop_from >= labels.size()) return fails("the loop is empty");
  if (!std::equal(loop_start.begin(), loop_start.end(), s.begin()))
    return fails(fmt::format("after step {} the state is not the one step {} started from: no loop", labels.size(),
                             *loop_from + 1));
  for (uint32_t c = 0; c < C; ++c)
    if (!moved_at[c] && !disabled_at[c])
      return fails(fmt::format("{} can move in every state of the loop and never does: the loop is not weakly fair",
                               m.context_name(c)));
  out.lines.push_back(fmt::format("'{}' is false in every state of the loop: steps {}..{} repeat forever (after step {} "
                                  "the state is the one step {} started from)",
                                  name, *loop_from + 1, labels.size(), labels.size(), *loop_from + 1));
  out.lines.push_back("the loop is weakly fair: every context that could move all along it moves in it");
  for (uint32_t c = 0; c < C; ++c) {
    if (moved_at[c])
      out.lines.push_back(fmt::format("{}: moves (step {})", m.context_name(c), moved_at[c]));
    else
      out.lines.push_back(fmt::format("{}: cannot move at step {} ({})", m.context_name(c), disabled_at[c],
                                      why_disabled[c].empty() ? "finished, or nothing to do" : why_disabled[c]));
  }
  out.ok = true;
  return out;
}

std::string property_line(const vm::Model& m, size_t property) {
  return "property: " + m.progress.at(property).first;
}

int property_of(const vm::Model& m, const std::vector<std::string>& report) {
  for (const auto& line : report)
    if (line.rfind("property: ", 0) == 0)
      for (size_t i = 0; i < m.progress.size(); ++i)
        if (line == property_line(m, i)) return int(i);
  return -1;
}

}  // namespace ptcheck
