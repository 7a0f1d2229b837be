#pragma once
// The model-language parser: a kernel-C subset plus ptcheck's target/import forms.
// Every malformed input raises InputError "file:line:col: error: expected ...".
#include <set>
#include <string>

#include "frontend/ast.h"

namespace ptcheck::frontend {

// Parses a file already loaded into `sm`. `known_typedefs` holds typedef names
// declared by files parsed earlier (see sema::TypeEnv::typedef_names()); typedefs
// declared in this file are tracked as they are parsed (the C "lexer hack").
ast::TranslationUnit parse_file(SourceManager& sm, uint32_t file_id,
                                const std::set<std::string>* known_typedefs = nullptr);

// Loads `path` into `sm` and parses it.
ast::TranslationUnit parse_path(SourceManager& sm, const std::string& path,
                                const std::set<std::string>* known_typedefs = nullptr);

// Maximum nesting (blocks, parentheses, declarators, #if) before "nesting too deep".
inline constexpr int kMaxNesting = 200;

}  // namespace ptcheck::frontend
