#pragma once
// The subcommands, one file each (cmd_<name>.cpp). main.cpp builds the CLI11
// app from each command's add_* function, parses, and calls its run_*; each run
// returns the process exit status. Helpers the commands share are in common.h.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "target/project.h"

namespace ptcheck {

// `ptcheck list`: arches, targets, invariants and layout properties.
struct ListOptions {
  std::vector<std::string> specs;  // --spec FILE: list its targets too
};
CLI::App* add_list_command(CLI::App& app, ListOptions& opt);
int run_list(Project& project, const ListOptions& opt);

// `ptcheck check TARGET... | --all [options]`: explores each target on its
// arches and prints the verdict table (or JSON). Exit status: 0 every verdict as
// expected, 1 not, 2 bad input, 3 some run incomplete.
struct CheckCliOptions {
  std::vector<std::string> names, sets, bounds;
  bool all = false, json = false;
  std::string arch, trace_out, max_memory;
  unsigned threads = 0;
  uint64_t max_states = 0;
  double time_limit = 0;
  bool state_layout = false;
  bool trace_detail = false;     // --trace-detail: no folding in text traces
  bool tap = false;              // --tap: TAP instead of the table
  std::string junit;             // --junit FILE
  std::string lock_graph;        // --lock-graph FILE.dot
  std::string coverage;          // --coverage FILE.info
  bool junit_given = false;
  bool trace_out_given = false;  // --trace-out appeared (an empty name is an error)
  std::vector<std::string> extra_specs;
  // search and storage (explore/explorer.h)
  std::string search = "bfs", store = "tree", por = "auto";
  std::string memory_model;  // --memory-model: "" keeps each target's own (sc unless it sets one)
  bool no_liveness = false;
  bool no_invariant_memo = false;
  bool progress = false;  // --progress: progress lines even when stderr is not a terminal
  unsigned bitstate_bits = 0, hashes = 3, max_depth = 0;
  uint64_t seed = 0;
  std::string checkpoint, resume;
};
CLI::App* add_check_command(CLI::App& app, CheckCliOptions& opt);
int run_check(Project& project, const CheckCliOptions& opt);

// `ptcheck replay FILE... [--set CONFIG_X=y]`: re-executes stored traces.
// Exit status: 0 every trace reproduced, 1 one diverged, 2 bad input.
struct ReplayOptions {
  std::vector<std::string> files;
  std::vector<std::string> sets;
  std::vector<std::string> specs;  // --spec: where targets outside spec/ are defined
};
CLI::App* add_replay_command(CLI::App& app, ReplayOptions& opt);
int run_replay(Project& project, const ReplayOptions& opt);

// `ptcheck layout STRUCT [--arch A|all] [--set CONFIG_X=y] [--json]`: the word-by-word table.
// `ptcheck layout --query Q [--arch A|all] [--set ...] [--json] [--timeout MS] [--cold-unaligned]`:
// a layout question answered by Z3 over every Kconfig assignment (checker/z3/query.h).
// Exit status: 0 answered; 2 bad input; 3 some arch answered unknown.
struct LayoutOptions {
  std::string structure;
  std::string arch;  // "": x86_64 for a table, every arch for a query
  std::vector<std::string> sets;
  std::string query;
  bool json = false;
  unsigned timeout_ms = 10000;
  bool cold_unaligned = false;
};
CLI::App* add_layout_command(CLI::App& app, LayoutOptions& opt);
int run_layout(Project& project, const LayoutOptions& opt);

// `ptcheck mutate TARGET... | --all [--op NAME] [--file PREFIX] [--time-budget S]
// [--json]`: mutation testing of the targets (driver/mutate.h). Exit status: 0
// the report is out, 2 bad input.
struct MutateCliOptions {
  std::vector<std::string> names, ops, files, sets, specs, only;
  std::string arch, shard;
  bool all = false, json = false, list = false;
  double time_budget = 0, run_limit = 0;
  unsigned threads = 2;
};
CLI::App* add_mutate_command(CLI::App& app, MutateCliOptions& opt);
int run_mutate_cli(Project& project, const MutateCliOptions& opt);
// `ptcheck litmus FILE... [--memory-model sc|tso] [--json] [--witness]`: C
// litmus tests (tools/memory-model format), herd7's Observation line for each.
// Exit status: 0 all agree with their Result: comments, 1 not, 2 bad input.
struct LitmusOptions {
  std::vector<std::string> files;
  std::string memory_model = "sc";
  std::string arch;
  bool json = false, witness = false;
};
CLI::App* add_litmus_command(CLI::App& app, LitmusOptions& opt);
int run_litmus(Project& project, const LitmusOptions& opt);

}  // namespace ptcheck
