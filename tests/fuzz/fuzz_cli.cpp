// libFuzzer target: the command line. The input is split at newlines into
// arguments and parsed by the real subcommand definitions (cli/cmd_*.cpp);
// the option values are then run through the checks a command applies before
// doing anything (sizes, limits, --set, --bound). Commands are not run.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "support/diag.h"
#include "target/desugar.h"
#include "target/instantiate.h"

using namespace ptcheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    args.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  CLI::App app{"ptcheck"};
  app.require_subcommand(1);
  app.fallthrough();
  std::string root;
  app.add_option("--root", root, "");
  ListOptions lo;
  add_list_command(app, lo);
  CheckCliOptions co;
  add_check_command(app, co);
  ReplayOptions ro;
  add_replay_command(app, ro);
  LayoutOptions yo;
  add_layout_command(app, yo);
  std::vector<std::string> argv(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(argv);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  try {
    if (!co.max_memory.empty()) cli::parse_size("--max-memory", co.max_memory);
    for (const auto& s : co.sets) parse_set(s);
    for (const auto& s : yo.sets) parse_set(s);
    for (const auto& s : ro.sets) parse_set(s);
    for (const auto& b : co.bounds) parse_bound(b);
  } catch (const InputError&) {
  }
  return 0;
}
