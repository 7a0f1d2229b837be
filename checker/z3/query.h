#pragma once
// Layout queries over the whole Kconfig space: the language (answered by
// z3/engine.h).
//
// Grammar (whitespace free; columns in errors are 1-based):
//   query   := impl
//   impl    := or [ '->' impl ]
//   or      := and { '||' and }
//   and     := unary { '&&' unary }
//   unary   := '!' unary | '(' query ')' | atom
//   atom    := 'overlap' '(' member ',' member ')'      the two members share a byte
//            | 'equal_offset' '(' member ',' member ')' both present at the same offset (TABLE_MATCH)
//            | 'present' '(' member ')'
//            | 'decodes' '(' value ',' decoder ',' int ')'
//            | term cmp term                           cmp: == != < <= > >=
//            | 'true' | 'false'
//            | SYMBOL                                  a Kconfig symbol (CONFIG_MEMCG): true when =y
//   term    := prim { ('+' | '-') prim }
//   prim    := INT | 'offset' '(' member ')' | 'end' '(' member ')'   (offset + size)
//            | 'sizeof' '(' member | tag ')' | 'alignof' '(' tag ')'
//   member  := ['struct' | 'union'] TAG { '.' NAME | '[' INT ']' }    e.g. page.lru.prev
//   value   := vprim { ('+' | '|') INT }
//   vprim   := INT | 'LIST_POISON1' | 'LIST_POISON2' | 'TAIL_MAPPING' | any arch constant
//            | 'function_address' [ '(' INT ')' ]     aligned to the arch's function_align
//                                                     (or to INT; 1 with --cold-unaligned)
//            | 'slab_object' '(' INT ')'              any multiple of INT
//            | 'any'
//   decoder := 'memdesc_type' (v & 15) | 'page_tail' (v & 1) | 'mask' '(' INT ')' (v & INT)
//   int     := INT | 'MEMDESC_TYPE_PAGE_TABLE' (15)
// A comparison involving offset/end/sizeof of a member is false where the member is
// absent. decodes() does not depend on the config: it is decided per arch first.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/diag.h"

namespace ptcheck::z3 {

struct ValueSpec {
  enum Kind { Const, Named, FunctionAddress, SlabObject, Any } kind = Const;
  uint64_t n = 0;      // Const: the value; FunctionAddress/SlabObject: alignment (0: the arch's)
  std::string name;    // Named
  std::vector<std::pair<char, uint64_t>> ops;  // then '+' k or '|' k, in order
};

struct QNode;
using QPtr = std::shared_ptr<const QNode>;
struct QNode {
  enum Kind {
    True, False, Sym, Not, And, Or, Implies, Overlap, EqualOffset, Present, Decodes, Cmp,
    Int, Offset, End, Sizeof, Alignof, Add, Sub,
  } kind = True;
  unsigned col = 0;                  // 1-based column of the node in the query text
  std::string name;                  // Sym: symbol; Cmp: operator; Sizeof/Alignof: tag or member
  std::vector<std::string> members;  // Overlap/EqualOffset/Present/Offset/End/Sizeof: "page.lru"
  std::vector<unsigned> member_cols;
  std::vector<QPtr> kids;
  uint64_t value = 0;                // Int; Decodes: the expected decoded value
  ValueSpec val;                     // Decodes
  std::string decoder = "memdesc_type";
  uint64_t mask = 15;                // Decodes: decoder(v) = v & mask
};

// (message, 1-based column) -> the full InputError text.
using ErrFn = std::function<std::string(const std::string& msg, unsigned col)>;
// "--query: error: MSG at column N"
ErrFn cli_errors(const std::string& what = "--query");
// "file:line:col: error: MSG in query" with the column inside the string literal at `loc`.
ErrFn source_errors(const SourceManager& sm, SourceLoc loc);

QPtr parse_query(const std::string& text, const ErrFn& err);
std::string to_string(const QNode& q);  // canonical text (cache key, display)

}  // namespace ptcheck::z3
