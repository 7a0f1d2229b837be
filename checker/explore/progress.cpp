#include "explore/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace ptcheck::explore {

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::None: return "";
    case StopReason::MaxStates: return "max-states";
    case StopReason::MaxMemory: return "max-memory";
    case StopReason::TimeLimit: return "time-limit";
    case StopReason::Interrupted: return "interrupted";
  }
  return "";
}

Monitor::Monitor(Clock::time_point start, double time_limit, const std::atomic<bool>* cancel,
                 bool progress, std::atomic<int>& stop, std::function<ProgressSample()> sample)
    : start_(start),
      time_limit_(time_limit),
      cancel_(cancel),
      progress_(progress),
      stop_(stop),
      sample_(std::move(sample)) {
  if (time_limit_ > 0 || cancel_ || progress_) thread_ = std::thread([this] { run(); });
}

Monitor::~Monitor() { finish(); }

void Monitor::finish() {
  {
    std::lock_guard<std::mutex> g(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (printed_) {
    std::fputc('\n', stderr);
    std::fflush(stderr);
    printed_ = false;
  }
}

static std::string human(double v) {
  char buf[32];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e4) std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string Monitor::format_line(const ProgressSample& s, double sps) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "states %s  %s/s  depth %u  frontier %s  mem %.1f MiB",
                human(double(s.states)).c_str(), human(sps).c_str(), s.depth,
                human(double(s.frontier)).c_str(), double(s.memory) / (1024.0 * 1024.0));
  std::string line = buf;
  if (!s.per_rank.empty()) {
    line += "  ranks " + std::to_string(s.per_rank.size()) + ":";
    for (size_t i = 0; i < s.per_rank.size(); ++i) line += (i ? "/" : " ") + human(double(s.per_rank[i]));
  }
  return line;
}

void Monitor::run() {
  using namespace std::chrono;
  auto last_print = start_;
  uint64_t last_states = 0;
  size_t last_len = 0;
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::unique_lock<std::mutex> lk(mu_);
  while (!done_) {
    cv_.wait_for(lk, milliseconds(10));
    if (done_) break;
    auto now = Clock::now();
    if (cancel_ && cancel_->load(std::memory_order_relaxed))
      request_stop(stop_, StopReason::Interrupted);
    if (time_limit_ > 0 && duration<double>(now - start_).count() >= time_limit_)
      request_stop(stop_, StopReason::TimeLimit);
    if (progress_ && now - last_print >= seconds(1)) {
      ProgressSample s = sample_();
      double dt = duration<double>(now - last_print).count();
      double sps = dt > 0 ? double(s.states - last_states) / dt : 0;
      std::string line = format_line(s, sps);
      size_t len = line.size();
      if (len < last_len) line.append(last_len - len, ' ');
      if (tty) {
        std::fprintf(stderr, "\r%s", line.c_str());
        printed_ = true;
      } else {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
      std::fflush(stderr);
      last_len = len;
      last_print = now;
      last_states = s.states;
    }
  }
}

}  // namespace ptcheck::explore
