// ptcheck_bench_explore: the explorer's throughput on a toy system.
//
//   ptcheck_bench_explore [--counters N K] [--pad BYTES] [--work ITERS] [--threads T] [--progress]
//   ptcheck_bench_explore --cpu-check
//
// The system: N counters, each counted up from 0 to K by its own thread
// ((K+1)^N states, N*K*(K+1)^(N-1) transitions). --pad appends BYTES bytes to the
// state, derived from the counters (so they are hashed and compared for real).
// --work spends ITERS dependent multiply-adds per successor in the worker, a
// stand-in for an interpreter step (the toy's own step costs almost nothing, so
// without it the run measures only the explorer's shared tables).
// Prints one line of key=value figures; peak_rss is this process's maximum RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "explore/explorer.h"

using namespace ptcheck::explore;

namespace {

class Counters : public TransitionSystem {
 public:
  Counters(unsigned n, unsigned k, unsigned pad, unsigned work) : n_(n), k_(k), pad_(pad), work_(work) {}
  size_t state_size() const override { return n_ + pad_; }
  void initial_state(uint8_t* out) const override {
    std::memset(out, 0, n_);
    fill_pad(out);
  }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(*this); }

 private:
  void fill_pad(uint8_t* s) const {
    for (unsigned i = 0; i < pad_; ++i) s[n_ + i] = uint8_t(s[i % n_] * 31 + i);
  }
  struct W : Worker {
    explicit W(const Counters& c) : c(c), buf(c.n_ + c.pad_) {}
    Result expand(const uint8_t* s, SuccessorSink& sink) override {
      bool any = false;
      std::memcpy(buf.data(), s, buf.size());
      for (unsigned i = 0; i < c.n_; ++i) {
        if (s[i] < c.k_) {
          buf[i] = uint8_t(s[i] + 1);
          if (c.pad_) c.fill_pad(buf.data());
          if (c.work_) burn(buf.data(), c.work_);
          sink.emit(i, i, buf.data(), false);
          buf[i] = s[i];
          any = true;
        }
      }
      return any ? Result::Expanded : Result::Terminal;
    }
    bool initial_violation(const uint8_t*) override { return false; }
    void burn(const uint8_t* s, unsigned iters) {
      uint64_t x = s[0] + 1;
      for (unsigned j = 0; j < iters; ++j) x = x * 6364136223846793005ull + 1442695040888963407ull;
      sink_ += x;
    }
    uint64_t sink_ = 0;
    const Counters& c;
    std::vector<uint8_t> buf;
  };
  unsigned n_, k_, pad_, work_;
};

// Whether this (possibly shared) machine gives us two free cores right now: the
// same per-thread compute on 1 and on 2 threads; ~1.0x means both cores are free.
int cpu_check() {
  auto spin = [] {
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 300000000ull; ++i) x = x + i;
  };
  auto t0 = std::chrono::steady_clock::now();
  spin();
  auto t1 = std::chrono::steady_clock::now();
  std::thread a(spin), b(spin);
  a.join();
  b.join();
  auto t2 = std::chrono::steady_clock::now();
  double one = std::chrono::duration<double>(t1 - t0).count();
  double two = std::chrono::duration<double>(t2 - t1).count();
  std::printf("cpu check: 1 thread %.2f s, 2 threads %.2f s (%.2fx; ~1.0x = two free cores)\n", one,
              two, two / one);
  return 0;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: ptcheck_bench_explore [--counters N K] [--pad BYTES] [--threads T] "
               "[--work ITERS] [--max-states N] [--progress] | --cpu-check\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned n = 6, k = 9, pad = 0, work = 0;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](int m) {
      if (i + m >= argc) usage();
    };
    if (a == "--counters") {
      need(2);
      n = unsigned(std::atoi(argv[++i]));
      k = unsigned(std::atoi(argv[++i]));
    } else if (a == "--pad") {
      need(1);
      pad = unsigned(std::atoi(argv[++i]));
    } else if (a == "--work") {
      need(1);
      work = unsigned(std::atoi(argv[++i]));
    } else if (a == "--threads") {
      need(1);
      opt.threads = unsigned(std::atoi(argv[++i]));
    } else if (a == "--max-states") {
      need(1);
      opt.max_states = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--cpu-check") {
      return cpu_check();
    } else if (a == "--progress") {
      opt.progress = true;
    } else {
      usage();
    }
  }
  if (n == 0 || n > 64 || k > 255) usage();
  Counters sys(n, k, pad, work);
  Result r = explore(sys, opt);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const Stats& s = r.stats;
  std::printf(
      "system=counters-%u-%u-pad%u-work%u state_bytes=%zu threads=%u verdict=%s states=%llu "
      "transitions=%llu depth=%u seconds=%.3f states_per_sec=%.0f bytes_per_state=%.1f "
      "explorer_mib=%.1f peak_rss_mib=%.1f\n",
      n, k, pad, work, sys.state_size(), opt.threads, to_string(r.verdict),
      (unsigned long long)s.states, (unsigned long long)s.transitions, s.depth, s.seconds,
      s.seconds > 0 ? double(s.states) / s.seconds : 0.0, s.bytes_per_state,
      double(s.memory_bytes) / 1048576.0, double(ru.ru_maxrss) / 1024.0);
  return r.verdict == Verdict::Pass ? 0 : 1;
}
