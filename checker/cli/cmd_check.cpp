// `ptcheck check`: explores the chosen targets on their arches, checks the
// layout properties with Z3, prints the verdict table (or one JSON document) and
// writes counterexample traces.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "arch/arch.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/report_formats.h"
#include "distributed/dist_bfs.h"
#include "driver/lock_graph.h"
#include "driver/run.h"
#include "target/desugar.h"
#include "target/kconfig_check.h"
#include "trace/trace_dot.h"
#include "trace/trace_io.h"
#include "z3/z3_check.h"

namespace fs = std::filesystem;

namespace ptcheck {

CLI::App* add_check_command(CLI::App& app, CheckCliOptions& o) {
  auto* check = app.add_subcommand("check", "check targets against their expected verdicts");
  check->add_option("targets", o.names, "target names");
  check->add_flag("--all", o.all, "every target in spec/");
  check->add_option("--arch", o.arch, "run on this arch only (default: each target's own arches, else x86_64)");
  check->add_option("--set", o.sets, "override a Kconfig symbol: CONFIG_X=y or CONFIG_X=n")->allow_extra_args(false);
  check->add_option("--bound", o.bounds, "override a target parameter or a mix bound: NAME=NUMBER (e.g. threads=3)")
      ->allow_extra_args(false);
  // Limits: a value that would mean "no limit" (0, negative, NaN) is refused
  // rather than silently running unlimited.
  check->add_option("--threads", o.threads, fmt::format("explorer threads, 1 to {} (default: all cores)", cli::kMaxThreads))
      ->check(cli::integer_option("a thread count", 1, cli::kMaxThreads));
  check->add_option("--max-states", o.max_states, "stop as incomplete after this many distinct states (at least 1)")
      ->check(cli::integer_option("a state count", 1, UINT64_MAX));
  check->add_option("--max-memory", o.max_memory, "stop as incomplete past this much explorer memory (e.g. 8G)");
  check->add_option("--time-limit", o.time_limit, "stop as incomplete after this many seconds per target (> 0)")
      ->check(cli::seconds_option(false));
  check->add_flag("--json", o.json, "print one JSON document on stdout");
  check->add_option("--lock-graph", o.lock_graph, "write the lock-order graph (lockdep's dependencies) of every run to FILE.dot");
  check->add_option("--coverage", o.coverage,
                    "record the model lines and branches each run executed; write their union as lcov FILE.info "
                    "(genhtml FILE.info) and print a per-file summary");
  check->add_flag("--tap", o.tap, "print the results as TAP (as kselftest does) instead of the table");
  check->add_option("--junit", o.junit, "also write the results as JUnit XML to FILE")
      ->each([&o](const std::string&) { o.junit_given = true; });
  check->add_option("--trace-out", o.trace_out,
                    "write the counterexample trace to FILE (.json: JSON; .dot: a Graphviz sequence diagram; .svg: "
                    "that diagram drawn by Graphviz's dot; else text); with several "
                    "counterexamples, each to FILE-<target>-<arch> with FILE's extension, next to FILE")
      ->each([&o](const std::string&) { o.trace_out_given = true; });
  check->add_option("--search", o.search,
                    "bfs: breadth-first, shortest counterexamples (default); dfs: depth-first, the first violation "
                    "fast, then shortened; swarm: one randomised depth-first search per thread (dfs and swarm run "
                    "neither sleep sets nor the non-termination check)")
      ->check(CLI::IsMember({"bfs", "dfs", "swarm"}));
  check->add_option("--store", o.store,
                    "tree: lossless tree compression (default); plain: full state vectors; hc: 64-bit hash "
                    "compaction and bitstate: bit array (both lossy, probabilistic results, --search dfs/swarm only)")
      ->check(CLI::IsMember({"tree", "plain", "hc", "bitstate"}));
  check->add_option("--bitstate-bits", o.bitstate_bits, "bitstate: 2^N bits (default: an eighth of --max-memory, at most 2^33)")
      ->check(CLI::Range(10u, 40u));
  check->add_option("--hashes", o.hashes, "bitstate: hash functions per state (default 3)")->check(CLI::Range(1u, 16u));
  check->add_option("--memory-model", o.memory_model,
                    "sc (default: sequential consistency), tso (x86-TSO store buffers) or lkmm (an operational "
                    "under-approximation of LKMM; what it does not produce is printed with every result); overrides "
                    "a target's `set memory_model` (docs/memory-model.md)")
      ->check(CLI::IsMember({"sc", "tso", "lkmm"}));
  check->add_option("--por", o.por,
                    "partial-order reduction of the breadth-first search: auto (default: sleep under sc, none under a "
                    "weak memory model), sleep (sleep sets: the same states, verdicts and depths as none, about 6% fewer "
                    "transitions on spec/) or none")
      ->check(CLI::IsMember({"auto", "sleep", "none"}));
  check->add_flag("--no-invariant-memo", o.no_invariant_memo,
                  "run the invariants on every new state, even when its step wrote nothing they read on its "
                  "parent (the same verdicts and counts; for comparison)");
  check->add_flag("--no-liveness", o.no_liveness,
                  "skip the non-termination check that follows a passing breadth-first search (states from "
                  "which no thread that has not finished can ever finish: a livelock)");
  check->add_flag("--progress", o.progress,
                  "print a progress line on stderr about once a second even when stderr is not a terminal (under "
                  "mpirun: with the states of each rank)");
  check->add_option("--max-depth", o.max_depth, "explore paths of at most N steps (incomplete 'max-depth' when cut)")
      ->check(cli::integer_option("a depth", 1, uint64_t(1) << 30, "1..2^30"));
  check->add_option("--seed", o.seed, "random seed of the swarm's successor orders (0 to 2^64-1)")
      ->check(cli::integer_option("a seed", 0, UINT64_MAX, "0..2^64-1"));
  check->add_option("--checkpoint", o.checkpoint,
                    "when a breadth-first run stops early (Ctrl-C, a limit), save it to FILE (with several "
                    "target runs: FILE-<target>-<arch>); --resume continues it");
  check->add_option("--resume", o.resume, "continue the checkpoint FILE (one target, one arch)");
  check->add_flag("--trace-detail", o.trace_detail,
                  "show every memory access in text traces (by default page-allocator bookkeeping and repeated "
                  "words are folded and counted)");
  check->add_flag("--state-layout", o.state_layout, "print each target's state vector, region by region, and stop");
  check->add_option("--spec", o.extra_specs, "also load targets from this file, or every *.ptm under this directory (outside spec/)")->allow_extra_args(false);
  return check;
}

namespace {

std::string fmt_seconds(double s) { return fmt::format("{:.2f}", s); }

void print_table(const std::vector<CheckResult>& rs) {
  std::vector<std::array<std::string, 8>> rows;
  rows.push_back({"target", "arch", "expected", "got", "states", "transitions", "depth", "seconds"});
  for (const auto& r : rs) {
    std::string got = r.verdict == RowVerdict::Error ? "error (below)" : got_text(r);
    if (r.probabilistic) got += fmt::format(" (probabilistic: P(missed) {:.2g})", r.omission_probability);
    if (!r.as_expected && r.verdict != RowVerdict::Incomplete && r.verdict != RowVerdict::NotRun &&
        r.verdict != RowVerdict::Error)
      got += "  <-- UNEXPECTED";
    std::string arch = r.memory_model == "sc" ? r.arch : fmt::format("{} [{}]", r.arch, r.memory_model);
    rows.push_back({r.target, arch, r.expected.text(), got, std::to_string(r.stats.states),
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

// Under mpirun: the load balance (states per rank, the largest share against
// the mean) and each rank's peak memory.
std::string rank_figures(const CheckResult& r) {
  uint64_t total = 0, most = 0;
  for (uint64_t s : r.rank_states) {
    total += s;
    most = std::max(most, s);
  }
  const double mean = double(total) / double(r.rank_states.size());
  std::string states, mem;
  for (size_t i = 0; i < r.rank_states.size(); ++i) {
    states += fmt::format("{}{}", i ? " " : "", r.rank_states[i]);
    mem += fmt::format("{}{:.1f}", i ? " " : "", double(i < r.rank_memory.size() ? r.rank_memory[i] : 0) / 1048576.0);
  }
  return fmt::format("{} ({}): {} ranks; states per rank: {} (largest/mean {:.3f}); peak memory per rank (MiB): {}",
                     r.target, r.arch, r.rank_states.size(), states, mean > 0 ? double(most) / mean : 1.0, mem);
}

// --trace-out F with one counterexample writes F; with several, F-<target>-<arch>
// with F's extension (F.json: F-lost_update-x86_64.json) next to F.
std::string per_run_path(const std::string& base, const std::string& target, const std::string& arch) {
  fs::path p(base);
  return (p.parent_path() / fmt::format("{}-{}-{}{}", p.stem().string(), target, arch, p.extension().string())).string();
}

std::string trace_path_for(const std::string& base, const CheckResult& r, size_t violations) {
  return violations <= 1 ? base : per_run_path(base, r.target, r.arch);
}

// Before a run: --trace-out names a file that can be created in an existing
// directory (the run may take hours; its results are not thrown away for a typo).
// renamed: the file is written beside itself and renamed into place (a
// checkpoint), so its directory must take new files even if the file exists.
void check_out_path(const std::string& option, const std::string& path, bool renamed = false) {
  if (path.empty()) throw InputError(option + ": error: expected a file name, found an empty string");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw InputError(fmt::format("{}: error: {} is a directory: expected a file name", option, path));
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    throw InputError(fmt::format("{}: error: {}: the directory {} does not exist", option, path, dir.string()));
  // Try: create a scratch file next to it (also where F-<target>-<arch> files go).
  std::string probe = (dir / fmt::format(".ptcheck-probe-{}", ::getpid())).string();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    // The file itself may still be writable (/dev/null, an existing file in a read-only directory).
    int fd2 = renamed ? -1 : ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd2 >= 0) {
      ::close(fd2);
      return;
    }
    throw InputError(fmt::format("{}: error: cannot create files in {}: {}", option, dir.string(), std::strerror(e)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

// Writes a trace file; throws InputError naming the system's reason.
void write_file(const std::string& path, const std::string& text, const char* what);

void write_trace(const std::string& path, const trace::Trace& t, bool detail) {
  std::string ext = fs::path(path).extension().string();
  if (ext == ".svg") {
    std::string err;
    int rc = cli::run_with_input({"dot", "-Tsvg", "-o", path}, trace::to_dot(t), err);
    if (rc != 0)
      throw InputError(fmt::format("{}: error: cannot write trace: dot {}", path,
                                   rc < 0 ? err : fmt::format("exited with status {}", rc)));
    return;
  }
  std::string text = ext == ".json" ? trace::json_text(trace::to_json(t)) + "\n"
                   : ext == ".dot"  ? trace::to_dot(t)
                                    : trace::to_text(t, !detail);
  write_file(path, text, "trace");
}

void write_file(const std::string& path, const std::string& text, const char* what) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw InputError(fmt::format("{}: error: cannot write {}: {}", path, what, std::strerror(errno)));
  size_t n = std::fwrite(text.data(), 1, text.size(), f);
  int e = n == text.size() ? 0 : errno;
  if (std::fflush(f) != 0 && !e) e = errno;
  if (std::fclose(f) != 0 && !e) e = errno;
  if (n != text.size() || e)
    throw InputError(fmt::format("{}: error: cannot write {}: {}", path, what, std::strerror(e ? e : EIO)));
}

// A result for a run that ^C prevented.
CheckResult not_run(const std::string& target, const std::string& arch, const RowExpected& expected) {
  CheckResult r;
  r.target = target;
  r.arch = arch;
  r.expected = expected;
  r.verdict = RowVerdict::NotRun;
  return r;
}

// A layout property's result as a row of the verdict table: "incomplete" for
// Z3's unknown, and its witness (printed below the table).
CheckResult property_row(const PropertyResult& p) {
  CheckResult r;
  r.target = p.property;
  r.arch = p.arch;
  r.expected = RowExpected::of_property(p.expected);
  switch (p.verdict) {
    case PropertyVerdict::Holds: r.verdict = RowVerdict::Holds; break;
    case PropertyVerdict::Fails: r.verdict = RowVerdict::Fails; break;
    case PropertyVerdict::Sat: r.verdict = RowVerdict::Sat; break;
    case PropertyVerdict::Unsat: r.verdict = RowVerdict::Unsat; break;
    case PropertyVerdict::Unknown: r.verdict = RowVerdict::Incomplete; break;
    case PropertyVerdict::NotRun: r.verdict = RowVerdict::NotRun; break;
  }
  r.witness = p.witness;
  r.incomplete_reason = p.unknown_reason;
  r.as_expected = p.as_expected;
  r.stats.seconds = p.seconds;
  return r;
}

nlohmann::json result_json(Project& project, const CheckResult& r) {
  nlohmann::json x;
  x["target"] = r.target;
  x["arch"] = r.arch;
  x["expected"] = r.expected.text();
  x["verdict"] = to_string(r.verdict);
  // (A layout property's witness went here before it had a field of its own;
  // it still does, for readers of the older form.)
  x["error_kind"] = r.error_kind ? nlohmann::json(std::string(vm::kind_name(*r.error_kind)))
                    : r.witness.empty() ? nlohmann::json(nullptr) : nlohmann::json(witness_text(r));
  if (!r.witness.empty()) x["witness"] = r.witness;
  if (r.verdict == RowVerdict::Error) x["error"] = r.error;
  x["as_expected"] = r.as_expected;
  if (!r.incomplete_reason.empty()) x["incomplete_reason"] = r.incomplete_reason;
  x["states"] = r.stats.states;
  x["transitions"] = r.stats.transitions;
  x["depth"] = r.stats.depth;
  if (r.verdict == RowVerdict::Pass) {  // the set of final states (breadth-first search): see explore::Stats
    x["final_states"] = r.stats.final_states;
    x["final_digest"] = fmt::format("{:016x}", r.stats.final_digest);
  }
  x["seconds"] = r.stats.seconds;
  x["state_bytes"] = r.state_bytes;
  x["memory_bytes"] = r.stats.memory_bytes;
  x["bytes_per_state"] = r.stats.bytes_per_state;
  x["store"] = r.store;
  x["search"] = r.search;
  x["reduction"] = r.reduction;
  x["asleep"] = r.stats.asleep;
  // (Under mpirun: the sums over the ranks, driver/run.cpp.)
  x["invariant_runs"] = r.invariant_runs;
  x["invariant_skips"] = r.invariant_skips;
  x["instructions"] = r.instructions;
  x["liveness"] = r.liveness;
  x["memory_model"] = r.memory_model;
  if (!r.memory_model_limits.empty()) x["memory_model_limits"] = r.memory_model_limits;
  x["store_bytes"] = r.stats.store_bytes;
  if (r.stats.tree_nodes) {
    x["tree_nodes"] = r.stats.tree_nodes;
    x["tree_leaves"] = r.stats.tree_leaves;
  }
  x["probabilistic"] = r.probabilistic;
  if (r.probabilistic) {
    x["omission_probability"] = r.omission_probability;
    x["lossy_summary"] = r.lossy_summary;
  }
  if (r.trace) x["shortest"] = r.shortest;
  if (!r.rank_states.empty())
    x["distributed"] = {{"ranks", r.rank_states.size()}, {"states_per_rank", r.rank_states},
                        {"memory_per_rank", r.rank_memory}};
  if (!r.checkpoint_written.empty()) x["checkpoint"] = r.checkpoint_written;
  if (!r.checkpoint_error.empty()) x["checkpoint_error"] = r.checkpoint_error;
  if (r.coverage) {
    CoverageFigures c = r.coverage->figures();
    x["coverage"] = {{"lines", c.lines}, {"lines_hit", c.lines_hit}, {"branches", c.branches},
                     {"branches_hit", c.branches_hit}, {"functions", c.functions}, {"functions_hit", c.functions_hit}};
  }
  if (!r.reach_points.empty()) x["reach"] = {{"points", r.reach_points}, {"unreached", r.unreached}};
  x["lock_edges"] = nlohmann::json::array();
  for (const auto& [from, to] : r.lock_edges) x["lock_edges"].push_back({from, to});
  x["trace"] = r.trace ? trace::to_json(*r.trace) : nlohmann::json(nullptr);
  if (r.trace)
    if (const TargetEntry* t = project.find_target(r.target)) x["hazard_reach"] = hazard_reach(project, *t);
  return x;
}

}  // namespace

int run_check(Project& project, const CheckCliOptions& o) {
  CheckOptions opt;
  for (const auto& s : o.sets) opt.sets.push_back(parse_set(s));
  opt.explore.threads = o.threads;
  opt.coverage = !o.coverage.empty();
  opt.explore.max_states = o.max_states;
  opt.explore.time_limit = o.time_limit;
  if (!o.max_memory.empty()) opt.explore.max_memory = cli::parse_size("--max-memory", o.max_memory);
  else opt.explore.max_memory = cli::default_max_memory();
  opt.explore.cancel = &cli::g_cancel;
  opt.explore.progress = o.progress || (isatty(STDERR_FILENO) && !o.json);
  // Under mpirun (docs/distributed.md): every rank runs this same function;
  // the searches are collective, only rank 0 prints and writes files.
  dist::Transport* const w = dist::world();
  const bool writes = !w || w->rank() == 0;
  opt.explore.search = o.search == "dfs" ? explore::SearchKind::Dfs
                     : o.search == "swarm" ? explore::SearchKind::Swarm : explore::SearchKind::Bfs;
  opt.explore.liveness = !o.no_liveness;
  opt.invariant_memo = !o.no_invariant_memo;
  // auto: sleep sets wherever the worker offers them (sc); a target whose own
  // `set memory_model` is weak gets none from its worker (vm/model_system.cpp).
  // Under mpirun auto means none: the distributed search has no sleep sets.
  opt.explore.reduction = o.por == "none" || (o.por == "auto" && w) ? explore::Reduction::None
                                                                     : explore::Reduction::Sleep;
  // The depth-first searches run no reduction (docs/search.md): asked for
  // by name, it is refused rather than quietly left out.
  if (o.por == "sleep" && opt.explore.search != explore::SearchKind::Bfs)
    throw InputError(fmt::format("--por sleep: error: the sleep sets belong to the breadth-first search; --search {} "
                                 "runs without reduction (give --por auto or none)", o.search));
  if (!o.memory_model.empty()) {
    auto k = vm::parse_memory_model(o.memory_model);
    // Sleep sets rest on footprints that do not describe a store reaching
    // memory later: refused under a weak model.
    if (k != vm::MemoryModelKind::Sc && o.por == "auto") opt.explore.reduction = explore::Reduction::None;
    if (k != vm::MemoryModelKind::Sc && o.por == "sleep")
      throw InputError(fmt::format("--por {}: error: partial-order reduction is not available under --memory-model {} "
                                   "(docs/memory-model.md)", o.por, o.memory_model));
    project.set_memory_model(k);
  }
  opt.explore.store.kind = o.store == "plain" ? explore::StoreKind::Plain
                         : o.store == "hc" ? explore::StoreKind::HashCompact
                         : o.store == "bitstate" ? explore::StoreKind::Bitstate : explore::StoreKind::Tree;
  opt.explore.store.bitstate_log2 = o.bitstate_bits;
  opt.explore.store.bitstate_hashes = o.hashes;
  opt.explore.max_depth = o.max_depth;
  opt.explore.seed = o.seed;
  if ((o.bitstate_bits || o.hashes != 3) && o.store != "bitstate")
    throw InputError("--bitstate-bits and --hashes: error: they size a bitstate store (--store bitstate)");
  opt.explore.checkpoint = o.checkpoint;
  opt.explore.resume = o.resume;
  if (std::string bad = explore::check_options(opt.explore); !bad.empty())
    throw InputError("ptcheck check: error: " + bad);
  if (w)
    if (std::string bad = dist::check_distributed_options(opt.explore); !bad.empty())
      throw InputError(fmt::format("ptcheck check: error: {} ({} ranks)", bad, w->size()));
  if (w && o.threads > 1)
    std::cerr << fmt::format("ptcheck check: note: under mpirun each of the {} ranks explores with one thread; "
                             "--threads {} is not used (start a rank per core instead)\n", w->size(), o.threads);
  cli::install_sigint(w != nullptr);
  project.load_specs();
  cli::load_spec_args(project, o.extra_specs);
  // Layout properties (spec/layout/) are checked by Z3 next to the targets.
  std::set<std::string> props;
  for (const auto* pd : spec_properties(project)) props.insert(pd->name);
  std::vector<const TargetEntry*> chosen;
  if (o.all) {
    for (const auto& t : project.targets()) chosen.push_back(&t);
    if (!o.names.empty())
      std::cerr << fmt::format("ptcheck check: warning: --all checks every target; the names given ({}{}) add "
                               "nothing\n", o.names[0], o.names.size() > 1 ? ", ..." : "");
  } else {
    if (o.names.empty()) {
      std::cerr << "ptcheck check: error: name targets or give --all (see `ptcheck list`)\n";
      return 2;
    }
    for (const auto& n : o.names) {
      const TargetEntry* t = project.find_target(n);
      if (!t) {
        if (props.count(n)) continue;
        cli::report_broken(project, "check");
        std::cerr << fmt::format("ptcheck check: error: no target or property named '{}' (see `ptcheck list`){}\n", n,
                                 cli::broken_hint(project));
        return 2;
      }
      chosen.push_back(t);
    }
  }
  std::vector<std::pair<std::string, int64_t>> bounds;
  for (const auto& b : o.bounds) bounds.push_back(parse_bound(b));
  for (const auto& b : bounds) {
    bool any = false;
    for (const TargetEntry* t : chosen) {
      bool has = false;
      for (const auto& p : target_params(*t->def, project.sources())) has = has || p.first == b.first;
      // A named target must have the parameter (desugar_target says which it has).
      if (!has && !o.all) desugar_target(*t->def, {b}, project.sources());
      any = any || has;
    }
    if (!any && !chosen.empty())
      throw InputError(fmt::format("--bound: error: no chosen target has a parameter '{}'", b.first));
  }
  project.set_bounds(bounds);
  check_known_symbols(project, opt.sets, "--set");
  if (!o.arch.empty()) {
    auto known = list_arches(project.root());
    if (std::find(known.begin(), known.end(), o.arch) == known.end()) {
      std::cerr << fmt::format("ptcheck check: error: unknown arch '{}'\n", o.arch);
      return 2;
    }
  }
  if (o.state_layout) {
    for (const TargetEntry* t : chosen)
      for (const auto& a : o.arch.empty() ? target_arches(*t, "x86_64") : std::vector<std::string>{o.arch})
        std::cout << describe_state(project, *t, a, opt.sets);
    return 0;
  }
  // The output files are checked where they will be written (rank 0); the
  // other ranks learn the outcome.
  std::string out_error;
  if (writes) {
    try {
      if (o.trace_out_given) {
        check_out_path("--trace-out", o.trace_out);
        // An .svg needs Graphviz: find out now, not after the run.
        if (fs::path(o.trace_out).extension() == ".svg") {
          std::string err;
          if (cli::run_with_input({"dot", "-Tsvg", "-o", "/dev/null"}, "digraph {}\n", err) != 0)
            throw InputError("--trace-out: error: an .svg trace needs Graphviz's dot (apt-get install graphviz); "
                             ".dot writes the diagram without it" + (err.empty() ? "" : " (" + err + ")"));
        }
      }
      if (o.junit_given) check_out_path("--junit", o.junit);
      if (!o.lock_graph.empty()) check_out_path("--lock-graph", o.lock_graph);
      if (!o.coverage.empty()) check_out_path("--coverage", o.coverage);
      // A checkpoint is written when a run stops early, perhaps after hours:
      // a path it cannot be written to is refused before the run.
      if (!o.checkpoint.empty()) check_out_path("--checkpoint", o.checkpoint, true);
    } catch (const InputError& e) {
      out_error = e.what();
    }
  }
  if (w && dist::allreduce_one(*w, out_error.empty() ? 0 : 1, dist::Transport::Op::Max) && out_error.empty()) return 2;
  if (!out_error.empty()) throw InputError(out_error);
  if (o.json && o.tap) throw InputError("ptcheck check: error: --json and --tap both print the results: give one");
  size_t runs = 0;
  for (const TargetEntry* t : chosen) runs += o.arch.empty() ? target_arches(*t, "x86_64").size() : 1;
  if (!o.resume.empty() && runs != 1)
    throw InputError(fmt::format("--resume: error: a checkpoint continues one target on one arch; {} runs are chosen "
                                 "(name the target and give --arch)", runs));
  std::vector<CheckResult> results;
  for (const TargetEntry* t : chosen) {
    std::vector<std::string> arches = o.arch.empty() ? target_arches(*t, "x86_64") : std::vector<std::string>{o.arch};
    for (const auto& a : arches) {
      // Under mpirun every rank must take the same way (the searches are
      // collective): a ^C seen by one rank counts for all.
      const bool cancelled =
          w ? dist::allreduce_one(*w, cli::g_cancel ? 1 : 0, dist::Transport::Op::Max) != 0 : bool(cli::g_cancel);
      if (cancelled) {
        results.push_back(not_run(t->name, a, expected_of(*t)));
        continue;
      }
      // A target whose model does not compile is an error row; the others still run.
      try {
        CheckOptions one = opt;
        if (!o.checkpoint.empty() && runs > 1) one.explore.checkpoint = per_run_path(o.checkpoint, t->name, a);
        results.push_back(check_target(project, *t, a, one));
      } catch (const InputError& e) {
        CheckResult r = not_run(t->name, a, expected_of(*t));
        r.verdict = RowVerdict::Error;
        r.error = e.what();
        // --arch took the target to an arch it does not list: its model may
        // simply not be written for it. Say so beside the located error.
        const std::vector<std::string> own = target_arches(*t, "x86_64");
        if (!o.arch.empty() && std::find(own.begin(), own.end(), a) == own.end())
          r.error += fmt::format("\nnote: target '{}' is written for {} ({}); --arch {} runs it on an arch it does "
                                 "not list",
                                 t->name, fmt::join(own, ", "), t->spec_file, a);
        results.push_back(std::move(r));
      }
    }
  }
  // Layout properties in the same table: a property's answer as a row.
  for (const PropertyResult& p : check_properties(project, o.names, o.all, o.arch, opt.sets, opt.explore.cancel))
    results.push_back(property_row(p));
  size_t violations = 0;
  for (const auto& r : results) violations += r.trace.has_value();
  std::vector<std::string> write_errors;
  if (!o.trace_out.empty() && writes)
    for (const auto& r : results)
      if (r.trace) {
        try {
          write_trace(trace_path_for(o.trace_out, r, violations), *r.trace, o.trace_detail);
        } catch (const InputError& e) {
          write_errors.push_back(e.what());
        }
      }
  bool unexpected = false, incomplete = false, errors = false;
  for (const auto& r : results) {
    if (r.verdict == RowVerdict::Incomplete || r.verdict == RowVerdict::NotRun) incomplete = true;
    else if (r.verdict == RowVerdict::Error) errors = true;
    else if (!r.as_expected) unexpected = true;
  }
  CoverageData covered;  // the union over every run
  for (const auto& r : results)
    if (r.coverage) covered.merge(*r.coverage);
  if (!o.coverage.empty() && writes) {
    try {
      write_file(o.coverage, lcov_info(covered, "ptcheck", fs::absolute(project.root()).lexically_normal().string()),
                 "coverage");
    } catch (const InputError& e) {
      write_errors.push_back(e.what());
    }
  }
  if (!o.lock_graph.empty() && writes) {
    try {
      write_file(o.lock_graph, lock_graph_dot(results), "lock graph");
    } catch (const InputError& e) {
      write_errors.push_back(e.what());
    }
  }
  if (o.junit_given && writes) {
    try {
      write_file(o.junit, cli::junit_report(results), "JUnit report");
    } catch (const InputError& e) {
      write_errors.push_back(e.what());
    }
  }
  if (o.tap) {
    std::cout << cli::tap_report(results);
  } else if (o.json) {
    nlohmann::json j;
    j["results"] = nlohmann::json::array();
    for (const auto& r : results) j["results"].push_back(result_json(project, r));
    j["files_not_loaded"] = nlohmann::json::array();
    for (const auto& b : project.broken_files()) j["files_not_loaded"].push_back({{"file", b.file}, {"error", b.error}});
    std::cout << trace::json_text(j) << "\n";
  } else {
    print_table(results);
    std::set<std::string> limits;
    for (const auto& r : results)
      if (!r.memory_model_limits.empty() && limits.insert(r.memory_model_limits).second)
        std::cout << "\nmemory model " << r.memory_model_limits << "\n";
    for (const auto& r : results)
      if (!r.witness.empty())  // a property's witness
        std::cout << fmt::format("\n{} ({}): {}", r.target, r.arch, witness_text(r));
    for (const auto& r : results)
      for (const auto& point : r.unreached)
        std::cout << fmt::format("\n{} ({}): vacuous pass: no explored path reaches '{}'; the pass says nothing about "
                                 "that path (see `reach` in docs/model-language.md)\n", r.target, r.arch, point);
    for (const auto& r : results)
      if (r.verdict == RowVerdict::Pass && r.stats.states > 0 && r.stats.transitions == 0)
        std::cout << fmt::format("\n{} ({}): the pass made no transition: no context could take a step, so only the initial "
                                 "state was checked (a --bound of 0 or less?)\n", r.target, r.arch);
    for (const auto& r : results) {
      if (!r.trace) continue;
      std::cout << fmt::format("\n{} ({}): {}\n", r.target, r.arch, r.trace->violation.title);
      if (const TargetEntry* t = project.find_target(r.target))
        for (const auto& l : hazard_reach(project, *t)) std::cout << l << "\n";
      if (!r.as_expected) std::cout << "\n" << trace::to_text(*r.trace, !o.trace_detail);
    }
    for (const auto& r : results)
      if (!r.rank_states.empty()) std::cout << "\n" << rank_figures(r) << "\n";
    for (const auto& r : results) {
      if (r.probabilistic)
        std::cout << fmt::format("\n{} ({}): probabilistic result: {}\n", r.target, r.arch, r.lossy_summary);
      if (r.verdict == RowVerdict::Pass && r.liveness.starts_with("skipped"))
        std::cout << fmt::format("\n{} ({}): pass of the safety search only: the non-termination check (and any "
                                 "liveness property) was {}\n", r.target, r.arch, r.liveness);
      if (r.trace && !r.shortest)
        std::cout << fmt::format("\n{} ({}): the {}-step counterexample was found depth-first and minimised, but is not "
                                 "proven shortest (--search bfs gives a shortest one)\n",
                                 r.target, r.arch, r.trace->steps.size());
      if (!r.checkpoint_written.empty())
        std::cout << fmt::format("\n{} ({}): checkpoint written to {}: continue with --resume {}\n", r.target, r.arch,
                                 r.checkpoint_written, r.checkpoint_written);
      if (!r.checkpoint_error.empty())
        std::cerr << fmt::format("{} ({}): error: the checkpoint was not written: {}\n", r.target, r.arch,
                                 r.checkpoint_error);
    }
    if (cli::g_cancel) std::cout << "\ninterrupted: the rows marked 'not run' were not checked\n";
  }
  if (!o.coverage.empty()) (o.json ? std::cerr : std::cout) << "\n" << coverage_summary(covered);
  // The results are out; what could not be checked or written is still an error.
  for (const auto& r : results)
    if (r.verdict == RowVerdict::Error) std::cerr << r.error << "\n";
  for (const auto& e : write_errors) std::cerr << e << "\n";
  // Files that did not load matter to --all; for named targets they are a warning.
  bool broken = !project.broken_files().empty();
  if (broken && o.all) cli::report_broken(project, "check");
  else if (broken)
    for (const auto& b : project.broken_files())
      std::cerr << fmt::format("ptcheck check: warning: {} did not load (`ptcheck list` shows why)\n", b.file);
  if (!write_errors.empty() || errors || (broken && o.all)) return 2;
  return unexpected ? 1 : incomplete ? 3 : 0;
}

}  // namespace ptcheck
