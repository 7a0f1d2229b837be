#pragma once
// Symbolic C layouts: the struct and union declarations of the model encoded into
// Z3 for one arch, with every Kconfig symbol of an #if (and of IS_ENABLED() in a
// constant expression) as a free boolean and the arch's ABI as constants.
//
// Sizes, alignments and offsets are 64-bit bit-vector terms over those booleans;
// a member's presence is a boolean term. The layout and constant-arithmetic
// rules are sema/layout_rules.h's, the same templates sema::TypeEnv runs on
// integers (Z3Domain below is their bit-vector domain): members in order, each
// aligned to its type's alignment (1 when packed), unions at offset 0,
// __aligned(N) and __aligned(expr) raising the record's alignment, trailing
// padding to the alignment, C's integer promotions and conversions; anonymous
// members visible in their parent, arrays of symbolic length. At every concrete
// config the terms evaluate to TypeEnv's numbers (tests/unit/z3 checks this).
//
// A record defined under mutually exclusive top-level #if branches (struct ptdesc
// with and without CONFIG_PTDESC_RFC) keeps every definition's members, each
// present only under its branch; size and alignment select by branch.
// A typedef redefined as another type under an #if keeps its first type; the
// configs that would see both (rejected by TypeEnv) are excluded by axioms().
#include <z3++.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/ast.h"
#include "sema/layout_rules.h"
#include "sema/types.h"

namespace ptcheck::z3 {

// sema/layout_rules.h's number domain for Z3: 64-bit bit-vector terms, boolean
// terms for conditions.
struct Z3Domain {
  using Num = ::z3::expr;
  using Bool = ::z3::expr;
  ::z3::context& c;
  Num lit(uint64_t v) const { return c.bv_val(v, 64); }
  Num add(const Num& a, const Num& b) const { return a + b; }
  Num sub(const Num& a, const Num& b) const { return a - b; }
  Num mul(const Num& a, const Num& b) const { return a * b; }
  Num neg(const Num& a) const { return -a; }
  Num band(const Num& a, const Num& b) const { return a & b; }
  Num bor(const Num& a, const Num& b) const { return a | b; }
  Num bxor(const Num& a, const Num& b) const { return a ^ b; }
  Num bnot(const Num& a) const { return ~a; }
  Num shl(const Num& a, const Num& n) const { return ::z3::shl(a, n); }
  Num lshr(const Num& a, const Num& n) const { return ::z3::lshr(a, n); }
  Num ashr(const Num& a, const Num& n) const { return ::z3::ashr(a, n); }
  Num udiv(const Num& a, const Num& b) const { return ::z3::udiv(a, b); }
  Num urem(const Num& a, const Num& b) const { return ::z3::urem(a, b); }
  Num sdiv(const Num& a, const Num& b) const { return a / b; }  // bvsdiv
  Num srem(const Num& a, const Num& b) const { return ::z3::srem(a, b); }
  Bool eq(const Num& a, const Num& b) const { return a == b; }
  Bool ult(const Num& a, const Num& b) const { return ::z3::ult(a, b); }
  Bool slt(const Num& a, const Num& b) const { return a < b; }  // signed for bit-vectors
  Num select(const Bool& p, const Num& a, const Num& b) const { return ::z3::ite(p, a, b); }
  Num umax(const Num& a, const Num& b) const { return ::z3::ite(::z3::ugt(a, b), a, b); }
  Bool nonzero(const Num& a) const { return a != lit(0); }
  Num to01(const Bool& p) const { return ::z3::ite(p, lit(1), lit(0)); }
  std::optional<uint64_t> known(const Num& a) const {
    ::z3::expr s = a.simplify();
    if (!s.is_numeral()) return std::nullopt;
    return s.get_numeral_uint64();
  }
  Num zext(const Num& a, unsigned bits) const { return ::z3::zext(a.extract(bits - 1, 0), 64 - bits); }
  Num sext(const Num& a, unsigned bits) const { return ::z3::sext(a.extract(bits - 1, 0), 64 - bits); }
};

struct SymType;

struct SymField {
  std::string name;  // "" for an anonymous struct/union member
  const SymType* type = nullptr;
  ::z3::expr offset;   // bv64, from the start of the enclosing record
  ::z3::expr present;  // bool: the conjunction of the member's #if lines
  const ast::FieldDecl* decl = nullptr;
};

struct SymType {
  explicit SymType(::z3::context& c) : size(c.bv_val(0, 64)), align(c.bv_val(1, 64)), count(c.bv_val(0, 64)) {}
  sema::TypeKind kind = sema::TypeKind::Void;
  std::string name, tag;
  bool is_union = false, complete = true, is_signed = false;
  ::z3::expr size, align;          // bv64
  const SymType* elem = nullptr; // pointee, array element, function return
  ::z3::expr count;                // Array: bv64 element count
  std::vector<SymField> fields;  // Record: every declared member (present or not)
  const ast::RecordDecl* decl = nullptr;
};

// A member path resolved symbolically. When the same name is declared under
// mutually exclusive #if branches (ptdesc.ptl), each declaration is a candidate;
// as in TypeEnv::member the first present one wins.
struct SymMember {
  struct Candidate {
    ::z3::expr present, offset;
    const SymType* type;
  };
  std::vector<Candidate> candidates;  // at least one
  ::z3::expr present, offset, size;     // merged over the candidates (bool, bv64, bv64)
};

class SymLayout {
 public:
  SymLayout(::z3::context& ctx, const ArchInfo& arch, SourceManager& sm);
  SymLayout(const SymLayout&) = delete;
  SymLayout& operator=(const SymLayout&) = delete;

  // Records, typedefs, enums and macros of a unit, top-level #if taken both ways.
  void add_unit(const ast::TranslationUnit& tu);

  ::z3::context& ctx() const { return ctx_; }
  const ArchInfo& arch() const { return arch_; }

  const SymType* record(const std::string& tag) const;  // struct/union tag or typedef of one
  std::vector<std::string> record_tags() const;         // complete named records
  // nullopt: no member of that path under any config.
  std::optional<SymMember> member(const SymType* rec, const std::string& path) const;
  // Every leaf member path of a record (anonymous members flattened; named
  // struct/union members recursed into; arrays are leaves), in declaration order.
  std::vector<std::string> leaf_paths(const SymType* rec) const;

  // The boolean for a Kconfig symbol ("CONFIG_MEMCG"), created on first use.
  ::z3::expr sym(const std::string& name);
  const std::set<std::string>& symbols() const { return symbols_; }
  ::z3::expr cond(const ast::Cond* c);  // nullptr is true

  // Facts every config satisfies: the arch's Kconfig rules (arch/Kconfig.toml:
  // depends, selects, what the arch always and never has); ALLOC_SPLIT_PTLOCKS
  // == sizeof(spinlock_t) > sizeof(long) (include/linux/mm_types_task.h), when
  // the model has spinlock_t; no conflicting typedef is active.
  ::z3::expr axioms();
  // The arch's Kconfig rules alone (the first part of axioms()).
  ::z3::expr kconfig_axioms();

  // A symbolic integer constant expression: its bv64 value (extended from
  // its C type's width), the type's size and signedness.
  using Val = sema::rules::CInt<Z3Domain>;
  Val eval(const ast::Expr& e);

 private:
  SymType* make(sema::TypeKind k, const std::string& name);
  const SymType* resolve(const ast::TypeSpec& ts);
  const SymType* named(const std::string& name, SourceLoc loc);
  SymType* record_slot(const ast::RecordDecl& rd);
  void define_record(SymType* t, const ast::RecordDecl& rd);
  const SymType* pointer_to(const SymType* t);
  const SymType* array_of(const SymType* el, const ::z3::expr& n);
  void add_decls(const std::vector<ast::Decl>& decls, const ::z3::expr& under);
  std::optional<Val> eval_(const ast::Expr& e, const std::map<std::string, Val>* params, int depth);
  std::vector<SymMember::Candidate> find(const SymType* rec, const std::string& name) const;
  ::z3::expr bv(uint64_t v) const { return ctx_.bv_val(v, 64); }
  ::z3::expr kexpr(const KExpr& e);

  ::z3::context& ctx_;
  Z3Domain dom_;
  ArchInfo arch_;
  SourceManager& sm_;
  std::vector<std::unique_ptr<SymType>> types_;
  std::map<std::string, const SymType*> builtin_;
  std::map<const SymType*, const SymType*> pointers_;
  std::map<std::string, SymType*> tags_;  // "struct page"
  std::map<const ast::RecordDecl*, SymType*> anon_;
  std::map<std::string, const SymType*> typedefs_;
  std::map<std::string, std::vector<std::pair<::z3::expr, const ast::MacroDef*>>> macros_;
  std::map<std::string, int64_t> enums_;
  std::set<std::string> expanding_;
  std::set<const SymType*> laying_out_;
  std::set<std::string> symbols_;
  std::map<std::string, ::z3::expr> sym_exprs_;
  ::z3::expr under_;                               // the enclosing top-level #if conditions
  std::map<const SymType*, ::z3::expr> def_under_;  // where a named record's definition(s) apply
  std::vector<::z3::expr> invalid_;                 // configs where the model does not compile
};

// Value of a bv64 term under a concrete assignment (symbols not listed are n).
uint64_t eval_under(::z3::context& ctx, const ::z3::expr& e, const std::map<std::string, bool>& values,
                    const std::set<std::string>& symbols);
bool eval_bool_under(::z3::context& ctx, const ::z3::expr& e, const std::map<std::string, bool>& values,
                     const std::set<std::string>& symbols);

}  // namespace ptcheck::z3
