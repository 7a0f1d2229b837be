// lockdep's checks when a lock is taken (kernel/locking/lockdep.c, 7.1.3,
// validate_chain): check_deadlock() reports a lock taken while one of the same
// class and subclass is held ("possible recursive locking detected"), and
// check_prevs_add() records the dependency of the new lock on each held one,
// from which the run looks for cycles after the search (driver/lock_graph.cpp).
// As in lockdep, a trylock adds no dependency (it cannot wait) but is held.
// Simplification: every held lock gets an edge, not only those since the last
// trylock or irq-context boundary; it can only add edges lockdep also infers
// transitively.
#include <fmt/format.h>

#include <algorithm>

#include "vm/lock_class.h"
#include "vm/machine.h"

namespace ptcheck::vm {

std::string lock_node_name(const Model& m, LockNode n) {
  std::string name = lock_class_name(m, n >> 4);
  return n & 15 ? fmt::format("{}/{}", name, n & 15) : name;
}

std::vector<LockEdge> LockDeps::edges() const {
  std::vector<LockEdge> v(seen_.begin(), seen_.end());
  std::sort(v.begin(), v.end());
  return v;
}

bool Machine::lock_order(uint8_t* s, uint32_t t, uint64_t lock, unsigned sub, bool trylock) {
  const ThreadState& th = ts(s, t);
  if (th.nheld == 0) return true;
  const uint64_t cls = lock_class_key(m_, lock);
  if (cls == kNoLockClass) return true;  // the lock word's access reports the fault
  const LockNode to = lock_node(cls, sub);
  for (uint32_t i = 0; i < th.nheld; ++i) {
    const LockNode from = lock_node(lock_class_key(m_, th.held[i]), held_subclass(th, i));
    if (from == to && !trylock) {
      err_ = ErrorInfo{};
      err_.addr = lock;
      err_.value = th.held[i];
      return fail(ErrorKind::RecursiveLocking, t, lock_node_name(m_, to));
    }
    if (deps_ && !trylock && deps_->add(m_, LockEdge{from, to})) {
      err_ = ErrorInfo{};
      err_.addr = lock;
      err_.value = th.held[i];
      return fail(ErrorKind::CircularLocking, t, lock_node_name(m_, from) + " -> " + lock_node_name(m_, to));
    }
  }
  return true;
}

}  // namespace ptcheck::vm
