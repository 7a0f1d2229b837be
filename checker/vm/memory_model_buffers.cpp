// Store-buffer mechanics shared by the tso and lkmm models (memory_model_buffers.h).
#include "vm/memory_model_buffers.h"

#include <cstring>

#include "vm/value_io.h"

namespace ptcheck::vm {

bool StoreBufferModel::store(MemoryPort& port, uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t value,
                             Order o, uint32_t loc) {
  // A read-modify-write's store (an engine primitive that was not already
  // made direct, Machine::exec_builtin_weak): drain, then commit.
  if (o == Order::RelaxedRmw || o == Order::FullRmw) {
    if (!drain(port, s, t)) return false;
    uint8_t bytes[8];
    write_value(bytes, size, value);
    return port.commit(s, t, addr, size, bytes, loc);
  }
  Buffer& b = buf(s, t);
  if (b.n == kEntries) return port.limit(t, kEntries);
  const uint8_t ordered = (b.wmb || ordered_store(o)) ? 1 : 0;
  b.e[b.n++] = Entry{addr, value, loc, static_cast<uint8_t>(size), ordered, {}};
  b.wmb = 0;
  return true;
}

void StoreBufferModel::forward(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* bytes) const {
  if (t >= m_.contexts()) return;  // the invariant context has no buffer: it reads memory
  // Oldest to newest, byte by byte: the newest store to a byte wins, and a
  // load that overlaps a buffered store partly sees memory for the rest.
  const Buffer& b = buf(s, t);
  for (uint32_t i = 0; i < b.n; ++i) {
    const Entry& e = b.e[i];
    if (e.addr >= addr + size || addr >= e.addr + e.size) continue;
    uint8_t v[8];
    write_value(v, e.size, e.value);
    for (uint32_t k = 0; k < e.size; ++k) {
      uint64_t a = e.addr + k;
      if (a >= addr && a < addr + size) bytes[a - addr] = v[k];
    }
  }
}

bool StoreBufferModel::drain(MemoryPort& port, uint8_t* s, uint32_t t) {
  while (buf(s, t).n)
    if (!propagate(port, s, t, 0)) return false;
  return true;
}

bool StoreBufferModel::fence(MemoryPort& port, uint8_t* s, uint32_t t, Fence f) {
  if (drains(f)) return drain(port, s, t);
  if (f == Fence::Wmb && buf(s, t).n) buf(s, t).wmb = 1;
  return true;
}

void StoreBufferModel::pending(const uint8_t* s, std::vector<std::pair<uint32_t, uint32_t>>& out) const {
  for (uint32_t t = 0; t < m_.contexts(); ++t) {
    const Buffer& b = buf(s, t);
    for (uint32_t i = 0; i < b.n; ++i)
      if (i == 0 || may_leave(b, i)) out.emplace_back(t, i);
  }
}

bool StoreBufferModel::propagate(MemoryPort& port, uint8_t* s, uint32_t t, uint32_t index) {
  Buffer& b = buf(s, t);
  if (index >= b.n) return true;
  const Entry e = b.e[index];
  std::memmove(&b.e[index], &b.e[index + 1], (b.n - index - 1) * sizeof(Entry));
  --b.n;
  std::memset(&b.e[b.n], 0, sizeof(Entry));
  if (b.n == 0) b.wmb = 0;  // nothing older left to order after
  uint8_t bytes[8];
  write_value(bytes, e.size, e.value);
  return port.commit(s, t, e.addr, e.size, bytes, e.loc);
}

bool StoreBufferModel::buffered(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size) const {
  if (t >= m_.contexts()) return false;
  const Buffer& b = buf(s, t);
  for (uint32_t i = 0; i < b.n; ++i)
    if (b.e[i].addr < addr + size && addr < b.e[i].addr + b.e[i].size) return true;
  return false;
}

bool StoreBufferModel::quiescent(const uint8_t* s) const {
  for (uint32_t t = 0; t < m_.contexts(); ++t)
    if (buf(s, t).n) return false;
  return true;
}

bool StoreBufferModel::quiescent(const uint8_t* s, uint32_t t) const { return buf(s, t).n == 0; }

uint32_t StoreBufferModel::pending_loc(const uint8_t* s, uint32_t t, uint32_t index) const {
  const Buffer& b = buf(s, t);
  return index < b.n ? b.e[index].loc : 0;
}

}  // namespace ptcheck::vm
