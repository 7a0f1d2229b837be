// Store buffers (vm/memory_model_buffers.h) on a hand-made state: forwarding
// to the context that buffered a store only, nothing for a context past the
// buffers (the invariant context: its bytes there are its own stack, not a
// buffer, and once made an invariant read garbage "buffered stores"), FIFO
// order under tso, and the capacity as a located limit.
#include <cstring>
#include <vector>

#include "vm/memory_model_buffers.h"
#include "vm/model.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using vm::StoreBufferModel;

namespace {

// Memory is a 64-byte array at address 0x1000 placed after the buffers.
struct Port final : vm::MemoryPort {
  std::vector<uint8_t>* mem;
  uint32_t limits = 0;
  bool commit(uint8_t*, uint32_t, uint64_t addr, uint32_t size, const uint8_t* bytes, uint32_t) override {
    std::memcpy(mem->data() + (addr - 0x1000), bytes, size);
    return true;
  }
  bool limit(uint32_t, uint32_t) override {
    ++limits;
    return false;
  }
};

struct Fixture {
  vm::Model m;
  std::vector<uint8_t> state, mem;
  Port port;
  std::unique_ptr<vm::MemoryModel> mm;
  explicit Fixture(vm::MemoryModelKind k) {
    m.threads.resize(1);  // contexts: the thread and the RCU context
    m.memory_model = k;
    m.mm_off = 0;
    m.mm_bytes = vm::memory_model_state_bytes(k, m.contexts());
    // One buffer's worth of bytes more: where the invariant context's stack
    // may lie in a real state.
    state.assign(m.mm_bytes + sizeof(StoreBufferModel::Buffer), 0);
    mem.assign(64, 0);
    port.mem = &mem;
    mm = vm::make_memory_model(m);
  }
  uint64_t read(uint32_t t, uint64_t addr) {
    uint8_t b[8];
    std::memcpy(b, mem.data() + (addr - 0x1000), 8);
    mm->forward(state.data(), t, addr, 8, b);
    uint64_t v;
    std::memcpy(&v, b, 8);
    return v;
  }
};

}  // namespace

TEST_GROUP(StoreBuffer){};

TEST(StoreBuffer, ForwardsToItsOwnContextOnly) {
  Fixture f(vm::MemoryModelKind::Tso);
  CHECK(f.mm->store(f.port, f.state.data(), 0, 0x1000, 8, 5, vm::Order::Once, 0));
  CHECK_EQUAL(5u, f.read(0, 0x1000));
  CHECK_EQUAL(0u, f.read(1, 0x1000));
  CHECK(f.mm->buffered(f.state.data(), 0, 0x1000, 8));
  CHECK_FALSE(f.mm->quiescent(f.state.data()));
}

TEST(StoreBuffer, NoBufferPastTheLastContext) {
  Fixture f(vm::MemoryModelKind::Lkmm);
  // Bytes after the last buffer that look like a buffered store of 7 to
  // 0x1000: the invariant context (index contexts()) must read memory.
  StoreBufferModel::Buffer fake{};
  fake.n = 1;
  fake.e[0] = StoreBufferModel::Entry{0x1000, 7, 0, 8, 0, {}};
  std::memcpy(f.state.data() + f.m.mm_bytes, &fake, sizeof fake);
  const uint32_t inv = f.m.invariant_context();
  CHECK_EQUAL(0u, f.read(inv, 0x1000));
  CHECK_FALSE(f.mm->buffered(f.state.data(), inv, 0x1000, 8));
  CHECK(f.mm->quiescent(f.state.data()));
}

TEST(StoreBuffer, TsoLeavesInOrderAndFenceDrains) {
  Fixture f(vm::MemoryModelKind::Tso);
  CHECK(f.mm->store(f.port, f.state.data(), 0, 0x1000, 8, 1, vm::Order::Once, 0));
  CHECK(f.mm->store(f.port, f.state.data(), 0, 0x1008, 8, 2, vm::Order::Once, 0));
  std::vector<std::pair<uint32_t, uint32_t>> pending;
  f.mm->pending(f.state.data(), pending);
  CHECK_EQUAL(1u, pending.size());  // only the oldest
  CHECK_EQUAL(0u, pending[0].second);
  CHECK(f.mm->fence(f.port, f.state.data(), 0, vm::Fence::Mb));
  CHECK(f.mm->quiescent(f.state.data()));
  CHECK_EQUAL(1u, f.read(1, 0x1000));
  CHECK_EQUAL(2u, f.read(1, 0x1008));
}

TEST(StoreBuffer, FullBufferIsALimit) {
  Fixture f(vm::MemoryModelKind::Tso);
  for (uint32_t i = 0; i < StoreBufferModel::kEntries; ++i)
    CHECK(f.mm->store(f.port, f.state.data(), 0, 0x1000 + 8 * (i % 8), 8, i, vm::Order::Once, 0));
  CHECK_EQUAL(0u, f.port.limits);
  CHECK_FALSE(f.mm->store(f.port, f.state.data(), 0, 0x1000, 8, 99, vm::Order::Once, 0));
  CHECK_EQUAL(1u, f.port.limits);
}
