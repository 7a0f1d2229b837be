// Symbolic C layouts over the Kconfig space (see sym_layout.h).
#include "z3/sym_layout.h"

#include <fmt/format.h>

#include "sema/config.h"
#include "sema/type_env.h"

namespace ptcheck::z3 {

namespace {
using sema::TypeKind;
std::string record_key(bool is_union, const std::string& tag) { return (is_union ? "union " : "struct ") + tag; }
}  // namespace

SymLayout::SymLayout(::z3::context& ctx, const ArchInfo& arch, SourceManager& sm)
    : ctx_(ctx), dom_{ctx}, arch_(arch), sm_(sm), under_(ctx.bool_val(true)) {
  const Abi& a = arch.abi;
  SymType* v = make(TypeKind::Void, "void");
  v->complete = false;
  v->size = bv(1);
  builtin_["void"] = v;
  SymType* b = make(TypeKind::Bool, "_Bool");
  b->size = bv(1);
  b->align = bv(a.align_bool);
  builtin_["_Bool"] = b;
  auto add = [&](const char* name, unsigned size, unsigned align, bool sign) {
    SymType* t = make(TypeKind::Int, name);
    t->size = bv(size);
    t->align = bv(align);
    t->is_signed = sign;
    builtin_[name] = t;
  };
  add("char", 1, 1, true);
  add("signed char", 1, 1, true);
  add("unsigned char", 1, 1, false);
  add("short", a.size_short, a.align_short, true);
  add("unsigned short", a.size_short, a.align_short, false);
  add("int", a.size_int, a.align_int, true);
  add("unsigned int", a.size_int, a.align_int, false);
  add("long", a.size_long, a.align_long, true);
  add("unsigned long", a.size_long, a.align_long, false);
  add("long long", a.size_long_long, a.align_long_long, true);
  add("unsigned long long", a.size_long_long, a.align_long_long, false);
}

SymType* SymLayout::make(TypeKind k, const std::string& name) {
  types_.push_back(std::make_unique<SymType>(ctx_));
  SymType* t = types_.back().get();
  t->kind = k;
  t->name = name;
  return t;
}

::z3::expr SymLayout::sym(const std::string& name) {
  auto it = sym_exprs_.find(name);
  if (it != sym_exprs_.end()) return it->second;
  ::z3::expr e = ctx_.bool_const(name.c_str());
  sym_exprs_.emplace(name, e);
  symbols_.insert(name);
  return e;
}

::z3::expr SymLayout::cond(const ast::Cond* c) {
  if (!c) return ctx_.bool_val(true);
  switch (c->kind) {
    case ast::Cond::True: return ctx_.bool_val(true);
    case ast::Cond::False: return ctx_.bool_val(false);
    case ast::Cond::Sym: return sym(c->sym);
    case ast::Cond::Not: return !cond(c->a.get());
    case ast::Cond::And: return cond(c->a.get()) && cond(c->b.get());
    case ast::Cond::Or: return cond(c->a.get()) || cond(c->b.get());
  }
  return ctx_.bool_val(true);
}

::z3::expr SymLayout::kexpr(const KExpr& e) {
  switch (e.kind) {
    case KExpr::True: return ctx_.bool_val(true);
    case KExpr::Sym: return sym(e.sym);
    case KExpr::Not: return !kexpr(*e.a);
    case KExpr::And: return kexpr(*e.a) && kexpr(*e.b);
    case KExpr::Or: return kexpr(*e.a) || kexpr(*e.b);
  }
  return ctx_.bool_val(true);
}

::z3::expr SymLayout::axioms() {
  ::z3::expr ax = kconfig_axioms();
  for (const auto& bad : invalid_) ax = ax && !bad;
  auto it = typedefs_.find("spinlock_t");
  if (symbols_.count("ALLOC_SPLIT_PTLOCKS") && it != typedefs_.end() && it->second->complete)
    ax = ax && (sym("ALLOC_SPLIT_PTLOCKS") == ::z3::ugt(it->second->size, bv(arch_.abi.size_long)));
  return ax;
}

::z3::expr SymLayout::kconfig_axioms() {
  // The arch's Kconfig rules (arch/Kconfig.toml): no answer is a config that
  // no kernel build on this arch has.
  ::z3::expr ax = ctx_.bool_val(true);
  for (const auto& r : arch_.kconfig_rules.rules) {
    switch (r.kind) {
      case KconfigRule::Depends: ax = ax && ::z3::implies(sym(r.symbol), kexpr(*r.cond)); break;
      case KconfigRule::Select:
        ax = ax && ::z3::implies((r.symbol.empty() ? ctx_.bool_val(true) : sym(r.symbol)) && kexpr(*r.cond),
                               sym(r.target));
        break;
      case KconfigRule::ArchY: ax = ax && sym(r.symbol); break;
      case KconfigRule::ArchN: ax = ax && !sym(r.symbol); break;
    }
  }
  return ax;
}

const SymType* SymLayout::pointer_to(const SymType* t) {
  auto it = pointers_.find(t);
  if (it != pointers_.end()) return it->second;
  SymType* p = make(TypeKind::Pointer, t->name + (t->kind == TypeKind::Pointer ? "*" : " *"));
  p->size = bv(arch_.abi.size_pointer);
  p->align = bv(arch_.abi.align_pointer);
  p->elem = t;
  pointers_[t] = p;
  return p;
}

const SymType* SymLayout::array_of(const SymType* el, const ::z3::expr& n) {
  SymType* a = make(TypeKind::Array, el->name + "[]");
  a->elem = el;
  a->count = n;
  a->size = el->size * n;
  a->align = el->align;
  return a;
}

const SymType* SymLayout::named(const std::string& name, SourceLoc loc) {
  auto b = builtin_.find(name);
  if (b != builtin_.end()) return b->second;
  auto t = typedefs_.find(name);
  if (t != typedefs_.end()) return t->second;
  sm_.error(loc, fmt::format("unknown type name '{}': expected a type", name));
}

const SymType* SymLayout::resolve(const ast::TypeSpec& ts) {
  switch (ts.kind) {
    case ast::TypeSpec::Named:
      return named(ts.name, ts.loc);
    case ast::TypeSpec::Struct:
    case ast::TypeSpec::Union: {
      bool u = ts.kind == ast::TypeSpec::Union;
      if (ts.record) return record_slot(*ts.record);
      std::string key = record_key(u, ts.name);
      auto it = tags_.find(key);
      if (it != tags_.end()) return it->second;
      SymType* t = make(TypeKind::Record, key);
      t->is_union = u;
      t->complete = false;
      t->tag = ts.name;
      tags_[key] = t;
      return t;
    }
    case ast::TypeSpec::Enum:
      return builtin_.at("int");
    case ast::TypeSpec::Pointer:
      if (!ts.elem) sm_.error(ts.loc, "pointer without pointee type: expected a type");
      return pointer_to(resolve(*ts.elem));
    case ast::TypeSpec::Array: {
      if (!ts.elem) sm_.error(ts.loc, "array without element type: expected a type");
      const SymType* el = resolve(*ts.elem);
      ::z3::expr n = bv(0);
      if (ts.array_size) {
        auto v = eval_(*ts.array_size, nullptr, 0);
        if (!v) sm_.error(ts.array_size->loc, "expected an integer constant expression");
        n = v->v;
      }
      return array_of(el, n);
    }
    case ast::TypeSpec::Function: {
      if (!ts.elem) sm_.error(ts.loc, "function without return type: expected a type");
      SymType* f = make(TypeKind::Function, "function");
      f->complete = false;
      f->size = bv(1);
      f->elem = resolve(*ts.elem);
      return f;
    }
  }
  sm_.error(ts.loc, "unsupported type: expected a C type");
}

SymType* SymLayout::record_slot(const ast::RecordDecl& rd) {
  SymType* t = nullptr;
  if (rd.tag.empty()) {
    auto it = anon_.find(&rd);
    if (it != anon_.end()) return it->second;
    t = make(TypeKind::Record, rd.is_union ? "union <anonymous>" : "struct <anonymous>");
    t->is_union = rd.is_union;
    t->complete = false;
    anon_[&rd] = t;
  } else {
    std::string key = record_key(rd.is_union, rd.tag);
    auto it = tags_.find(key);
    if (it != tags_.end()) {
      t = it->second;
      if (!rd.complete || t->decl == &rd) return t;
      if (laying_out_.count(t))
        sm_.error(rd.loc, fmt::format("'{}' contains itself: expected a pointer", key));
      if (t->complete) {
        // A second definition under another top-level #if branch (struct ptdesc with
        // and without CONFIG_PTDESC_RFC; an arch's own definition under its
        // CONFIG_X86_64 or CONFIG_ARM64, as the kernel's asm/ headers give one
        // each): lay it out on its own and keep both, each member present only
        // under its definition's condition. The branches must exclude each other
        // in every config this arch can build (its Kconfig rules: on x86_64,
        // CONFIG_ARM64 is n).
        auto u = def_under_.find(t);
        ::z3::expr first = u != def_under_.end() ? u->second : ctx_.bool_val(true);
        ::z3::expr second = under_;
        ::z3::expr overlap_possible = first && second;
        ::z3::solver s(ctx_);
        s.add(overlap_possible && kconfig_axioms());
        if (s.check() != ::z3::unsat)
          sm_.error(rd.loc, fmt::format("redefinition of '{}' (first at {}): expected the definitions under "
                                        "mutually exclusive #if branches",
                                        key, sm_.where(t->decl ? t->decl->loc : rd.loc)));
        SymType alt(ctx_);
        alt.kind = TypeKind::Record;
        alt.is_union = rd.is_union;
        alt.tag = rd.tag;
        alt.name = key;
        define_record(&alt, rd);
        for (auto& f : t->fields) f.present = (f.present && first).simplify();
        for (auto& f : alt.fields) {
          f.present = (f.present && second).simplify();
          t->fields.push_back(f);
        }
        t->size = ::z3::ite(second, alt.size, t->size).simplify();
        t->align = ::z3::ite(second, alt.align, t->align).simplify();
        def_under_.insert_or_assign(t, first || second);
        return t;
      }
    } else {
      t = make(TypeKind::Record, key);
      t->is_union = rd.is_union;
      t->complete = false;
      t->tag = rd.tag;
      tags_[key] = t;
    }
  }
  if (rd.complete) {
    define_record(t, rd);
    if (!rd.tag.empty()) def_under_.insert_or_assign(t, under_);
  }
  return t;
}

void SymLayout::define_record(SymType* t, const ast::RecordDecl& rd) {
  if (laying_out_.count(t)) sm_.error(rd.loc, fmt::format("'{}' contains itself: expected a pointer", t->name));
  laying_out_.insert(t);
  t->decl = &rd;
  t->fields.clear();
  sema::rules::RecordLayout<Z3Domain> lay(dom_, rd.is_union, rd.packed);  // sema/layout_rules.h
  for (const ast::FieldDecl& f : rd.fields) {
    ::z3::expr p = cond(f.cond.get());
    const SymType* ft = resolve(*f.type);
    if (!ft->complete) {
      // TypeEnv rejects the configs where a member of incomplete type is present
      // (e.g. powerpc's mm_context on another arch with CONFIG_PPC64 forced on):
      // exclude them here too, and lay the member out as absent.
      invalid_.push_back((under_ && p).simplify());
      p = ctx_.bool_val(false);
    }
    ::z3::expr off = lay.place(p, ft->size, ft->align);
    t->fields.push_back(SymField{f.name, ft, off.simplify(), p.simplify(), &f});
  }
  if (rd.align_expr) {
    auto v = eval_(*rd.align_expr, nullptr, 0);
    if (!v) sm_.error(rd.align_expr->loc, "expected an integer constant expression");
    lay.raise_align(v->v);
  } else if (rd.align_attr) {
    lay.raise_align(bv(rd.align_attr));
  }
  t->align = lay.align().simplify();
  t->size = lay.size().simplify();
  t->complete = true;
  laying_out_.erase(t);
}

void SymLayout::add_unit(const ast::TranslationUnit& tu) { add_decls(tu.decls, ctx_.bool_val(true)); }

void SymLayout::add_decls(const std::vector<ast::Decl>& decls, const ::z3::expr& under) {
  for (const ast::Decl& d : decls) {
    switch (d.kind) {
      case ast::Decl::Record:
        if (d.record) record_slot(*d.record);
        break;
      case ast::Decl::Enum:
        if (d.enum_def) {
          int64_t next = 0;
          for (const auto& it : d.enum_def->items) {
            int64_t v = next;
            if (it.value) {
              auto sv = eval_(*it.value, nullptr, 0);
              ::z3::expr s = sv ? sv->v.simplify() : bv(0);
              if (!sv || !s.is_numeral()) sm_.error(it.loc, "enumerator value must not depend on the config (Z3 encoder)");
              v = static_cast<int64_t>(s.get_numeral_uint64());
            }
            enums_[it.name] = v;
            next = v + 1;
          }
        }
        break;
      case ast::Decl::Typedef: {
        const ast::Typedef& td = *d.typedef_;
        const SymType* t = resolve(*td.type);
        auto it = typedefs_.find(td.name);
        if (it != typedefs_.end() && it->second != t) {
          // TypeEnv rejects the configs that see both definitions; here the first one
          // stays and those configs are excluded (axioms()), e.g. the parse-only
          // names of a parse-only typedef block.
          if (under_.is_true())
            sm_.error(td.loc, fmt::format("conflicting typedef '{}': expected the same type as before", td.name));
          invalid_.push_back(under_);
          break;
        }
        if (t->kind == TypeKind::Record && t->tag.empty()) const_cast<SymType*>(t)->name = td.name;
        typedefs_[td.name] = t;
        break;
      }
      case ast::Decl::Macro:
        macros_[d.macro->name].emplace_back(under, d.macro.get());
        break;
      case ast::Decl::IfConfig: {
        ::z3::expr c = cond(d.cond.get());
        ::z3::expr saved = under_;
        under_ = (under && c).simplify();
        add_decls(d.then_decls, under_);
        under_ = (under && !c).simplify();
        add_decls(d.else_decls, under_);
        under_ = saved;
        break;
      }
      default:
        break;
    }
  }
}

const SymType* SymLayout::record(const std::string& tag) const {
  for (bool u : {false, true}) {
    auto it = tags_.find(record_key(u, tag));
    if (it != tags_.end()) return it->second;
  }
  auto td = typedefs_.find(tag);
  if (td != typedefs_.end() && td->second->kind == TypeKind::Record) return td->second;
  return nullptr;
}

std::vector<std::string> SymLayout::record_tags() const {
  std::vector<std::string> out;
  for (const auto& [k, t] : tags_)
    if (t->complete) out.push_back(t->tag);
  return out;
}

// ---- members ----------------------------------------------------------------------

std::vector<SymMember::Candidate> SymLayout::find(const SymType* rec, const std::string& name) const {
  std::vector<SymMember::Candidate> raw;
  for (const SymField& f : rec->fields) {
    if (f.name == name) {
      raw.push_back({f.present, f.offset, f.type});
    } else if (f.name.empty() && f.type->kind == TypeKind::Record) {
      for (const auto& c : find(f.type, name)) raw.push_back({f.present && c.present, f.offset + c.offset, c.type});
    }
  }
  // TypeEnv::member takes the first present declaration.
  std::vector<SymMember::Candidate> out;
  ::z3::expr earlier = ctx_.bool_val(false);
  for (const auto& c : raw) {
    out.push_back({(c.present && !earlier).simplify(), c.offset, c.type});
    earlier = earlier || c.present;
  }
  return out;
}

std::optional<SymMember> SymLayout::member(const SymType* rec, const std::string& path) const {
  if (!rec) return std::nullopt;
  std::vector<SymMember::Candidate> cur{{ctx_.bool_val(true), bv(0), rec}};
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find_first_of(".[", i);
    std::string name = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!name.empty()) {
      std::vector<SymMember::Candidate> next;
      for (const auto& c : cur) {
        if (c.type->kind != TypeKind::Record) continue;
        for (const auto& x : find(c.type, name)) next.push_back({c.present && x.present, c.offset + x.offset, x.type});
      }
      cur = std::move(next);
    }
    if (j == std::string::npos) break;
    if (path[j] == '[') {
      size_t k = path.find(']', j);
      if (k == std::string::npos) return std::nullopt;
      uint64_t idx = 0;
      for (size_t p = j + 1; p < k; ++p) {
        if (path[p] < '0' || path[p] > '9') return std::nullopt;
        idx = idx * 10 + static_cast<uint64_t>(path[p] - '0');
      }
      std::vector<SymMember::Candidate> next;
      for (const auto& c : cur) {
        if (c.type->kind != TypeKind::Array) continue;
        next.push_back({c.present && ::z3::ult(bv(idx), c.type->count), c.offset + bv(idx) * c.type->elem->size,
                        c.type->elem});
      }
      cur = std::move(next);
      i = k + 1;
      if (i < path.size() && path[i] == '.') ++i;
    } else {
      i = j + 1;
    }
    if (cur.empty()) return std::nullopt;
  }
  if (cur.empty()) return std::nullopt;
  ::z3::expr present = ctx_.bool_val(false);
  ::z3::expr offset = cur.back().offset, size = cur.back().type->size;
  for (size_t k = cur.size(); k-- > 0;) {
    present = present || cur[k].present;
    if (k + 1 < cur.size()) {
      offset = ::z3::ite(cur[k].present, cur[k].offset, offset);
      size = ::z3::ite(cur[k].present, cur[k].type->size, size);
    }
  }
  for (auto& c : cur) {
    c.present = c.present.simplify();
    c.offset = c.offset.simplify();
  }
  return SymMember{cur, present.simplify(), offset.simplify(), size.simplify()};
}

std::vector<std::string> SymLayout::leaf_paths(const SymType* rec) const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto walk = [&](auto&& self, const SymType* t, const std::string& prefix) -> void {
    for (const SymField& f : t->fields) {
      if (f.type->kind == TypeKind::Record && !f.type->fields.empty()) {
        self(self, f.type, f.name.empty() ? prefix : prefix + f.name + ".");
      } else if (!f.name.empty() && seen.insert(prefix + f.name).second) {
        out.push_back(prefix + f.name);
      }
    }
  };
  if (rec && rec->kind == TypeKind::Record) walk(walk, rec, "");
  return out;
}

// ---- constant expressions ---------------------------------------------------------

SymLayout::Val SymLayout::eval(const ast::Expr& e) {
  auto v = eval_(e, nullptr, 0);
  if (!v) sm_.error(e.loc, "expected an integer constant expression");
  return *v;
}

std::optional<SymLayout::Val> SymLayout::eval_(const ast::Expr& e, const std::map<std::string, Val>* params,
                                               int depth) {
  // The walk and the names are this engine's (macros defined under #if merge
  // into ite terms); the arithmetic is C's, from sema/layout_rules.h, as in
  // sema/const_eval.cpp.
  namespace R = sema::rules;
  using K = ast::Expr;
  if (depth > 400) return std::nullopt;
  const unsigned isz = arch_.abi.size_int, lsz = arch_.abi.size_long;
  auto sub = [&](const ast::ExprPtr& x) -> std::optional<Val> {
    if (!x) return std::nullopt;
    return eval_(*x, params, depth + 1);
  };
  auto b01 = [&](const ::z3::expr& c) { return Val{::z3::ite(c, bv(1), bv(0)), isz, false}; };
  // One value from definitions that hold under different conditions: the
  // wider type when they differ (a macro defined as 1 and as 1UL).
  auto merge = [&](const ::z3::expr& c, const Val& x, const Val& y) {
    unsigned size = std::max(x.size, y.size);
    bool u = x.uns || y.uns;
    return Val{::z3::ite(c, R::norm(dom_, x.v, size, u), R::norm(dom_, y.v, size, u)), size, u};
  };
  switch (e.kind) {
    case K::IntLit: {
      R::LitType lt = R::literal_type(e.value, e.is_unsigned, e.is_long, isz, lsz);
      return R::make_int(dom_, bv(e.value), lt.size, lt.uns);
    }
    case K::CharLit:
      return Val{R::norm(dom_, bv(e.value), 1, false), isz, false};
    case K::Ident: {
      if (params) {
        auto it = params->find(e.name);
        if (it != params->end()) return it->second;
      }
      auto en = enums_.find(e.name);
      if (en != enums_.end()) return Val{bv(static_cast<uint64_t>(en->second)), isz, false};
      auto m = macros_.find(e.name);
      if (m != macros_.end() && !expanding_.count(e.name)) {
        expanding_.insert(e.name);
        std::optional<Val> r;
        for (size_t k = m->second.size(); k-- > 0;) {
          const auto& [c, def] = m->second[k];
          if (def->function_like || !def->body) continue;
          auto v = eval_(*def->body, nullptr, depth + 1);
          if (!v) {
            r.reset();
            break;
          }
          r = r ? merge(c, *v, *r) : *v;
        }
        expanding_.erase(e.name);
        if (r) return r;
        return std::nullopt;
      }
      if (e.name == "true" || e.name == "false") return Val{bv(e.name == "true"), isz, false};
      if (auto ac = sema::arch_constant(arch_, e.name)) return Val{bv(*ac), 8, true};
      return std::nullopt;
    }
    case K::ConfigRef:
      return b01(sym(e.name));
    case K::Unary: {
      auto a = sub(e.a);
      if (!a) return std::nullopt;
      return R::unary(dom_, e.op, *a, isz);
    }
    case K::Binary: {
      auto a = sub(e.a);
      auto b = sub(e.b);
      if (!a || !b) return std::nullopt;
      const std::string& op = e.op;
      if (op == "&&") return b01(a->v != bv(0) && b->v != bv(0));
      if (op == "||") return b01(a->v != bv(0) || b->v != bv(0));
      if (op == ",") return b;
      return R::binary(dom_, op, *a, *b, isz);
    }
    case K::Ternary: {
      auto c = sub(e.a);
      auto x = sub(e.b);
      auto y = sub(e.c);
      if (!c || !x || !y) return std::nullopt;
      return merge(c->v != bv(0), *x, *y);
    }
    case K::Cast: {
      auto a = sub(e.a);
      if (!a || !e.type) return std::nullopt;
      const SymType* t = resolve(*e.type);
      if (t->kind == TypeKind::Bool) return R::convert(dom_, *a, 1, true, true);
      if (t->kind == TypeKind::Int) {
        unsigned size = static_cast<unsigned>(t->size.simplify().get_numeral_uint64());
        return R::convert(dom_, *a, size, !t->is_signed);
      }
      if (t->kind == TypeKind::Pointer) return R::convert(dom_, *a, arch_.abi.size_pointer, true);
      return std::nullopt;
    }
    case K::SizeofType: {
      if (!e.type) return std::nullopt;
      const SymType* t = resolve(*e.type);
      if (!t->complete && t->kind != TypeKind::Void) return std::nullopt;
      return Val{t->size, lsz, true};
    }
    case K::AlignofType: {
      if (!e.type) return std::nullopt;
      const SymType* t = resolve(*e.type);
      if (!t->complete) return std::nullopt;
      return Val{t->align, lsz, true};
    }
    case K::Offsetof: {
      if (!e.type) return std::nullopt;
      const SymType* t = resolve(*e.type);
      auto m = member(t, e.name);
      if (!m) return std::nullopt;
      return Val{m->offset, lsz, true};
    }
    case K::Call: {
      if (!e.a || e.a->kind != K::Ident) return std::nullopt;
      auto m = macros_.find(e.a->name);
      if (m == macros_.end() || expanding_.count(e.a->name)) return std::nullopt;
      std::map<std::string, Val> ps;
      std::optional<Val> r;
      expanding_.insert(e.a->name);
      for (size_t k = m->second.size(); k-- > 0;) {
        const auto& [c, def] = m->second[k];
        if (!def->function_like || def->params.size() != e.args.size() || !def->body) continue;
        ps.clear();
        bool ok = true;
        for (size_t i = 0; i < e.args.size() && ok; ++i) {
          auto v = sub(e.args[i]);
          if (!v) ok = false;
          else ps.emplace(def->params[i], *v);
        }
        auto v = ok ? eval_(*def->body, &ps, depth + 1) : std::nullopt;
        if (!v) {
          r.reset();
          break;
        }
        r = r ? merge(c, *v, *r) : *v;
      }
      expanding_.erase(e.a->name);
      return r;
    }
    default:
      return std::nullopt;
  }
}

// ---- concrete evaluation ----------------------------------------------------------

namespace {
::z3::expr substitute_all(::z3::context& ctx, const ::z3::expr& e, const std::map<std::string, bool>& values,
                        const std::set<std::string>& symbols) {
  ::z3::expr_vector src(ctx), dst(ctx);
  for (const auto& s : symbols) {
    src.push_back(ctx.bool_const(s.c_str()));
    auto it = values.find(s);
    dst.push_back(ctx.bool_val(it != values.end() && it->second));
  }
  ::z3::expr copy = e;
  return copy.substitute(src, dst).simplify();
}
}  // namespace

uint64_t eval_under(::z3::context& ctx, const ::z3::expr& e, const std::map<std::string, bool>& values,
                    const std::set<std::string>& symbols) {
  ::z3::expr r = substitute_all(ctx, e, values, symbols);
  if (!r.is_numeral()) throw std::runtime_error("symbolic term did not reduce to a number: " + r.to_string());
  return r.get_numeral_uint64();
}

bool eval_bool_under(::z3::context& ctx, const ::z3::expr& e, const std::map<std::string, bool>& values,
                     const std::set<std::string>& symbols) {
  ::z3::expr r = substitute_all(ctx, e, values, symbols);
  if (r.is_true()) return true;
  if (r.is_false()) return false;
  throw std::runtime_error("symbolic condition did not reduce to true/false: " + r.to_string());
}

}  // namespace ptcheck::z3
