#pragma once
// Internal to the code generator: the per-function compiler shared by
// codegen.cpp (statements), codegen_expr.cpp (expressions) and
// codegen_call.cpp (calls and builtins).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sema/codegen.h"
#include "sema/types.h"
#include "sema/type_env.h"
#include "vm/builtins.h"

namespace ptcheck::sema {

// Where a value lives: a frame slot (Reg), or memory at the address held in a
// slot (Mem). Rvalues are always Reg.
struct Val {
  enum Kind { Reg, Mem } kind = Reg;
  vm::Operand op;      // Reg: the value; Mem: the address (8 bytes)
  const Type* type = nullptr;
  bool is_lvalue = false;
};

// Names under a unary & anywhere in a body (sema/addr_taken.cpp).
std::set<std::string> address_taken_names(const ast::Stmt& body);

// KASAN's stack redzone: bytes left unused after a local whose address may be
// taken (an array, a struct, or a name under &), so that an access running
// off its end hits no other object (vm/machine_stack.cpp reports it). 32 bytes,
// as the compiler's stack instrumentation uses: loc[2], loc[3] and loc[5] of a
// `long loc[2]` all land in it. The bytes are in the state but never written.
inline constexpr uint32_t kStackRedzone = 32;

class FunctionCompiler {
 public:
  FunctionCompiler(CodeGen& cg, vm::Function& fn, const Type* ret_type);
  void compile_params(const std::vector<ast::Param>& params);
  void compile_body(const ast::Stmt& body);
  void finish();

  // ---- statements (codegen.cpp)
  void stmt(const ast::Stmt& s);
  void block(const std::vector<ast::StmtPtr>& body);
  void var_decl(const ast::Stmt& s);
  void prescan(const ast::Stmt& s);            // allocates every local before code is emitted
  void init_object(const Val& dst, const ast::Expr& init);  // initializer lists into an object
  void return_stmt(const ast::Stmt& s);
  void switch_stmt(const ast::Stmt& s);

  // ---- expressions (codegen_expr.cpp)
  Val expr(const ast::Expr& e);                // value or lvalue (bounded: see kMaxCompileDepth)
  Val expr_node(const ast::Expr& e);
  Val rvalue(const ast::Expr& e);              // always a Reg value (arrays/functions decay)
  Val lvalue(const ast::Expr& e);              // an object designator
  Val to_rvalue(const Val& v, SourceLoc loc);
  Val convert(const Val& v, const Type* to, SourceLoc loc);  // implicit or explicit conversion
  vm::Operand cond(const ast::Expr& e);        // scalar truth value
  void assign_to(const Val& dst, const Val& src, SourceLoc loc);
  Val address_of(const Val& lv, SourceLoc loc);
  Val deref(const Val& ptr, SourceLoc loc);
  Val member(const Val& base, const std::string& name, bool arrow, SourceLoc loc);
  Val binary(const std::string& op, const Val& a, const Val& b, SourceLoc loc);
  Val assign(const ast::Expr& e);
  Val incdec(const ast::Expr& e);
  Val logical(const ast::Expr& e);
  Val ternary(const ast::Expr& e);
  Val ident(const ast::Expr& e);
  Val constant(uint64_t v, const Type* t);
  Val cast(const Type* to, const Val& v, SourceLoc loc);  // (to)v
  const Type* type_of(const ast::Expr& e);     // without emitting code

  // ---- calls (codegen_call.cpp)
  Val call(const ast::Expr& e);
  Val call_builtin(vm::Builtin b, const ast::Expr& e);
  Val call_builtin(const vm::BuiltinCall& bc, const ast::Expr& e);
  // READ_ONCE, WRITE_ONCE, smp_load_acquire, rcu_assign_pointer...: accesses
  // that carry an ordering (vm/memory_model.h); nullopt for other names.
  std::optional<Val> ordered_access(const std::string& n, const ast::Expr& e);
  // The instruction just emitted, when it is `op`, carries `order` (Insn::sub).
  void mark_last(vm::Op op, uint8_t order) {
    if (!fn_.code.empty() && fn_.code.back().op == op) fn_.code.back().sub = order;
  }
  std::optional<Val> kernel_macro(const std::string& name, const ast::Expr& e);
  Val expand_macro(const ast::MacroDef& m, const ast::Expr& call);
  // The text of a printk %s argument known when compiling: a string literal,
  // __func__, or an object-like macro of one.
  std::optional<std::string> string_argument(const ast::Expr& e);

  // ---- emission helpers
  uint32_t emit(const vm::Insn& in);
  // The string table index of s, for a Builtin's c.off (vm::InsnOperand):
  // an error at loc past what the operand holds.
  uint16_t string_index(SourceLoc loc, const std::string& s);
  vm::Operand temp(uint32_t size, bool sign = false);
  vm::Operand temp_for(const Type* t);
  vm::Operand local_slot(uint32_t size, uint32_t align);
  uint32_t here() const { return static_cast<uint32_t>(fn_.code.size()); }
  void patch(uint32_t at, uint32_t target) { fn_.code[at].imm = target; }
  uint32_t location(SourceLoc begin, SourceLoc end);
  [[noreturn]] void error(SourceLoc loc, const std::string& msg) const;
  vm::Operand op_for(const Type* t, uint32_t off) const;

  // type helpers
  bool is_int(const Type* t) const;
  bool is_ptr(const Type* t) const;
  bool is_scalar(const Type* t) const;
  const Type* ulong_t() const;
  const Type* long_t() const;
  const Type* int_t() const;
  const Type* common_type(const Type* a, const Type* b) const;
  std::string type_name(const Type* t) const;

  CodeGen& cg_;
  TypeEnv& env_;
  vm::Function& fn_;
  const Type* ret_type_;
  uint32_t cur_loc_ = 0;
  uint32_t frame_ = 0;        // bytes used by params and locals
  uint32_t temp_base_ = 0;    // temporaries start here (fixed once locals are known)
  uint32_t temp_used_ = 0;    // temporaries used by the current statement
  uint32_t temp_max_ = 0;
  std::vector<uint32_t> clear_sites_;  // ClearTemps instructions to size at finish()

  struct Local {
    std::string name;
    const Type* type;
    uint32_t off;  // frame offset; &local is its stack address
  };
  std::vector<std::vector<Local>> scopes_;
  const Local* find_local(const std::string& name) const;
  std::map<const ast::Stmt*, Local> decl_slots_;  // from prescan()
  std::vector<vm::Function::FrameObject> frame_objects_;  // params and locals, for stack bounds
  std::set<std::string> addr_taken_;  // address_taken_names() of the body and its statement macros
  // A slot for a parameter or local, followed by a redzone when its address
  // may be taken.
  vm::Operand object_slot(const Type* t, const std::string& name);
  // Statement macros (codegen_macro.cpp): the uses being expanded, innermost
  // last; a local declared in a macro body gets a slot per use.
  std::vector<const ast::Expr*> stmt_macro_calls_;
  std::map<std::pair<std::vector<const ast::Expr*>, const ast::Stmt*>, Local> macro_decl_slots_;
  const ast::MacroDef* stmt_macro_of(const ast::Stmt& s) const;  // `NAME(args);` of a statement macro
  void prescan_macro(const ast::Stmt& s);
  bool expand_stmt_macro(const ast::Stmt& s);
  void bind_macro(const ast::MacroDef& m, const ast::Expr& call, bool with_args);
  static bool typed(const ast::Expr& call);  // the call has a type argument
  void set_decl_slot(const ast::Stmt& s, Local l);
  const Local* find_decl_slot(const ast::Stmt& s) const;
  std::string member_path(const std::string& path) const;
  std::string decl_name(const ast::Stmt& s) const;  // a local's name, a macro argument's in a macro body  // a macro argument used as a member name

  struct Loop {
    std::vector<uint32_t> breaks, continues;
    bool is_switch;
    int atomic_depth;
  };
  std::vector<Loop> loops_;
  int atomic_depth_ = 0;
  std::map<std::string, uint32_t> labels_;
  std::vector<std::pair<uint32_t, const ast::Stmt*>> gotos_;
  int macro_depth_ = 0;
  std::vector<std::map<std::string, const ast::Expr*>> macro_args_;
  // Bounds on what macro expansion can make of an expression: how deep the
  // compiler recurses, how many terms one function compiles, and where the
  // outermost macro being expanded was used (for the error).
  static constexpr uint32_t kMaxCompileDepth = 600;
  static constexpr uint64_t kMaxExprNodes = 1000000;
  static constexpr int kMaxMacroNesting = 64;
  uint32_t expr_depth_ = 0;
  uint64_t expr_nodes_ = 0;
  std::vector<std::string> macro_stack_;  // macros being expanded, outermost first
  SourceLoc macro_use_;                   // where macro_stack_[0] was used
  std::map<const ast::Expr*, const Type*> type_memo_;  // type_of() outside macros
  void enter_macro(const std::string& name, SourceLoc use);
  void leave_macro();
};

}  // namespace ptcheck::sema
