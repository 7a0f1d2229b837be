// Integer constant expressions for layouts, array sizes, enums and macros:
// the walk over the expression, its names (enums, macros, arch constants,
// types) and pointer arithmetic; the arithmetic itself is C's, from
// sema/layout_rules.h (shared with the Z3 layouts' evaluation).
#include <fmt/format.h>

#include "sema/type_env.h"

namespace ptcheck::sema {

namespace {
const rules::IntDomain kInt;
uint64_t norm(uint64_t v, unsigned size, bool is_unsigned) { return rules::norm(kInt, v, size, is_unsigned); }
rules::CInt<rules::IntDomain> cint(const TypeEnv::CVal& c) { return {c.v, c.size, c.is_unsigned}; }
TypeEnv::CVal cval(const rules::CInt<rules::IntDomain>& c) { return {c.v, c.size, c.uns, 0}; }
}  // namespace

std::optional<TypeEnv::CVal> TypeEnv::convert(CVal v, const Type* t) {
  if (t->kind == TypeKind::Bool) return CVal{v.v != 0, 1, true, 0};
  if (t->kind == TypeKind::Int) {
    unsigned s = static_cast<unsigned>(t->size);
    return CVal{norm(v.v, s, !t->is_signed), s, !t->is_signed, 0};
  }
  if (t->kind == TypeKind::Pointer) {
    uint64_t scale = t->elem && t->elem->complete ? t->elem->size : 1;
    unsigned s = abi().size_pointer;
    return CVal{norm(v.v, s, true), s, true, scale ? scale : 1};
  }
  return std::nullopt;
}

std::optional<TypeEnv::CVal> TypeEnv::eval(const ast::Expr& e, const std::map<std::string, CVal>* params,
                                           int depth) {
  using K = ast::Expr;
  if (depth > 400) {
    budget_.cut = true;
    return std::nullopt;
  }
  if (++budget_.steps > kMaxEvalSteps)
    sm_.error(budget_.use.valid() ? budget_.use : e.loc,
              budget_.macro.empty()
                  ? fmt::format("constant expression too large: more than {} terms", kMaxEvalSteps)
                  : fmt::format("macro '{}' expands to more than {} terms here: expected a smaller expansion",
                                budget_.macro, kMaxEvalSteps));
  // The outermost macro use an evaluation expands from (for the error above).
  auto enter_macro = [&](const std::string& name) {
    if (!expanding_.empty()) return;
    budget_.use = e.loc;
    budget_.macro = name;
  };
  const unsigned isz = abi().size_int, lsz = abi().size_long;
  auto sub = [&](const ast::ExprPtr& x) -> std::optional<CVal> {
    if (!x) return std::nullopt;
    return eval(*x, params, depth + 1);
  };
  switch (e.kind) {
    case K::IntLit: {
      rules::LitType lt = rules::literal_type(e.value, e.is_unsigned, e.is_long, isz, lsz);
      return CVal{norm(e.value, lt.size, lt.uns), lt.size, lt.uns, 0};
    }
    case K::CharLit:
      return CVal{norm(e.value, 1, false), isz, false, 0};
    case K::Ident: {
      if (params) {
        auto it = params->find(e.name);
        if (it != params->end()) return it->second;
      }
      if (auto ev = enum_value(e.name)) return CVal{static_cast<uint64_t>(*ev), isz, false, 0};
      if (const ast::MacroDef* m = macro(e.name); m && !m->function_like) {
        if (!m->body) return std::nullopt;
        if (expanding_.count(m->name)) {
          budget_.cut = true;
          return std::nullopt;
        }
        // An object-like macro has one value under this env's config: known
        // values are reused (the int64 form of a CVal with the type of the body).
        auto known = macro_values_.find(m);
        if (known != macro_values_.end()) return known->second;
        enter_macro(m->name);
        bool cut = budget_.cut;
        budget_.cut = false;
        expanding_.insert(m->name);
        auto r = eval(*m->body, nullptr, depth + 1);
        expanding_.erase(m->name);
        if (!budget_.cut) macro_values_[m] = r;
        budget_.cut = budget_.cut || cut;
        return r;
      }
      if (e.name == "true" || e.name == "false") return CVal{e.name == "true", isz, false, 0};
      if (auto c = arch_constant(e.name)) return CVal{*c, 8, true, 0};
      return std::nullopt;
    }
    case K::ConfigRef:
      return CVal{cfg_.enabled(e.name) ? 1u : 0u, isz, false, 0};
    case K::SizeofExpr:  // sizeof(t) of a macro's type argument
      if (e.a && e.a->kind == K::Ident)
        if (const Type* t = type_param(e.a->name)) return CVal{t->size, lsz, true, 0};
      return std::nullopt;
    case K::SizeofType:
      if (!e.type) return std::nullopt;
      return CVal{resolve_complete(*e.type)->size, lsz, true, 0};
    case K::AlignofType:
      if (!e.type) return std::nullopt;
      return CVal{resolve_complete(*e.type)->align, lsz, true, 0};
    case K::Offsetof: {
      if (!e.type) return std::nullopt;
      const Type* t = resolve_complete(*e.type);
      auto m = member(t, e.name);
      if (!m) sm_.error(e.loc, fmt::format("'{}' has no member '{}': expected a member path", t->name, e.name));
      return CVal{m->offset, lsz, true, 0};
    }
    case K::Cast: {
      auto a = sub(e.a);
      if (!a || !e.type) return std::nullopt;
      return convert(*a, resolve(*e.type));
    }
    case K::Unary: {
      auto a = sub(e.a);
      if (!a) return std::nullopt;
      if (a->scale && e.op != "!") return std::nullopt;
      auto r = rules::unary(kInt, e.op, cint(*a), isz);
      if (!r) return std::nullopt;
      return cval(*r);
    }
    case K::Ternary: {
      auto c = sub(e.a);
      if (!c) return std::nullopt;
      return c->v ? sub(e.b) : sub(e.c);
    }
    case K::Binary: {
      const std::string& op = e.op;
      auto a = sub(e.a);
      if (!a) return std::nullopt;
      if (op == "&&" || op == "||") {
        bool av = a->v != 0;
        if (op == "&&" && !av) return CVal{0, isz, false, 0};
        if (op == "||" && av) return CVal{1, isz, false, 0};
        auto b = sub(e.b);
        if (!b) return std::nullopt;
        return CVal{b->v != 0, isz, false, 0};
      }
      auto b = sub(e.b);
      if (!b) return std::nullopt;
      if (op == ",") return b;
      // pointer arithmetic (GNU: void * steps by 1)
      if (a->scale || b->scale) {
        if (op == "+" && a->scale && !b->scale)
          return CVal{norm(a->v + b->v * a->scale, a->size, true), a->size, true, a->scale};
        if (op == "+" && b->scale && !a->scale)
          return CVal{norm(b->v + a->v * b->scale, b->size, true), b->size, true, b->scale};
        if (op == "-" && a->scale && !b->scale)
          return CVal{norm(a->v - b->v * a->scale, a->size, true), a->size, true, a->scale};
        if (op == "-" && a->scale && b->scale)
          return CVal{norm((a->v - b->v) / a->scale, lsz, false), lsz, false, 0};
        if (op == "==" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=") {
          a->scale = b->scale = 0;
        } else {
          return std::nullopt;
        }
      }
      auto r = rules::binary(kInt, op, cint(*a), cint(*b), isz);
      if (!r) return std::nullopt;
      return cval(*r);
    }
    case K::Call: {
      if (!e.a || e.a->kind != K::Ident) return std::nullopt;
      const ast::MacroDef* m = macro(e.a->name);
      if (!m || !m->function_like || m->params.size() != e.args.size()) return std::nullopt;
      if (!m->body) return std::nullopt;
      if (expanding_.count(m->name)) {
        budget_.cut = true;
        return std::nullopt;
      }
      enter_macro(m->name);
      std::map<std::string, CVal> args;
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (e.args[i]->kind == K::TypeName) continue;
        auto v = sub(e.args[i]);
        if (!v) return std::nullopt;
        args[m->params[i]] = *v;
      }
      bool typed = false;
      for (const auto& a : e.args) typed = typed || a->kind == K::TypeName;
      if (typed) push_type_params(type_arguments(*m, e));
      struct Pop {
        TypeEnv& env;
        bool typed;
        const std::string& name;
        ~Pop() {
          env.expanding_.erase(name);
          if (typed) env.pop_type_params();
        }
      } pop{*this, typed, m->name};
      expanding_.insert(m->name);
      return eval(*m->body, &args, depth + 1);
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> TypeEnv::try_const(const ast::Expr& e) {
  // Layouts evaluate array sizes while an outer evaluation runs: the budget
  // belongs to the outermost one.
  if (budget_.nesting++ == 0) budget_ = EvalBudget{0, 1, {}, {}, false};
  struct Leave {
    EvalBudget& b;
    ~Leave() { --b.nesting; }
  } leave{budget_};
  auto v = eval(e, nullptr, 0);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(v->v);
}

int64_t TypeEnv::eval_const(const ast::Expr& e) {
  auto v = try_const(e);
  if (!v) sm_.error(e.loc, "expected an integer constant expression");
  return *v;
}

}  // namespace ptcheck::sema
