#pragma once
// Semantic types of the model language with concrete C layouts (sizes, alignments,
// member offsets) for one ABI and one Kconfig assignment.
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diag.h"

namespace ptcheck::sema {

enum class TypeKind { Void, Int, Bool, Pointer, Array, Record, Function };

struct Type;

// A present member of a record (members whose #if is false under the Config are
// absent). name "" is an anonymous struct/union member whose fields are visible in
// the parent. decl points at the declaration (its cond is the symbolic condition).
struct Field {
  std::string name;
  const Type* type = nullptr;
  uint64_t offset = 0;
  SourceLoc loc;
  const ast::FieldDecl* decl = nullptr;
};

struct Type {
  TypeKind kind = TypeKind::Void;
  uint64_t size = 0, align = 1;
  bool is_signed = false;     // Int
  bool is_union = false;      // Record
  bool complete = true;       // false: void, forward-declared records, function types
  std::string name;           // display: "struct page", "unsigned long", "pmd_t", "struct page *"
  std::string tag;            // Record tag ("" if anonymous)
  const Type* elem = nullptr; // pointee, array element, function return
  uint64_t count = 0;         // Array
  std::vector<Field> fields;  // Record: present members in declaration order
  std::vector<const Type*> params;  // Function
  bool variadic = false;            // Function
  const ast::RecordDecl* decl = nullptr;  // Record: its definition (symbolic field conds)

  bool is_integer() const { return kind == TypeKind::Int || kind == TypeKind::Bool; }
  bool is_scalar() const { return is_integer() || kind == TypeKind::Pointer; }
};

struct MemberRef {
  uint64_t offset = 0;
  const Type* type = nullptr;
};

}  // namespace ptcheck::sema
