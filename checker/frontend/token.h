#pragma once
// Tokens of the model language. Preprocessor lines are kept in the token stream:
// a Directive token ("#if", "#define", ...; text is the directive name) starts one,
// the tokens of the line follow, and a DirectiveEnd token closes it (backslash-newline
// continues a directive line).
#include <cstdint>
#include <string>

#include "support/diag.h"

namespace ptcheck::frontend {

enum class Tok { Eof, Ident, Int, Char, String, Punct, Directive, DirectiveEnd };

struct Token {
  Tok kind = Tok::Eof;
  std::string text;      // identifier / punctuator spelling / directive name / decoded string
  uint64_t value = 0;    // Int, Char
  bool is_unsigned = false, is_long = false;  // Int suffixes
  bool space_before = false;  // whitespace (or line start) precedes this token
  SourceLoc loc;         // first character
  SourceLoc end;         // just past the last character
  uint32_t offset = 0, end_offset = 0;  // byte offsets in the file

  bool is(Tok k, const char* s) const { return kind == k && text == s; }
  bool punct(const char* s) const { return kind == Tok::Punct && text == s; }
  bool ident(const char* s) const { return kind == Tok::Ident && text == s; }
};

// A short human description for "found ..." in messages: "'foo'", "end of file".
std::string describe(const Token& t);

}  // namespace ptcheck::frontend
