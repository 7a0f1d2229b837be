// The lkmm approximation (memory_model_lkmm.h).
#include "vm/memory_model_lkmm.h"

namespace ptcheck::vm {

bool LkmmModel::may_leave(const Buffer& b, uint32_t i) const {
  const Entry& e = b.e[i];
  for (uint32_t k = 1; k <= i; ++k)
    if (b.e[k].ordered) return false;  // a barrier between it and an older store
  for (uint32_t j = 0; j < i; ++j)
    if (b.e[j].addr < e.addr + e.size && e.addr < b.e[j].addr + b.e[j].size) return false;  // coherence
  return true;
}

std::string_view LkmmModel::limits() const {
  return "lkmm (approximation, docs/memory-model.md): stores reorder (PSO-style buffers, 16 entries per context); "
         "NOT produced: load buffering (LB), load-load reordering, non-multicopy-atomic outcomes (IRIW, WRC, "
         "Z6.0 with release/acquire or an unlock-lock hand-off), a critical section's store seen before the lock "
         "word's (spin_is_locked); lock releases, fully ordered and release RMWs drain the buffer; RCU/SRCU "
         "boundaries, memset/memcpy, struct assignments, atomic { } sections and the other engine primitives act as "
         "full fences. A pass under lkmm does not cover those classes";
}

}  // namespace ptcheck::vm
