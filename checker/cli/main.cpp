// ptcheck: list | check | replay | layout | mutate | litmus. Exit status: 0 every verdict as
// expected, 1 not (or a trace diverged), 2 bad input, 3 incomplete, 4 an
// internal error of ptcheck itself. Each command lives in cmd_<name>.cpp.
// Under mpirun (docs/distributed.md) every rank runs the same command line;
// the searches are collective and only rank 0 prints.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "distributed/mpi_transport.h"
#include "support/diag.h"
#include "support/version.h"

using namespace ptcheck;

namespace {

// The same exit status on every rank: rank 0's (it is the one that printed).
int agree(dist::Transport* w, int rc) {
  if (!w) return rc;
  return int(dist::allreduce_one(*w, w->rank() == 0 ? uint64_t(rc) : 0, dist::Transport::Op::Max));
}

int run(int argc, char** argv, dist::Transport* w) {
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
    if (w && (*mutate || *litmus))
      throw InputError(fmt::format("ptcheck {}: error: runs in one process only; start it without mpirun "
                                   "(under mpirun, `check` distributes its search: docs/distributed.md)",
                                   *mutate ? "mutate" : "litmus"));
    if (*mutate) return run_mutate_cli(project, mutate_opts);
    if (*litmus) return run_litmus(project, litmus_opts);
    return 2;
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // A bug in ptcheck, not in the input: say so rather than abort. Under
    // mpirun the other ranks may wait for this one: end them all.
    if (w) w->abort(4, std::string("internal error: ") + e.what());
    std::cerr << "ptcheck: internal error: " << e.what() << "\n";
    return 4;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<dist::Transport> mpi;
  if (dist::launched_by_mpirun()) {
    try {
      mpi = dist::mpi_init(&argc, &argv);
    } catch (const std::exception& e) {
      std::cerr << "ptcheck: error: started by mpirun, but " << e.what() << "\n";
      return 4;
    }
    if (mpi->size() > 1) {
      dist::set_world(mpi.get());
      if (mpi->rank() != 0) dist::silence_this_rank();
      dist::on_sigterm_say_why(mpi->rank(), mpi->size());
    }
  }
  dist::Transport* w = dist::world();
  const int rc = run(argc, argv, w);
  int all = rc;
  if (w) {
    // Everything is printed: mpirun may now end this rank early (when another
    // one exits non-zero first) without losing output or saying it was stopped.
    std::cout.flush();
    std::fflush(nullptr);
    std::signal(SIGTERM, SIG_DFL);
    all = agree(w, rc);
  }
  // scripts/ptcheck-mpirun: the run's own status, for the launcher to end
  // with (mpirun's status is the first failing rank's, not the check's).
  if (const char* f = std::getenv("PTCHECK_STATUS_FILE"); f && *f && (!w || w->rank() == 0))
    if (std::FILE* out = std::fopen(f, "w")) {
      std::fprintf(out, "%d\n", all);
      std::fclose(out);
    }
  return all;
}
