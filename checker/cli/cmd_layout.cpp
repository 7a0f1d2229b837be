// `ptcheck layout`: a struct's concrete layout on one arch and config, or a layout
// query answered by Z3 over the whole Kconfig space (checker/z3/).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "arch/arch.h"
#include "cli/commands.h"
#include "sema/layout_print.h"
#include "sema/type_env.h"
#include "target/instantiate.h"
#include "target/kconfig_check.h"
#include "trace/trace_io.h"
#include "z3/engine.h"
#include "z3/query.h"
#include "z3/z3_check.h"

namespace ptcheck {

CLI::App* add_layout_command(CLI::App& app, LayoutOptions& opt) {
  auto* cmd = app.add_subcommand("layout", "print a struct's layout word by word, or answer a layout query with Z3");
  cmd->add_option("struct", opt.structure, "struct tag, e.g. page or ptdesc");
  cmd->add_option("--arch", opt.arch, "arch, or 'all' (default: x86_64 for a table, all for --query)");
  cmd->add_option("--set", opt.sets, "fix a Kconfig symbol: CONFIG_X=y or CONFIG_X=n")->allow_extra_args(false);
  cmd->add_option("--query", opt.query,
                  "layout question, e.g. 'overlap(page.lru, page.memdesc)', 'equal_offset(page.flags, "
                  "ptdesc.pt_flags)', 'sizeof(ptdesc) <= sizeof(page)', 'decodes(LIST_POISON2, memdesc_type, 15)'");
  cmd->add_flag("--json", opt.json, "print one JSON document on stdout");
  cmd->add_option("--timeout", opt.timeout_ms, "Z3 timeout per solver call in milliseconds (0: none)");
  cmd->add_flag("--cold-unaligned", opt.cold_unaligned,
                "function_address is 1-byte aligned (GCC may not align cold functions)");
  return cmd;
}

namespace {

nlohmann::json cfg_json(const std::vector<std::pair<std::string, bool>>& cfg) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : cfg) j[k] = v;
  return j;
}

nlohmann::json members_json(const std::vector<z3::MemberRange>& ms) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& m : ms)
    j.push_back({{"member", m.member}, {"present", m.present}, {"offset", m.offset}, {"size", m.size}});
  return j;
}

// Kconfig symbols a query names must be ones the project knows (a typo would
// be a free symbol, answered sat).
void check_query_symbols(Project& project, const z3::QNode& q, const z3::ErrFn& err) {
  if (q.kind == z3::QNode::Sym && !known_config_symbols(project).count(q.name)) {
    std::string near = nearest_symbol(known_config_symbols(project), q.name);
    throw InputError(err(fmt::format("unknown Kconfig symbol '{}': no model, arch or spec file mentions it{}", q.name,
                                     near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)),
                         q.col));
  }
  for (const auto& k : q.kids) check_query_symbols(project, *k, err);
}

int run_query(Project& project, const LayoutOptions& opt, const std::vector<std::pair<std::string, bool>>& sets) {
  z3::ErrFn err = z3::cli_errors("--query");
  z3::QPtr q = z3::parse_query(opt.query, err);
  check_query_symbols(project, *q, err);
  std::vector<std::string> known = list_arches(project.root());
  std::vector<std::string> arches;
  if (opt.arch.empty() || opt.arch == "all") {
    arches = known;
  } else {
    if (std::find(known.begin(), known.end(), opt.arch) == known.end())
      throw InputError(fmt::format("--arch: error: unknown arch '{}'", opt.arch));
    arches = {opt.arch};
  }
  z3::Engine& eng = project_engine(project);
  eng.options().timeout_ms = opt.timeout_ms;
  eng.options().cold_unaligned = opt.cold_unaligned;
  std::vector<z3::Answer> answers;
  for (const auto& a : arches) {
    eng.load_project_arch(project, a);
    // --set values that no config of this arch has would make every answer "never".
    ::z3::solver s(eng.ctx());
    ::z3::expr fixed = eng.layout(a).axioms();
    for (const auto& [k, v] : sets) fixed = fixed && (v ? eng.layout(a).sym(k) : !eng.layout(a).sym(k));
    s.add(fixed);
    if (s.check() == ::z3::unsat)
      throw InputError(fmt::format("--set: error: no {} kernel config has {}: they break the Kconfig rules of "
                                   "arch/Kconfig.toml (see `ptcheck layout page --arch {} --set ...`)",
                                   a, z3::config_text(sets), a));
    answers.push_back(eng.ask(*q, a, sets, err));
  }
  bool unknown = false;
  for (const auto& a : answers) unknown |= a.result == z3::SatResult::Unknown || a.holds == z3::Validity::Unknown;
  if (opt.json) {
    nlohmann::json j;
    j["query"] = z3::to_string(*q);
    j["fixed"] = cfg_json(sets);
    j["results"] = nlohmann::json::array();
    for (const auto& a : answers) {
      nlohmann::json x;
      x["arch"] = a.arch;
      x["answer"] = z3::to_string(a.result);
      if (!a.reason.empty()) x["reason"] = a.reason;
      if (a.result == z3::SatResult::Sat) x["witness"] = {{"config", cfg_json(a.config)}, {"members", members_json(a.members)}};
      nlohmann::json vals = nlohmann::json::array();
      for (const auto& v : a.values) {
        nlohmann::json y = {{"question", v.text}, {"answer", z3::to_string(v.result)}, {"value", v.describe}};
        if (v.witness) y["witness"] = fmt::format("{:#x}", *v.witness);
        if (v.single || v.witness) y["decoded"] = v.decoded;
        vals.push_back(y);
      }
      if (!vals.empty()) x["values"] = vals;
      x["holds_in_every_config"] = a.holds == z3::Validity::Yes ? nlohmann::json(true)
                                   : a.holds == z3::Validity::No ? nlohmann::json(false) : nlohmann::json("unknown");
      if (a.holds == z3::Validity::No)
        x["counterexample"] = {{"config", cfg_json(a.counter)}, {"members", members_json(a.counter_members)}};
      j["results"].push_back(std::move(x));
    }
    std::cout << trace::json_text(j) << "\n";
    return unknown ? 3 : 0;
  }
  std::cout << "query: " << z3::to_string(*q);
  if (!sets.empty()) std::cout << "   (fixed: " << z3::config_text(sets) << ")";
  std::cout << "\n";
  size_t w = 0;
  for (const auto& a : answers) w = std::max(w, a.arch.size());
  for (const auto& a : answers) {
    std::string head = fmt::format("{:<{}}  {:<7}  ", a.arch, w, z3::to_string(a.result));
    std::string pad(head.size(), ' ');
    std::vector<std::string> lines;
    if (a.result == z3::SatResult::Sat) {
      std::string s = a.holds == z3::Validity::Yes ? "holds in every config"
                    : a.config.empty() ? "in some configs" : "when " + z3::config_text(a.config);
      if (!a.members.empty()) s += "; " + z3::ranges_text(a.members);
      lines.push_back(s);
    } else if (a.result == z3::SatResult::Unsat) {
      lines.push_back("never, under any Kconfig values");
    } else {
      lines.push_back("z3 gave no answer (" + a.reason + "): not a proof either way");
    }
    for (const auto& v : a.values) {
      std::string s = v.text + ": " + v.describe;
      if (v.result == z3::SatResult::Sat) s += fmt::format(" -> e.g. {:#x} (decodes as {})", *v.witness, v.decoded);
      else if (v.result == z3::SatResult::Unsat && v.single) s += fmt::format(" -> decodes as {}, not the asked value", v.decoded);
      else if (v.result == z3::SatResult::Unsat) s += " -> never";
      else s += " -> unknown";
      lines.push_back(s);
    }
    if (a.result == z3::SatResult::Sat) {
      if (a.holds == z3::Validity::No) {
        std::string s = "not in every config: fails " +
                        (a.counter.empty() ? std::string("in some") : "when " + z3::config_text(a.counter));
        if (!a.counter_members.empty()) s += "; " + z3::ranges_text(a.counter_members);
        lines.push_back(s);
      } else if (a.holds == z3::Validity::Unknown) {
        lines.push_back("whether it holds in every config: unknown (" + a.reason + ")");
      }
    }
    for (size_t i = 0; i < lines.size(); ++i) std::cout << (i ? pad : head) << lines[i] << "\n";
  }
  return unknown ? 3 : 0;
}

}  // namespace

int run_layout(Project& project, const LayoutOptions& opt) {
  std::vector<std::pair<std::string, bool>> sets;
  for (const auto& s : opt.sets) sets.push_back(parse_set(s));
  check_known_symbols(project, sets, "--set");
  if (!opt.query.empty()) return run_query(project, opt, sets);
  if (opt.structure.empty()) {
    std::cerr << "ptcheck layout: error: name a struct (e.g. page) or give --query\n";
    return 2;
  }
  std::vector<std::string> arches;
  if (opt.arch == "all") arches = list_arches(project.root());
  else arches = {opt.arch.empty() ? std::string("x86_64") : opt.arch};
  nlohmann::json jall = nlohmann::json::array();
  for (size_t i = 0; i < arches.size(); ++i) {
    auto arch_info = load_arch(project.root(), arches[i]);
    Config cfg;
    for (const auto& [k, v] : arch_info.kconfig) cfg.set(k, v);
    for (const auto& [k, v] : sets) cfg.set(k, v);
    check_target_config(project, nullptr, arch_info, cfg, sets);
    std::vector<std::string> files = arch_info.model_files;
    for (const auto& f : project.resolve_import("model", "", SourceLoc{})) files.push_back(f);
    files = project.closure(files);
    sema::TypeEnv env(arch_info, cfg, project.sources());
    for (const auto& f : files) env.add_unit(project.unit(f));
    std::string tag = opt.structure.rfind("struct ", 0) == 0 ? opt.structure.substr(7) : opt.structure;
    const sema::Type* t = env.record(tag);
    if (!t || !t->complete) {
      std::cerr << fmt::format("ptcheck: error: no struct or union '{}' in model/ for {}\n", tag, arches[i]);
      return 2;
    }
    if (opt.json) {
      nlohmann::json j{{"arch", arches[i]}, {"struct", t->name}, {"size", t->size}, {"align", t->align}};
      uint64_t ws = env.abi().word_size ? env.abi().word_size : 8;
      j["words"] = nlohmann::json::array();
      for (uint64_t w = 0; w * ws < t->size; ++w) {
        uint64_t lo = w * ws, hi = std::min(t->size, lo + ws);
        nlohmann::json ms = nlohmann::json::array();
        for (const std::string& p : env.fields_at(t, lo, hi - lo)) {
          auto m = env.member(t, p);
          ms.push_back({{"member", p}, {"offset", m ? m->offset : 0}, {"size", m ? m->type->size : 0}});
        }
        j["words"].push_back({{"word", w}, {"first", lo}, {"last", hi - 1}, {"members", ms}});
      }
      jall.push_back(std::move(j));
    } else {
      if (i) std::cout << "\n";
      std::cout << sema::layout_table(env, t);
    }
  }
  if (opt.json) std::cout << trace::json_text(arches.size() == 1 ? jall[0] : jall) << "\n";
  return 0;
}

}  // namespace ptcheck
