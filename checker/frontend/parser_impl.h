#pragma once
// Internal: the recursive-descent parser shared by parser.cpp (declarations,
// preprocessor, targets), parser_expr.cpp and parser_stmt.cpp.
#include <set>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"

namespace ptcheck::frontend::detail {

using namespace ptcheck::ast;

inline Decl mkdecl(Decl::Kind k) {
  Decl d{};
  d.kind = k;
  return d;
}

// Declaration specifiers: the base type plus storage class and attributes.
struct Specs {
  TypeSpecPtr type;
  bool is_typedef = false, is_static = false, is_extern = false, is_inline = false;
  std::vector<std::string> attrs;
  SourceLoc loc;
};

// One declarator applied to a base type.
struct Declarator {
  std::string name;
  SourceLoc loc;
  TypeSpecPtr type;
  bool has_params = false;      // the identifier is directly followed by a parameter list
  std::vector<Param> params;    // ... its parameters (for function definitions)
  bool variadic = false;
};

class Parser {
 public:
  Parser(SourceManager& sm, uint32_t file, const std::set<std::string>* known);
  TranslationUnit parse_unit();

  // --- token helpers
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(size_t k = 1) const {
    return toks_[pos_ + k < toks_.size() ? pos_ + k : toks_.size() - 1];
  }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool accept(const char* p) {
    if (cur().punct(p)) {
      next();
      return true;
    }
    return false;
  }
  const Token& expect(const char* p, const std::string& context);
  std::string expect_ident(const std::string& what);
  [[noreturn]] void fail_expected(const std::string& what) const;
  [[noreturn]] void fail(SourceLoc loc, const std::string& msg) const { sm_.error(loc, msg); }
  SourceLoc prev_end() const { return pos_ > 0 ? toks_[pos_ - 1].end : cur().loc; }

  struct DepthGuard {
    Parser& p;
    DepthGuard(Parser& pp, SourceLoc loc) : p(pp) {
      if (++p.depth_ > kMaxNesting) p.fail(loc, "nesting too deep: expected at most 200 levels");
    }
    ~DepthGuard() { --p.depth_; }
  };

  // --- declarations (parser.cpp)
  bool is_type_start(const Token& t) const;
  bool is_annotation(const Token& t) const;
  void skip_annotations(std::vector<std::string>* attrs, RecordDecl* rec = nullptr);
  Specs parse_specs(bool allow_storage);
  TypeSpecPtr parse_record_spec(bool is_union);
  TypeSpecPtr parse_enum_spec();
  void parse_record_body(RecordDecl& rec);
  Declarator parse_declarator(TypeSpecPtr base, bool abstract);
  TypeSpecPtr parse_declarator_suffixes(TypeSpecPtr base, Declarator* d, bool first);
  std::vector<Param> parse_params(bool& variadic);
  TypeSpecPtr parse_type_name();  // for casts, sizeof, container_of, heap slabs
  void parse_top(std::vector<Decl>& out, bool in_if);
  void parse_external_decl(std::vector<Decl>& out);
  void parse_directive_top(std::vector<Decl>& out, bool in_if, bool& stop);
  CondPtr parse_cond_line();  // parses a condition up to DirectiveEnd
  CondPtr parse_cond_or();
  CondPtr parse_cond_and();
  CondPtr parse_cond_unary();
  void parse_define(std::vector<Decl>& out);
  void parse_target(std::vector<Decl>& out);
  void parse_property(std::vector<Decl>& out);
  void parse_mix(TargetDef& t);
  void parse_reach_point(TargetDef& t);
  void parse_heap(TargetDef& t);
  std::string parse_strings(const std::string& what);
  void flush_enums(std::vector<Decl>& out);

  // --- expressions (parser_expr.cpp)
  ExprPtr parse_expr();        // with comma
  ExprPtr parse_assign();      // assignment-expression
  ExprPtr parse_ternary();
  ExprPtr parse_binary(int min_prec);
  ExprPtr parse_unary();
  ExprPtr parse_postfix(ExprPtr e);
  ExprPtr parse_primary();
  ExprPtr parse_initializer();
  std::string parse_member_path();
  ExprPtr mk(Expr::Kind k, SourceLoc loc);

  // --- statements (parser_stmt.cpp)
  StmtPtr parse_stmt();
  StmtPtr parse_block();
  void parse_block_items(std::vector<StmtPtr>& out, bool in_if, bool& stopped_at_else);
  void parse_local_decl(std::vector<StmtPtr>& out);
  StmtPtr parse_switch(SourceLoc loc);
  StmtPtr mks(Stmt::Kind k, SourceLoc loc);

  SourceManager& sm_;
  uint32_t file_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::set<std::string> typedefs_;
  ast::TypeMacros type_macros_;  // macros with type parameters known here
  std::vector<Decl> pending_enums_;
};

}  // namespace ptcheck::frontend::detail
