#pragma once
// TypeEnv: the declarations of a set of model files laid out for one (arch, Config).
//
// Usage (compiler): parse files in order with frontend::parse_file(sm, id,
// &env.typedef_names()), and hand each unit to env.add_unit(tu) in the same order.
// Translation units must outlive the TypeEnv (it keeps pointers into them).
// All Type objects are owned by the env; pointers are stable for its lifetime.
// Every problem in a model file raises InputError "file:line:col: error: ...".
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/ast.h"
#include "sema/config.h"
#include "sema/layout_rules.h"
#include "sema/types.h"

namespace ptcheck::sema {

// An arch's named constants as model code sees them: arch.toml's
// [constants], POISON_POINTER_DELTA, PAGE_SIZE, PAGE_SHIFT, BITS_PER_LONG
// (shared by the concrete and the Z3 constant evaluation).
std::optional<uint64_t> arch_constant(const ArchInfo& arch, const std::string& name);

class TypeEnv {
 public:
  TypeEnv(const ArchInfo& arch, const Config& cfg, SourceManager& sm);
  ~TypeEnv();
  TypeEnv(const TypeEnv&) = delete;
  TypeEnv& operator=(const TypeEnv&) = delete;

  // Records, typedefs, enums and macros of `tu`, with top-level #if resolved under
  // the Config. Functions, globals, targets and imports go to code_decls().
  void add_unit(const ast::TranslationUnit& tu);
  // Code-level declarations (Func, Var, Target, Import) in the order seen, top-level
  // #if already resolved.
  const std::vector<const ast::Decl*>& code_decls() const { return code_decls_; }

  // The semantic type of a written type. Throws InputError on unknown names, on
  // arrays of incomplete types and on non-constant array sizes.
  const Type* resolve(const ast::TypeSpec& ts);
  // resolve() plus "must be a complete object type" (locals, globals, slab objects).
  const Type* resolve_complete(const ast::TypeSpec& ts);

  const Type* void_type() const { return void_; }
  const Type* bool_type() const { return bool_; }
  // Canonical integer type: size 1/2/4/8 (int_type(8,false) is "unsigned long" on
  // 64-bit ABIs, "unsigned long long" on 32-bit ones).
  const Type* int_type(unsigned size, bool is_signed);
  const Type* long_type(bool is_signed) { return int_type(abi().size_long, is_signed); }
  const Type* pointer_to(const Type* t);
  const Type* array_of(const Type* t, uint64_t n);
  const Type* function_type(const Type* ret, std::vector<const Type*> params, bool variadic);

  const Type* record(const std::string& tag) const;        // struct or union tag; nullptr if unknown
  const Type* typedef_type(const std::string& name) const; // nullptr if unknown
  const std::set<std::string>& typedef_names() const { return typedef_names_; }

  // Integer constant expressions: literals, enum items, object- and function-like
  // macros (cycle-guarded), arch constants (arch.constants plus PAGE_SIZE, PAGE_SHIFT,
  // BITS_PER_LONG, POISON_POINTER_DELTA), sizeof/_Alignof/offsetof of types, IS_ENABLED,
  // casts, unary/binary/ternary arithmetic with C's usual conversions. nullopt if not
  // constant (or division by zero / oversized shift).
  std::optional<int64_t> try_const(const ast::Expr& e);
  // Terms one constant evaluation may visit (macro expansions included) before
  // a located "expands to more than ..." error.
  static constexpr uint64_t kMaxEvalSteps = 1000000;
  // Same, throwing InputError "expected an integer constant expression" at e.loc.
  int64_t eval_const(const ast::Expr& e);

  const ast::MacroDef* macro(const std::string& name) const;
  // Type parameters of the macro being expanded: a type name `t` in its body
  // is the argument's type. Scopes nest (innermost last).
  void push_type_params(std::map<std::string, const Type*> params) { type_params_.push_back(std::move(params)); }
  void pop_type_params() { type_params_.pop_back(); }
  const Type* type_param(const std::string& name) const;  // nullptr unless in scope
  // The types of a macro call's type arguments (resolved here, in the
  // caller's scope), by parameter name.
  std::map<std::string, const Type*> type_arguments(const ast::MacroDef& m, const ast::Expr& call);
  std::optional<int64_t> enum_value(const std::string& name) const;
  // Value of a named arch constant (not macros/enums); nullopt if unknown.
  std::optional<uint64_t> arch_constant(const std::string& name) const;

  // Member by dotted path ("lru.prev", "pt_list"), looking through anonymous members;
  // array elements as "name[2]". nullopt if absent under this Config.
  std::optional<MemberRef> member(const Type* record, const std::string& path) const;
  // Every leaf member path (recursing into named struct/union members, arrays are
  // leaves) overlapping [offset, offset+size), in layout order.
  std::vector<std::string> fields_at(const Type* record, uint64_t offset, uint64_t size) const;

  const ArchInfo& arch() const { return arch_; }
  const Abi& abi() const { return arch_.abi; }
  const Config& config() const { return cfg_; }
  SourceManager& sources() const { return sm_; }

  // A constant: its bits (sign-extended to 64 when signed), its C type's size and
  // signedness, and for pointers the pointee size used by + and -.
  struct CVal {
    uint64_t v = 0;
    unsigned size = 4;
    bool is_unsigned = false;
    uint64_t scale = 0;  // != 0: a pointer to objects of this size
  };

 private:
  Type* make(Type t);
  Type* record_slot(const ast::RecordDecl& rd, SourceLoc use_loc);
  void define_record(Type* t, const ast::RecordDecl& rd);
  const Type* named(const std::string& name, SourceLoc loc);
  void add_decls(const std::vector<ast::Decl>& decls);
  void add_enum(const ast::EnumDef& ed);
  std::optional<CVal> eval(const ast::Expr& e, const std::map<std::string, CVal>* params, int depth);
  std::optional<CVal> convert(CVal v, const Type* t);

  const ArchInfo& arch_;
  Config cfg_;
  SourceManager& sm_;
  std::vector<std::unique_ptr<Type>> types_;
  Type *void_, *bool_;
  std::map<std::pair<unsigned, bool>, const Type*> ints_;
  std::map<std::string, const Type*> builtin_;  // "unsigned long" -> type
  std::map<const Type*, const Type*> pointers_;
  std::map<std::pair<const Type*, uint64_t>, const Type*> arrays_;
  std::map<std::string, Type*> tags_;  // "struct page" / "union x" -> record
  std::map<const ast::RecordDecl*, Type*> anon_;  // anonymous records by declaration
  std::map<std::string, const Type*> typedefs_;
  std::set<std::string> typedef_names_;
  std::map<std::string, const ast::MacroDef*> macros_;
  std::map<std::string, int64_t> enums_;
  std::set<std::string> expanding_;  // macro cycle guard
  std::vector<std::map<std::string, const Type*>> type_params_;
  // Bounds on constant evaluation: terms evaluated by the outermost eval(), the
  // macro use it started expanding at, and object-like macro values already
  // known (so `#define A1 (A0+A0)` chains cost one evaluation per macro).
  struct EvalBudget {
    uint64_t steps = 0;
    int nesting = 0;
    SourceLoc use;
    std::string macro;
    bool cut = false;  // an evaluation stopped at the depth or cycle guard: its result is not cached
  } budget_;
  std::map<const ast::MacroDef*, std::optional<CVal>> macro_values_;
  std::set<const Type*> laying_out_;
  std::vector<const ast::Decl*> code_decls_;
};

}  // namespace ptcheck::sema
