#pragma once
// Lowers model-language function bodies to vm instructions.
//
// Frame layout of a compiled function: parameters, then every local (each at
// its own offset; scopes do not share), then the statement temporaries, which
// every statement clears on entry so that dead values never make two states
// differ. Locals are frame slots read and written directly; `&local` is the
// slot's address in the thread's stack region, and accesses through it are
// thread-local (not steps) for the interpreter.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "sema/config.h"
#include "vm/model.h"

namespace ptcheck::sema {

class TypeEnv;
struct Type;

// Program-wide names the code generator resolves.
struct Symbols {
  struct Global {
    uint64_t addr = 0;
    const Type* type = nullptr;
    bool is_value = false;  // a named constant address (slab cache handles), not an object
  };
  std::map<std::string, uint32_t> funcs;  // name -> function id
  std::map<std::string, Global> globals;
  std::map<uint32_t, const ast::FuncDef*> defs;  // function id -> definition (or prototype)
};

class CodeGen {
 public:
  CodeGen(TypeEnv& env, const Config& cfg, const SourceManager& sm, vm::Model& out, Symbols& syms);
  // Compiles a defined function into out.funcs[id].
  void compile_function(uint32_t id, const ast::FuncDef& fd);
  // Compiles a statement block as a parameterless void function (thread bodies,
  // init) and returns its id. want_bool: the block returns a truth value.
  uint32_t compile_block(const std::string& name, const ast::Stmt& body, SourceLoc loc);
  // Functions whose address is taken somewhere (possible indirect call targets).
  const std::vector<bool>& address_taken() const { return address_taken_; }
  // Direct callees of each function, and whether it calls through a pointer.
  const std::vector<std::vector<uint32_t>>& callees() const { return callees_; }
  const std::vector<bool>& calls_indirect() const { return indirect_; }
  uint32_t intern_string(const std::string& s);

 private:
  friend class FunctionCompiler;
  TypeEnv& env_;
  const Config& cfg_;
  const SourceManager& sm_;
  vm::Model& out_;
  Symbols& syms_;
  std::vector<bool> address_taken_;
  std::vector<std::vector<uint32_t>> callees_;
  std::vector<bool> indirect_;
  std::map<std::string, uint32_t> string_ids_;
  std::map<const Type*, uint32_t> type_region_lists_;
  void note_function(uint32_t id);

 public:
  // first_object()/next_object() need, per element type, the regions holding
  // objects of that type; the instantiation fills them in after layout.
  const std::map<const Type*, uint32_t>& type_region_lists() const { return type_region_lists_; }
};

}  // namespace ptcheck::sema
