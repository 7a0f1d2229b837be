// What a context may not take with it when it finishes: a thread, an RCU
// callback or a final block whose entry function returns still holding a
// spinlock, rwsem or mutex, inside rcu_read_lock(), or with interrupts or
// preemption disabled. The kernel checks the same at the end of a task or a
// syscall: lockdep_sys_exit() and debug_check_no_locks_held()
// (kernel/locking/lockdep.c, 7.1.3; rcu_read_lock() is a lockdep map there, so
// an open read-side section is listed as a held lock), and do_exit()
// (kernel/exit.c: "exited with irqs disabled" / "exited with preempt_count").
// The acquisition site is not kept in the state: reports find it by replay
// (Recorder::on_acquire).
#include <fmt/format.h>

#include "vm/machine.h"

namespace ptcheck::vm {

bool Machine::check_exit(uint8_t* s, uint32_t t) {
  // The init block keeps its own check (build_initial), invariants hold nothing.
  if (t >= m_.contexts()) return true;
  const ThreadState& th = ts(s, t);
  if (th.func == m_.init_func) return true;
  if (!th.nheld && !th.rcu_depth && !th.irq_off && !th.preempt) return true;
  err_ = ErrorInfo{};
  if (th.nheld) {
    err_.addr = th.held[0];
    err_.value = th.nheld;
    return fail(ErrorKind::LockHeldAtExit, t, fmt::format("{} lock{} held", th.nheld, th.nheld == 1 ? "" : "s"));
  }
  if (th.rcu_depth) {
    err_.value = th.rcu_depth;
    return fail(ErrorKind::RcuHeldAtExit, t, fmt::format("rcu_read_lock() held at exit (nesting {})", th.rcu_depth));
  }
  err_.value = th.preempt;
  return fail(ErrorKind::AtomicAtExit, t,
              th.irq_off ? std::string("exited with irqs disabled")
                         : fmt::format("exited with preempt_count {}", th.preempt));
}

}  // namespace ptcheck::vm
