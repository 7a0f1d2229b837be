// Integer constant expressions for layouts, array sizes, enums and macros.
#include <fmt/format.h>

#include "sema/type_env.h"

namespace ptcheck::sema {

namespace {
uint64_t norm(uint64_t v, unsigned size, bool is_unsigned) {
  if (size >= 8) return v;
  uint64_t mask = (uint64_t{1} << (size * 8)) - 1;
  v &= mask;
  if (!is_unsigned && (v >> (size * 8 - 1)) & 1) v |= ~mask;
  return v;
}
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
  auto promote = [&](CVal a) {
    if (a.size < isz) return CVal{norm(a.v, isz, false), isz, false, 0};
    return a;
  };
  auto is_signed_neg = [](const CVal& a) { return !a.is_unsigned && static_cast<int64_t>(a.v) < 0; };
  switch (e.kind) {
    case K::IntLit: {
      uint64_t v = e.value;
      bool u = e.is_unsigned;
      unsigned size = e.is_long ? lsz : isz;
      auto fits = [&](unsigned s, bool uu) {
        if (s >= 8) return uu || v <= static_cast<uint64_t>(INT64_MAX);
        uint64_t max = uu ? (uint64_t{1} << (s * 8)) - 1 : (uint64_t{1} << (s * 8 - 1)) - 1;
        return v <= max;
      };
      if (!fits(size, u)) {
        if (!u && fits(size, true) && size == isz && !e.is_long) u = true;
        else if (fits(lsz, u)) size = lsz;
        else if (fits(lsz, true)) size = lsz, u = true;
        else size = 8, u = true;
      }
      return CVal{norm(v, size, u), size, u, 0};
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
      if (e.op == "!") return CVal{a->v == 0, isz, false, 0};
      if (a->scale) return std::nullopt;
      CVal p = promote(*a);
      if (e.op == "+") return p;
      if (e.op == "-") return CVal{norm(0 - p.v, p.size, p.is_unsigned), p.size, p.is_unsigned, 0};
      if (e.op == "~") return CVal{norm(~p.v, p.size, p.is_unsigned), p.size, p.is_unsigned, 0};
      return std::nullopt;
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
      CVal x = promote(*a), y = promote(*b);
      if (op == "<<" || op == ">>") {
        if (is_signed_neg(y) || y.v >= x.size * 8u) return std::nullopt;
        uint64_t r = op == "<<" ? x.v << y.v
                                : (x.is_unsigned ? norm(x.v, x.size, true) >> y.v
                                                 : static_cast<uint64_t>(static_cast<int64_t>(x.v) >> y.v));
        return CVal{norm(r, x.size, x.is_unsigned), x.size, x.is_unsigned, 0};
      }
      unsigned size = std::max(x.size, y.size);
      bool u = (x.size == size && x.is_unsigned) || (y.size == size && y.is_unsigned);
      uint64_t xv = norm(x.v, size, u), yv = norm(y.v, size, u);
      uint64_t xz = norm(xv, size, true), yz = norm(yv, size, true);  // zero-extended
      int64_t xs = static_cast<int64_t>(xv), ys = static_cast<int64_t>(yv);
      auto cmp = [&](bool r) { return CVal{r ? 1u : 0u, isz, false, 0}; };
      if (op == "==") return cmp(xz == yz);
      if (op == "!=") return cmp(xz != yz);
      if (op == "<") return cmp(u ? xz < yz : xs < ys);
      if (op == ">") return cmp(u ? xz > yz : xs > ys);
      if (op == "<=") return cmp(u ? xz <= yz : xs <= ys);
      if (op == ">=") return cmp(u ? xz >= yz : xs >= ys);
      uint64_t r;
      if (op == "+") r = xv + yv;
      else if (op == "-") r = xv - yv;
      else if (op == "*") r = xv * yv;
      else if (op == "&") r = xv & yv;
      else if (op == "|") r = xv | yv;
      else if (op == "^") r = xv ^ yv;
      else if (op == "/" || op == "%") {
        if (yz == 0) return std::nullopt;
        if (u) {
          r = op == "/" ? xz / yz : xz % yz;
        } else {
          if (xs == INT64_MIN && ys == -1) return std::nullopt;
          r = static_cast<uint64_t>(op == "/" ? xs / ys : xs % ys);
        }
      } else {
        return std::nullopt;
      }
      return CVal{norm(r, size, u), size, u, 0};
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
