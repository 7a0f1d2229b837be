#pragma once
// Total store order (x86-TSO, Owens, Sarkar and Sewell, "A better x86 memory
// model: x86-TSO", TPHOLs 2009): each context has a FIFO store buffer. A
// store enters its own buffer; a nondeterministic transition moves the oldest
// entry of one buffer to memory; a load reads the newest buffered store to
// its bytes, else memory; mfence, locked instructions and locks drain the
// buffer. smp_wmb/smp_rmb, acquire and release are free (TSO already keeps
// those orders). The buffers live in the state vector at Model::mm_off, one
// piece per context, zero-filled past their last entry so equal buffers are
// equal bytes.
#include "vm/memory_model.h"
#include "vm/model.h"

namespace ptcheck::vm {

class TsoModel final : public MemoryModel {
 public:
  // Entries per context: a store beyond them is a model-limit error at the
  // store (never a silent cap or a stall).
  static constexpr uint32_t kEntries = 8;
  struct Entry {
    uint64_t addr;
    uint64_t value;
    uint32_t loc;   // Model::locs index of the store, for traces
    uint8_t size;
    uint8_t pad[3];
  };
  struct Buffer {
    uint32_t n;
    uint32_t pad;
    Entry e[kEntries];
  };
  static_assert(sizeof(Entry) == 24 && sizeof(Buffer) == 8 + 24 * kEntries);

  explicit TsoModel(const Model& m) : m_(m) {}
  MemoryModelKind kind() const override { return MemoryModelKind::Tso; }
  bool store(MemoryPort& port, uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t value,
             Order o, uint32_t loc) override;
  void forward(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* bytes) const override;
  bool fence(MemoryPort& port, uint8_t* s, uint32_t t, Fence f) override;
  void pending(const uint8_t* s, std::vector<uint32_t>& contexts) const override;
  bool propagate(MemoryPort& port, uint8_t* s, uint32_t t) override;
  bool quiescent(const uint8_t* s) const override;
  bool quiescent(const uint8_t* s, uint32_t t) const override;
  std::string_view limits() const override;
  uint32_t pending_loc(const uint8_t* s, uint32_t t) const override;

 private:
  Buffer& buf(uint8_t* s, uint32_t t) const { return *reinterpret_cast<Buffer*>(s + m_.mm_off + t * sizeof(Buffer)); }
  const Buffer& buf(const uint8_t* s, uint32_t t) const {
    return *reinterpret_cast<const Buffer*>(s + m_.mm_off + t * sizeof(Buffer));
  }
  bool drain(MemoryPort& port, uint8_t* s, uint32_t t);
  const Model& m_;
};

}  // namespace ptcheck::vm
