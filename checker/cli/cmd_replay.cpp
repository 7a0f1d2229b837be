// `ptcheck replay FILE...`: re-executes stored counterexample traces and says
// whether each reproduces its violation or where the model diverged.
#include <iostream>

#include "cli/commands.h"
#include "driver/run.h"
#include "target/instantiate.h"
#include "trace/trace_io.h"

namespace ptcheck {

CLI::App* add_replay_command(CLI::App& app, ReplayOptions& opt) {
  auto* replay = app.add_subcommand("replay", "replay stored counterexample traces");
  replay->add_option("files", opt.files, "trace files")->required();
  replay->add_option("--set", opt.sets, "override a Kconfig symbol")->allow_extra_args(false);
  return replay;
}

int run_replay(Project& project, const ReplayOptions& opt) {
  std::vector<std::pair<std::string, bool>> extra;
  for (const auto& s : opt.sets) extra.push_back(parse_set(s));
  project.load_specs();
  int rc = 0;
  for (const auto& f : opt.files) {
    trace::Trace t = trace::load_trace(f);
    ReplayResult r = replay_trace(project, t, extra);
    for (const auto& w : r.warnings) std::cerr << f << ": warning: " << w << "\n";
    std::cout << f << ": " << (r.reproduced ? "" : "DIVERGED: ") << r.message << "\n";
    if (!r.reproduced) rc = 1;
  }
  return rc;
}

}  // namespace ptcheck
