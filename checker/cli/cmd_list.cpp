// `ptcheck list`: the arches, every target with its expected verdict and arches,
// the invariants targets use and the Z3 layout properties.
#include <fmt/format.h>

#include <iostream>
#include <set>

#include "arch/arch.h"
#include "cli/commands.h"
#include "z3/z3_check.h"

namespace ptcheck {

CLI::App* add_list_command(CLI::App& app, ListOptions&) {
  return app.add_subcommand("list", "list targets, invariants and arches");
}

int run_list(Project& p, const ListOptions&) {
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

}  // namespace ptcheck
