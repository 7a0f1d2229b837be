// ptcheck: list | check | replay | layout. Exit status: 0 every verdict as
// expected, 1 not (or a trace diverged), 2 bad input, 3 incomplete, 4 an
// internal error of ptcheck itself.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "arch/arch.h"
#include "driver/run.h"
#include "frontend/parser.h"
#include "cli/commands.h"
#include "support/version.h"
#include "trace/trace_io.h"
#include "z3/z3_check.h"

namespace fs = std::filesystem;
using namespace ptcheck;

namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) {
  if (g_cancel.exchange(true)) std::_Exit(130);  // a second ^C stops at once
}

std::string pick_root(const std::string& opt) {
  if (!opt.empty()) return opt;
  if (const char* env = std::getenv("PTCHECK_ROOT")) return env;
  std::error_code ec;
  if (fs::is_directory("spec", ec) && fs::is_directory("arch", ec)) return ".";
  return kDefaultRoot;
}

uint64_t parse_size(const std::string& s) {
  size_t pos = 0;
  double v = -1;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  std::string unit = pos ? s.substr(pos) : "?";
  double mul = unit.empty() || unit == "B" ? 1 : unit == "K" || unit == "KiB" ? 1024.0
             : unit == "M" || unit == "MiB" ? 1048576.0 : unit == "G" || unit == "GiB" ? 1073741824.0 : -1;
  if (mul < 0 || v < 0) throw InputError(fmt::format("--max-memory: error: expected a size like 512M or 8G, found '{}'", s));
  return static_cast<uint64_t>(v * mul);
}

std::string fmt_seconds(double s) { return fmt::format("{:.2f}", s); }

void print_table(const std::vector<CheckResult>& rs) {
  std::vector<std::array<std::string, 8>> rows;
  rows.push_back({"target", "arch", "expected", "got", "states", "transitions", "depth", "seconds"});
  for (const auto& r : rs) {
    std::string got = r.verdict == "violation" ? "violation " + r.error_kind
                    : r.verdict == "incomplete" ? "incomplete (" + r.incomplete_reason + ")" : r.verdict;
    if (!r.as_expected && r.verdict != "incomplete") got += "  <-- UNEXPECTED";
    rows.push_back({r.target, r.arch, r.expected, got, std::to_string(r.stats.states),
                    std::to_string(r.stats.transitions), std::to_string(r.stats.depth), fmt_seconds(r.stats.seconds)});
  }
  std::array<size_t, 8> w{};
  for (const auto& row : rows)
    for (size_t i = 0; i < 8; ++i) w[i] = std::max(w[i], row[i].size());
  for (size_t k = 0; k < rows.size(); ++k) {
    std::string line;
    for (size_t i = 0; i < 8; ++i) {
      bool right = i >= 4;
      line += right ? fmt::format("{:>{}}", rows[k][i], w[i]) : fmt::format("{:<{}}", rows[k][i], w[i]);
      if (i < 7) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
    if (k == 0) std::cout << std::string(line.size(), '-') << "\n";
  }
}

int cmd_list(Project& p) {
  p.load_specs();
  std::cout << "arches:";
  for (const auto& a : list_arches(p.root())) std::cout << " " << a;
  std::cout << "\n\ntargets:\n";
  std::set<std::string> invariants;
  for (const auto& t : p.targets()) {
    std::string arches;
    for (const auto& a : t.def->arches) arches += (arches.empty() ? "" : ",") + a;
    std::string expect = !t.def->expect ? "?" : t.def->expect->violation ? "violation " + t.def->expect->kind : "pass";
    std::cout << fmt::format("  {:<32} {:<22} {:<14} {}\n", t.name, expect, arches.empty() ? "(default)" : arches,
                             t.def->description);
    for (const auto& [n, l] : t.def->invariants) invariants.insert(n);
  }
  std::cout << "\ninvariants:";
  for (const auto& n : invariants) std::cout << " " << n;
  std::cout << "\n\nlayout properties (Z3):\n";
  for (const auto* pd : spec_properties(p)) {
    std::string arches;
    for (const auto& a : pd->arches) arches += (arches.empty() ? "" : ",") + a;
    std::cout << fmt::format("  {:<32} {:<22} {:<14} {}\n", pd->name, "expect " + pd->expect,
                             arches.empty() ? "all" : arches, pd->query);
  }
  return 0;
}

std::string trace_path_for(const std::string& base, const CheckResult& r, size_t violations) {
  if (violations <= 1) return base;
  fs::path p(base);
  return (p.parent_path() / fmt::format("{}-{}-{}{}", p.stem().string(), r.target, r.arch, p.extension().string())).string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptcheck: a model checker for the lifecycles of Linux page-table descriptors"};
  app.set_version_flag("--version", std::string("ptcheck ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // --root may also come after the subcommand
  std::string root;
  app.add_option("--root", root, "project root holding arch/, model/ and spec/");

  auto* list = app.add_subcommand("list", "list targets, invariants and arches");

  auto* check = app.add_subcommand("check", "check targets against their expected verdicts");
  std::vector<std::string> names, sets;
  bool all = false, json = false;
  std::string arch, trace_out, max_memory;
  unsigned threads = 0;
  uint64_t max_states = 0;
  double time_limit = 0;
  check->add_option("targets", names, "target names");
  check->add_flag("--all", all, "every target in spec/");
  check->add_option("--arch", arch, "run on this arch only (default: each target's own arches, else x86_64)");
  check->add_option("--set", sets, "override a Kconfig symbol: CONFIG_X=y or CONFIG_X=n")->allow_extra_args(false);
  check->add_option("--threads", threads, "explorer threads (default: all cores)");
  check->add_option("--max-states", max_states, "stop as incomplete after this many distinct states");
  check->add_option("--max-memory", max_memory, "stop as incomplete past this much explorer memory (e.g. 8G)");
  check->add_option("--time-limit", time_limit, "stop as incomplete after this many seconds per target");
  check->add_flag("--json", json, "print one JSON document on stdout");
  check->add_option("--trace-out", trace_out, "write the counterexample trace here (.json for JSON)");
  bool state_layout = false;
  check->add_flag("--state-layout", state_layout, "print each target's state vector, region by region, and stop");
  std::vector<std::string> extra_specs;
  check->add_option("--spec", extra_specs, "also load targets from this file (outside spec/)")->allow_extra_args(false);

  auto* replay = app.add_subcommand("replay", "replay stored counterexample traces");
  std::vector<std::string> files;
  std::vector<std::string> replay_sets;
  replay->add_option("files", files, "trace files")->required();
  replay->add_option("--set", replay_sets, "override a Kconfig symbol")->allow_extra_args(false);

  LayoutOptions layout_opts;
  auto* layout = add_layout_command(app, layout_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    Project project(pick_root(root));
    if (*list) return cmd_list(project);

    if (*layout) return run_layout(project, layout_opts);

    if (*replay) {
      std::vector<std::pair<std::string, bool>> extra;
      for (const auto& s : replay_sets) extra.push_back(parse_set(s));
      project.load_specs();
      int rc = 0;
      for (const auto& f : files) {
        trace::Trace t = trace::load_trace(f);
        ReplayResult r = replay_trace(project, t, extra);
        for (const auto& w : r.warnings) std::cerr << f << ": warning: " << w << "\n";
        std::cout << f << ": " << (r.reproduced ? "" : "DIVERGED: ") << r.message << "\n";
        if (!r.reproduced) rc = 1;
      }
      return rc;
    }

    // check
    CheckOptions opt;
    for (const auto& s : sets) opt.sets.push_back(parse_set(s));
    opt.explore.threads = threads;
    opt.explore.max_states = max_states;
    opt.explore.time_limit = time_limit;
    if (!max_memory.empty()) opt.explore.max_memory = parse_size(max_memory);
    opt.explore.cancel = &g_cancel;
    opt.explore.progress = isatty(STDERR_FILENO) && !json;
    std::signal(SIGINT, on_sigint);
    project.load_specs();
    for (const auto& f : extra_specs) project.load_spec_file(f);
    // Layout properties (spec/layout/) are checked by Z3 next to the targets.
    std::set<std::string> props;
    for (const auto* pd : spec_properties(project)) props.insert(pd->name);
    std::vector<const TargetEntry*> chosen;
    if (all) {
      for (const auto& t : project.targets()) chosen.push_back(&t);
    } else {
      if (names.empty()) {
        std::cerr << "ptcheck check: error: name targets or give --all (see `ptcheck list`)\n";
        return 2;
      }
      for (const auto& n : names) {
        const TargetEntry* t = project.find_target(n);
        if (!t) {
          if (props.count(n)) continue;
          std::cerr << fmt::format("ptcheck check: error: no target or property named '{}' (see `ptcheck list`)\n", n);
          return 2;
        }
        chosen.push_back(t);
      }
    }
    if (!arch.empty()) {
      auto known = list_arches(project.root());
      if (std::find(known.begin(), known.end(), arch) == known.end()) {
        std::cerr << fmt::format("ptcheck check: error: unknown arch '{}'\n", arch);
        return 2;
      }
    }
    if (state_layout) {
      for (const TargetEntry* t : chosen)
        for (const auto& a : arch.empty() ? target_arches(*t, "x86_64") : std::vector<std::string>{arch})
          std::cout << describe_state(project, *t, a, opt.sets);
      return 0;
    }
    std::vector<CheckResult> results;
    for (const TargetEntry* t : chosen) {
      std::vector<std::string> arches = arch.empty() ? target_arches(*t, "x86_64") : std::vector<std::string>{arch};
      for (const auto& a : arches) {
        if (g_cancel) break;
        results.push_back(check_target(project, *t, a, opt));
      }
    }
    if (!g_cancel)
      for (auto& r : check_properties(project, names, all, arch, opt)) results.push_back(std::move(r));
    size_t violations = 0;
    for (const auto& r : results) violations += r.trace.has_value();
    if (!trace_out.empty())
      for (const auto& r : results)
        if (r.trace) {
          std::string path = trace_path_for(trace_out, r, violations);
          std::ofstream out(path);
          if (fs::path(path).extension() == ".json") out << trace::to_json(*r.trace).dump(2) << "\n";
          else out << trace::to_text(*r.trace);
          if (!out) throw InputError(fmt::format("{}: error: cannot write trace", path));
        }
    bool unexpected = false, incomplete = false;
    for (const auto& r : results) {
      if (r.verdict == "incomplete") incomplete = true;
      else if (!r.as_expected) unexpected = true;
    }
    if (json) {
      nlohmann::json j;
      j["results"] = nlohmann::json::array();
      for (const auto& r : results) {
        nlohmann::json x;
        x["target"] = r.target;
        x["arch"] = r.arch;
        x["expected"] = r.expected;
        x["verdict"] = r.verdict;
        x["error_kind"] = r.error_kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error_kind);
        x["as_expected"] = r.as_expected;
        if (!r.incomplete_reason.empty()) x["incomplete_reason"] = r.incomplete_reason;
        x["states"] = r.stats.states;
        x["transitions"] = r.stats.transitions;
        x["depth"] = r.stats.depth;
        x["seconds"] = r.stats.seconds;
        x["state_bytes"] = r.state_bytes;
        x["memory_bytes"] = r.stats.memory_bytes;
        x["bytes_per_state"] = r.stats.bytes_per_state;
        x["trace"] = r.trace ? trace::to_json(*r.trace) : nlohmann::json(nullptr);
        if (r.trace)
          if (const TargetEntry* t = project.find_target(r.target)) x["hazard_reach"] = hazard_reach(project, *t);
        j["results"].push_back(std::move(x));
      }
      std::cout << j.dump(2) << "\n";
    } else {
      print_table(results);
      for (const auto& r : results)
        if (!r.trace && !r.error_kind.empty() && r.verdict != "violation")  // a property's witness
          std::cout << fmt::format("\n{} ({}): {}", r.target, r.arch, r.error_kind);
      for (const auto& r : results) {
        if (!r.trace) continue;
        std::cout << fmt::format("\n{} ({}): {}\n", r.target, r.arch, r.trace->violation.title);
        if (const TargetEntry* t = project.find_target(r.target))
          for (const auto& l : hazard_reach(project, *t)) std::cout << l << "\n";
        if (!r.as_expected) std::cout << "\n" << trace::to_text(*r.trace);
      }
      if (g_cancel) std::cout << "\ninterrupted: the table shows what was checked so far\n";
    }
    return unexpected ? 1 : incomplete ? 3 : 0;
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // A bug in ptcheck, not in the input: say so rather than abort.
    std::cerr << "ptcheck: internal error: " << e.what() << "\n";
    return 4;
  }
}
