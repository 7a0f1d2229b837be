#pragma once
// Total store order (x86-TSO, Owens, Sarkar and Sewell, "A better x86 memory
// model: x86-TSO", TPHOLs 2009): FIFO store buffers (memory_model_buffers.h):
// only a buffer's oldest store may reach memory; smp_mb, locked instructions
// (every RMW), locks and every other fully ordered engine primitive drain
// the buffer; smp_wmb, smp_rmb, acquire and release are free (TSO already
// keeps those orders).
#include "vm/memory_model_buffers.h"

namespace ptcheck::vm {

class TsoModel final : public StoreBufferModel {
 public:
  using StoreBufferModel::StoreBufferModel;
  MemoryModelKind kind() const override { return MemoryModelKind::Tso; }
  std::string_view limits() const override;
  bool rmw_is_fence() const override { return true; }

 protected:
  bool may_leave(const Buffer&, uint32_t) const override { return false; }
  bool ordered_store(Order) const override { return false; }
  bool drains(Fence f) const override { return f != Fence::Wmb && f != Fence::Rmb; }
};

}  // namespace ptcheck::vm
