// ptcheck_bench_explore: the explorer's throughput on a toy system.
//
//   ptcheck_bench_explore [--counters N K] [--pad BYTES] [--threads T] [--progress]
//
// The system: N counters, each counted up from 0 to K by its own thread
// ((K+1)^N states, N*K*(K+1)^(N-1) transitions). --pad appends BYTES bytes to the
// state, derived from the counters (so they are hashed and compared for real).
// Prints one line of key=value figures; peak_rss is this process's maximum RSS.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "explore/explorer.h"

using namespace ptcheck::explore;

namespace {

class Counters : public TransitionSystem {
 public:
  Counters(unsigned n, unsigned k, unsigned pad) : n_(n), k_(k), pad_(pad) {}
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
          sink.emit(i, buf.data(), false);
          buf[i] = s[i];
          any = true;
        }
      }
      return any ? Result::Expanded : Result::Terminal;
    }
    bool initial_violation(const uint8_t*) override { return false; }
    const Counters& c;
    std::vector<uint8_t> buf;
  };
  unsigned n_, k_, pad_;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: ptcheck_bench_explore [--counters N K] [--pad BYTES] [--threads T] "
               "[--max-states N] [--progress]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned n = 6, k = 9, pad = 0;
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
    } else if (a == "--threads") {
      need(1);
      opt.threads = unsigned(std::atoi(argv[++i]));
    } else if (a == "--max-states") {
      need(1);
      opt.max_states = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--progress") {
      opt.progress = true;
    } else {
      usage();
    }
  }
  if (n == 0 || n > 64 || k > 255) usage();
  Counters sys(n, k, pad);
  Result r = explore(sys, opt);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const Stats& s = r.stats;
  std::printf(
      "system=counters-%u-%u-pad%u state_bytes=%zu threads=%u verdict=%s states=%llu "
      "transitions=%llu depth=%u seconds=%.3f states_per_sec=%.0f bytes_per_state=%.1f "
      "explorer_mib=%.1f peak_rss_mib=%.1f\n",
      n, k, pad, sys.state_size(), opt.threads, to_string(r.verdict),
      (unsigned long long)s.states, (unsigned long long)s.transitions, s.depth, s.seconds,
      s.seconds > 0 ? double(s.states) / s.seconds : 0.0, s.bytes_per_state,
      double(s.memory_bytes) / 1048576.0, double(ru.ru_maxrss) / 1024.0);
  return r.verdict == Verdict::Pass ? 0 : 1;
}
