// The process's transport (world()), the owner hash and small helpers over
// the collectives of transport.h.
#include "distributed/transport.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ptcheck::dist {

namespace {
Transport* g_world = nullptr;
}

Transport* world() { return g_world; }
void set_world(Transport* t) { g_world = t; }

uint32_t owner_of(const uint8_t* state, size_t size, uint32_t ranks) {
  if (ranks <= 1) return 0;
  // A seed of its own, so the owner does not correlate with the store's
  // hash of the same bytes (each rank's table stays evenly filled).
  const uint64_t h = XXH3_64bits_withSeed(state, size, 0x9e3779b97f4a7c15ull);
  return uint32_t((unsigned __int128)h * ranks >> 64);
}

uint64_t allreduce_one(Transport& t, uint64_t v, Transport::Op op) {
  std::vector<uint64_t> x{v};
  t.allreduce(x, op);
  return x[0];
}

void or_across(Transport& t, std::vector<uint8_t>& bytes) {
  for (const auto& other : t.allgather(bytes)) {
    if (other.size() != bytes.size()) throw std::logic_error("or_across: the ranks' lengths differ");
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] |= other[i];
  }
}

}  // namespace ptcheck::dist
