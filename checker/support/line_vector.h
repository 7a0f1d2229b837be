#pragma once
// Heap blocks that start on a cache line and fill whole lines, for one
// thread's working buffers. The explorer makes every thread's worker and
// store cursor on the main thread, and the workers allocate their buffers as
// they go, so two threads' buffers can sit side by side in one malloc arena:
// a line holding the end of one and the start of the other then moves
// between the cores on every write. A LineVector shares no line with any
// other block; classes holding such buffers are alignas(kCacheLine) for the
// same reason.
#include <cstddef>
#include <new>
#include <vector>

namespace ptcheck {

inline constexpr size_t kCacheLine = 64;

template <class T>
struct LineAllocator {
  using value_type = T;
  LineAllocator() = default;
  template <class U>
  LineAllocator(const LineAllocator<U>&) noexcept {}
  static size_t bytes(size_t n) { return (n * sizeof(T) + kCacheLine - 1) / kCacheLine * kCacheLine; }
  T* allocate(size_t n) { return static_cast<T*>(::operator new(bytes(n), std::align_val_t(kCacheLine))); }
  // (The unsized form: clang before 19 declares no sized deallocation by default.)
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, std::align_val_t(kCacheLine)); }
  template <class U>
  bool operator==(const LineAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using LineVector = std::vector<T, LineAllocator<T>>;

}  // namespace ptcheck
