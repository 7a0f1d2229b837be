// Which locals of a function body may have their address taken: every name
// under a unary `&` (`&x`, `&x.f`, `&x[i]`), found without recursion (trees
// are at most 400 levels deep, but a block may be long). The code generator
// puts a KASAN-style redzone after such a local, and after every array and
// struct local (vm/machine_stack.cpp checks accesses against the objects).
//
// Over-approximation: a name counts wherever it appears under `&`, in any
// scope. Under-approximation (said where it matters, codegen.cpp prescan): an
// expression macro whose body takes `&` of its argument is not looked into,
// so a scalar local passed to one gets no redzone; an overflow out of it into
// the next local goes unnoticed (it cannot hide an interleaving).
#include <vector>

#include "sema/codegen_impl.h"

namespace ptcheck::sema {

std::set<std::string> address_taken_names(const ast::Stmt& body) {
  std::set<std::string> out;
  std::vector<const ast::Stmt*> stmts{&body};
  std::vector<std::pair<const ast::Expr*, bool>> exprs;  // (expr, under a unary &)
  auto expr = [&](const ast::ExprPtr& e, bool under) {
    if (e) exprs.emplace_back(e.get(), under);
  };
  while (!stmts.empty() || !exprs.empty()) {
    if (!exprs.empty()) {
      auto [e, under] = exprs.back();
      exprs.pop_back();
      bool u = under || (e->kind == ast::Expr::Unary && e->op == "&");
      if (u && e->kind == ast::Expr::Ident) out.insert(e->name);
      expr(e->a, u);
      expr(e->b, u);
      expr(e->c, u);
      for (const auto& a : e->args) expr(a, u);
      for (const auto& i : e->inits) expr(i.value, u);
      continue;
    }
    const ast::Stmt* s = stmts.back();
    stmts.pop_back();
    expr(s->e, false);
    expr(s->step, false);
    for (const ast::Stmt* c : {s->init.get(), s->s1.get(), s->s2.get()})
      if (c) stmts.push_back(c);
    for (const auto& b : s->body) stmts.push_back(b.get());
    for (const auto& b : s->else_body) stmts.push_back(b.get());
    for (const auto& c : s->cases) {
      expr(c.value, false);
      for (const auto& b : c.body) stmts.push_back(b.get());
    }
  }
  return out;
}

}  // namespace ptcheck::sema
