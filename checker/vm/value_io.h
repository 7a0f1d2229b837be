#pragma once
// Little-endian reads and writes of 1-8 byte values in the state vector.
// Everything goes through memcpy: state buffers carry no alignment guarantee.
#include <cstdint>
#include <cstring>

namespace ptcheck::vm {

inline uint64_t truncate_value(uint64_t v, uint32_t size, bool sign) {
  if (size >= 8) return v;
  unsigned bits = size * 8;
  uint64_t mask = (uint64_t{1} << bits) - 1;
  v &= mask;
  if (sign && (v >> (bits - 1)) & 1) v |= ~mask;
  return v;
}

inline uint64_t read_value(const uint8_t* p, uint32_t size, bool sign) {
  uint64_t v = 0;
  std::memcpy(&v, p, size < 8 ? size : 8);
  return size < 8 ? truncate_value(v, size, sign) : v;
}

inline void write_value(uint8_t* p, uint32_t size, uint64_t v) { std::memcpy(p, &v, size < 8 ? size : 8); }

}  // namespace ptcheck::vm
