// assume() and a target's final block at run time. The front end compiles
// `assume(cond)` to the Assume builtin and `final { body }` to a thread named
// `final` whose body starts with the FinalWait builtin; the interpreter's
// hooks into its step loop are these functions.
#include "vm/machine.h"

namespace ptcheck::vm {

bool Machine::discarded(const uint8_t* s) const {
  for (uint32_t t = 0; t < m_.contexts(); ++t)
    if (ts(s, t).status == kDiscarded) return true;
  return false;
}

bool Machine::final_ready(const uint8_t* s, uint32_t t) const {
  for (uint32_t c = 0; c < m_.threads.size(); ++c)
    if (c != t && ts(s, c).status != kDone) return false;
  if (ts(s, m_.rcu_context()).func != UINT32_MAX) return false;
  const RcuCallback* q = reinterpret_cast<const RcuCallback*>(s + m_.rcu_off);
  for (uint32_t i = 0; i < m_.rcu_capacity; ++i)
    if (q[i].used) return false;
  // Under a weak model the final block sees memory once every store has
  // reached it (herd7's final state).
  return !mm_ || mm_->quiescent(s);
}

Machine::Exec Machine::exec_assume(uint8_t* s, uint32_t t, uint64_t cond) {
  if (cond) return Exec::Next;
  // The path ends here: the context stops, and discarded() makes the state
  // terminal (no moves, finished, no leak or invariant check).
  ThreadState& th = ts(s, t);
  th.func = UINT32_MAX;
  th.status = kDiscarded;
  return Exec::Done;
}

}  // namespace ptcheck::vm
