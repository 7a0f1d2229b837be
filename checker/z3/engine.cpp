// The Z3 engine that answers layout queries per arch (engine.h).
#include "z3/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "target/project.h"

namespace ptcheck::z3 {

// ---- engine ---------------------------------------------------------------------------

struct Engine::ArchState {
  ArchInfo info;
  std::unique_ptr<SymLayout> layout;
};

Engine::Engine(EngineOptions o) : opt_(o) {}
Engine::~Engine() {
  cache_.clear();
  arches_.clear();
}

void Engine::add_arch(const ArchInfo& arch, const std::vector<const ast::TranslationUnit*>& units,
                      SourceManager& sm) {
  auto st = std::make_unique<ArchState>();
  st->info = arch;
  st->layout = std::make_unique<SymLayout>(ctx_, st->info, sm);
  for (const auto* u : units) st->layout->add_unit(*u);
  arches_[arch.name] = std::move(st);
}

void Engine::load_project_arch(Project& p, const std::string& arch) {
  if (has_arch(arch)) return;
  ArchInfo info = load_arch(p.root(), arch);
  std::vector<std::string> files = info.model_files;
  for (const auto& f : p.resolve_import("model", "", SourceLoc{})) files.push_back(f);
  files = p.closure(files);
  std::vector<const ast::TranslationUnit*> units;
  for (const auto& f : files) units.push_back(&p.unit(f));
  add_arch(info, units, p.sources());
}

SymLayout& Engine::layout(const std::string& arch) {
  auto it = arches_.find(arch);
  if (it == arches_.end()) throw InputError(fmt::format("ptcheck: error: arch '{}' is not loaded", arch));
  return *it->second->layout;
}

const char* to_string(SatResult r) {
  switch (r) {
    case SatResult::Sat: return "sat";
    case SatResult::Unsat: return "unsat";
    case SatResult::Unknown: return "unknown";
  }
  return "?";
}

const char* to_string(Validity v) {
  switch (v) {
    case Validity::Yes: return "yes";
    case Validity::No: return "no";
    case Validity::Unknown: return "unknown";
  }
  return "?";
}

SatResult Engine::solve(const ::z3::expr& f, std::string* reason, std::optional<::z3::model>* model) {
  try {
    ::z3::solver s(ctx_);
    ::z3::params p(ctx_);
    if (opt_.timeout_ms) p.set("timeout", opt_.timeout_ms);
    s.set(p);
    s.add(f);
    switch (s.check()) {
      case ::z3::sat:
        if (model) *model = s.get_model();
        return SatResult::Sat;
      case ::z3::unsat:
        return SatResult::Unsat;
      case ::z3::unknown:
        if (reason) *reason = s.reason_unknown();
        return SatResult::Unknown;
    }
  } catch (const ::z3::exception& e) {
    if (reason) *reason = e.msg();
  }
  return SatResult::Unknown;
}

SymMember Engine::member(const std::string& m, unsigned col, ArchState& a, const ErrFn& err) {
  size_t dot = m.find_first_of(".[");
  std::string tag = m.substr(0, dot);
  const SymType* rec = a.layout->record(tag);
  if (!rec || !rec->complete)
    throw InputError(err(fmt::format("no struct or union '{}' in the model for {}", tag, a.info.name), col));
  if (dot == std::string::npos) {
    return SymMember{{{ctx_.bool_val(true), ctx_.bv_val(0, 64), rec}}, ctx_.bool_val(true), ctx_.bv_val(0, 64),
                     rec->size};
  }
  std::string path = m.substr(dot + (m[dot] == '.' ? 1 : 0));
  auto r = a.layout->member(rec, path);
  if (!r)
    throw InputError(err(fmt::format("no member '{}' in {} under any config on {}", path, rec->name, a.info.name), col));
  return *r;
}

std::pair<::z3::expr, ::z3::expr> Engine::term(const QNode& q, ArchState& a, const ErrFn& err,
                                           std::vector<std::string>& members) {
  ::z3::expr yes = ctx_.bool_val(true);
  switch (q.kind) {
    case QNode::Int:
      return {ctx_.bv_val(q.value, 64), yes};
    case QNode::Offset:
    case QNode::End:
    case QNode::Sizeof: {
      SymMember m = member(q.members[0], q.member_cols[0], a, err);
      if (q.members[0].find_first_of(".[") != std::string::npos) members.push_back(q.members[0]);
      if (q.kind == QNode::Offset) return {m.offset, m.present};
      if (q.kind == QNode::End) return {m.offset + m.size, m.present};
      return {m.size, m.present};
    }
    case QNode::Alignof: {
      SymMember m = member(q.members[0], q.member_cols[0], a, err);
      if (m.candidates.size() != 1) return {m.candidates[0].type->align, m.present};
      return {m.candidates[0].type->align, m.present};
    }
    case QNode::Add:
    case QNode::Sub: {
      auto x = term(*q.kids[0], a, err, members);
      auto y = term(*q.kids[1], a, err, members);
      return {q.kind == QNode::Add ? x.first + y.first : x.first - y.first, x.second && y.second};
    }
    default:
      throw InputError(err("expected a term", q.col));
  }
}

ValueAnswer Engine::decide_value(const QNode& q, ArchState& a, const ErrFn& err) {
  ValueAnswer va;
  va.text = to_string(q);
  const ValueSpec& v = q.val;
  ::z3::expr x = ctx_.bv_const(fmt::format("value!{}", fresh_++).c_str(), 64);
  ::z3::expr c = ctx_.bool_val(true);
  uint64_t base = 0;
  bool single = false;
  switch (v.kind) {
    case ValueSpec::Const:
      base = v.n;
      single = true;
      break;
    case ValueSpec::Named: {
      const ArchInfo& ai = a.info;
      if (v.name == "LIST_POISON1") base = ai.list_poison1();
      else if (v.name == "LIST_POISON2") base = ai.list_poison2();
      else if (v.name == "TAIL_MAPPING") base = 0x400 + ai.poison_pointer_delta;
      else if (v.name == "POISON_POINTER_DELTA") base = ai.poison_pointer_delta;
      else if (ai.constants.count(v.name)) base = ai.constants.at(v.name);
      else
        throw InputError(err(fmt::format("unknown value '{}' on {}: expected LIST_POISON1, LIST_POISON2, TAIL_MAPPING, "
                                         "an arch constant, function_address, slab_object(N) or any",
                                         v.name, ai.name),
                             static_cast<unsigned>(v.n)));
      single = true;
      break;
    }
    case ValueSpec::FunctionAddress:
    case ValueSpec::SlabObject: {
      uint64_t al = v.kind == ValueSpec::SlabObject || v.n ? v.n : opt_.cold_unaligned ? 1 : a.info.function_align;
      if (al > 1) c = (x & ctx_.bv_val(al - 1, 64)) == ctx_.bv_val(0, 64);
      // function addresses lie in the kernel text (1 GiB from the arch's text_base)
      uint64_t tb = a.info.map.text_base;
      if (v.kind == ValueSpec::FunctionAddress && tb && tb + (1ull << 30) > tb)
        c = c && ::z3::uge(x, ctx_.bv_val(tb, 64)) && ::z3::ult(x, ctx_.bv_val(static_cast<uint64_t>(tb + (1ull << 30)), 64));
      break;
    }
    case ValueSpec::Any:
      break;
  }
  if (single) c = x == ctx_.bv_val(base, 64);
  // the value set after the + / | operations: y
  ::z3::expr y = x;
  uint64_t sv = base;
  for (const auto& [op, k] : v.ops) {
    y = op == '+' ? y + ctx_.bv_val(k, 64) : (y | ctx_.bv_val(k, 64));
    sv = op == '+' ? sv + k : (sv | k);
  }
  va.single = single;
  va.describe = describe_value(v, a.info, opt_.cold_unaligned);
  if (single) va.describe += fmt::format(" = {:#x}", sv);
  ::z3::expr goal = c && ((y & ctx_.bv_val(q.mask, 64)) == ctx_.bv_val(q.value, 64));
  std::optional<::z3::model> m;
  std::string reason;
  va.result = solve(goal, &reason, &m);
  if (va.result == SatResult::Sat && m) {
    va.witness = m->eval(y, true).simplify().get_numeral_uint64();
    va.decoded = *va.witness & q.mask;
  } else if (single) {
    va.decoded = sv & q.mask;
  }
  if (va.result == SatResult::Unknown) va.describe += " (z3: " + reason + ")";
  return va;
}

::z3::expr Engine::translate(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members,
                           std::vector<ValueAnswer>& values, std::string& unknown) {
  auto k = [&](size_t i) { return translate(*q.kids[i], a, err, members, values, unknown); };
  switch (q.kind) {
    case QNode::True: return ctx_.bool_val(true);
    case QNode::False: return ctx_.bool_val(false);
    case QNode::Sym: return a.layout->sym(q.name);
    case QNode::Not: return !k(0);
    case QNode::And: return k(0) && k(1);
    case QNode::Or: return k(0) || k(1);
    case QNode::Implies: return ::z3::implies(k(0), k(1));
    case QNode::Overlap:
    case QNode::EqualOffset: {
      SymMember x = member(q.members[0], q.member_cols[0], a, err);
      SymMember y = member(q.members[1], q.member_cols[1], a, err);
      members.push_back(q.members[0]);
      members.push_back(q.members[1]);
      ::z3::expr both = x.present && y.present;
      if (q.kind == QNode::EqualOffset) return both && x.offset == y.offset;
      ::z3::expr zero = ctx_.bv_val(0, 64);
      return both && x.size != zero && y.size != zero && ::z3::ult(x.offset, y.offset + y.size) &&
             ::z3::ult(y.offset, x.offset + x.size);
    }
    case QNode::Present: {
      SymMember x = member(q.members[0], q.member_cols[0], a, err);
      members.push_back(q.members[0]);
      return x.present;
    }
    case QNode::Decodes: {
      ValueAnswer va = decide_value(q, a, err);
      values.push_back(va);
      if (va.result == SatResult::Unknown) {
        unknown = "z3 could not decide " + va.text;
        return ctx_.bool_val(false);
      }
      return ctx_.bool_val(va.result == SatResult::Sat);
    }
    case QNode::Cmp: {
      auto x = term(*q.kids[0], a, err, members);
      auto y = term(*q.kids[1], a, err, members);
      ::z3::expr def = x.second && y.second;
      const std::string& op = q.name;
      ::z3::expr r = op == "==" ? x.first == y.first
                 : op == "!=" ? x.first != y.first
                 : op == "<"  ? ::z3::ult(x.first, y.first)
                 : op == "<=" ? ::z3::ule(x.first, y.first)
                 : op == ">"  ? ::z3::ugt(x.first, y.first)
                              : ::z3::uge(x.first, y.first);
      return def && r;
    }
    default:
      throw InputError(err("expected a layout question, found a term", q.col));
  }
}

namespace {
void collect_syms(const ::z3::expr& e, std::set<std::string>& out, std::set<unsigned>& seen) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_app()) {
    if (e.num_args() == 0 && e.is_bool() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
      out.insert(e.decl().name().str());
      return;
    }
    for (unsigned i = 0; i < e.num_args(); ++i) collect_syms(e.arg(i), out, seen);
  } else if (e.is_quantifier()) {
    collect_syms(e.body(), out, seen);
  }
}
}  // namespace

// A prime implicant of q (given background) taken from the model: the fewest
// symbol values that force q, found by dropping each symbol while background ∧
// rest ∧ ¬q stays unsat. Symbols fixed by `sets` are part of the background.
std::vector<std::pair<std::string, bool>> Engine::implicant(const ::z3::expr& q, const ::z3::expr& background,
                                                            const ::z3::model& m,
                                                            const std::vector<std::pair<std::string, bool>>& sets) {
  std::set<std::string> syms;
  std::set<unsigned> seen;
  collect_syms(q, syms, seen);
  for (const auto& [s, v] : sets) syms.erase(s);
  std::vector<std::pair<std::string, bool>> fixed;
  for (const auto& s : syms) {
    ::z3::expr v = m.eval(ctx_.bool_const(s.c_str()), true);
    fixed.emplace_back(s, v.is_true());
  }
  auto lit = [&](const std::pair<std::string, bool>& f) {
    ::z3::expr b = ctx_.bool_const(f.first.c_str());
    return f.second ? b : !b;
  };
  for (size_t i = 0; i < fixed.size();) {
    ::z3::expr f = background && !q;
    for (size_t j = 0; j < fixed.size(); ++j)
      if (j != i) f = f && lit(fixed[j]);
    if (solve(f) == SatResult::Unsat) fixed.erase(fixed.begin() + static_cast<long>(i));
    else ++i;
  }
  return fixed;
}

Answer Engine::ask(const QNode& q, const std::string& arch, const std::vector<std::pair<std::string, bool>>& sets,
                   const ErrFn& err) {
  auto it = arches_.find(arch);
  if (it == arches_.end()) throw InputError(fmt::format("ptcheck: error: arch '{}' is not loaded", arch));
  ArchState& a = *it->second;
  std::string key = arch + "|" + to_string(q) + "|" + (opt_.cold_unaligned ? "cold" : "") + "|" +
                    std::to_string(opt_.timeout_ms);
  auto sorted = sets;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [s, v] : sorted) key += s + (v ? "=y," : "=n,");
  auto c = cache_.find(key);
  if (c != cache_.end()) {
    ++hits_;
    Answer r = c->second;
    r.cached = true;
    return r;
  }

  Answer ans;
  ans.arch = arch;
  std::vector<std::string> members;
  std::string unknown;
  ::z3::expr f = translate(q, a, err, members, ans.values, unknown).simplify();
  ::z3::expr background = a.layout->axioms();
  for (const auto& [s, v] : sets) background = background && (v ? a.layout->sym(s) : !a.layout->sym(s));
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  auto ranges = [&](const ::z3::model& m) {
    std::vector<MemberRange> out;
    for (const auto& name : members) {
      SymMember sm = member(name, 0, a, err);
      MemberRange r;
      r.member = name;
      r.present = m.eval(sm.present, true).is_true();
      r.offset = m.eval(sm.offset, true).simplify().get_numeral_uint64();
      r.size = m.eval(sm.size, true).simplify().get_numeral_uint64();
      out.push_back(r);
    }
    return out;
  };
  if (!unknown.empty()) {
    ans.result = SatResult::Unknown;
    ans.reason = unknown;
    ans.holds = Validity::Unknown;
  } else {
    std::optional<::z3::model> m;
    ans.result = solve(background && f, &ans.reason, &m);
    if (ans.result == SatResult::Sat && m) {
      ans.config = implicant(f, background, *m, sets);
      ans.members = ranges(*m);
    }
    std::optional<::z3::model> cm;
    std::string why;
    SatResult neg = ans.result == SatResult::Unsat ? SatResult::Sat : solve(background && !f, &why, &cm);
    ans.holds = neg == SatResult::Unsat ? Validity::Yes : neg == SatResult::Sat ? Validity::No : Validity::Unknown;
    if (neg == SatResult::Sat && cm) {
      ans.counter = implicant(!f, background, *cm, sets);
      ans.counter_members = ranges(*cm);
    }
    if (ans.holds == Validity::Unknown && ans.reason.empty()) ans.reason = why;
  }
  cache_.emplace(key, ans);
  return ans;
}

}  // namespace ptcheck::z3
