// `ptcheck mutate`: mutation testing of check targets (driver/mutate.h): the
// per-mutant table or JSON, and the score.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "driver/mutate.h"
#include "target/instantiate.h"
#include "target/kconfig_check.h"
#include "trace/trace_io.h"

namespace ptcheck {

CLI::App* add_mutate_command(CLI::App& app, MutateCliOptions& o) {
  auto* m = app.add_subcommand(
      "mutate",
      "mutation testing: mutate the model functions the targets compile (drop a lock pair, free before the grace "
      "period, re-checks that always succeed, ...) and report which target kills each mutant");
  m->add_option("targets", o.names, "targets to judge (or --all)");
  m->add_flag("--all", o.all, "every target in spec/");
  std::string ops;
  for (MutOp op : all_mut_ops()) ops += std::string(ops.empty() ? "" : ", ") + mut_op_name(op);
  m->add_option("--op", o.ops, "only this operator (repeatable): " + ops)->allow_extra_args(false);
  m->add_option("--file", o.files, "only functions of model files starting with this path (repeatable), e.g. model/")
      ->allow_extra_args(false);
  m->add_option("--time-budget", o.time_budget, "seconds for the whole run; mutants left are 'not run' (0: none)")
      ->check(cli::seconds_option(true));
  m->add_option("--run-limit", o.run_limit,
                "seconds per target run of a mutant, after which it counts as a timeout (default: 10x the "
                "unmutated run + 2 s, at least 5 s)")
      ->check(cli::seconds_option(true));
  m->add_option("--threads", o.threads, "explorer threads per run, 1 to 64 (at most 2 on a shared machine; default 2)")
      ->check(cli::integer_option("a thread count", 1, 64));
  m->add_option("--arch", o.arch, "only the runs of the targets on this arch (default: each target's arches)");
  m->add_option("--set", o.sets, "override a Kconfig symbol")->allow_extra_args(false);
  m->add_option("--spec", o.specs, "also load targets from this file or directory")->allow_extra_args(false);
  m->add_option("--shard", o.shard,
                "I/N: only the I-th of N disjoint shares of the mutants (by a hash of the name), to split a long run "
                "over machines or sittings; scripts/mutate-score.sh merges the JSON reports");
  m->add_option("--mutant", o.only,
                "only this mutant (repeatable), by its name OPERATOR@FILE:LINE as the report gives it, e.g. to re-run "
                "the survivors of a run")
      ->allow_extra_args(false);
  m->add_flag("--json", o.json, "print the report as JSON");
  m->add_flag("--list", o.list, "list the mutants of the chosen targets' functions and stop");
  return m;
}

int run_mutate_cli(Project& project, const MutateCliOptions& o) {
  MutateOptions opt;
  for (const auto& s : o.sets) opt.sets.push_back(parse_set(s));
  for (const auto& n : o.ops) {
    MutOp op;
    if (!mut_op_from_name(n, op)) throw InputError(fmt::format("--op: error: unknown mutation operator '{}'", n));
    opt.ops.push_back(op);
  }
  opt.file_prefixes = o.files;
  opt.time_budget = o.time_budget;
  opt.run_limit = o.run_limit;
  opt.threads = o.threads;
  opt.arch = o.arch;
  opt.only = o.only;
  if (!o.shard.empty()) {
    unsigned i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(o.shard.c_str(), "%u/%u%c", &i, &n, &tail) != 2 || n == 0 || i == 0 || i > n)
      throw InputError(fmt::format("--shard: error: expected I/N with 1 <= I <= N, got '{}'", o.shard));
    opt.shard = i;
    opt.shards = n;
  }
  project.load_specs();
  cli::load_spec_args(project, o.specs);
  check_known_symbols(project, opt.sets, "--set");
  std::vector<const TargetEntry*> chosen;
  if (o.all)
    for (const auto& t : project.targets()) chosen.push_back(&t);
  for (const auto& n : o.names) {
    const TargetEntry* t = project.find_target(n);
    if (!t) throw InputError(fmt::format("ptcheck mutate: error: no target named '{}' (see `ptcheck list`)", n));
    chosen.push_back(t);
  }
  if (chosen.empty()) throw InputError("ptcheck mutate: error: name targets or give --all");
  if (o.list) {  // the mutants without running them (--shard and --mutant narrow them as for a run)
    for (const Mutant& m : enumerate_mutants(project, chosen, opt))
      std::cout << fmt::format("{}  {}: {}\n", m.name(), m.function, m.what);
    return 0;
  }
  opt.progress = [](const std::string& line) { std::cerr << line << "\n"; };  // stderr, also with --json
  MutateReport rep = run_mutate(project, chosen, opt);

  std::map<std::string, size_t> by_status;
  size_t by_mix = 0;
  std::map<std::string, std::array<size_t, 3>> by_op;  // killed, behaviour-changing candidates, all
  for (const auto& m : rep.mutants) {
    by_status[m.status]++;
    by_mix += m.status == "killed" && m.killed_by_mix;
    auto& c = by_op[m.op];
    c[0] += m.status == "killed";
    c[1] += m.status == "killed" || m.status == "survived" || m.status == "timeout";
    c[2]++;
  }
  const size_t killed = by_status["killed"];
  const size_t live = killed + by_status["survived"] + by_status["timeout"];
  auto pct = [](size_t a, size_t b) { return b ? fmt::format("{:.1f}%", 100.0 * a / b) : std::string("-"); };
  if (o.json) {
    nlohmann::json j;
    j["targets"] = rep.targets;
    j["mixes"] = rep.mixes;
    j["seconds"] = rep.seconds;
    j["budget_exhausted"] = rep.budget_exhausted;
    j["shard"] = fmt::format("{}/{}", opt.shard, opt.shards);
    j["mutants"] = nlohmann::json::array();
    for (const auto& m : rep.mutants) {
      nlohmann::json x{{"name", m.name}, {"operator", m.op}, {"function", m.function}, {"file", m.file},
                       {"line", m.line}, {"what", m.what}, {"status", m.status}};
      if (!m.killed_by.empty()) x["killed_by"] = {{"target", m.killed_by}, {"got", m.violation}, {"mix", m.killed_by_mix}};
      if (!m.detail.empty()) x["detail"] = m.detail;
      x["runs"] = nlohmann::json::array();
      for (const auto& r : m.runs)
        x["runs"].push_back({{"target", r.target}, {"arch", r.arch}, {"outcome", r.outcome}, {"got", r.verdict},
                             {"states", r.states},
                             {"final_states", r.final_states}});
      j["mutants"].push_back(std::move(x));
    }
    j["summary"] = {{"mutants", rep.mutants.size()},
                    {"killed", killed},
                    {"killed_by_mixes", by_mix},
                    {"survived", by_status["survived"]},
                    {"timeout", by_status["timeout"]},
                    {"equivalent_hint", by_status["equivalent?"]},
                    {"unexecuted", by_status["unexecuted"]},
                    {"stillborn", by_status["stillborn"]},
                    {"not_run", by_status["not run"]},
                    {"score", live ? double(killed) / live : 0.0},
                    {"score_mixes", live ? double(by_mix) / live : 0.0}};
    std::cout << trace::json_text(j) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<12} {:<52} {:<28} {}\n", "status", "mutant", "function", "what / killed by");
  std::cout << std::string(120, '-') << "\n";
  for (const auto& m : rep.mutants) {
    std::string tail = m.what;
    if (!m.killed_by.empty()) tail += fmt::format("  <- {}: {}", m.killed_by, m.violation);
    if (m.status == "stillborn") tail += "  (" + m.detail.substr(0, m.detail.find('\n')) + ")";
    std::cout << fmt::format("{:<12} {:<52} {:<28} {}\n", m.status, m.name, m.function, tail);
  }
  std::cout << fmt::format("\n{:<22} {:>7} {:>10}\n", "operator", "killed", "of live");
  for (const auto& [op, c] : by_op) std::cout << fmt::format("{:<22} {:>7} {:>10}   ({} mutants)\n", op, c[0], c[1], c[2]);
  std::cout << fmt::format(
      "\n{} mutants: {} killed ({} by the mixes), {} survived, {} timeout, {} equivalent? (the same verdicts and the "
      "same final states on every target that ran them: other interleavings, not other outcomes; a hint, not a proof), {} unexecuted (no target runs the line), {} "
      "stillborn, {} not run\n",
      rep.mutants.size(), killed, by_mix, by_status["survived"], by_status["timeout"], by_status["equivalent?"],
      by_status["unexecuted"], by_status["stillborn"], by_status["not run"]);
  std::cout << fmt::format("score: {} of the {} executed mutants that changed behaviour or timed out are killed ({}); by "
                           "the mixes alone {} ({}); {:.0f} s\n",
                           killed, live, pct(killed, live), by_mix, pct(by_mix, live), rep.seconds);
  if (rep.budget_exhausted) std::cout << "the time budget ran out: the mutants marked 'not run' were not checked\n";
  return 0;
}

}  // namespace ptcheck
