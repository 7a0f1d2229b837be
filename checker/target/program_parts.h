#pragma once
// Parts of a target's instantiation (target/instantiate.cpp) with one job each:
// which names a body mentions (reachability), how deep each function's stack
// can get (from the call graph, with recursion a located error), and the
// initial bytes of globals from their constant initializers.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "sema/codegen.h"
#include "sema/type_env.h"
#include "vm/model.h"

namespace ptcheck {

// Every identifier an expression or statement mentions: the (conservative)
// references a body makes to functions, for reachability.
void idents(const ast::Expr* e, std::set<std::string>& out);
void idents(const ast::Stmt* s, std::set<std::string>& out);

// Deepest stack each function can need: its frame plus its deepest callee.
// Indirect calls may reach any function whose address is taken. A call cycle
// is an error naming the functions on it.
std::vector<uint64_t> stack_depths(const vm::Model& m, const sema::CodeGen& cg, SourceManager& sm);

// Writes the constant initializer `e` of an object of type `t` at `off` in
// `bytes`: integers, addresses of globals and functions (optionally of a
// member), and initializer lists of those.
void write_static_init(sema::TypeEnv& env, const sema::Symbols& syms, const vm::Model& m, SourceManager& sm,
                       std::vector<uint8_t>& bytes, uint64_t off, const sema::Type* t, const ast::Expr& e);

}  // namespace ptcheck
