#pragma once
// splitmix64's finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom
// number generators"): a bijection on 64 bits in which every input bit reaches
// every output bit, so the high bits the stores' tables index by are as good
// as the low ones. The tree store's content hashes (tree_store.h) and the node
// tables' home slots (node_table.h) are built on it.
#include <cstdint>

namespace ptcheck::explore {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace ptcheck::explore
