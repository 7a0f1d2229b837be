// Types, typedefs, enums, macros and C struct layouts for one (arch, Config).
#include "sema/type_env.h"

#include <fmt/format.h>

namespace ptcheck::sema {

namespace {
std::string record_key(bool is_union, const std::string& tag) {
  return (is_union ? "union " : "struct ") + tag;
}
}  // namespace

TypeEnv::TypeEnv(const ArchInfo& arch, const Config& cfg, SourceManager& sm)
    : arch_(arch), cfg_(cfg), sm_(sm) {
  const Abi& a = arch.abi;
  Type v;
  v.kind = TypeKind::Void;
  v.complete = false;
  v.size = 1;  // GNU C: sizeof(void) == 1, used for void * arithmetic
  v.name = "void";
  void_ = make(v);
  Type b;
  b.kind = TypeKind::Bool;
  b.size = 1;
  b.align = a.align_bool;
  b.name = "_Bool";
  bool_ = make(b);
  builtin_["void"] = void_;
  builtin_["_Bool"] = bool_;
  auto add = [&](const char* name, unsigned size, unsigned align, bool sign) {
    Type t;
    t.kind = TypeKind::Int;
    t.size = size;
    t.align = align;
    t.is_signed = sign;
    t.name = name;
    builtin_[name] = make(t);
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
  for (const char* n : {"int", "long", "long long", "short", "char"}) {
    for (bool s : {true, false}) {
      std::string name = s ? std::string(n) : std::string("unsigned ") + n;
      const Type* t = builtin_.at(name);
      ints_.emplace(std::make_pair(static_cast<unsigned>(t->size), s), t);
    }
  }
}


Type* TypeEnv::make(Type t) {
  types_.push_back(std::make_unique<Type>(std::move(t)));
  return types_.back().get();
}

const Type* TypeEnv::int_type(unsigned size, bool is_signed) {
  auto it = ints_.find({size, is_signed});
  if (it != ints_.end()) return it->second;
  Type t;
  t.kind = TypeKind::Int;
  t.size = t.align = size;
  t.is_signed = is_signed;
  t.name = fmt::format("{}int{}_t", is_signed ? "" : "u", size * 8);
  const Type* r = make(t);
  ints_[{size, is_signed}] = r;
  return r;
}

const Type* TypeEnv::pointer_to(const Type* t) {
  auto it = pointers_.find(t);
  if (it != pointers_.end()) return it->second;
  Type p;
  p.kind = TypeKind::Pointer;
  p.size = abi().size_pointer;
  p.align = abi().align_pointer;
  p.elem = t;
  p.name = t->name + (t->kind == TypeKind::Pointer ? "*" : " *");
  const Type* r = make(p);
  pointers_[t] = r;
  return r;
}

const Type* TypeEnv::array_of(const Type* t, uint64_t n) {
  auto it = arrays_.find({t, n});
  if (it != arrays_.end()) return it->second;
  Type a;
  a.kind = TypeKind::Array;
  a.elem = t;
  a.count = n;
  a.size = t->size * n;
  a.align = t->align;
  a.name = fmt::format("{}[{}]", t->name, n);
  const Type* r = make(a);
  arrays_[{t, n}] = r;
  return r;
}

const Type* TypeEnv::function_type(const Type* ret, std::vector<const Type*> params, bool variadic) {
  Type f;
  f.kind = TypeKind::Function;
  f.complete = false;
  f.size = 1;
  f.elem = ret;
  f.params = std::move(params);
  f.variadic = variadic;
  std::string ps;
  for (size_t i = 0; i < f.params.size(); ++i) ps += (i ? ", " : "") + f.params[i]->name;
  if (variadic) ps += f.params.empty() ? "..." : ", ...";
  f.name = fmt::format("{} ({})", ret->name, ps.empty() ? "void" : ps);
  return make(std::move(f));
}

const Type* TypeEnv::record(const std::string& tag) const {
  for (bool u : {false, true}) {
    auto it = tags_.find(record_key(u, tag));
    if (it != tags_.end()) return it->second;
  }
  return nullptr;
}

const Type* TypeEnv::typedef_type(const std::string& name) const {
  auto it = typedefs_.find(name);
  return it == typedefs_.end() ? nullptr : it->second;
}

const ast::MacroDef* TypeEnv::macro(const std::string& name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : it->second;
}

std::optional<int64_t> TypeEnv::enum_value(const std::string& name) const {
  auto it = enums_.find(name);
  if (it == enums_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> arch_constant(const ArchInfo& arch, const std::string& name) {
  auto it = arch.constants.find(name);
  if (it != arch.constants.end()) return it->second;
  if (name == "POISON_POINTER_DELTA") return arch.poison_pointer_delta;
  if (name == "PAGE_SIZE") return arch.map.page_size;
  if (name == "PAGE_SHIFT") {
    uint64_t s = 0;
    while (s < 63 && (uint64_t{1} << s) < arch.map.page_size) ++s;
    return s;
  }
  if (name == "BITS_PER_LONG") return uint64_t{arch.abi.size_long} * 8;
  return std::nullopt;
}

std::optional<uint64_t> TypeEnv::arch_constant(const std::string& name) const {
  return sema::arch_constant(arch_, name);
}

// ---- records ---------------------------------------------------------------------

Type* TypeEnv::record_slot(const ast::RecordDecl& rd, SourceLoc use_loc) {
  Type* t = nullptr;
  if (rd.tag.empty()) {
    auto it = anon_.find(&rd);
    if (it != anon_.end()) return it->second;
    Type n;
    n.kind = TypeKind::Record;
    n.is_union = rd.is_union;
    n.complete = false;
    n.name = rd.is_union ? "union <anonymous>" : "struct <anonymous>";
    t = make(n);
    anon_[&rd] = t;
  } else {
    std::string key = record_key(rd.is_union, rd.tag);
    auto it = tags_.find(key);
    if (it != tags_.end()) {
      t = it->second;
      if (!rd.complete || t->decl == &rd) return t;
      if (t->complete || laying_out_.count(t))
        sm_.error(rd.loc, fmt::format("redefinition of '{}': expected one definition (first at {})", key,
                                      sm_.where(t->decl ? t->decl->loc : use_loc)));
    } else {
      Type n;
      n.kind = TypeKind::Record;
      n.is_union = rd.is_union;
      n.complete = false;
      n.tag = rd.tag;
      n.name = key;
      t = make(n);
      tags_[key] = t;
    }
  }
  if (rd.complete) define_record(t, rd);
  return t;
}

void TypeEnv::define_record(Type* t, const ast::RecordDecl& rd) {
  if (laying_out_.count(t)) sm_.error(rd.loc, fmt::format("'{}' contains itself: expected a pointer", t->name));
  laying_out_.insert(t);
  t->decl = &rd;
  t->fields.clear();
  // The rules are sema/layout_rules.h's, shared with the Z3 layouts; absent
  // members are skipped here (their types need not even resolve).
  const rules::IntDomain d;
  rules::RecordLayout<rules::IntDomain> lay(d, rd.is_union, rd.packed);
  for (const ast::FieldDecl& f : rd.fields) {
    if (!eval_cond(f.cond.get(), cfg_)) continue;
    const Type* ft = resolve(*f.type);
    if (!ft->complete)
      sm_.error(f.loc, fmt::format("member '{}' has incomplete type '{}': expected a complete type",
                                   f.name.empty() ? "<anonymous>" : f.name, ft->name));
    uint64_t off = lay.place(true, ft->size, ft->align);
    t->fields.push_back(Field{f.name, ft, off, f.loc, &f});
  }
  if (rd.align_expr) {
    int64_t v = eval_const(*rd.align_expr);
    if (v <= 0 || (v & (v - 1)) != 0)
      sm_.error(rd.align_expr->loc, fmt::format("alignment {} is not a power of two: expected 1, 2, 4, 8, ...", v));
    lay.raise_align(static_cast<uint64_t>(v));
  } else if (rd.align_attr) {
    if ((rd.align_attr & (rd.align_attr - 1)) != 0)
      sm_.error(rd.loc, fmt::format("alignment {} is not a power of two: expected 1, 2, 4, 8, ...", rd.align_attr));
    lay.raise_align(rd.align_attr);
  }
  t->align = lay.align();
  t->size = lay.size();
  t->complete = true;
  laying_out_.erase(t);
}

std::map<std::string, const Type*> TypeEnv::type_arguments(const ast::MacroDef& m, const ast::Expr& call) {
  std::map<std::string, const Type*> out;
  for (size_t i = 0; i < m.params.size() && i < call.args.size(); ++i) {
    bool want = i < m.type_params.size() && m.type_params[i];
    const ast::Expr& a = *call.args[i];
    if (want && a.kind != ast::Expr::TypeName)
      sm_.error(a.loc, fmt::format("macro '{}': argument {} must be a type name", m.name, i + 1));
    // Any type argument names its type in the body (sizeof(t) of a parameter
    // the body also reads as an expression).
    if (a.kind == ast::Expr::TypeName) out[m.params[i]] = resolve(*a.type);
  }
  return out;
}

const Type* TypeEnv::type_param(const std::string& name) const {
  for (auto it = type_params_.rbegin(); it != type_params_.rend(); ++it)
    if (auto p = it->find(name); p != it->end()) return p->second;
  return nullptr;
}

const Type* TypeEnv::named(const std::string& name, SourceLoc loc) {
  // A macro's type parameter, while its body is compiled or evaluated.
  for (auto it = type_params_.rbegin(); it != type_params_.rend(); ++it)
    if (auto p = it->find(name); p != it->end()) return p->second;
  auto b = builtin_.find(name);
  if (b != builtin_.end()) return b->second;
  auto t = typedefs_.find(name);
  if (t != typedefs_.end()) return t->second;
  sm_.error(loc, fmt::format("unknown type name '{}': expected a type", name));
}

const Type* TypeEnv::resolve(const ast::TypeSpec& ts) {
  switch (ts.kind) {
    case ast::TypeSpec::Named:
      return named(ts.name, ts.loc);
    case ast::TypeSpec::Struct:
    case ast::TypeSpec::Union: {
      bool u = ts.kind == ast::TypeSpec::Union;
      if (ts.record) return record_slot(*ts.record, ts.loc);
      std::string key = record_key(u, ts.name);
      auto it = tags_.find(key);
      if (it != tags_.end()) return it->second;
      Type n;  // implicit forward declaration, as in C
      n.kind = TypeKind::Record;
      n.is_union = u;
      n.complete = false;
      n.tag = ts.name;
      n.name = key;
      Type* t = make(n);
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
      const Type* el = resolve(*ts.elem);
      if (!el->complete)
        sm_.error(ts.loc, fmt::format("array of incomplete type '{}': expected a complete element type", el->name));
      int64_t n = ts.array_size ? eval_const(*ts.array_size) : 0;
      if (n < 0) sm_.error(ts.array_size->loc, "negative array size: expected a size >= 0");
      return array_of(el, static_cast<uint64_t>(n));
    }
    case ast::TypeSpec::Function: {
      if (!ts.elem) sm_.error(ts.loc, "function without return type: expected a type");
      const Type* ret = resolve(*ts.elem);
      std::vector<const Type*> ps;
      for (const auto& p : ts.params) {
        const Type* pt = resolve(*p);
        if (pt->kind == TypeKind::Array) pt = pointer_to(pt->elem);  // parameter adjustment
        if (pt->kind == TypeKind::Function) pt = pointer_to(pt);
        ps.push_back(pt);
      }
      return function_type(ret, std::move(ps), ts.variadic);
    }
  }
  sm_.error(ts.loc, "unsupported type: expected a C type");
}

const Type* TypeEnv::resolve_complete(const ast::TypeSpec& ts) {
  const Type* t = resolve(ts);
  if (!t->complete)
    sm_.error(ts.loc, fmt::format("incomplete type '{}': expected a complete object type", t->name));
  return t;
}

// ---- declarations ----------------------------------------------------------------

TypeEnv::~TypeEnv() = default;

void TypeEnv::add_unit(const ast::TranslationUnit& tu) {
  // A macro's value may change once later macros and enumerators are known.
  macro_values_.clear();
  add_decls(tu.decls);
  macro_values_.clear();
}

void TypeEnv::add_enum(const ast::EnumDef& ed) {
  int64_t next = 0;
  for (const auto& it : ed.items) {
    int64_t v = it.value ? eval_const(*it.value) : next;
    if (enums_.count(it.name) || macros_.count(it.name))
      sm_.error(it.loc, fmt::format("redefinition of '{}': expected a new enumerator name", it.name));
    enums_[it.name] = v;
    next = v + 1;
  }
}

void TypeEnv::add_decls(const std::vector<ast::Decl>& decls) {
  for (const ast::Decl& d : decls) {
    switch (d.kind) {
      case ast::Decl::Record:
        if (d.record) record_slot(*d.record, d.loc);
        break;
      case ast::Decl::Enum:
        if (d.enum_def) add_enum(*d.enum_def);
        break;
      case ast::Decl::Typedef: {
        const ast::Typedef& td = *d.typedef_;
        const Type* t = resolve(*td.type);
        auto it = typedefs_.find(td.name);
        if (it != typedefs_.end() && it->second != t)
          sm_.error(td.loc, fmt::format("conflicting typedef '{}': expected the same type as before ('{}')",
                                        td.name, it->second->name));
        if (t->kind == TypeKind::Record && t->tag.empty() && t->name.find("<anonymous>") != std::string::npos)
          const_cast<Type*>(t)->name = td.name;
        typedefs_[td.name] = t;
        typedef_names_.insert(td.name);
        break;
      }
      case ast::Decl::Macro: {
        const ast::MacroDef& m = *d.macro;
        if (macros_.count(m.name) || enums_.count(m.name))
          sm_.error(m.loc, fmt::format("redefinition of macro '{}': expected a new name", m.name));
        macros_[m.name] = &m;
        break;
      }
      case ast::Decl::IfConfig:
        add_decls(eval_cond(d.cond.get(), cfg_) ? d.then_decls : d.else_decls);
        break;
      case ast::Decl::Var:
      case ast::Decl::Func:
      case ast::Decl::Target:
      case ast::Decl::Import:
        code_decls_.push_back(&d);
        break;
      case ast::Decl::Property:  // layout properties: answered by checker/z3
        break;
    }
  }
}

// ---- members ---------------------------------------------------------------------

namespace {
std::optional<MemberRef> find_field(const Type* rec, const std::string& name) {
  for (const Field& f : rec->fields) {
    if (f.name == name) return MemberRef{f.offset, f.type};
    if (f.name.empty() && f.type->kind == TypeKind::Record) {
      if (auto r = find_field(f.type, name)) return MemberRef{f.offset + r->offset, r->type};
    }
  }
  return std::nullopt;
}
void walk(const Type* t, uint64_t base, const std::string& prefix, uint64_t lo, uint64_t hi,
          std::vector<std::string>& out) {
  for (const Field& f : t->fields) {
    uint64_t fo = base + f.offset, fe = fo + f.type->size;
    if (fe <= lo || fo >= hi) continue;
    if (f.type->kind == TypeKind::Record && !f.type->fields.empty()) {
      walk(f.type, fo, f.name.empty() ? prefix : prefix + f.name + ".", lo, hi, out);
    } else {
      out.push_back(prefix + f.name);
    }
  }
}
}  // namespace

std::optional<MemberRef> TypeEnv::member(const Type* rec, const std::string& path) const {
  if (!rec) return std::nullopt;
  MemberRef cur{0, rec};
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find_first_of(".[", i);
    std::string name = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!name.empty()) {
      if (cur.type->kind != TypeKind::Record) return std::nullopt;
      auto r = find_field(cur.type, name);
      if (!r) return std::nullopt;
      cur = MemberRef{cur.offset + r->offset, r->type};
    }
    if (j == std::string::npos) break;
    if (path[j] == '[') {
      size_t k = path.find(']', j);
      if (k == std::string::npos || cur.type->kind != TypeKind::Array) return std::nullopt;
      uint64_t idx = 0;
      for (size_t p = j + 1; p < k; ++p) {
        if (path[p] < '0' || path[p] > '9') return std::nullopt;
        idx = idx * 10 + static_cast<uint64_t>(path[p] - '0');
      }
      if (idx >= cur.type->count) return std::nullopt;
      cur = MemberRef{cur.offset + idx * cur.type->elem->size, cur.type->elem};
      i = k + 1;
      if (i < path.size() && path[i] == '.') ++i;
    } else {
      i = j + 1;
    }
  }
  return cur;
}

std::vector<std::string> TypeEnv::fields_at(const Type* rec, uint64_t offset, uint64_t size) const {
  std::vector<std::string> out;
  if (rec && rec->kind == TypeKind::Record) walk(rec, 0, "", offset, offset + size, out);
  return out;
}

}  // namespace ptcheck::sema
