// `ptcheck replay FILE...`: re-executes stored counterexample traces and says
// whether each reproduces its violation or where the model diverged.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "driver/run.h"
#include "target/instantiate.h"
#include "trace/trace_io.h"

namespace ptcheck {

CLI::App* add_replay_command(CLI::App& app, ReplayOptions& opt) {
  auto* replay = app.add_subcommand("replay", "replay stored counterexample traces");
  replay->add_option("files", opt.files, "trace files")->required();
  replay->add_option("--set", opt.sets, "override a Kconfig symbol")->allow_extra_args(false);
  replay->add_option("--spec", opt.specs,
                     "load targets from this file or directory too (by default the spec file the trace names)")
      ->allow_extra_args(false);
  return replay;
}

int run_replay(Project& project, const ReplayOptions& opt) {
  std::vector<std::pair<std::string, bool>> extra;
  for (const auto& s : opt.sets) extra.push_back(parse_set(s));
  project.load_specs();
  cli::load_spec_args(project, opt.specs);
  int rc = 0;
  for (const auto& f : opt.files) {
    trace::Trace t = trace::load_trace(f);
    // A target defined outside spec/ (check --spec): the trace names its file.
    if (!project.find_target(t.header.target) && !t.header.spec.empty()) {
      std::error_code ec;
      if (!std::filesystem::exists(project.absolute(t.header.spec), ec))
        throw InputError(fmt::format("{}: error: the trace's target '{}' is defined in {}, which is not there now "
                                     "(give its file with --spec)", f, t.header.target, t.header.spec));
      project.load_spec_file(t.header.spec);
    }
    ReplayResult r = replay_trace(project, t, extra);
    for (const auto& w : r.warnings) std::cerr << f << ": warning: " << w << "\n";
    std::cout << f << ": " << (r.reproduced ? "" : "DIVERGED: ") << r.message << "\n";
    if (!r.reproduced) rc = 1;
  }
  return rc;
}

}  // namespace ptcheck
