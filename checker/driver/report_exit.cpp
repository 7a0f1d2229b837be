// Reports for a context that finished holding something, in the kernel's
// words (kernel/locking/lockdep.c lockdep_sys_exit() and print_lock(),
// kernel/exit.c do_exit(), 7.1.3): each held lock with its class and the model
// line that took it, found in the replay's acquisition history.
#include <fmt/format.h>

#include <algorithm>

#include "driver/report.h"
#include "vm/lock_class.h"

namespace ptcheck {

namespace {

std::string site_line(const vm::Model& m, uint32_t loc) {
  return fmt::format("{} ({}:{})", loc_function(m, loc), loc_file(m, loc), loc_line(m, loc));
}

// "at: f (file:line)" of the acquisition, and the callers below it.
void acquisition(std::vector<std::string>& out, const vm::Model& m, const ObjectHistory& hist, uint32_t ctx,
                 uint64_t addr, const std::string& head) {
  auto it = hist.acquired.find({ctx, addr});
  if (it == hist.acquired.end() || it->second.chain.empty()) {
    out.push_back(head + ", at: (acquired before the first step)");
    return;
  }
  const auto& chain = it->second.chain;
  out.push_back(fmt::format("{}, at: {} (step {})", head, site_line(m, chain[0]), it->second.step));
  for (size_t i = 1; i < chain.size(); ++i) out.push_back("      called from " + site_line(m, chain[i]));
}

unsigned step_of(const ObjectHistory& hist, uint32_t ctx, uint64_t addr) {
  auto it = hist.acquired.find({ctx, addr});
  return it == hist.acquired.end() ? 0 : it->second.step;
}

}  // namespace

void render_exit_violation(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                           const std::vector<uint32_t>& chain, const uint8_t* s, const ObjectHistory& hist) {
  auto& out = v.report;
  const uint32_t c = e.context;
  const std::string task = fmt::format("{}/{}", m.context_name(c), c);
  const auto* th = reinterpret_cast<const vm::ThreadState*>(s + m.threads_off + c * sizeof(vm::ThreadState));
  const std::string leaving = "leaving at: " + site_line(m, e.loc);
  if (e.kind == vm::ErrorKind::AtomicAtExit) {
    bool irq = th->irq_off;
    v.title = irq ? fmt::format("note: {}[{}] exited with irqs disabled", m.context_name(c), c)
                  : fmt::format("note: {}[{}] exited with preempt_count {}", m.context_name(c), c, th->preempt);
    acquisition(out, m, hist, c, irq ? vm::kSiteIrqOff : vm::kSitePreempt,
                irq ? "interrupts disabled" : "preemption disabled");
    if (irq && th->preempt) acquisition(out, m, hist, c, vm::kSitePreempt, fmt::format("preempt_count {}", th->preempt));
  } else {
    // lockdep_sys_exit(): rcu_read_lock() is the lockdep map rcu_lock_map, so
    // an open read-side section is one of the held locks, in acquisition order.
    v.title = "WARNING: lock held when returning to user space!";
    out.push_back(fmt::format("{} is leaving the kernel with locks still held!", task));
    std::vector<std::pair<unsigned, uint64_t>> held;  // (step, address), acquisition order
    for (uint32_t i = 0; i < th->nheld; ++i) held.emplace_back(step_of(hist, c, th->held[i]), th->held[i]);
    if (th->rcu_depth) held.emplace_back(step_of(hist, c, vm::kSiteRcu), vm::kSiteRcu);
    std::stable_sort(held.begin(), held.end(), [](auto& a, auto& b) { return a.first < b.first; });
    out.push_back(fmt::format("{} lock{} held by {}:", held.size(), held.size() == 1 ? "" : "s", task));
    for (size_t i = 0; i < held.size(); ++i) {
      uint64_t a = held[i].second;
      std::string head =
          a == vm::kSiteRcu
              ? fmt::format(" #{}: (rcu_read_lock){{nesting {}}}", i, th->rcu_depth)
              : fmt::format(" #{}: {:016x} ({})", i, a, vm::lock_class_name(m, vm::lock_class_key(m, a)));
      acquisition(out, m, hist, c, a, head);
    }
    if (th->rcu_depth) out.push_back(fmt::format("rcu_read_lock() held at exit (nesting {})", th->rcu_depth));
  }
  out.push_back(leaving);
  out.push_back("");
  out.push_back("Call Trace:");
  for (uint32_t l : chain) out.push_back(fmt::format(" {}", site_line(m, l)));
  if (c == m.rcu_context()) {
    out.push_back(" rcu_do_batch (kernel/rcu/tree.c)");
    out.push_back(" <SOFTIRQ>");
  }
}

}  // namespace ptcheck
