// Known Kconfig symbols and the rules of arch/Kconfig.toml (kconfig_check.h).
#include "target/kconfig_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "arch/arch.h"

namespace fs = std::filesystem;

namespace ptcheck {

namespace {

using namespace ast;

// Symbols of one file's syntax tree (bounded by the tree depth check).
class SymbolScan {
 public:
  explicit SymbolScan(std::set<std::string>& out) : out_(out) {}
  void decls(const std::vector<Decl>& ds) {
    for (const auto& d : ds) decl(d);
  }

 private:
  void decl(const Decl& d) {
    cond(d.cond.get());
    decls(d.then_decls);
    decls(d.else_decls);
    if (d.record)
      for (const auto& f : d.record->fields) {
        cond(f.cond.get());
        type(f.type.get());
      }
    if (d.func) stmt(d.func->body.get());
    if (d.macro) {
      expr(d.macro->body.get());
      stmt(d.macro->stmt_body.get());
    }
    if (d.var) expr(d.var->init.get());
    if (d.enum_def)
      for (const auto& it : d.enum_def->items) expr(it.value.get());
    if (d.target) {  // its `set` lines are what is checked, not mentions
      stmt(d.target->init.get());
      stmt(d.target->final_block.get());
      for (const auto& th : d.target->threads) stmt(th.body.get());
      for (const auto& m : d.target->mixes) {
        for (const auto& op : m.ops_list) stmt(op.body.get());
        stmt(m.after.get());
      }
    }
  }
  void cond(const Cond* c) {
    if (!c) return;
    if (c->kind == Cond::Sym) out_.insert(c->sym);
    cond(c->a.get());
    cond(c->b.get());
  }
  void type(const TypeSpec* t) {
    if (!t) return;
    type(t->elem.get());
    expr(t->array_size.get());
    if (t->record)
      for (const auto& f : t->record->fields) {
        cond(f.cond.get());
        type(f.type.get());
      }
  }
  void expr(const Expr* e) {
    if (!e) return;
    if (e->kind == Expr::ConfigRef) out_.insert(e->name);
    expr(e->a.get());
    expr(e->b.get());
    expr(e->c.get());
    for (const auto& a : e->args) expr(a.get());
    for (const auto& i : e->inits) expr(i.value.get());
  }
  void stmt(const Stmt* s) {
    if (!s) return;
    cond(s->cond.get());
    expr(s->e.get());
    expr(s->step.get());
    for (const Stmt* c : {s->init.get(), s->s1.get(), s->s2.get()}) stmt(c);
    for (const auto& b : s->body) stmt(b.get());
    for (const auto& b : s->else_body) stmt(b.get());
    for (const auto& c : s->cases) {
      expr(c.value.get());
      for (const auto& b : c.body) stmt(b.get());
    }
  }
  std::set<std::string>& out_;
};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string unknown_message(const std::set<std::string>& known, const std::string& s) {
  std::string near = nearest_symbol(known, s);
  return fmt::format("unknown Kconfig symbol '{}': no model, arch or spec file mentions it{}", s,
                     near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near));
}

}  // namespace

std::string nearest_symbol(const std::set<std::string>& known, const std::string& s) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& k : known) {
    size_t d = edit_distance(s, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  // Close enough to be a typo: a few edits, relative to the name's length.
  return best_d <= std::max<size_t>(2, s.size() / 4) ? best : "";
}

const std::set<std::string>& known_config_symbols(Project& project) {
  if (project.known_symbols_) return *project.known_symbols_;
  std::set<std::string> out;
  std::vector<std::string> files;
  std::error_code ec;
  for (const char* top : {"model", "arch", "spec"}) {
    fs::path dir = fs::path(project.root()) / top;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".ptm")
        files.push_back(fs::relative(it->path(), project.root()).lexically_normal().string());
  }
  for (const auto& f : project.loaded_specs()) files.push_back(f);
  SymbolScan scan(out);
  for (const auto& f : files) {
    try {
      scan.decls(project.unit(f).decls);
    } catch (const InputError&) {
      // A file that does not parse is reported where it is used.
    }
  }
  for (const auto& a : list_arches(project.root())) {
    try {
      ArchInfo info = load_arch(project.root(), a);
      for (const auto& [k, v] : info.kconfig) out.insert(k);
      for (const auto& k : info.kconfig_rules.symbols) out.insert(k);
    } catch (const InputError&) {
    }
  }
  project.known_symbols_ = std::move(out);
  return *project.known_symbols_;
}

void check_known_symbols(Project& project, const std::vector<std::pair<std::string, bool>>& sets,
                         const std::string& what) {
  const auto& known = known_config_symbols(project);
  for (const auto& [s, v] : sets)
    if (!known.count(s)) throw InputError(fmt::format("{}: error: {}", what, unknown_message(known, s)));
}

void check_target_config(Project& project, const ast::TargetDef* td, const ArchInfo& arch, const Config& cfg,
                         const std::vector<std::pair<std::string, bool>>& cli_sets) {
  SourceManager& sm = project.sources();
  const auto& known = known_config_symbols(project);
  if (td)
    for (size_t i = 0; i < td->sets.size(); ++i)
      if (!known.count(td->sets[i].first))
        sm.error(i < td->set_locs.size() ? td->set_locs[i] : td->loc, unknown_message(known, td->sets[i].first));
  check_known_symbols(project, cli_sets, "--set");
  if (td && td->hypothetical) return;  // the target says its config is not one a kernel builds
  auto value = [&](const std::string& s) { return cfg.enabled(s); };
  // What the arch decides comes first: it is the reason others break.
  std::vector<const KconfigRule*> order;
  for (const auto& r : arch.kconfig_rules.rules)
    if (r.kind == KconfigRule::ArchY || r.kind == KconfigRule::ArchN) order.push_back(&r);
  for (const auto& r : arch.kconfig_rules.rules)
    if (r.kind != KconfigRule::ArchY && r.kind != KconfigRule::ArchN) order.push_back(&r);
  for (const KconfigRule* rp : order) {
    const KconfigRule& r = *rp;
    if (r.holds(value)) continue;
    std::set<std::string> syms = r.symbols();
    std::string values;
    for (const auto& s : syms) values += fmt::format("{}{}={}", values.empty() ? "" : " ", s, value(s) ? 'y' : 'n');
    bool fixed = r.kind == KconfigRule::ArchY || r.kind == KconfigRule::ArchN;
    auto msg = [&](bool in_target) {
      return fmt::format("no {} kernel config has {}: {} ({}); {}", arch.name, values, r.text(arch.name), r.where,
                         fixed ? "the arch decides this symbol"
                         : in_target ? "set the symbols it names to match, or mark the target "
                                       "`hypothetical_config \"why\";`"
                                     : "set the symbols it names to match");
    };
    // Blame the last override of a symbol the rule names: --set, else a set line.
    for (auto it = cli_sets.rbegin(); it != cli_sets.rend(); ++it)
      if (syms.count(it->first))
        throw InputError(fmt::format("--set {}={}: error: {}", it->first, it->second ? 'y' : 'n', msg(false)));
    if (td)
      for (size_t i = td->sets.size(); i-- > 0;)
        if (syms.count(td->sets[i].first)) sm.error(i < td->set_locs.size() ? td->set_locs[i] : td->loc, msg(true));
    input_error(arch.toml_path, 0, 0, fmt::format("the [kconfig] defaults break a rule: {}", msg(false)));
  }
}

}  // namespace ptcheck
