#pragma once
// Store buffers kept in the state vector: the mechanics the operational weak
// models share (memory_model_tso.h, memory_model_lkmm.h). Each context has a
// buffer of at most kEntries stores not yet visible to other contexts; a
// store enters its own buffer; a propagate move (Machine::moves) takes one
// entry the model says may leave now and writes it to memory; a load sees the
// newest buffered store to each of its bytes, else memory; a full fence
// drains the buffer in order. Unused entries are zero, so equal buffers are
// equal bytes; each buffer is its own piece of the state's shape.
#include "vm/memory_model.h"
#include "vm/model.h"

namespace ptcheck::vm {

class StoreBufferModel : public MemoryModel {
 public:
  // Entries per context: a store beyond them is a model-limit error at the
  // store (never a silent cap or a stall). Why 16, and why stores to one
  // address are not coalesced: docs/memory-model.md "Store-buffer capacity".
  static constexpr uint32_t kEntries = 16;
  struct Entry {
    uint64_t addr;
    uint64_t value;
    uint32_t loc;    // Model::locs index of the store, for traces
    uint8_t size;
    uint8_t ordered; // every older entry must reach memory before this one
    uint8_t pad[2];
  };
  struct Buffer {
    uint32_t n;
    uint32_t wmb;    // an smp_wmb() since the newest entry: the next store is ordered
    Entry e[kEntries];
  };
  static_assert(sizeof(Entry) == 24 && sizeof(Buffer) == 8 + 24 * kEntries);
  static uint32_t state_bytes(uint32_t contexts) { return contexts * static_cast<uint32_t>(sizeof(Buffer)); }

  explicit StoreBufferModel(const Model& m) : m_(m) {}
  bool store(MemoryPort& port, uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t value, Order o,
             uint32_t loc) override;
  void forward(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* bytes) const override;
  bool fence(MemoryPort& port, uint8_t* s, uint32_t t, Fence f) override;
  void pending(const uint8_t* s, std::vector<std::pair<uint32_t, uint32_t>>& out) const override;
  bool propagate(MemoryPort& port, uint8_t* s, uint32_t t, uint32_t index) override;
  uint32_t pending_loc(const uint8_t* s, uint32_t t, uint32_t index) const override;
  bool buffered(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size) const override;
  bool quiescent(const uint8_t* s) const override;
  bool quiescent(const uint8_t* s, uint32_t t) const override;

 protected:
  // Whether entry i of b may reach memory now (entry 0 always may).
  virtual bool may_leave(const Buffer& b, uint32_t i) const = 0;
  // Whether a store of this ordering must wait for every older store.
  virtual bool ordered_store(Order o) const = 0;
  // Whether fence f drains the buffer (else: smp_wmb orders later stores
  // after earlier ones when the model reorders stores; others are free).
  virtual bool drains(Fence f) const = 0;
  Buffer& buf(uint8_t* s, uint32_t t) const { return *reinterpret_cast<Buffer*>(s + m_.mm_off + t * sizeof(Buffer)); }
  const Buffer& buf(const uint8_t* s, uint32_t t) const {
    return *reinterpret_cast<const Buffer*>(s + m_.mm_off + t * sizeof(Buffer));
  }
  bool drain(MemoryPort& port, uint8_t* s, uint32_t t);
  const Model& m_;
};

}  // namespace ptcheck::vm
