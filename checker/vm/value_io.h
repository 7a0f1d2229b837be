#pragma once
// Little-endian reads and writes of 1-8 byte values in the state vector.
// Everything goes through memcpy (state buffers carry no alignment guarantee),
// with the common sizes spelled out so each is a single load or store.
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
  switch (size) {
    case 1: {
      uint8_t v;
      std::memcpy(&v, p, 1);
      return sign ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(v))) : v;
    }
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return sign ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(v))) : v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return sign ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))) : v;
    }
    case 0:
      return 0;
    default:
      if (size >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
      }
      uint64_t v = 0;
      std::memcpy(&v, p, size);
      return truncate_value(v, size, sign);
  }
}

inline void write_value(uint8_t* p, uint32_t size, uint64_t v) {
  switch (size) {
    case 1: {
      uint8_t x = static_cast<uint8_t>(v);
      std::memcpy(p, &x, 1);
      return;
    }
    case 2: {
      uint16_t x = static_cast<uint16_t>(v);
      std::memcpy(p, &x, 2);
      return;
    }
    case 4: {
      uint32_t x = static_cast<uint32_t>(v);
      std::memcpy(p, &x, 4);
      return;
    }
    case 0:
      return;
    default:
      std::memcpy(p, &v, size < 8 ? size : 8);
  }
}

}  // namespace ptcheck::vm
