#pragma once
// The model-language parser: a kernel-C subset plus ptcheck's target/import forms.
// Every malformed input raises InputError "file:line:col: error: expected ...".
#include <cstdint>
#include <set>
#include <string>

#include "frontend/ast.h"

namespace ptcheck::frontend {

// Parses a file already loaded into `sm`. `known_typedefs` holds typedef names
// declared by files parsed earlier (see sema::TypeEnv::typedef_names()); typedefs
// declared in this file are tracked as they are parsed (the C "lexer hack").
// `known_type_macros`: macros with type parameters from files parsed earlier
// (ast::collect_type_macros), whose arguments are parsed as type names.
ast::TranslationUnit parse_file(SourceManager& sm, uint32_t file_id,
                                const std::set<std::string>* known_typedefs = nullptr,
                                const ast::TypeMacros* known_type_macros = nullptr);

// Loads `path` into `sm` and parses it.
ast::TranslationUnit parse_path(SourceManager& sm, const std::string& path,
                                const std::set<std::string>* known_typedefs = nullptr);

// Maximum nesting (blocks, parentheses, declarators, #if) before "nesting too deep".
inline constexpr int kMaxNesting = 200;

// Maximum depth of a syntax tree (statements, expressions, types and #if
// conditions counted together): a flat chain `1+1+...+1` is as deep as it is
// long. Every walk of the tree may recurse this deep and no deeper.
inline constexpr uint32_t kMaxTreeDepth = 400;
// Throws a located InputError at the first node deeper than kMaxTreeDepth
// (parse_file() calls it on every file).
void check_tree_depth(const ast::TranslationUnit& tu, const SourceManager& sm);

}  // namespace ptcheck::frontend
