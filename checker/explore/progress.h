#pragma once
// The explorer's monitor thread: watches the time limit and the cancel flag
// (setting the explorer's stop reason, so workers stop within a few tens of
// milliseconds), and prints the progress line on stderr about once a second
// (rewritten in place on a terminal, one line each time otherwise, e.g. under mpirun).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ptcheck::explore {

enum class StopReason : int { None = 0, MaxStates, MaxMemory, TimeLimit, Interrupted };
const char* stop_reason_name(StopReason r);

// The first reason to stop wins; later ones are ignored.
inline void request_stop(std::atomic<int>& stop, StopReason r) {
  int expected = 0;
  stop.compare_exchange_strong(expected, static_cast<int>(r), std::memory_order_relaxed);
}

struct ProgressSample {
  uint64_t states = 0;
  unsigned depth = 0;
  uint64_t frontier = 0;
  uint64_t memory = 0;
  std::vector<uint64_t> per_rank;  // the distributed search: states stored by each rank
};

class Monitor {
 public:
  using Clock = std::chrono::steady_clock;
  Monitor(Clock::time_point start, double time_limit, const std::atomic<bool>* cancel,
          bool progress, std::atomic<int>& stop, std::function<ProgressSample()> sample);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;
  // Stops the thread and ends the progress line (idempotent).
  void finish();

  static std::string format_line(const ProgressSample& s, double states_per_sec);

 private:
  void run();
  Clock::time_point start_;
  double time_limit_;
  const std::atomic<bool>* cancel_;
  bool progress_;
  std::atomic<int>& stop_;
  std::function<ProgressSample()> sample_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool printed_ = false;
  std::thread thread_;
};

}  // namespace ptcheck::explore
