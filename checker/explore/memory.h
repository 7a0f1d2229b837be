#pragma once
// Bytes held by the explorer and its state store, against an optional limit
// (0 = unlimited). Every big allocation goes through try_add() first, so a run
// past --max-memory ends as "incomplete (max-memory)" instead of being killed.
#include <atomic>
#include <cstdint>

namespace ptcheck::explore {

class MemoryAccount {
 public:
  explicit MemoryAccount(uint64_t limit) : limit_(limit) {}
  // Adds n bytes unless that would exceed the limit (then returns false).
  bool try_add(uint64_t n) {
    uint64_t cur = bytes_.load(std::memory_order_relaxed);
    for (;;) {
      if (limit_ && cur + n > limit_) {
        exceeded_.store(true, std::memory_order_relaxed);
        return false;
      }
      if (bytes_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed)) {
        note_peak(cur + n);
        return true;
      }
    }
  }
  // Whether n more bytes would stay within the limit (the peak is not touched:
  // for a caller that then allocates in steps, each accounted with add()).
  bool fits(uint64_t n) {
    if (!limit_ || bytes_.load(std::memory_order_relaxed) + n <= limit_) return true;
    exceeded_.store(true, std::memory_order_relaxed);
    return false;
  }
  void add(int64_t n) {
    uint64_t now = bytes_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed) + static_cast<uint64_t>(n);
    if (n > 0) note_peak(now);
  }
  // Bytes on the side: counted against the limit and in peak(), left out of
  // core_peak() (the graph the breadth-first search records for the checks
  // after it, which is not what a state costs). A refusal of try_add_side()
  // does not mark the account exceeded: the caller can do without.
  bool try_add_side(uint64_t n) {
    uint64_t cur = bytes_.load(std::memory_order_relaxed);
    for (;;) {
      if (limit_ && cur + n > limit_) return false;
      if (bytes_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed)) {
        side_.fetch_add(n, std::memory_order_relaxed);
        note_peak(cur + n);
        return true;
      }
    }
  }
  void release_side(uint64_t n) {
    side_.fetch_sub(n, std::memory_order_relaxed);
    bytes_.fetch_sub(n, std::memory_order_relaxed);
  }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  // The peak of bytes() less the side bytes.
  uint64_t core_peak() const { return core_peak_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }
  void mark_exceeded() { exceeded_.store(true, std::memory_order_relaxed); }

 private:
  static void raise(std::atomic<uint64_t>& peak, uint64_t v) {
    uint64_t p = peak.load(std::memory_order_relaxed);
    while (v > p && !peak.compare_exchange_weak(p, v, std::memory_order_relaxed)) {
    }
  }
  void note_peak(uint64_t v) {
    raise(peak_, v);
    const uint64_t side = side_.load(std::memory_order_relaxed);
    raise(core_peak_, v > side ? v - side : 0);
  }
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> side_{0};
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> core_peak_{0};
  std::atomic<bool> exceeded_{false};
  uint64_t limit_;
};

// Bytes charged to an account for the length of a scope: try_add() goes
// through it, and the destructor gives back all it took (the non-termination
// check's flags and graphs, explore/liveness.cpp).
class ScopedCharge {
 public:
  explicit ScopedCharge(MemoryAccount& mem) : mem_(mem) {}
  ~ScopedCharge() { mem_.add(-static_cast<int64_t>(bytes_)); }
  ScopedCharge(const ScopedCharge&) = delete;
  ScopedCharge& operator=(const ScopedCharge&) = delete;

  bool try_add(uint64_t n) {
    if (!mem_.try_add(n)) return false;
    bytes_ += n;
    return true;
  }
  uint64_t bytes() const { return bytes_; }

 private:
  MemoryAccount& mem_;
  uint64_t bytes_ = 0;
};

}  // namespace ptcheck::explore
