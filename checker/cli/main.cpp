// ptcheck: list | check | replay | layout | mutate | litmus. Exit status: 0 every verdict as
// expected, 1 not (or a trace diverged), 2 bad input, 3 incomplete, 4 an
// internal error of ptcheck itself. Each command lives in cmd_<name>.cpp.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "support/diag.h"
#include "support/version.h"

using namespace ptcheck;

int main(int argc, char** argv) {
  CLI::App app{"ptcheck: a model checker for the lifecycles of Linux page-table descriptors"};
  app.set_version_flag("--version", std::string("ptcheck ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // --root may also come after the subcommand
  std::string root;
  app.add_option("--root", root, "project root holding arch/, model/ and spec/");

  ListOptions list_opts;
  auto* list = add_list_command(app, list_opts);
  CheckCliOptions check_opts;
  auto* check = add_check_command(app, check_opts);
  ReplayOptions replay_opts;
  auto* replay = add_replay_command(app, replay_opts);
  MutateCliOptions mutate_opts;
  auto* mutate = add_mutate_command(app, mutate_opts);
  LayoutOptions layout_opts;
  auto* layout = add_layout_command(app, layout_opts);
  LitmusOptions litmus_opts;
  auto* litmus = add_litmus_command(app, litmus_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    Project project(cli::pick_root(root));
    if (*list) return run_list(project, list_opts);
    if (*layout) return run_layout(project, layout_opts);
    if (*replay) return run_replay(project, replay_opts);
    if (*check) return run_check(project, check_opts);
    if (*mutate) return run_mutate_cli(project, mutate_opts);
    if (*litmus) return run_litmus(project, litmus_opts);
    return 2;
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // A bug in ptcheck, not in the input: say so rather than abort.
    std::cerr << "ptcheck: internal error: " << e.what() << "\n";
    return 4;
  }
}
