#include "frontend/lexer.h"

#include <fmt/format.h>

#include <cstring>

namespace ptcheck::frontend {

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::Eof: return "end of file";
    case Tok::DirectiveEnd: return "end of line";
    case Tok::String: return "string literal";
    case Tok::Directive: return fmt::format("'#{}'", t.text);
    case Tok::Int:
    case Tok::Char:
    case Tok::Ident:
    case Tok::Punct: break;
  }
  return fmt::format("'{}'", t.text);
}

namespace {

// Longest first.
const char* const kPuncts[] = {
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "+=",  "-=",  "*=",  "/=", "%=", "&=", "|=", "^=", "##", "[",  "]",  "(",  ")",  "{",
    "}",   ".",   "&",   "*",  "+",  "-",  "~",  "!",  "/",  "%",  "<",  ">",  "^",  "|",
    "?",   ":",   ";",   "=",  ",",  "#"};

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(const SourceManager& sm, uint32_t file) : sm_(sm), file_(file), s_(sm.text(file)) {}

  std::vector<Token> run() {
    bool line_start = true;
    bool space = true;
    while (true) {
      // whitespace, comments, backslash-newline
      bool newline = skip_space(space);
      if (newline) {
        if (in_directive_) {
          Token t = make(Tok::DirectiveEnd, pos_);
          t.loc = t.end = nl_loc_;  // the end of the directive's (last) line
          t.offset = t.end_offset = nl_off_;
          toks_.push_back(t);
          in_directive_ = false;
        }
        line_start = true;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '#' && line_start && !in_directive_) {
        lex_directive_start();
        line_start = false;
        space = false;
        continue;
      }
      line_start = false;
      Token t = lex_token();
      t.space_before = space;
      space = false;
      toks_.push_back(std::move(t));
    }
    if (in_directive_) {
      Token t = make(Tok::DirectiveEnd, pos_);
      t.end = t.loc;
      toks_.push_back(t);
    }
    Token eof;
    eof.kind = Tok::Eof;
    eof.space_before = true;
    if (!last_end_.valid()) last_end_ = SourceLoc{file_, 1, 1};
    eof.loc = eof.end = last_end_;
    eof.offset = eof.end_offset = last_end_off_;
    toks_.push_back(eof);
    return std::move(toks_);
  }

 private:
  const SourceManager& sm_;
  uint32_t file_;
  const std::string& s_;
  size_t pos_ = 0;
  uint32_t line_ = 1, col_ = 1;
  bool in_directive_ = false;
  std::vector<Token> toks_;
  SourceLoc last_end_;
  SourceLoc nl_loc_;
  uint32_t nl_off_ = 0;
  uint32_t last_end_off_ = 0;

  SourceLoc here() const { return SourceLoc{file_, line_, col_}; }
  [[noreturn]] void fail(SourceLoc loc, const std::string& msg) const { sm_.error(loc, msg); }

  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < s_.size(); ++i) {
      if (s_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++pos_;
    }
  }
  char at(size_t k) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }

  // Skips blanks and comments; returns true when it consumed a newline that ends a
  // line (not a backslash-continued one). Sets `space` when anything was skipped.
  bool skip_space(bool& space) {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') {
        nl_loc_ = here();
        nl_off_ = static_cast<uint32_t>(pos_);
        advance();
        space = true;
        return true;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        advance();
        space = true;
      } else if (c == '\\' && (at(1) == '\n' || (at(1) == '\r' && at(2) == '\n'))) {
        advance(at(1) == '\r' ? 3 : 2);
        space = true;
      } else if (c == '/' && at(1) == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') advance();
        space = true;
      } else if (c == '/' && at(1) == '*') {
        SourceLoc start = here();
        advance(2);
        while (true) {
          if (pos_ >= s_.size()) fail(start, "unterminated comment: expected '*/' before end of file");
          if (s_[pos_] == '*' && at(1) == '/') {
            advance(2);
            break;
          }
          advance();
        }
        space = true;
      } else {
        break;
      }
    }
    return false;
  }

  Token make(Tok k, size_t start) {
    Token t;
    t.kind = k;
    t.loc = here();
    t.offset = static_cast<uint32_t>(start);
    return t;
  }
  void finish(Token& t) {
    t.end = here();
    t.end_offset = static_cast<uint32_t>(pos_);
    last_end_ = t.end;
    last_end_off_ = t.end_offset;
  }

  void lex_directive_start() {
    Token t = make(Tok::Directive, pos_);
    advance();  // '#'
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) advance();
    size_t b = pos_;
    while (pos_ < s_.size() && ident_char(s_[pos_])) advance();
    t.text = s_.substr(b, pos_ - b);
    if (t.text.empty()) fail(t.loc, "expected a directive name after '#'");
    finish(t);
    in_directive_ = true;
    toks_.push_back(std::move(t));
  }

  Token lex_token() {
    char c = s_[pos_];
    size_t start = pos_;
    if (ident_start(c)) {
      Token t = make(Tok::Ident, start);
      while (pos_ < s_.size() && ident_char(s_[pos_])) advance();
      t.text = s_.substr(start, pos_ - start);
      finish(t);
      return t;
    }
    if (is_digit(c) || (c == '.' && is_digit(at(1)))) return lex_number();
    if (c == '\'') return lex_char();
    if (c == '"') return lex_string();
    for (const char* p : kPuncts) {
      size_t n = std::strlen(p);
      if (s_.compare(pos_, n, p) == 0) {
        Token t = make(Tok::Punct, start);
        t.text = p;
        advance(n);
        finish(t);
        return t;
      }
    }
    std::string shown;
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
      shown = fmt::format("'{}'", c);
    else
      shown = fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
    fail(here(), fmt::format("unexpected character {}: expected a token", shown));
  }

  Token lex_number() {
    Token t = make(Tok::Int, pos_);
    size_t start = pos_;
    int base = 10;
    if (s_[pos_] == '0' && (at(1) == 'x' || at(1) == 'X')) {
      base = 16;
      advance(2);
    } else if (s_[pos_] == '0') {
      base = 8;
    }
    size_t digits_start = pos_;
    uint64_t v = 0;
    bool overflow = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else break;
      if (d >= base) {
        if (base == 16 || d >= 10) break;  // suffix letters handled below
        fail(here(), fmt::format("invalid digit '{}' in octal literal: expected 0-7", c));
      }
      uint64_t nv = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      if ((nv - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base) != v) overflow = true;
      v = nv;
      advance();
    }
    if (base == 16 && pos_ == digits_start)
      fail(t.loc, "expected hexadecimal digits after '0x'");
    if (pos_ < s_.size() && s_[pos_] == '.')
      fail(here(), "floating-point literals are not supported: expected an integer");
    // suffixes
    size_t sb = pos_;
    while (pos_ < s_.size() && ident_char(s_[pos_])) advance();
    std::string suf = s_.substr(sb, pos_ - sb);
    for (char& ch : suf) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const char* const ok[] = {"", "u", "l", "ul", "lu", "ll", "ull", "llu"};
    bool good = false;
    for (const char* o : ok) good = good || suf == o;
    if (!good)
      fail(t.loc, fmt::format("invalid integer literal '{}': expected a suffix u, l, ul, ll or ull",
                              s_.substr(start, pos_ - start)));
    if (overflow) fail(t.loc, "integer literal too large: expected a value below 2^64");
    t.value = v;
    t.is_unsigned = suf.find('u') != std::string::npos;
    t.is_long = suf.find('l') != std::string::npos;
    t.text = s_.substr(start, pos_ - start);
    finish(t);
    return t;
  }

  // Decodes one escape after the backslash; pos_ is at the character after '\'.
  uint64_t escape(SourceLoc loc) {
    if (pos_ >= s_.size()) fail(loc, "unterminated escape sequence: expected a character after '\\'");
    char c = s_[pos_];
    advance();
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        uint64_t v = static_cast<uint64_t>(c - '0');
        for (int i = 0; i < 2 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++i) {
          v = v * 8 + static_cast<uint64_t>(s_[pos_] - '0');
          advance();
        }
        return v & 0xff;
      }
      case 'x': {
        uint64_t v = 0;
        int n = 0;
        while (pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
          char h = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_])));
          v = (v * 16 + static_cast<uint64_t>(h <= '9' ? h - '0' : h - 'a' + 10)) & 0xff;
          advance();
          ++n;
        }
        if (n == 0) fail(loc, "expected hexadecimal digits after '\\x'");
        return v;
      }
      case 'a': return 7;
      case 'b': return 8;
      case 'f': return 12;
      case 'v': return 11;
      case 'e': return 27;
      case '\\': case '\'': case '"': case '?': return static_cast<unsigned char>(c);
      default: fail(loc, fmt::format("unknown escape sequence '\\{}'", c));
    }
  }

  Token lex_char() {
    Token t = make(Tok::Char, pos_);
    size_t start = pos_;
    advance();
    if (pos_ >= s_.size() || s_[pos_] == '\n' || s_[pos_] == '\'')
      fail(t.loc, "expected a character in character literal");
    uint64_t v;
    if (s_[pos_] == '\\') {
      SourceLoc l = here();
      advance();
      v = escape(l);
    } else {
      v = static_cast<unsigned char>(s_[pos_]);
      advance();
    }
    if (pos_ >= s_.size() || s_[pos_] != '\'')
      fail(t.loc, "unterminated character literal: expected closing '''");
    advance();
    t.value = v;
    t.text = s_.substr(start, pos_ - start);
    finish(t);
    return t;
  }

  Token lex_string() {
    Token t = make(Tok::String, pos_);
    advance();
    std::string out;
    while (true) {
      if (pos_ >= s_.size() || s_[pos_] == '\n')
        fail(t.loc, "unterminated string literal: expected closing '\"'");
      char c = s_[pos_];
      if (c == '"') {
        advance();
        break;
      }
      if (c == '\\') {
        SourceLoc l = here();
        advance();
        out.push_back(static_cast<char>(escape(l)));
      } else {
        out.push_back(c);
        advance();
      }
    }
    t.text = std::move(out);
    finish(t);
    return t;
  }
};

}  // namespace

std::vector<Token> lex(const SourceManager& sm, uint32_t file_id) { return Lexer(sm, file_id).run(); }

}  // namespace ptcheck::frontend
