#pragma once
// An operational under-approximation of the Linux-kernel memory model
// (tools/memory-model, Alglave, Maranget, McKenney, Parri and Stern,
// "Frightening small children and disconcerting grown-ups", ASPLOS 2018).
// Store buffers (memory_model_buffers.h) whose stores may reach memory out
// of program order unless ordered (SPARC PSO's shape): a buffered store may
// leave when no older store of its context overlaps its bytes (coherence) and
// no smp_wmb() or release store stands between it and an older store. Loads
// run in program order, never speculate and see one shared memory
// (multicopy-atomic), which is stronger than LKMM: every outcome produced is
// one LKMM allows, not every outcome LKMM allows is produced (limits()).
#include "vm/memory_model_buffers.h"

namespace ptcheck::vm {

class LkmmModel final : public StoreBufferModel {
 public:
  using StoreBufferModel::StoreBufferModel;
  MemoryModelKind kind() const override { return MemoryModelKind::Lkmm; }
  std::string_view limits() const override;
  // A lock acquisition is an acquire: it does not wait for older stores
  // (except to its own word); an RMW is ordered as its spelling says
  // (Machine::exec_builtin_weak).
  bool rmw_is_fence() const override { return false; }

 protected:
  bool may_leave(const Buffer& b, uint32_t i) const override;
  // smp_store_release(), rcu_assign_pointer(), a *_release store: after every older store.
  bool ordered_store(Order o) const override { return o == Order::Release; }
  // smp_rmb() is free (loads are in order); smp_wmb() orders stores only;
  // smp_mb() and the smp_mb__*() fences drain.
  bool drains(Fence f) const override { return f != Fence::Wmb && f != Fence::Rmb; }
};

}  // namespace ptcheck::vm
