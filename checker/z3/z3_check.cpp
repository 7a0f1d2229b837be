// Layout properties and hazard reach for `ptcheck check` (see z3_check.h).
#include "z3/z3_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "arch/arch.h"

namespace fs = std::filesystem;

namespace ptcheck {

z3::Engine& project_engine(Project& project) {
  auto& e = project.engine_slot();
  if (!e) e = std::make_unique<z3::Engine>();
  return *e;
}

namespace {
void collect_props(const std::vector<ast::Decl>& decls, std::vector<const ast::PropertyDef*>& out) {
  for (const auto& d : decls) {
    if (d.kind == ast::Decl::Property && d.property) out.push_back(d.property.get());
    if (d.kind == ast::Decl::IfConfig) {
      collect_props(d.then_decls, out);
      collect_props(d.else_decls, out);
    }
  }
}

std::vector<std::string> arches_of(Project& project, const std::vector<std::string>& listed) {
  if (listed.empty() || (listed.size() == 1 && listed[0] == "all")) return list_arches(project.root());
  return listed;
}

std::string witness_text(const z3::Answer& a, bool counter) {
  const auto& cfg = counter ? a.counter : a.config;
  const auto& ms = counter ? a.counter_members : a.members;
  std::string s = cfg.empty() ? "in every config" : "when " + z3::config_text(cfg);
  if (!ms.empty()) s += "; " + z3::ranges_text(ms);
  for (const auto& v : a.values)
    if (v.witness) s += fmt::format("; {} e.g. {:#x}", v.text, *v.witness);
  return s;
}
}  // namespace

std::vector<const ast::PropertyDef*> spec_properties(Project& project) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::path spec = fs::path(project.root()) / "spec";
  if (fs::is_directory(spec, ec))
    for (auto it = fs::recursive_directory_iterator(spec, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".ptm")
        files.push_back(fs::relative(it->path(), project.root()).lexically_normal().string());
  std::sort(files.begin(), files.end());
  std::vector<const ast::PropertyDef*> out;
  for (const auto& f : files)
    if (!project.is_broken(f)) collect_props(project.unit(f).decls, out);
  std::map<std::string, const ast::PropertyDef*> seen;
  for (const auto* p : out) {
    auto [it, fresh] = seen.emplace(p->name, p);
    if (!fresh)
      project.sources().error(p->loc, fmt::format("property '{}' is already defined at {}", p->name,
                                                  project.sources().where(it->second->loc)));
  }
  return out;
}

const char* to_string(PropertyVerdict v) {
  switch (v) {
    case PropertyVerdict::Holds: return "holds";
    case PropertyVerdict::Fails: return "fails";
    case PropertyVerdict::Sat: return "sat";
    case PropertyVerdict::Unsat: return "unsat";
    case PropertyVerdict::Unknown: return "unknown";
    case PropertyVerdict::NotRun: return "not run";
  }
  return "?";
}

std::vector<PropertyResult> check_properties(Project& project, const std::vector<std::string>& names, bool all,
                                             const std::string& arch,
                                             const std::vector<std::pair<std::string, bool>>& cli_sets,
                                             const std::atomic<bool>* cancel) {
  std::vector<PropertyResult> out;
  z3::Engine& eng = project_engine(project);
  for (const ast::PropertyDef* p : spec_properties(project)) {
    if (!all && !names.empty() && std::find(names.begin(), names.end(), p->name) == names.end()) continue;
    if (!all && names.empty()) continue;
    z3::ErrFn err = z3::source_errors(project.sources(), p->query_loc);
    z3::QPtr q = z3::parse_query(p->query, err);
    std::vector<std::string> arches = arch.empty() ? arches_of(project, p->arches) : std::vector<std::string>{arch};
    auto sets = p->sets;
    for (const auto& s : cli_sets) sets.push_back(s);
    for (const auto& a : arches) {
      PropertyResult r;
      r.property = p->name;
      r.arch = a;
      // The parser admits these three words only.
      r.expected = p->expect == "holds" ? PropertyVerdict::Holds
                 : p->expect == "sat"   ? PropertyVerdict::Sat
                                        : PropertyVerdict::Unsat;
      if (cancel && cancel->load()) {  // ^C: the rest is listed as not run
        out.push_back(std::move(r));
        continue;
      }
      auto t0 = std::chrono::steady_clock::now();
      eng.load_project_arch(project, a);
      z3::Answer ans = eng.ask(*q, a, sets, err);
      if (r.expected == PropertyVerdict::Holds) {
        if (ans.holds == z3::Validity::Unknown || (ans.result == z3::SatResult::Unknown && ans.holds != z3::Validity::No)) {
          r.verdict = PropertyVerdict::Unknown;
        } else {
          r.verdict = ans.holds == z3::Validity::Yes ? PropertyVerdict::Holds : PropertyVerdict::Fails;
          if (ans.holds == z3::Validity::No) r.witness = witness_text(ans, true);
        }
      } else {
        r.verdict = ans.result == z3::SatResult::Unknown ? PropertyVerdict::Unknown
                  : ans.result == z3::SatResult::Sat     ? PropertyVerdict::Sat
                                            : PropertyVerdict::Unsat;
        if (ans.result == z3::SatResult::Sat) r.witness = witness_text(ans, false);
      }
      if (r.verdict == PropertyVerdict::Unknown)
        r.unknown_reason = "z3 answered unknown" + (ans.reason.empty() ? "" : ": " + ans.reason);
      r.as_expected = r.verdict == r.expected;
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      out.push_back(std::move(r));
    }
  }
  return out;
}

// ---- hazard reach ---------------------------------------------------------------------

namespace {
struct Clobber {
  z3::ValueSpec value;
  std::string why;  // "list_del() writes LIST_POISON2 into prev"
};

std::string last_segment(const std::string& m, std::string* prefix) {
  size_t d = m.find_last_of('.');
  *prefix = d == std::string::npos ? "" : m.substr(0, d);
  return d == std::string::npos ? m : m.substr(d + 1);
}

uint64_t numeral_or(const ::z3::expr& e, uint64_t dflt) {
  ::z3::expr s = e.simplify();
  return s.is_numeral() ? s.get_numeral_uint64() : dflt;
}

// The values a path writes through member `m` (by its declaration: list links,
// rcu_head, function pointers, object pointers).
std::vector<Clobber> clobber_values(z3::Engine& eng, const std::string& arch, const std::string& m,
                                    const std::string& victim, const z3::ErrFn& err) {
  z3::SymLayout& L = eng.layout(arch);
  std::vector<Clobber> out;
  auto named = [](const std::string& n) {
    z3::ValueSpec v;
    v.kind = z3::ValueSpec::Named;
    v.name = n;
    return v;
  };
  auto ptr = [&](uint64_t align) {
    z3::ValueSpec v;
    v.kind = z3::ValueSpec::SlabObject;
    v.n = std::max<uint64_t>(align, 1);
    return v;
  };
  z3::ValueSpec fn;
  fn.kind = z3::ValueSpec::FunctionAddress;
  std::string prefix;
  std::string leaf = last_segment(m, &prefix);
  size_t dot = m.find('.');
  if (dot == std::string::npos) return out;
  const z3::SymType* rec = L.record(m.substr(0, dot));
  auto full = L.member(rec, m.substr(dot + 1));
  if (!full) return out;
  const z3::SymType* t = full->candidates[0].type;
  const z3::SymType* parent = rec;
  if (prefix.find('.') != std::string::npos) {
    auto pm = L.member(rec, prefix.substr(dot + 1));
    if (pm) parent = pm->candidates[0].type;
  }
  uint64_t palign = L.arch().abi.align_pointer;
  std::string ptag = parent ? parent->tag : "";
  if (t->kind == sema::TypeKind::Record && !t->fields.empty()) {
    // a whole list_head / rcu_head / struct: the values of the parts that reach the victim
    for (const auto& sub : L.leaf_paths(t)) {
      std::string part = m + "." + sub;
      auto q = z3::parse_query(fmt::format("overlap({}, {})", part, victim), err);
      if (eng.ask(*q, arch, {}, err).result != z3::SatResult::Sat) continue;
      for (auto& c : clobber_values(eng, arch, part, victim, err)) out.push_back(std::move(c));
    }
  } else if (ptag == "rcu_head" || ptag == "callback_head") {
    if (leaf == "func") out.push_back({fn, "call_rcu() stores the callback in func"});
    else out.push_back({ptr(palign), "call_rcu() links the next callback"});
  } else if (ptag == "list_head" && leaf == "next") {
    out.push_back({named("LIST_POISON1"), "list_del() writes LIST_POISON1 into next"});
    out.push_back({ptr(palign), "list_add() writes a list_head pointer into next"});
  } else if (ptag == "list_head" && leaf == "prev") {
    out.push_back({named("LIST_POISON2"), "list_del() writes LIST_POISON2 into prev"});
    out.push_back({ptr(palign), "list_add() writes a list_head pointer into prev"});
  } else if (t->kind == sema::TypeKind::Pointer && t->elem && t->elem->kind == sema::TypeKind::Function) {
    out.push_back({fn, fmt::format("{} holds a function address", leaf)});
  } else if (t->kind == sema::TypeKind::Pointer && t->elem && t->elem->kind == sema::TypeKind::Record) {
    uint64_t a = std::max(numeral_or(t->elem->align, palign), palign);
    out.push_back({ptr(a), fmt::format("{} holds a pointer to {}", leaf, t->elem->name)});
  } else {
    z3::ValueSpec any;
    any.kind = z3::ValueSpec::Any;
    out.push_back({any, fmt::format("{} holds an arbitrary integer", leaf)});
  }
  return out;
}

struct Check {
  std::string decoder;
  uint64_t mask = 0, expected = 0;
  std::string by;  // "page_ptdesc"
};
std::optional<Check> check_of(const std::string& m) {
  std::string prefix;
  std::string leaf = last_segment(m, &prefix);
  if (leaf == "memdesc") return Check{"memdesc_type", 15, 15, "page_ptdesc"};
  if (leaf == "compound_info" || leaf == "compound_head") return Check{"page_tail", 1, 1, "PageTail"};
  return std::nullopt;
}
}  // namespace

std::vector<std::string> hazard_reach(Project& project, const TargetEntry& target) {
  std::vector<std::string> lines;
  if (!target.def) return lines;
  z3::Engine& eng = project_engine(project);
  std::vector<std::string> arches = list_arches(project.root());
  for (const auto& [text, loc] : target.def->hazards) {
    z3::ErrFn err = z3::source_errors(project.sources(), loc);
    z3::QPtr q = z3::parse_query(text, err);
    lines.push_back(fmt::format("hazard {}:", text));
    size_t w = 0;
    for (const auto& a : arches) w = std::max(w, a.size());
    for (const auto& a : arches) {
      eng.load_project_arch(project, a);
      z3::Answer ans = eng.ask(*q, a, {}, err);
      std::string head = fmt::format("  {:<{}}  ", a + ":", w + 1);
      std::string pad(head.size(), ' ');
      if (ans.result == z3::SatResult::Unknown) {
        lines.push_back(head + "unknown (z3: " + ans.reason + "), not a proof either way");
        continue;
      }
      if (ans.result == z3::SatResult::Unsat) {
        lines.push_back(head + "never, under any Kconfig values (unsat)");
        continue;
      }
      std::string when = ans.holds == z3::Validity::Yes ? "under every config"
                       : ans.config.empty() ? "in some configs" : "when " + z3::config_text(ans.config);
      lines.push_back(head + fmt::format("{} {} ({})", q->kind == z3::QNode::Overlap ? "overlap" : "sat", when,
                                         z3::ranges_text(ans.members)));
      if (q->kind != z3::QNode::Overlap) continue;
      auto chk = check_of(q->members[1]);
      if (!chk) {
        lines.push_back(pad + fmt::format("no value check is known for {}", q->members[1]));
        continue;
      }
      for (const auto& c : clobber_values(eng, a, q->members[0], q->members[1], err)) {
        std::vector<z3::ValueSpec> variants{c.value};
        const ArchInfo& ai = eng.layout(a).arch();
        if (c.value.kind == z3::ValueSpec::FunctionAddress && c.value.n == 0 && ai.function_align > 1) {
          z3::ValueSpec cold = c.value;
          cold.n = 1;
          variants.push_back(cold);
        }
        for (const auto& v : variants) {
          auto dq = std::make_shared<z3::QNode>();
          dq->kind = z3::QNode::Decodes;
          dq->val = v;
          dq->decoder = chk->decoder;
          dq->mask = chk->mask;
          dq->value = chk->expected;
          z3::Answer va = eng.ask(*dq, a, {}, err);
          const z3::ValueAnswer& x = va.values.at(0);
          std::string d = z3::describe_value(v, ai, false);
          if (x.single) d = x.describe;
          std::string verdict;
          if (x.result == z3::SatResult::Unsat)
            verdict = x.single ? fmt::format("decodes as {} {}, never {}: caught by {}", chk->decoder, x.decoded,
                                             chk->expected, chk->by)
                               : fmt::format("never decodes as {} {}: caught by {}", chk->decoder, chk->expected,
                                             chk->by);
          else if (x.result == z3::SatResult::Sat)
            verdict = fmt::format("CAN decode as {} {} (e.g. {:#x}): passes {} silently", chk->decoder, chk->expected,
                                  *x.witness, chk->by);
          else
            verdict = "unknown (z3 gave no answer; not a proof)";
          lines.push_back(pad + fmt::format("{}: {}: {}", c.why, d, verdict));
        }
      }
    }
  }
  return lines;
}

}  // namespace ptcheck
