// Macros in code: expression macros expand where they are used (their
// arguments evaluated in the caller's scope), statement macros (`do { ... }
// while (0)`) expand where `NAME(args);` stands, with locals of their own per
// use, and type parameters name the argument's type in the body.
#include <fmt/format.h>

#include "sema/codegen_impl.h"

namespace ptcheck::sema {

namespace {
// Pops what a macro expansion pushed, also when compiling it fails.
struct ExpansionScope {
  FunctionCompiler& fc;
  bool typed, args, call;
  ~ExpansionScope() {
    if (typed) fc.env_.pop_type_params();
    if (args) fc.macro_args_.pop_back();
    if (call) fc.stmt_macro_calls_.pop_back();
  }
};
}  // namespace

void FunctionCompiler::bind_macro(const ast::MacroDef& m, const ast::Expr& e, bool with_args) {
  if (!m.function_like) error(e.loc, fmt::format("'{}' is not a function-like macro", m.name));
  if (m.params.size() != e.args.size())
    error(e.loc, fmt::format("macro '{}' takes {} arguments, {} given", m.name, m.params.size(), e.args.size()));
  // Type arguments resolve in the caller's scope, before the body's is pushed.
  if (typed(e)) env_.push_type_params(env_.type_arguments(m, e));
  if (!with_args) return;
  std::map<std::string, const ast::Expr*> args;
  for (size_t i = 0; i < m.params.size(); ++i) args[m.params[i]] = e.args[i].get();
  macro_args_.push_back(std::move(args));
}

bool FunctionCompiler::typed(const ast::Expr& call) {
  for (const auto& a : call.args)
    if (a->kind == ast::Expr::TypeName) return true;
  return false;
}

Val FunctionCompiler::expand_macro(const ast::MacroDef& m, const ast::Expr& e) {
  if (!m.body) error(e.loc, fmt::format("statement macro '{}' used as a value: write `{}(...);` as a statement", m.name, m.name));
  enter_macro(m.name, e.loc);
  bind_macro(m, e, true);
  ExpansionScope pop{*this, typed(e), true, false};
  Val v = expr(*m.body);
  leave_macro();
  return v;
}

const ast::MacroDef* FunctionCompiler::stmt_macro_of(const ast::Stmt& s) const {
  if (s.kind != ast::Stmt::ExprStmt || !s.e || s.e->kind != ast::Expr::Call || s.e->a->kind != ast::Expr::Ident)
    return nullptr;
  const std::string& n = s.e->a->name;
  if (find_local(n) || cg_.syms_.funcs.count(n)) return nullptr;
  const ast::MacroDef* m = env_.macro(n);
  return m && m->stmt_body ? m : nullptr;
}

void FunctionCompiler::prescan_macro(const ast::Stmt& s) {
  const ast::MacroDef* m = stmt_macro_of(s);
  if (!m) return;
  enter_macro(m->name, s.e->loc);
  bind_macro(*m, *s.e, true);
  stmt_macro_calls_.push_back(s.e.get());
  ExpansionScope pop{*this, typed(*s.e), true, true};
  for (const auto& n : address_taken_names(*m->stmt_body)) addr_taken_.insert(n);
  prescan(*m->stmt_body);
  leave_macro();
}

bool FunctionCompiler::expand_stmt_macro(const ast::Stmt& s) {
  const ast::MacroDef* m = stmt_macro_of(s);
  if (!m) return false;
  enter_macro(m->name, s.e->loc);
  bind_macro(*m, *s.e, true);
  stmt_macro_calls_.push_back(s.e.get());
  ExpansionScope pop{*this, typed(*s.e), true, true};
  if (m->stmt_list) {
    for (const auto& b : m->stmt_body->body) stmt(*b);  // `a; b`: no scope of its own
  } else {
    stmt(*m->stmt_body);
  }
  leave_macro();
  return true;
}

void FunctionCompiler::set_decl_slot(const ast::Stmt& s, Local l) {
  frame_objects_.push_back({l.off, static_cast<uint32_t>(l.type->size), l.name});
  if (stmt_macro_calls_.empty()) decl_slots_[&s] = std::move(l);
  else macro_decl_slots_[{stmt_macro_calls_, &s}] = std::move(l);
}

const FunctionCompiler::Local* FunctionCompiler::find_decl_slot(const ast::Stmt& s) const {
  if (!stmt_macro_calls_.empty()) {
    auto it = macro_decl_slots_.find({stmt_macro_calls_, &s});
    return it == macro_decl_slots_.end() ? nullptr : &it->second;
  }
  auto it = decl_slots_.find(&s);
  return it == decl_slots_.end() ? nullptr : &it->second;
}

std::string FunctionCompiler::decl_name(const ast::Stmt& s) const {
  // `#define DECLARE_COUNTER(n) long n = 0`: the local is named by the argument.
  if (stmt_macro_calls_.empty() || macro_args_.empty()) return s.name;
  auto it = macro_args_.back().find(s.name);
  if (it == macro_args_.back().end()) return s.name;
  if (it->second->kind != ast::Expr::Ident) error(it->second->loc, "expected a name as this macro argument (it names a local)");
  return it->second->name;
}

std::string FunctionCompiler::member_path(const std::string& path) const {
  // container_of(p, type, member) in a macro body: `member` is the argument's
  // name (or dotted path).
  if (macro_args_.empty()) return path;
  size_t end = path.find_first_of(".[");
  auto it = macro_args_.back().find(path.substr(0, end));
  if (it == macro_args_.back().end()) return path;
  std::string name;
  const ast::Expr* a = it->second;
  while (a->kind == ast::Expr::Member && !a->arrow) {
    name = "." + a->name + name;
    a = a->a.get();
  }
  if (a->kind != ast::Expr::Ident) error(a->loc, "expected a member name as this macro argument");
  return a->name + name + (end == std::string::npos ? "" : path.substr(end));
}

}  // namespace ptcheck::sema
