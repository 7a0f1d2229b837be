#pragma once
// The model-language lexer: C tokens, comments, literals and line-based
// preprocessor directives. Malformed input raises InputError with a location.
#include <vector>

#include "frontend/token.h"

namespace ptcheck::frontend {

// Tokenizes a whole file. The result always ends with one Eof token whose location
// is just past the last token of the file.
std::vector<Token> lex(const SourceManager& sm, uint32_t file_id);

}  // namespace ptcheck::frontend
