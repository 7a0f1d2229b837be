#pragma once
// Layout queries over the whole Kconfig space, answered by Z3 per arch.
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
#include <z3++.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/ast.h"
#include "z3/sym_layout.h"

namespace ptcheck {
class Project;
}

namespace ptcheck::zl {

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

struct EngineOptions {
  unsigned timeout_ms = 10000;  // per solver call; 0: none
  bool cold_unaligned = false;  // function_address without (N) is 1-aligned
};

struct MemberRange {
  std::string member;
  bool present = false;
  uint64_t offset = 0, size = 0;
};

// How the value of a decodes() atom came out on one arch.
struct ValueAnswer {
  std::string text;      // "decodes(LIST_POISON2, memdesc_type, 15)"
  std::string result;    // sat / unsat / unknown
  std::string describe;  // "LIST_POISON2 = 0xdead000000000122", "function address (16-aligned)"
  std::optional<uint64_t> witness;  // a value that decodes as asked (sat)
  uint64_t decoded = 0;             // its decoded value, or (unsat, single value) what it decodes as
  bool single = false;              // the value set has one element
};

struct Answer {
  std::string arch;
  std::string result;  // "sat", "unsat" or "unknown"
  std::string reason;  // unknown: why (Z3's reason_unknown, or the failing sub-question)
  std::vector<std::pair<std::string, bool>> config;  // sat: the Kconfig values that matter
  std::vector<MemberRange> members;                  // sat: the members' bytes in the witness
  std::vector<ValueAnswer> values;                   // decodes() atoms
  std::string holds;   // valid in every config: "yes", "no", "unknown"
  std::vector<std::pair<std::string, bool>> counter; // holds == "no": a config where it fails
  std::vector<MemberRange> counter_members;
  bool cached = false;
};

// Z3 over the model's layouts for each arch, with answers cached by
// (arch, fixed symbols, canonical query, options) for the life of the engine.
class Engine {
 public:
  explicit Engine(EngineOptions o = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // An arch with the units that declare its types (dependencies first).
  void add_arch(const ArchInfo& arch, const std::vector<const ast::TranslationUnit*>& units, SourceManager& sm);
  // arch/<a>/arch.toml with model/ and arch/<a>/*.ptm, as `ptcheck layout` loads them.
  void load_project_arch(Project& p, const std::string& arch);
  bool has_arch(const std::string& arch) const { return arches_.count(arch) != 0; }
  SymLayout& layout(const std::string& arch);

  // The query on one arch; `sets` are fixed, every other symbol is free.
  // Malformed members/values raise InputError through `err`.
  Answer ask(const QNode& q, const std::string& arch, const std::vector<std::pair<std::string, bool>>& sets,
             const ErrFn& err);

  z3::context& ctx() { return ctx_; }
  EngineOptions& options() { return opt_; }
  size_t cache_hits() const { return hits_; }
  // One solver call with the engine's timeout: "sat", "unsat" or "unknown" (reason set).
  std::string solve(const z3::expr& f, std::string* reason = nullptr, std::optional<z3::model>* model = nullptr);

 private:
  struct ArchState;
  z3::expr translate(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members,
                     std::vector<ValueAnswer>& values, std::string& unknown);
  std::pair<z3::expr, z3::expr> term(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members);
  SymMember member(const std::string& m, unsigned col, ArchState& a, const ErrFn& err);
  ValueAnswer decide_value(const QNode& q, ArchState& a, const ErrFn& err);
  std::vector<std::pair<std::string, bool>> implicant(const z3::expr& q, const z3::expr& background,
                                                      const z3::model& m,
                                                      const std::vector<std::pair<std::string, bool>>& sets);

  EngineOptions opt_;
  z3::context ctx_;
  std::map<std::string, std::unique_ptr<ArchState>> arches_;
  std::map<std::string, Answer> cache_;
  size_t hits_ = 0;
  unsigned fresh_ = 0;
};

// Text of a value set and of an answer's config, for reports.
std::string describe_value(const ValueSpec& v, const ArchInfo& arch, bool cold_unaligned);
std::string config_text(const std::vector<std::pair<std::string, bool>>& cfg);  // "CONFIG_X=y, CONFIG_Y=n"
std::string ranges_text(const std::vector<MemberRange>& ms);  // "page.lru 8..23, page.memdesc 16..23"

}  // namespace ptcheck::zl
