#pragma once
// Raw binary I/O for checkpoints: every failure throws CheckpointError naming
// what was being read or written.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace ptcheck::explore {

struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void put_bytes(std::FILE* f, const void* p, size_t n, const char* what) {
  if (n && std::fwrite(p, 1, n, f) != n) throw CheckpointError(std::string("cannot write the checkpoint's ") + what);
}
inline void get_bytes(std::FILE* f, void* p, size_t n, const char* what) {
  if (n && std::fread(p, 1, n, f) != n)
    throw CheckpointError(std::string("the checkpoint is truncated or unreadable (") + what + ")");
}
template <class T>
void put(std::FILE* f, const T& v, const char* what) {
  put_bytes(f, &v, sizeof v, what);
}
template <class T>
T get(std::FILE* f, const char* what) {
  T v{};
  get_bytes(f, &v, sizeof v, what);
  return v;
}
template <class T>
void put_vec(std::FILE* f, const std::vector<T>& v, const char* what) {
  put<uint64_t>(f, v.size(), what);
  put_bytes(f, v.data(), v.size() * sizeof(T), what);
}
// Grows the vector as its elements are read, a MiB at a time, so that a
// corrupt length ends in "truncated" at the file's end, not in allocating it.
template <class T>
std::vector<T> get_vec(std::FILE* f, const char* what, uint64_t max = uint64_t(1) << 34) {
  uint64_t n = get<uint64_t>(f, what);
  if (n > max) throw CheckpointError(std::string("the checkpoint is corrupt (") + what + ")");
  constexpr uint64_t kStep = (uint64_t(1) << 20) / sizeof(T) + 1;
  std::vector<T> v;
  while (v.size() < n) {
    const size_t at = v.size();
    const size_t k = static_cast<size_t>(std::min<uint64_t>(n - at, kStep));
    v.resize(at + k);
    get_bytes(f, v.data() + at, k * sizeof(T), what);
  }
  return v;
}

}  // namespace ptcheck::explore
