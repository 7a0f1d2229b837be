// `ptcheck list`: the arches, every target with its expected verdict and arches
// (and a mix's ops, pools and bounds, a target's parameters), the invariants
// targets use and the Z3 layout properties.
#include <fmt/format.h>

#include <array>
#include <iostream>
#include <set>

#include "arch/arch.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "driver/run.h"
#include "target/desugar.h"
#include "z3/z3_check.h"

namespace ptcheck {

CLI::App* add_list_command(CLI::App& app, ListOptions& opt) {
  auto* list = app.add_subcommand("list", "list targets, invariants and arches");
  list->add_option("--spec", opt.specs, "list the targets of this file too (outside spec/)")->allow_extra_args(false);
  return list;
}

namespace {

// Rows of four columns, each as wide as its widest cell, then the rest of the line.
void print_rows(const std::vector<std::array<std::string, 4>>& rows,
                const std::vector<std::vector<std::string>>& details) {
  std::array<size_t, 3> w{};
  for (const auto& r : rows)
    for (size_t i = 0; i < 3; ++i) w[i] = std::max(w[i], r[i].size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& r = rows[k];
    std::string line = fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}", r[0], w[0], r[1], w[1], r[2], w[2], r[3]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
    for (const auto& d : details[k]) std::cout << "      " << d << "\n";
  }
}

std::vector<std::string> target_details(const TargetEntry& t, const SourceManager& sm) {
  std::vector<std::string> out;
  const ast::TargetDef& td = *t.def;
  if (!td.like.empty()) out.push_back(fmt::format("like {}: its threads and mixes, with this target's settings", td.like));
  auto params = target_params(td, sm);
  std::string own;
  for (const auto& [n, v] : params)
    if (!ast::unnamed_mix(td) || (n != "threads" && n != "ops")) own += fmt::format("{}{}={}", own.empty() ? "" : " ", n, v);
  if (!own.empty()) out.push_back("parameters: " + own + "  (--bound NAME=V)");
  for (const auto& th : td.threads)
    if (th.count)
      out.push_back(fmt::format("thread array {}[{}]", th.name, source_text(sm, th.count->loc, th.count->end)));
  auto counts = mix_counts(td, sm);
  for (size_t k = 0; k < td.mixes.size(); ++k) {
    const ast::MixDecl& m = td.mixes[k];
    auto [threads, ops] = counts[k];
    if (m.name.empty()) {
      out.push_back(fmt::format("mix: threads={} ops={}  (--bound threads=N --bound ops=N)", threads, ops));
    } else {
      // a named mix's counts, with how they are written when that is not a number
      auto written = [&](const char* what, const ast::ExprPtr& e) {
        if (!e || e->kind == ast::Expr::IntLit) return std::string();
        return fmt::format(" {}=`{}`", what, source_text(sm, e->loc, e->end));
      };
      std::string how = written("threads", m.threads) + written("ops", m.ops);
      out.push_back(fmt::format("mix {}: threads={} ops={}{}{}", m.name, threads, ops,
                                how.empty() ? "" : "  (" + how.substr(1) + ")", m.after ? "  then its after block" : ""));
    }
    for (const auto& op : m.ops_list) {
      std::string pools;
      for (const auto& [p, l] : op.pools) pools += (pools.empty() ? "" : ", ") + p;
      out.push_back(fmt::format("  op {}({})", op.name, pools));
    }
    for (const auto& pl : m.pools) {
      std::string elems;
      for (const auto& e : pl.elems) elems += (elems.empty() ? "" : ", ") + source_text(sm, e->loc, e->end);
      out.push_back(fmt::format("  pool {}: {{ {} }}", pl.name, elems));
    }
  }
  return out;
}

}  // namespace

int run_list(Project& p, const ListOptions& opt) {
  p.load_specs();
  cli::load_spec_args(p, opt.specs);
  std::cout << "root: " << p.root() << "\n";
  std::cout << "arches:";
  for (const auto& a : list_arches(p.root())) std::cout << " " << a;
  std::cout << "\n\ntargets:\n";
  std::set<std::string> invariants, eventually;
  std::vector<std::array<std::string, 4>> rows;
  std::vector<std::vector<std::string>> details;
  for (const auto& t : p.targets()) {
    std::string arches;
    for (const auto& a : t.def->arches) arches += (arches.empty() ? "" : ",") + a;
    std::string expect = expected_of(t).text();
    rows.push_back({t.name, expect, arches.empty() ? "(default)" : arches, t.def->description});
    details.push_back(target_details(t, p.sources()));
    for (const auto& [n, l] : t.def->invariants) invariants.insert(n);
    for (const auto& [n, l] : t.def->eventually) eventually.insert(n);
  }
  print_rows(rows, details);
  std::cout << "\ninvariants:";
  for (const auto& n : invariants) std::cout << " " << n;
  std::cout << "\n\nliveness properties (always_eventually, weak fairness):";
  for (const auto& n : eventually) std::cout << " " << n;
  std::cout << "\n\nlayout properties (Z3):\n";
  rows.clear();
  details.clear();
  for (const auto* pd : spec_properties(p)) {
    std::string arches;
    for (const auto& a : pd->arches) arches += (arches.empty() ? "" : ",") + a;
    rows.push_back({pd->name, "expect " + pd->expect, arches.empty() ? "all" : arches, pd->query});
    details.emplace_back();
  }
  print_rows(rows, details);
  return cli::report_broken(p, "list") ? 2 : 0;
}

}  // namespace ptcheck
