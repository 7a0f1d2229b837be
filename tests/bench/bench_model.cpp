// Benchmark of the whole checker on a model-language toy: parses, compiles and
// explores a target through the interpreter, at the thread counts given, and
// prints distinct states per second and bytes per stored state.
//   ptcheck_bench_model ROOT SPEC_FILE TARGET [THREADS]
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdlib>
#include <iostream>

#include "driver/run.h"
#include "target/project.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: ptcheck_bench_model ROOT SPEC_FILE TARGET [THREADS]\n";
    return 2;
  }
  try {
    ptcheck::Project p(argv[1]);
    p.load_spec_file(argv[2]);
    const ptcheck::TargetEntry* t = p.find_target(argv[3]);
    if (!t) {
      std::cerr << "no target " << argv[3] << "\n";
      return 2;
    }
    unsigned n = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 1;
    ptcheck::CheckOptions opt;
    opt.explore.threads = n;
    auto r = ptcheck::check_target(p, *t, "x86_64", opt);
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    // key=value figures, the format run_bench.sh reads.
    fmt::print("target={} threads={} verdict={} states={} transitions={} seconds={:.3f} states_per_sec={:.0f} "
               "bytes_per_state={:.1f} peak_rss_mib={:.0f}\n",
               t->name, n, ptcheck::to_string(r.verdict), r.stats.states, r.stats.transitions, r.stats.seconds,
               r.stats.states / std::max(r.stats.seconds, 1e-9), r.stats.bytes_per_state, ru.ru_maxrss / 1024.0);
    if (!r.as_expected) return 1;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}
