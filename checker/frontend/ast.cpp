// Helpers for symbolic Kconfig conditions (declared in ast.h).
#include "frontend/ast.h"

namespace ptcheck::ast {

CondPtr cond_true() {
  static const CondPtr t = std::make_shared<const Cond>();
  return t;
}

CondPtr cond_not(CondPtr a) {
  if (!a || a->kind == Cond::True) {
    auto c = std::make_shared<Cond>();
    c->kind = Cond::False;
    return c;
  }
  if (a->kind == Cond::False) return cond_true();
  if (a->kind == Cond::Not) return a->a;
  auto c = std::make_shared<Cond>();
  c->kind = Cond::Not;
  c->loc = a->loc;
  c->a = std::move(a);
  return c;
}

CondPtr cond_and(CondPtr a, CondPtr b) {
  if (!a || a->kind == Cond::True) return b ? b : cond_true();
  if (!b || b->kind == Cond::True) return a;
  if (a->kind == Cond::False) return a;
  if (b->kind == Cond::False) return b;
  auto c = std::make_shared<Cond>();
  c->kind = Cond::And;
  c->loc = a->loc;
  c->a = std::move(a);
  c->b = std::move(b);
  return c;
}

namespace {
int prec(const Cond& c) {
  switch (c.kind) {
    case Cond::Or: return 1;
    case Cond::And: return 2;
    default: return 3;
  }
}
std::string paren(const Cond& c, int ctx) {
  std::string s = to_string(c);
  return prec(c) < ctx ? "(" + s + ")" : s;
}
}  // namespace

std::string to_string(const Cond& c) {
  switch (c.kind) {
    case Cond::True: return "1";
    case Cond::False: return "0";
    case Cond::Sym: return "IS_ENABLED(" + c.sym + ")";
    case Cond::Not: return "!" + paren(*c.a, 3);
    case Cond::And: return paren(*c.a, 2) + " && " + paren(*c.b, 2);
    case Cond::Or: return paren(*c.a, 1) + " || " + paren(*c.b, 1);
  }
  return "?";
}

void collect_typedef_names(const std::vector<Decl>& decls, std::set<std::string>& out) {
  for (const auto& d : decls) {
    if (d.kind == Decl::Typedef && d.typedef_) out.insert(d.typedef_->name);
    if (d.kind == Decl::IfConfig) {
      collect_typedef_names(d.then_decls, out);
      collect_typedef_names(d.else_decls, out);
    }
  }
}

bool MacroDef::has_type_params() const {
  for (bool b : type_params)
    if (b) return true;
  return false;
}

void collect_type_macros(const std::vector<Decl>& decls, TypeMacros& out) {
  for (const auto& d : decls) {
    if (d.kind == Decl::Macro && d.macro && d.macro->has_type_params()) out[d.macro->name] = d.macro->type_params;
    if (d.kind == Decl::IfConfig) {
      collect_type_macros(d.then_decls, out);
      collect_type_macros(d.else_decls, out);
    }
  }
}

}  // namespace ptcheck::ast
