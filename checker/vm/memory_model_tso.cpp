// TSO store buffers (memory_model_tso.h).
#include "vm/memory_model_tso.h"

#include <cstring>

#include "vm/value_io.h"

namespace ptcheck::vm {

bool TsoModel::store(MemoryPort& port, uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t value,
                     Order o, uint32_t loc) {
  // x86: every read-modify-write is a locked instruction, a full fence.
  if (o == Order::RelaxedRmw || o == Order::FullRmw) {
    if (!drain(port, s, t)) return false;
    uint8_t bytes[8];
    write_value(bytes, size, value);
    return port.commit(s, t, addr, size, bytes, loc);
  }
  Buffer& b = buf(s, t);
  if (b.n == kEntries) return port.limit(t, kEntries);
  b.e[b.n++] = Entry{addr, value, loc, static_cast<uint8_t>(size), {}};
  return true;
}

void TsoModel::forward(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* bytes) const {
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

bool TsoModel::drain(MemoryPort& port, uint8_t* s, uint32_t t) {
  while (buf(s, t).n)
    if (!propagate(port, s, t)) return false;
  return true;
}

bool TsoModel::fence(MemoryPort& port, uint8_t* s, uint32_t t, Fence f) {
  // smp_wmb and smp_rmb order nothing TSO does not already order.
  if (f == Fence::Wmb || f == Fence::Rmb) return true;
  return drain(port, s, t);
}

void TsoModel::pending(const uint8_t* s, std::vector<uint32_t>& contexts) const {
  for (uint32_t t = 0; t < m_.contexts(); ++t)
    if (buf(s, t).n) contexts.push_back(t);
}

bool TsoModel::propagate(MemoryPort& port, uint8_t* s, uint32_t t) {
  Buffer& b = buf(s, t);
  if (!b.n) return true;
  const Entry e = b.e[0];
  std::memmove(&b.e[0], &b.e[1], (b.n - 1) * sizeof(Entry));
  --b.n;
  std::memset(&b.e[b.n], 0, sizeof(Entry));
  uint8_t bytes[8];
  write_value(bytes, e.size, e.value);
  return port.commit(s, t, e.addr, e.size, bytes, e.loc);
}

bool TsoModel::quiescent(const uint8_t* s) const {
  for (uint32_t t = 0; t < m_.contexts(); ++t)
    if (buf(s, t).n) return false;
  return true;
}

bool TsoModel::quiescent(const uint8_t* s, uint32_t t) const { return buf(s, t).n == 0; }

uint32_t TsoModel::pending_loc(const uint8_t* s, uint32_t t) const {
  const Buffer& b = buf(s, t);
  return b.n ? b.e[0].loc : 0;
}

std::string_view TsoModel::limits() const {
  return "tso: x86-TSO store buffers (8 entries per context); memset/memcpy, locks, RCU and SRCU read-side "
         "boundaries and every other engine primitive drain the buffer (a fence)";
}

}  // namespace ptcheck::vm
