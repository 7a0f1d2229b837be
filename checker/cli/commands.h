#pragma once
// Subcommands that live in their own files. main.cpp parses the command line
// with CLI11 and dispatches; each command returns the process exit status.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "target/project.h"

namespace ptcheck {

// `ptcheck layout STRUCT [--arch A] [--set CONFIG_X=y]`: the word-by-word table.
struct LayoutOptions {
  std::string structure;
  std::string arch = "x86_64";
  std::vector<std::string> sets;
};
CLI::App* add_layout_command(CLI::App& app, LayoutOptions& opt);
int run_layout(Project& project, const LayoutOptions& opt);

}  // namespace ptcheck
