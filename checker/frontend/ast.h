#pragma once
// The syntax tree of the model language: a kernel-C subset with Kconfig
// conditionals, plus ptcheck's own top-level forms (target, import).
//
// Conditions stay symbolic in the tree (Cond): struct members carry the
// conjunction of their enclosing #if lines so that both the concrete layout
// engine and the Z3 encoder read the same declarations. Statement- and
// declaration-level #if are kept as nodes too and resolved when a program is
// built for one concrete configuration.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/diag.h"

namespace ptcheck::ast {

struct Expr;
struct Stmt;
struct TypeSpec;
struct RecordDecl;
using ExprPtr = std::shared_ptr<Expr>;
using StmtPtr = std::shared_ptr<Stmt>;
using TypeSpecPtr = std::shared_ptr<TypeSpec>;
using RecordPtr = std::shared_ptr<RecordDecl>;

// ---- Kconfig conditions (#if IS_ENABLED(CONFIG_X) && !defined(CONFIG_Y) ...)
struct Cond;
using CondPtr = std::shared_ptr<const Cond>;
struct Cond {
  // Destroys deep trees (a 50,000-term #if chain) without recursion.
  Cond() = default;
  Cond(const Cond&) = default;
  Cond& operator=(const Cond&) = default;
  ~Cond();
  enum Kind { True, False, Sym, Not, And, Or } kind = True;
  std::string sym;  // Sym: the symbol without "CONFIG_" prefix stripped ("CONFIG_MEMCG")
  CondPtr a, b;     // Not: a; And/Or: a, b
  SourceLoc loc;
};
CondPtr cond_true();
CondPtr cond_not(CondPtr a);
CondPtr cond_and(CondPtr a, CondPtr b);  // folds True operands
std::string to_string(const Cond& c);  // "IS_ENABLED(CONFIG_X) && !IS_ENABLED(CONFIG_Y)"

// ---- Types as written
struct TypeSpec {
  TypeSpec() = default;
  TypeSpec(const TypeSpec&) = default;
  TypeSpec& operator=(const TypeSpec&) = default;
  ~TypeSpec();  // iterative, like ~Expr
  enum Kind {
    Named,     // builtin spelling ("unsigned long", "int", "_Bool", "void", "u32") or typedef name
    Struct,    // struct tag, with record set when a body is given here
    Union,     // union tag, likewise
    Enum,      // enum tag (enums are int); body items go to an EnumDef
    Pointer,   // elem = pointee
    Array,     // elem = element type, array_size = count expression
    Function,  // elem = return type, params, variadic
  } kind = Named;
  SourceLoc loc;
  std::string name;            // Named: spelling/typedef name; Struct/Union/Enum: tag ("" if anonymous)
  RecordPtr record;            // Struct/Union with a body at this point
  TypeSpecPtr elem;            // Pointer/Array element, Function return
  ExprPtr array_size;          // Array
  std::vector<TypeSpecPtr> params;  // Function parameter types
  bool variadic = false;
  bool is_const = false;       // accepted and ignored by the semantics
  bool is_volatile = false;
};

// A struct/union member. Anonymous struct/union members have an empty name and
// a type whose record holds the nested members (as in mm_types.h).
struct FieldDecl {
  SourceLoc loc;
  std::string name;
  TypeSpecPtr type;
  CondPtr cond;  // conjunction of enclosing #if conditions; nullptr means always present
};

struct RecordDecl {
  SourceLoc loc;
  bool is_union = false;
  std::string tag;       // "" when anonymous
  bool complete = false; // has a body
  std::vector<FieldDecl> fields;
  uint64_t align_attr = 0;  // __aligned(N) / __attribute__((aligned(N))), 0 if none
  bool packed = false;      // __packed / __attribute__((packed))
  // Added by the front-end: the __aligned(...) argument as written when it is not a
  // plain integer literal (e.g. "IS_ENABLED(CONFIG_X) ? 2 * sizeof(long) : sizeof(long)",
  // how the model writes _struct_page_alignment); the layout engine evaluates it.
  // align_attr is set too whenever the argument is a literal.
  ExprPtr align_expr;
};

// ---- Expressions
struct Expr {
  // Syntax trees can be as deep as their input is long before the depth check
  // rejects them (`1+1+...+1`): destruction takes the children apart with an
  // explicit stack instead of recursing.
  Expr() = default;
  Expr(const Expr&) = default;
  Expr& operator=(const Expr&) = default;
  ~Expr();
  enum Kind {
    IntLit,      // value, is_unsigned/is_long from suffixes
    CharLit,     // value
    StringLit,   // str (escapes decoded, adjacent literals concatenated)
    Ident,       // name
    Unary,       // op, a
    Binary,      // op, a, b (arithmetic, comparison, logical, comma)
    Assign,      // op ("=", "+=", ...), a = lvalue, b
    Ternary,     // a ? b : c
    Call,        // a = callee, args
    Member,      // a = base, name = field, arrow
    Index,       // a[b]
    Cast,        // (type) a
    SizeofType,  // sizeof(type)
    SizeofExpr,  // sizeof a
    AlignofType, // _Alignof(type) / __alignof__(type)
    ConfigRef,   // IS_ENABLED(CONFIG_X): 0 or 1 under the concrete config; sym
    ContainerOf, // container_of(a, type, name): name may be a dotted member path
    Offsetof,    // offsetof(type, name): name may be a dotted member path
    InitList,    // { .a = x, .b.c = y, [2] = z, w }: inits (in declarations only)
    TypeName,    // type: a type written as the argument of a macro's type parameter
  } kind = IntLit;
  SourceLoc loc;
  std::string op;     // Unary: "-", "~", "!", "*", "&", "+", "++pre", "--pre", "post++", "post--"
                      // Binary: "+ - * / % << >> < <= > >= == != & | ^ && || ,"
  ExprPtr a, b, c;
  std::vector<ExprPtr> args;
  TypeSpecPtr type;   // Cast, SizeofType, AlignofType, ContainerOf, Offsetof
  std::string name;   // Ident, Member, ContainerOf/Offsetof member path, ConfigRef symbol
  std::string str;    // StringLit
  bool arrow = false;
  uint64_t value = 0;
  bool is_unsigned = false, is_long = false;
  // InitList: one entry per element; designator is "" (positional), ".a.b" or "[N]".
  struct Init {
    std::string designator;
    ExprPtr value;
  };
  std::vector<Init> inits;
  SourceLoc end;  // position just past the expression (for quoting source text)
};

// ---- Statements
struct SwitchCase {
  SourceLoc loc;
  ExprPtr value;       // nullptr for default:
  std::vector<StmtPtr> body;  // statements until the next label (fallthrough is C's)
};

struct Stmt {
  enum Kind {
    Block,     // body
    ExprStmt,  // e
    VarDecl,   // type, name, init (may be nullptr or an InitList); one declarator per node
    If,        // e = cond, s1 = then, s2 = else (may be nullptr)
    While,     // e, s1
    DoWhile,   // s1, e
    For,       // init (Stmt, may be nullptr), e = cond (may be nullptr), step (Expr, may be nullptr), s1
    Return,    // e may be nullptr
    Break,
    Continue,
    Goto,      // name
    Label,     // name, s1 = the labelled statement
    Switch,    // e, cases
    Atomic,    // atomic { body }: executed as one step (ptcheck extension)
    IfConfig,  // #if in a body: cond, body = then part, else_body
    Empty,
  } kind = Empty;
  SourceLoc loc;
  SourceLoc end;  // position just past the statement
  ExprPtr e;
  ExprPtr step;
  StmtPtr init, s1, s2;
  std::vector<StmtPtr> body, else_body;
  std::vector<SwitchCase> cases;
  TypeSpecPtr type;
  std::string name;
  CondPtr cond;
};

// ---- Top-level declarations
struct Param {
  SourceLoc loc;
  TypeSpecPtr type;
  std::string name;  // may be empty in prototypes
};

struct FuncDef {
  SourceLoc loc;
  std::string name;
  TypeSpecPtr ret;
  std::vector<Param> params;  // "(void)" gives an empty list
  bool variadic = false;
  StmtPtr body;               // nullptr for a prototype
  bool is_static = false, is_inline = false;
  std::vector<std::string> attrs;  // e.g. "__cold", "noinline"
};

// #define NAME expr / #define NAME(a, b) expr. The body must be one expression.
struct MacroDef {
  SourceLoc loc;
  std::string name;
  bool function_like = false;
  std::vector<std::string> params;
  ExprPtr body;       // an expression macro
  StmtPtr stmt_body;  // a statement macro (`do { ... } while (0)`, `{ ... }`, `a; b`): used as `NAME(args);`
  bool stmt_list = false;        // stmt_body is a Block of statements written without braces: no scope
  std::vector<bool> type_params; // type_params[i]: parameter i is a type (`ALLOC(struct page)`); may be empty
  bool has_type_params() const;
};

struct EnumDef {
  SourceLoc loc;
  std::string tag;  // may be empty
  struct Item {
    SourceLoc loc;
    std::string name;
    ExprPtr value;  // nullptr: previous + 1
  };
  std::vector<Item> items;
};

struct Typedef {
  SourceLoc loc;
  std::string name;
  TypeSpecPtr type;
};

struct GlobalVar {
  SourceLoc loc;
  std::string name;
  TypeSpecPtr type;
  ExprPtr init;  // may be nullptr or an InitList
  bool is_static = false, is_extern = false;
};

// heap { pages 4; page_bytes 64; slab ptl_cache (spinlock_t) 3; }
struct HeapDecl {
  SourceLoc loc;
  // A count is a number or a target parameter (`set PAGES = 6;` ... `pages
  // PAGES;`), so `--bound PAGES=8` can grow the heap: the parameter's name is
  // kept here and its value resolved when the target is instantiated.
  std::optional<uint64_t> pages;       // number of struct pages in the vmemmap range
  std::optional<uint64_t> page_bytes;  // bytes of each page's contents kept in the state
  std::string pages_param, page_bytes_param;
  struct Slab {
    SourceLoc loc;
    std::string name;   // becomes a global `struct kmem_cache *NAME`
    TypeSpecPtr type;   // object type
    uint64_t count = 0;
    std::string count_param;
  };
  std::vector<Slab> slabs;
};

struct ThreadDecl {
  SourceLoc loc;
  std::string name;
  StmtPtr body;    // a Block
  ExprPtr count;   // thread W[N] { ... }: N copies W_0 .. W_{N-1}; nullptr: one thread
};

// set N = 3;  a numeric target parameter: an integer constant in the target's
// own code (init, threads, mix ops, local array sizes); `--bound N=V` overrides it.
struct TargetParam {
  SourceLoc loc;
  std::string name;
  int64_t value = 0;
};

// mix { threads 3; ops 2; pool pmd_t *pmd = { a, b }; op fault(pmd) { ... } }:
// `threads` copies of a thread that runs `ops` ops, each picked
// nondeterministically, each pool it names bound to one of the pool's elements,
// then its `after { ... }` block if it has one (checker/target/desugar.h gives
// the exact desugaring). A target has at most one unnamed mix, whose counts are
// the implicit parameters `threads` and `ops`, and any number of named ones
// (`mix task { ... }`, one kind of thread each), whose counts are expressions
// over the target's own parameters.
struct MixPool {
  SourceLoc loc, end;  // the whole `pool ... = { ... }` declaration
  std::string name;
  TypeSpecPtr type;
  std::vector<ExprPtr> elems;
};
struct MixOp {
  SourceLoc loc, end;  // `op NAME(pools)`
  std::string name;
  std::vector<std::pair<std::string, SourceLoc>> pools;
  StmtPtr body;  // a Block
};
struct MixDecl {
  SourceLoc loc, end;  // the `mix` keyword (and its name)
  std::string name;      // "" for the unnamed mix
  ExprPtr threads, ops;  // the counts (nullptr: 1); for the unnamed mix the implicit parameters' defaults
  SourceLoc threads_loc, ops_loc;
  std::vector<MixPool> pools;
  std::vector<MixOp> ops_list;
  StmtPtr after;  // after { ... }: a Block each thread runs after its ops, or nullptr
};

// reach pte_free_now, pte_offset_map_lock: goto again, model/mm/memory.ptm:123;
// What a `pass` must have executed somewhere in the explored space, or it is
// vacuous (checker/target/reach.h resolves and checks them).
struct ReachDecl {
  enum Kind {
    Name,     // `NAME`: a function (entered) or else a C label in one function
    Label,    // `FUNC:LABEL`: the statement labelled LABEL in FUNC ran
    Goto,     // `FUNC: goto LABEL`: a `goto LABEL;` in FUNC ran (a retry was taken)
    FileLine  // `FILE:LINE`: model code on that line ran
  } kind = Name;
  SourceLoc loc;
  std::string text;  // as written, for reports: "pte_offset_map_lock: goto again"
  std::string func, name, file;
  unsigned line = 0;
};

struct Expectation {
  SourceLoc loc;
  bool violation = false;
  std::string kind;  // error kind name when violation ("use-after-free", "deadlock", ...)
};

struct TargetDef {
  SourceLoc loc;
  std::string name;
  std::string description;
  std::vector<std::string> cites;
  std::vector<std::string> arches;                 // empty: the default arch
  std::vector<std::pair<std::string, bool>> sets;  // set CONFIG_X = y|n;
  std::vector<SourceLoc> set_locs;                 // where each `sets` entry is written
  std::vector<TargetParam> params;                 // set N = 3;
  std::vector<std::pair<std::string, SourceLoc>> imports;
  std::optional<HeapDecl> heap;
  StmtPtr init;  // Block or nullptr
  std::vector<ThreadDecl> threads;
  std::vector<MixDecl> mixes;  // in declaration order; at most one unnamed
  std::string like;            // `target NAME like BASE`: BASE (its copy, overridden), else ""
  // hypothetical_config "why";  the config breaks a Kconfig rule on purpose (a
  // path no kernel build has, explored for what it shows): not an error.
  std::optional<std::pair<std::string, SourceLoc>> hypothetical;
  StmtPtr final_block;  // final { ... }: runs once every thread has finished; nullptr if none
  std::vector<std::pair<std::string, SourceLoc>> invariants;
  // always_eventually done, idle;  liveness properties: on every weakly fair
  // run each function (no parameters, a truth value) holds again and again,
  // and holds when the run ends (explore/fair_cycle.h).
  std::vector<std::pair<std::string, SourceLoc>> eventually;
  // leak_check ptdesc_cache, pages;  objects of these still allocated when
  // every context has finished are reported as leaks (kmemleak).
  std::vector<std::pair<std::string, SourceLoc>> leak_checks;
  bool warn_only = false;
  // set memory_model = sc|tso|lkmm;  the model this target runs under
  // (vm/memory_model.h); `check --memory-model` overrides it.
  std::optional<std::pair<std::string, SourceLoc>> memory_model;
  std::optional<Expectation> expect;
  // hazard "overlap(page.rcu_head.func, page.memdesc)";  layout queries whose reach
  // (arches, Kconfig values, whether the clobbering value passes the check) is
  // printed beside a trace (checker/z3/z3_check.h). loc: the string literal.
  std::vector<std::pair<std::string, SourceLoc>> hazards;
  std::vector<ReachDecl> reach;  // reach ...;  (every `reach` line, in order)
};

// The target's unnamed mix (the one `--bound threads=N --bound ops=N` size), or nullptr.
inline const MixDecl* unnamed_mix(const TargetDef& t) {
  for (const auto& m : t.mixes)
    if (m.name.empty()) return &m;
  return nullptr;
}

// property NAME { description "..."; arch all | a, b; set CONFIG_X = y|n;
//                 query "equal_offset(page.flags, ptdesc.pt_flags)"; expect holds|sat|unsat; }
// A layout property answered by Z3 over every Kconfig assignment (checker/z3/).
struct PropertyDef {
  SourceLoc loc;
  std::string name;
  std::string description;
  std::vector<std::string> arches;                 // empty or {"all"}: every arch in arch/
  std::vector<std::pair<std::string, bool>> sets;  // fixed symbols; the rest stay free
  std::string query;
  SourceLoc query_loc;                             // the string literal
  std::string expect;                              // "holds", "sat" or "unsat"
  SourceLoc expect_loc;
};

struct Decl {
  enum Kind { Record, Enum, Typedef, Var, Func, Macro, Target, Import, IfConfig, Property } kind;
  SourceLoc loc;
  CondPtr cond;  // IfConfig: the #if condition (then_decls when true, else_decls when false)
  RecordPtr record;
  std::shared_ptr<EnumDef> enum_def;
  std::shared_ptr<ast::Typedef> typedef_;  // qualified: the enumerator Typedef hides the struct here
  std::shared_ptr<GlobalVar> var;
  std::shared_ptr<FuncDef> func;
  std::shared_ptr<MacroDef> macro;
  std::shared_ptr<TargetDef> target;
  std::shared_ptr<PropertyDef> property;  // Property
  std::string import_path;  // Import
  // IfConfig at top level: declarations under #if / #else.
  std::vector<Decl> then_decls, else_decls;
};

// Adds the names every typedef in `decls` declares (under any #if) to `out`:
// what a later file's parse needs to know about this one.
void collect_typedef_names(const std::vector<struct Decl>& decls, std::set<std::string>& out);

// Function-like macros with type parameters (name -> which parameters are
// types): a later file's parser reads their arguments as type names.
using TypeMacros = std::map<std::string, std::vector<bool>>;
void collect_type_macros(const std::vector<struct Decl>& decls, TypeMacros& out);

struct TranslationUnit {
  uint32_t file = UINT32_MAX;  // SourceManager id
  std::vector<Decl> decls;
};

}  // namespace ptcheck::ast
