// Target parameters, thread arrays and mixes (desugar.h): the target's code is
// copied with every parameter reference replaced by its value.
#include "target/desugar.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace ptcheck {

using ast::Expr;
using ast::ExprPtr;
using ast::Stmt;
using ast::StmtPtr;
using ast::TypeSpec;
using ast::TypeSpecPtr;

namespace {

using Values = std::map<std::string, int64_t>;

constexpr int64_t kMaxThreadCopies = 30;  // the engine's limit on threads per target

// A count: a number, a parameter, or arithmetic over them.
std::optional<int64_t> eval_count(const Expr& e, const Values& vals) {
  switch (e.kind) {
    case Expr::IntLit:
      if (e.value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<int64_t>(e.value);
    case Expr::Ident: {
      auto it = vals.find(e.name);
      if (it == vals.end()) return std::nullopt;
      return it->second;
    }
    case Expr::Unary: {
      auto a = eval_count(*e.a, vals);
      if (!a) return std::nullopt;
      if (e.op == "+") return a;
      if (e.op == "-" && *a != INT64_MIN) return -*a;
      return std::nullopt;
    }
    case Expr::Binary: {
      auto a = eval_count(*e.a, vals);
      auto b = eval_count(*e.b, vals);
      if (!a || !b) return std::nullopt;
      int64_t r = 0;
      if (e.op == "+" && !__builtin_add_overflow(*a, *b, &r)) return r;
      if (e.op == "-" && !__builtin_sub_overflow(*a, *b, &r)) return r;
      if (e.op == "*" && !__builtin_mul_overflow(*a, *b, &r)) return r;
      if ((e.op == "/" || e.op == "%") && *b != 0 && !(*a == INT64_MIN && *b == -1))
        return e.op == "/" ? *a / *b : *a % *b;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

int64_t count_of(const Expr& e, const Values& vals, const SourceManager& sm, const std::string& what, int64_t max) {
  auto v = eval_count(e, vals);
  if (!v) sm.error(e.loc, fmt::format("{}: expected a number or a target parameter (`set N = 3;`)", what));
  if (*v < 0 || *v > max) sm.error(e.loc, fmt::format("{} is {}: expected 0 to {}", what, *v, max));
  return *v;
}

// ---- building syntax by hand (the mix) ---------------------------------------

ExprPtr mk_expr(Expr::Kind k, SourceLoc loc, SourceLoc end) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->loc = loc;
  e->end = end;
  return e;
}
ExprPtr int_lit(int64_t v, SourceLoc loc, SourceLoc end) {
  if (v < 0) {
    ExprPtr u = mk_expr(Expr::Unary, loc, end);
    u->op = "-";
    u->a = mk_expr(Expr::IntLit, loc, end);
    u->a->value = 0 - static_cast<uint64_t>(v);
    u->a->is_long = true;
    return u;
  }
  ExprPtr e = mk_expr(Expr::IntLit, loc, end);
  e->value = static_cast<uint64_t>(v);
  e->is_long = v > INT32_MAX;
  return e;
}
ExprPtr ident(const std::string& n, SourceLoc loc, SourceLoc end) {
  ExprPtr e = mk_expr(Expr::Ident, loc, end);
  e->name = n;
  return e;
}
ExprPtr binary(const std::string& op, ExprPtr a, ExprPtr b) {
  ExprPtr e = mk_expr(op == "=" ? Expr::Assign : Expr::Binary, a->loc, b->end);
  e->op = op;
  e->a = std::move(a);
  e->b = std::move(b);
  return e;
}
ExprPtr nondet_call(uint64_t n, SourceLoc loc, SourceLoc end) {
  ExprPtr c = mk_expr(Expr::Call, loc, end);
  c->a = ident("nondet", loc, end);
  c->args.push_back(int_lit(static_cast<int64_t>(n), loc, end));
  return c;
}
StmtPtr mk_stmt(Stmt::Kind k, SourceLoc loc, SourceLoc end) {
  auto s = std::make_shared<Stmt>();
  s->kind = k;
  s->loc = loc;
  s->end = end;
  return s;
}
StmtPtr expr_stmt(ExprPtr e) {
  StmtPtr s = mk_stmt(Stmt::ExprStmt, e->loc, e->end);
  s->e = std::move(e);
  return s;
}
StmtPtr block(std::vector<StmtPtr> body, SourceLoc loc, SourceLoc end) {
  StmtPtr b = mk_stmt(Stmt::Block, loc, end);
  b->body = std::move(body);
  return b;
}
StmtPtr var_decl(TypeSpecPtr t, const std::string& name, ExprPtr init, SourceLoc loc, SourceLoc end) {
  StmtPtr s = mk_stmt(Stmt::VarDecl, loc, end);
  s->type = std::move(t);
  s->name = name;
  s->e = std::move(init);
  return s;
}
// switch (nondet(arms.size())) { case 0: arms[0] break; ... default: arms[n-1] break; }
StmtPtr choose(std::vector<std::vector<StmtPtr>> arms, SourceLoc loc, SourceLoc end) {
  StmtPtr s = mk_stmt(Stmt::Switch, loc, end);
  s->e = nondet_call(arms.size(), loc, end);
  for (size_t i = 0; i < arms.size(); ++i) {
    ast::SwitchCase c;
    c.loc = loc;
    if (i + 1 < arms.size()) c.value = int_lit(static_cast<int64_t>(i), loc, end);
    c.body = std::move(arms[i]);
    c.body.push_back(mk_stmt(Stmt::Break, loc, end));
    s->cases.push_back(std::move(c));
  }
  return s;
}

// ---- copying with parameters replaced ----------------------------------------

class Subst {
 public:
  Subst(const Values& vals, const SourceManager& sm) : vals_(vals), sm_(sm) {}

  ExprPtr expr(const ExprPtr& e) {
    if (!e) return nullptr;
    if (e->kind == Expr::Ident) {
      auto it = vals_.find(e->name);
      if (it != vals_.end()) return int_lit(it->second, e->loc, e->end);
    }
    auto n = std::make_shared<Expr>(*e);
    n->a = expr(e->a);
    n->b = expr(e->b);
    n->c = expr(e->c);
    for (auto& a : n->args) a = expr(a);
    for (auto& i : n->inits) i.value = expr(i.value);
    n->type = type(e->type);
    return n;
  }

  TypeSpecPtr type(const TypeSpecPtr& t) {
    if (!t) return nullptr;
    auto n = std::make_shared<TypeSpec>(*t);
    n->elem = type(t->elem);
    n->array_size = expr(t->array_size);
    for (auto& p : n->params) p = type(p);
    return n;
  }

  StmtPtr stmt(const StmtPtr& s) {
    if (!s) return nullptr;
    if (s->kind == Stmt::VarDecl && vals_.count(s->name))
      sm_.error(s->loc, fmt::format("local '{}' hides the target parameter '{}': choose another name", s->name, s->name));
    auto n = std::make_shared<Stmt>(*s);
    n->e = expr(s->e);
    n->step = expr(s->step);
    n->init = stmt(s->init);
    n->s1 = stmt(s->s1);
    n->s2 = stmt(s->s2);
    for (auto& b : n->body) b = stmt(b);
    for (auto& b : n->else_body) b = stmt(b);
    for (auto& c : n->cases) {
      c.value = expr(c.value);
      for (auto& b : c.body) b = stmt(b);
    }
    n->type = type(s->type);
    return n;
  }

 private:
  const Values& vals_;
  const SourceManager& sm_;
};

// The mix as one thread body (see desugar.h), parameters already applied; `ops`
// is its op count.
StmtPtr mix_body(const ast::MixDecl& m, int64_t ops, const Values& vals, const SourceManager& sm,
                 std::vector<ChoiceNote>& notes) {
  const std::string who = m.name.empty() ? "mix" : "mix " + m.name;
  Subst sub(vals, sm);
  SourceLoc loc = m.loc, end = m.end;
  std::map<std::string, const ast::MixPool*> pools;
  for (const auto& p : m.pools) pools[p.name] = &p;
  std::vector<std::vector<StmtPtr>> arms;
  ChoiceNote op_note{loc, {}};
  for (const auto& op : m.ops_list) {
    std::vector<StmtPtr> arm;
    std::string sig;
    for (const auto& [name, ploc] : op.pools) {
      auto it = pools.find(name);
      if (it == pools.end()) {
        std::string known;
        for (const auto& p : m.pools) known += (known.empty() ? "" : ", ") + p.name;
        sm.error(ploc, fmt::format("op '{}' names no pool '{}' (the {}'s pools: {})", op.name, name, who,
                                   known.empty() ? "none" : known));
      }
      const ast::MixPool& pl = *it->second;
      sig += (sig.empty() ? "" : ", ") + name;
      if (pl.elems.size() == 1) {
        arm.push_back(var_decl(sub.type(pl.type), pl.name, sub.expr(pl.elems[0]), pl.loc, pl.end));
        continue;
      }
      arm.push_back(var_decl(sub.type(pl.type), pl.name, nullptr, pl.loc, pl.end));
      std::vector<std::vector<StmtPtr>> picks;
      ChoiceNote pool_note{pl.loc, {}};
      for (const auto& el : pl.elems) {
        picks.push_back({expr_stmt(binary("=", ident(pl.name, el->loc, el->end), sub.expr(el)))});
        pool_note.labels.push_back(fmt::format("pool {} = {}", pl.name, source_text(sm, el->loc, el->end)));
      }
      arm.push_back(choose(std::move(picks), pl.loc, pl.end));
      notes.push_back(std::move(pool_note));
    }
    arm.push_back(sub.stmt(op.body));
    op_note.labels.push_back(fmt::format("{}: op {}({})", who, op.name, sig));
    arms.push_back({block(std::move(arm), op.loc, op.end)});
  }
  StmtPtr pick;
  if (arms.size() == 1) {
    pick = std::move(arms[0][0]);
  } else {
    pick = choose(std::move(arms), loc, end);
    notes.push_back(std::move(op_note));
  }
  // int __op; for (__op = 0; __op < ops; __op++) pick
  auto int_t = std::make_shared<TypeSpec>();
  int_t->kind = TypeSpec::Named;
  int_t->name = "int";
  int_t->loc = loc;
  StmtPtr decl = var_decl(int_t, "__op", nullptr, loc, end);
  StmtPtr loop = mk_stmt(Stmt::For, loc, end);
  loop->init = expr_stmt(binary("=", ident("__op", loc, end), int_lit(0, loc, end)));
  loop->e = binary("<", ident("__op", loc, end), int_lit(ops, loc, end));
  loop->step = mk_expr(Expr::Unary, loc, end);
  loop->step->op = "post++";
  loop->step->a = ident("__op", loc, end);
  loop->s1 = block({pick}, loc, end);
  std::vector<StmtPtr> body{decl, loop};
  if (m.after) body.push_back(sub.stmt(m.after));
  return block(std::move(body), loc, end);
}

}  // namespace

std::string source_text(const SourceManager& sm, SourceLoc from, SourceLoc to) {
  if (!from.valid() || from.file >= sm.file_count() || to.file != from.file || to.line != from.line || !from.col ||
      to.col < from.col)
    return "";
  std::string_view line = sm.line_text(from.file, from.line);
  size_t a = std::min<size_t>(from.col - 1, line.size()), b = std::min<size_t>(to.col - 1, line.size());
  return std::string(line.substr(a, b - a));
}

std::vector<std::pair<std::string, int64_t>> target_params(const ast::TargetDef& td, const SourceManager& sm) {
  std::vector<std::pair<std::string, int64_t>> out;
  Values vals;
  for (const auto& p : td.params) {
    out.emplace_back(p.name, p.value);
    vals[p.name] = p.value;
  }
  if (const ast::MixDecl* um = ast::unnamed_mix(td)) {
    for (const char* n : {"threads", "ops"})
      if (vals.count(n))
        for (const auto& p : td.params)
          if (p.name == n)
            sm.error(p.loc, fmt::format("'{}' is the unnamed mix's own parameter: set it inside `mix {{ {} N; }}`", n, n));
    const ast::MixDecl& m = *um;
    int64_t threads = m.threads ? count_of(*m.threads, vals, sm, "the mix's thread count", kMaxThreadCopies) : 1;
    int64_t ops = m.ops ? count_of(*m.ops, vals, sm, "the mix's op count", INT32_MAX) : 1;
    out.emplace_back("threads", threads);
    out.emplace_back("ops", ops);
  }
  return out;
}

namespace {

// One mix's (threads, ops) under the parameter values `vals`: the unnamed mix
// reads its implicit parameters, a named one evaluates its count expressions.
std::pair<int64_t, int64_t> counts_of(const ast::MixDecl& m, const Values& vals, const SourceManager& sm) {
  if (m.name.empty()) {
    int64_t n = vals.at("threads");
    if (n < 0 || n > kMaxThreadCopies)
      sm.error(m.threads ? m.threads_loc : m.loc,
               fmt::format("the mix's thread count is {}: expected 0 to {}", n, kMaxThreadCopies));
    return {n, vals.at("ops")};
  }
  int64_t n = m.threads ? count_of(*m.threads, vals, sm, fmt::format("the thread count of mix '{}'", m.name), kMaxThreadCopies) : 1;
  int64_t ops = m.ops ? count_of(*m.ops, vals, sm, fmt::format("the op count of mix '{}'", m.name), INT32_MAX) : 1;
  return {n, ops};
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> mix_counts(const ast::TargetDef& td, const SourceManager& sm) {
  auto params = target_params(td, sm);
  Values vals(params.begin(), params.end());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& m : td.mixes) out.push_back(counts_of(m, vals, sm));
  return out;
}

TargetCode desugar_target(const ast::TargetDef& td, const std::vector<std::pair<std::string, int64_t>>& bounds,
                          const SourceManager& sm) {
  TargetCode out;
  out.params = target_params(td, sm);
  for (const auto& bound : bounds) {
    const std::string& name = bound.first;
    const int64_t v = bound.second;
    auto it = std::find_if(out.params.begin(), out.params.end(), [&](const auto& p) { return p.first == name; });
    if (it == out.params.end()) {
      std::string known;
      for (const auto& p : out.params) known += (known.empty() ? "" : ", ") + p.first;
      sm.error(td.loc, fmt::format("--bound {}: target '{}' has no parameter '{}' ({})", name, td.name, name,
                                   known.empty() ? "it has no parameters" : "its parameters: " + known));
    }
    it->second = v;
  }
  Values vals(out.params.begin(), out.params.end());
  if (const ast::MixDecl* um = ast::unnamed_mix(td)) {
    int64_t ops = vals.at("ops");
    if (ops < 0) sm.error(um->ops ? um->ops_loc : um->loc, fmt::format("the mix's op count is {}: expected 0 or more", ops));
  }
  Subst sub(vals, sm);
  out.init = sub.stmt(td.init);
  int64_t total = 0;
  auto add_copies = [&](const std::string& name, SourceLoc loc, int64_t n, bool array, auto&& body_for) {
    total += n;
    if (total > kMaxThreadCopies)
      sm.error(loc, fmt::format("target '{}' would have {} threads or more: at most {}", td.name, total, kMaxThreadCopies));
    for (int64_t i = 0; i < n; ++i) {
      ast::ThreadDecl th;
      th.loc = loc;
      th.name = array ? fmt::format("{}_{}", name, i) : name;
      th.body = body_for(i);
      out.threads.push_back(std::move(th));
    }
  };
  for (const auto& th : td.threads) {
    if (!th.count) {
      add_copies(th.name, th.loc, 1, false, [&](int64_t) { return sub.stmt(th.body); });
      continue;
    }
    int64_t n = count_of(*th.count, vals, sm, fmt::format("the thread count of '{}'", th.name), kMaxThreadCopies);
    add_copies(th.name, th.loc, n, true, [&](int64_t i) {
      Values v = vals;
      v["__thread_index"] = i;
      return Subst(v, sm).stmt(th.body);
    });
  }
  for (const auto& m : td.mixes) {
    // The unnamed mix: `threads` copies mix_0, mix_1, ... sized by the implicit
    // parameters. A named mix: its counts are expressions over the target's
    // parameters; with a `threads` count its copies are NAME_0, NAME_1, ...,
    // without one it is the single thread NAME.
    // Plain variables, not a structured binding: clang 14 refuses to capture a
    // binding in the lambda below (C++20 allows it only from clang 16).
    const std::pair<int64_t, int64_t> counts = counts_of(m, vals, sm);
    const int64_t n = counts.first, ops = counts.second;
    const bool array = m.name.empty() || m.threads != nullptr;
    add_copies(m.name.empty() ? "mix" : m.name, m.loc, n, array, [&](int64_t i) {
      Values v = vals;
      v["__thread_index"] = i;
      std::vector<ChoiceNote> notes;
      StmtPtr body = mix_body(m, ops, v, sm, notes);
      if (i == 0)
        for (auto& note : notes) out.notes.push_back(std::move(note));
      return body;
    });
  }
  if (out.threads.empty())
    sm.error(td.loc, fmt::format("target '{}' has no thread with these parameters: expected at least one", td.name));
  if (td.final_block) {
    // final { body }: a thread that waits until every other thread has finished
    // and no RCU callback is pending, then runs body (vm/machine_final.cpp).
    SourceLoc at = td.final_block->loc;
    ExprPtr wait = mk_expr(Expr::Call, at, at);
    wait->a = ident("__final_wait", at, at);
    out.step_labels.emplace_back(at, "final: every thread has finished");
    add_copies("final", at, 1, false, [&](int64_t) {
      return block({expr_stmt(wait), sub.stmt(td.final_block)}, at, td.final_block->end);
    });
  }
  {
    std::map<std::string, SourceLoc> seen;
    for (const auto& th : out.threads)
      if (!seen.emplace(th.name, th.loc).second)
        sm.error(th.loc, fmt::format("target '{}' has two threads named '{}' (a thread array W[N] names its copies W_0, "
                                     "W_1, ...; a named mix NAME its threads NAME or NAME_0, NAME_1, ...; the unnamed "
                                     "mix mix_0, mix_1, ...)", td.name, th.name));
  }
  if (td.init) {
    std::vector<const Stmt*> work{td.init.get()};
    // assume() discards a path; init runs before any path starts.
    auto find_assume = [&](const Expr* e, auto&& self) -> const Expr* {
      if (!e) return nullptr;
      if (e->kind == Expr::Call && e->a && e->a->kind == Expr::Ident && e->a->name == "assume") return e;
      for (const Expr* c : {e->a.get(), e->b.get(), e->c.get()})
        if (const Expr* r = self(c, self)) return r;
      for (const auto& a : e->args)
        if (const Expr* r = self(a.get(), self)) return r;
      return nullptr;
    };
    while (!work.empty()) {
      const Stmt* s = work.back();
      work.pop_back();
      if (!s) continue;
      for (const Expr* e : {s->e.get(), s->step.get()})
        if (const Expr* a = find_assume(e, find_assume))
          sm.error(a->loc, "assume() in init: init runs before any path, there is nothing to discard");
      for (const Stmt* c : {s->init.get(), s->s1.get(), s->s2.get()}) work.push_back(c);
      for (const auto& b : s->body) work.push_back(b.get());
      for (const auto& b : s->else_body) work.push_back(b.get());
      for (const auto& c : s->cases)
        for (const auto& b : c.body) work.push_back(b.get());
    }
  }
  return out;
}

std::pair<std::string, int64_t> parse_bound(const std::string& text) {
  auto eq = text.find('=');
  std::string name = text.substr(0, eq);
  std::string val = eq == std::string::npos ? "" : text.substr(eq + 1);
  bool ok_name = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                 std::all_of(name.begin(), name.end(),
                             [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  size_t pos = 0;
  long long v = 0;
  bool ok_val = !val.empty();
  try {
    if (ok_val) v = std::stoll(val, &pos, 10);
  } catch (const std::exception&) {
    ok_val = false;
  }
  if (!ok_name || !ok_val || pos != val.size())
    throw InputError(fmt::format("--bound: error: expected NAME=NUMBER (a target parameter), found '{}'", text));
  return {name, static_cast<int64_t>(v)};
}

}  // namespace ptcheck
