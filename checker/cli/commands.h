#pragma once
// Subcommands that live in their own files. main.cpp parses the command line
// with CLI11 and dispatches; each command returns the process exit status.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "target/project.h"

namespace ptcheck {

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

}  // namespace ptcheck
