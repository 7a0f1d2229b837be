// lockdep's reports for one acquisition (kernel/locking/lockdep.c, 7.1.3):
// print_deadlock_bug() "possible recursive locking detected", and the head of
// print_circular_bug() "possible circular locking dependency detected" for the
// step that closes a cycle of the lock-order graph (driver/lock_graph.cpp adds
// the other chains).
#include <fmt/format.h>

#include "driver/report.h"
#include "vm/lock_class.h"

namespace ptcheck {

namespace {
std::string site(const vm::Model& m, uint32_t loc) {
  return fmt::format("{} ({}:{})", loc_function(m, loc), loc_file(m, loc), loc_line(m, loc));
}
std::string held_site(const vm::Model& m, const ObjectHistory& hist, uint32_t ctx, uint64_t lock) {
  auto it = hist.acquired.find({ctx, lock});
  if (it == hist.acquired.end() || it->second.chain.empty()) return "(before the first step)";
  return fmt::format("{} (step {})", site(m, it->second.chain[0]), it->second.step);
}
}  // namespace

void render_lockdep_violation(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                              const std::vector<uint32_t>& chain, const ObjectHistory& hist) {
  auto& out = v.report;
  const std::string task = fmt::format("{}/{}", m.context_name(e.context), e.context);
  const std::string want = vm::lock_class_name(m, vm::lock_class_key(m, e.addr));
  const std::string have = vm::lock_class_name(m, vm::lock_class_key(m, e.value));
  const bool recursive = e.kind == vm::ErrorKind::RecursiveLocking;
  v.title = recursive ? "WARNING: possible recursive locking detected"
                      : "WARNING: possible circular locking dependency detected";
  out.push_back(fmt::format("{} is trying to acquire lock:", task));
  out.push_back(fmt::format(" {:016x} ({}), at: {}", e.addr, want, site(m, e.loc)));
  out.push_back("");
  out.push_back("but task is already holding lock:");
  out.push_back(fmt::format(" {:016x} ({}), at: {}", e.value, have, held_site(m, hist, e.context, e.value)));
  out.push_back("");
  if (recursive) {
    out.push_back("other info that might help us debug this:");
    out.push_back(" Possible unsafe locking scenario:");
    out.push_back("       CPU0");
    out.push_back("       ----");
    out.push_back(fmt::format("  lock({});", have));
    out.push_back(fmt::format("  lock({});", want));
    out.push_back("");
    out.push_back(" *** DEADLOCK ***");
    out.push_back("");
    out.push_back(" May be due to missing lock nesting notation (spin_lock_nested(), mutex_lock_nested(), "
                  "down_read_nested())");
  } else {
    out.push_back("which lock already depends on the new lock.");
    out.push_back("closing dependency: " + e.detail);
  }
  out.push_back("");
  out.push_back("Call Trace:");
  for (uint32_t l : chain) out.push_back(" " + site(m, l));
}

}  // namespace ptcheck
