// The depth bound on syntax trees (parser.h kMaxTreeDepth). The parser's own
// nesting guard counts recursion, not tree depth: a flat chain `1+1+...+1`
// parses in a loop into a tree as deep as it is long, and every later walk
// (reachability, constant evaluation, code generation, the Z3 encoder) recurses
// on it. This walk recurses too, but never deeper than the bound: it stops with
// a located error at the first node past it.
#include <fmt/format.h>

#include <string_view>
#include <unordered_map>

#include "frontend/parser.h"

namespace ptcheck::frontend {

namespace {

using namespace ast;

class DepthCheck {
 public:
  explicit DepthCheck(const SourceManager& sm) : sm_(sm) {}

  void decls(const std::vector<Decl>& ds) {
    for (const auto& d : ds) decl(d);
  }

 private:
  // Reported at the outermost node of the kind that is too deep (the start of
  // the expression, the #if line), not at the node where the walk stopped.
  [[noreturn]] void too_deep(SourceLoc loc, const char* what) const {
    if (std::string_view(what) == "expression" && outer_expr_.valid()) loc = outer_expr_;
    if (std::string_view(what) == "type" && outer_type_.valid()) loc = outer_type_;
    if (std::string_view(what) == "#if condition" && outer_cond_.valid()) loc = outer_cond_;
    sm_.error(loc, fmt::format("{} nests too deeply: expected at most {} levels (split it up, e.g. into several "
                               "statements or macros)", what, kMaxTreeDepth));
  }
  // Height of a subtree already measured, seen again from `depth`.
  template <class T>
  bool seen(const std::unordered_map<const T*, uint32_t>& memo, const T* n, uint32_t depth, SourceLoc loc,
            const char* what, uint32_t& h) const {
    auto it = memo.find(n);
    if (it == memo.end()) return false;
    if (depth + it->second > kMaxTreeDepth + 1) too_deep(loc, what);
    h = it->second;
    return true;
  }

  void decl(const Decl& d) {
    switch (d.kind) {
      case Decl::Record:
        if (d.record) record(*d.record, 1);
        break;
      case Decl::Enum:
        if (d.enum_def)
          for (const auto& it : d.enum_def->items) expr(it.value.get(), 1);
        break;
      case Decl::Typedef:
        if (d.typedef_) type(d.typedef_->type.get(), 1);
        break;
      case Decl::Var:
        if (d.var) {
          type(d.var->type.get(), 1);
          expr(d.var->init.get(), 1);
        }
        break;
      case Decl::Func:
        if (d.func) {
          type(d.func->ret.get(), 1);
          for (const auto& p : d.func->params) type(p.type.get(), 1);
          stmt(d.func->body.get(), 1);
        }
        break;
      case Decl::Macro:
        if (d.macro) {
          expr(d.macro->body.get(), 1);
          stmt(d.macro->stmt_body.get(), 1);
        }
        break;
      case Decl::Target:
        if (d.target) target(*d.target);
        break;
      case Decl::IfConfig:
        outer_cond_ = d.loc;
        cond(d.cond.get(), 1);
        decls(d.then_decls);
        decls(d.else_decls);
        break;
      case Decl::Import:
      case Decl::Property:
        break;
    }
  }

  void target(const TargetDef& t) {
    if (t.heap)
      for (const auto& s : t.heap->slabs) type(s.type.get(), 1);
    stmt(t.init.get(), 1);
    stmt(t.final_block.get(), 1);
    for (const auto& th : t.threads) {
      expr(th.count.get(), 1);
      stmt(th.body.get(), 1);
    }
    for (const auto& m : t.mixes) {
      expr(m.threads.get(), 1);
      expr(m.ops.get(), 1);
      for (const auto& p : m.pools) {
        type(p.type.get(), 1);
        for (const auto& e : p.elems) expr(e.get(), 1);
      }
      for (const auto& op : m.ops_list) stmt(op.body.get(), 1);
      stmt(m.after.get(), 1);
    }
  }

  uint32_t record(const RecordDecl& r, uint32_t depth) {
    if (depth > kMaxTreeDepth) too_deep(r.loc, "struct or union");
    uint32_t h = 0;
    for (const auto& f : r.fields) {
      h = std::max(h, type(f.type.get(), depth + 1));
      outer_cond_ = f.loc;
      h = std::max(h, cond(f.cond.get(), depth + 1));
    }
    h = std::max(h, expr(r.align_expr.get(), depth + 1));
    return h + 1;
  }

  uint32_t type(const TypeSpec* t, uint32_t depth) {
    if (!t) return 0;
    uint32_t h = 0;
    Outer o(outer_type_, t->loc);
    if (seen(types_, t, depth, t->loc, "type", h)) return h;
    if (depth > kMaxTreeDepth) too_deep(t->loc, "type");
    h = std::max(h, type(t->elem.get(), depth + 1));
    h = std::max(h, expr(t->array_size.get(), depth + 1));
    for (const auto& p : t->params) h = std::max(h, type(p.get(), depth + 1));
    if (t->record && t->record->complete && records_.insert({t->record.get(), 0}).second)
      h = std::max(h, record(*t->record, depth + 1));
    types_[t] = h + 1;
    return h + 1;
  }

  uint32_t expr(const Expr* e, uint32_t depth) {
    if (!e) return 0;
    uint32_t h = 0;
    Outer o(outer_expr_, e->loc);
    if (seen(exprs_, e, depth, e->loc, "expression", h)) return h;
    if (depth > kMaxTreeDepth) too_deep(e->loc, "expression");
    h = std::max(h, expr(e->a.get(), depth + 1));
    h = std::max(h, expr(e->b.get(), depth + 1));
    h = std::max(h, expr(e->c.get(), depth + 1));
    for (const auto& a : e->args) h = std::max(h, expr(a.get(), depth + 1));
    for (const auto& i : e->inits) h = std::max(h, expr(i.value.get(), depth + 1));
    h = std::max(h, type(e->type.get(), depth + 1));
    exprs_[e] = h + 1;
    return h + 1;
  }

  uint32_t cond(const Cond* c, uint32_t depth) {
    if (!c) return 0;
    if (depth > kMaxTreeDepth) too_deep(c->loc, "#if condition");
    return 1 + std::max(cond(c->a.get(), depth + 1), cond(c->b.get(), depth + 1));
  }

  uint32_t stmt(const Stmt* s, uint32_t depth) {
    if (!s) return 0;
    if (depth > kMaxTreeDepth) too_deep(s->loc, "statement");
    uint32_t h = 0;
    h = std::max(h, expr(s->e.get(), depth + 1));
    h = std::max(h, expr(s->step.get(), depth + 1));
    h = std::max(h, stmt(s->init.get(), depth + 1));
    h = std::max(h, stmt(s->s1.get(), depth + 1));
    h = std::max(h, stmt(s->s2.get(), depth + 1));
    for (const auto& b : s->body) h = std::max(h, stmt(b.get(), depth + 1));
    for (const auto& b : s->else_body) h = std::max(h, stmt(b.get(), depth + 1));
    for (const auto& c : s->cases) {
      h = std::max(h, expr(c.value.get(), depth + 1));
      for (const auto& b : c.body) h = std::max(h, stmt(b.get(), depth + 1));
    }
    h = std::max(h, type(s->type.get(), depth + 1));
    outer_cond_ = s->loc;
    h = std::max(h, cond(s->cond.get(), depth + 1));
    return h + 1;
  }

  // Keeps the location of the outermost node of a kind while the walk is below it.
  struct Outer {
    SourceLoc& slot;
    bool set;
    Outer(SourceLoc& s, SourceLoc loc) : slot(s), set(!s.valid()) {
      if (set) slot = loc;
    }
    ~Outer() {
      if (set) slot = SourceLoc{};
    }
  };

  const SourceManager& sm_;
  SourceLoc outer_expr_, outer_type_, outer_cond_;
  std::unordered_map<const Expr*, uint32_t> exprs_;
  std::unordered_map<const TypeSpec*, uint32_t> types_;
  std::unordered_map<const RecordDecl*, uint32_t> records_;
};

}  // namespace

void check_tree_depth(const ast::TranslationUnit& tu, const SourceManager& sm) { DepthCheck(sm).decls(tu.decls); }

}  // namespace ptcheck::frontend
