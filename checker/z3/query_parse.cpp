// The layout query language (query.h): its parser, with errors at the
// query's columns.
#include <fmt/format.h>

#include "z3/query.h"

namespace ptcheck::z3 {

// ---- errors -------------------------------------------------------------------------

ErrFn cli_errors(const std::string& what) {
  return [what](const std::string& msg, unsigned col) {
    return fmt::format("{}: error: {} at column {}", what, msg, col);
  };
}

ErrFn source_errors(const SourceManager& sm, SourceLoc loc) {
  return [&sm, loc](const std::string& msg, unsigned col) {
    SourceLoc l = loc;
    if (l.valid()) l.col += col;  // loc is the opening quote; column 1 is the next character
    return fmt::format("{}: error: {} in query", sm.where(l), msg);
  };
}

// ---- parser -------------------------------------------------------------------------

namespace {

struct Tok {
  enum Kind { Ident, Int, Punct, End } kind = End;
  std::string text;
  uint64_t value = 0;
  unsigned col = 0;
};

class QParser {
 public:
  QParser(const std::string& s, const ErrFn& err) : err_(err) { lex(s); }

  QPtr parse() {
    QPtr q = impl();
    if (cur().kind != Tok::End) fail("expected end of query, found " + describe(cur()));
    return q;
  }

 private:
  [[noreturn]] void fail(const std::string& msg, unsigned col = 0) const {
    throw InputError(err_(msg, col ? col : cur().col));
  }
  static std::string describe(const Tok& t) {
    if (t.kind == Tok::End) return "end of query";
    return "'" + t.text + "'";
  }
  void lex(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n') {
        ++i;
        continue;
      }
      Tok t;
      t.col = static_cast<unsigned>(i + 1);
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        t.kind = Tok::Ident;
        t.text = s.substr(i, j - i);
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        int base = 10;
        if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
          base = 16;
          j += 2;
        }
        size_t start = j;
        uint64_t v = 0;
        while (j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j]))) {
          int d = std::isdigit(static_cast<unsigned char>(s[j])) ? s[j] - '0' : (std::tolower(s[j]) - 'a' + 10);
          if (d >= base) break;
          uint64_t nv = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
          if (nv / static_cast<uint64_t>(base) != v) {
            t.col = static_cast<unsigned>(i + 1);
            throw InputError(err_("integer too large: expected at most 64 bits", t.col));
          }
          v = nv;
          ++j;
        }
        if (j == start) throw InputError(err_("expected hex digits after '0x'", t.col));
        while (j < s.size() && (s[j] == 'u' || s[j] == 'U' || s[j] == 'l' || s[j] == 'L')) ++j;
        t.kind = Tok::Int;
        t.value = v;
        t.text = s.substr(i, j - i);
        i = j;
      } else {
        static const char* two[] = {"&&", "||", "->", "==", "!=", "<=", ">="};
        std::string p;
        for (const char* x : two)
          if (s.compare(i, 2, x) == 0) p = x;
        if (p.empty()) {
          if (std::string("(),.[]+-|!<>").find(c) == std::string::npos)
            throw InputError(err_(fmt::format("unexpected character '{}'", c), t.col));
          p = std::string(1, c);
        }
        t.kind = Tok::Punct;
        t.text = p;
        i += p.size();
      }
      toks_.push_back(t);
    }
    Tok e;
    e.col = static_cast<unsigned>(s.size() + 1);
    toks_.push_back(e);
  }
  const Tok& cur() const { return toks_[pos_]; }
  const Tok& peek(size_t k = 1) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  const Tok& next() {
    const Tok& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool is(const char* p) const { return cur().kind == Tok::Punct && cur().text == p; }
  bool accept(const char* p) {
    if (!is(p)) return false;
    next();
    return true;
  }
  void expect(const char* p) {
    if (!accept(p)) fail(fmt::format("expected '{}'", p));
  }
  std::shared_ptr<QNode> mk(QNode::Kind k, unsigned col) {
    auto n = std::make_shared<QNode>();
    n->kind = k;
    n->col = col;
    return n;
  }
  void guard() {
    if (++depth_ > 200) fail("query nested too deeply");
  }

  QPtr impl() {
    QPtr a = disj();
    if (is("->")) {
      unsigned col = next().col;
      auto n = mk(QNode::Implies, col);
      n->kids = {a, impl()};
      return n;
    }
    return a;
  }
  QPtr disj() {
    QPtr a = conj();
    while (is("||")) {
      auto n = mk(QNode::Or, next().col);
      n->kids = {a, conj()};
      a = n;
    }
    return a;
  }
  QPtr conj() {
    QPtr a = unary();
    while (is("&&")) {
      auto n = mk(QNode::And, next().col);
      n->kids = {a, unary()};
      a = n;
    }
    return a;
  }
  QPtr unary() {
    guard();
    QPtr r;
    if (is("!")) {
      auto n = mk(QNode::Not, next().col);
      n->kids = {unary()};
      r = n;
    } else if (is("(")) {
      next();
      r = impl();
      expect(")");
    } else {
      r = atom();
    }
    --depth_;
    return r;
  }
  static bool is_term_start(const Tok& t, const Tok& after) {
    if (t.kind == Tok::Int) return true;
    if (t.kind != Tok::Ident) return false;
    return (t.text == "offset" || t.text == "end" || t.text == "sizeof" || t.text == "alignof") &&
           after.kind == Tok::Punct && after.text == "(";
  }
  QPtr atom() {
    const Tok& t = cur();
    if (is_term_start(t, peek())) {
      QPtr a = term();
      static const char* cmps[] = {"==", "!=", "<=", ">=", "<", ">"};
      for (const char* c : cmps) {
        if (is(c)) {
          auto n = mk(QNode::Cmp, next().col);
          n->name = c;
          n->kids = {a, term()};
          return n;
        }
      }
      fail("expected a comparison (==, !=, <, <=, >, >=) after the term" +
           (cur().kind == Tok::End ? std::string() : ", found " + describe(cur())));
    }
    if (t.kind != Tok::Ident)
      fail("expected a layout question (overlap, equal_offset, present, decodes, offset(...) == N, "
           "sizeof(...) <= sizeof(...), a CONFIG_ symbol, '!' or '('), found " + describe(t));
    unsigned col = t.col;
    std::string w = t.text;
    bool call = peek().kind == Tok::Punct && peek().text == "(";
    if (w == "true" && !call) return next(), mk(QNode::True, col);
    if (w == "false" && !call) return next(), mk(QNode::False, col);
    if ((w == "overlap" || w == "equal_offset") && call) {
      next();
      next();
      auto n = mk(w == "overlap" ? QNode::Overlap : QNode::EqualOffset, col);
      member(*n);
      expect(",");
      member(*n);
      expect(")");
      return n;
    }
    if (w == "present" && call) {
      next();
      next();
      auto n = mk(QNode::Present, col);
      member(*n);
      expect(")");
      return n;
    }
    if (w == "decodes" && call) {
      next();
      next();
      auto n = mk(QNode::Decodes, col);
      n->val = value();
      expect(",");
      decoder(*n);
      expect(",");
      n->value = integer("the expected decoded value");
      expect(")");
      return n;
    }
    if (call) fail(fmt::format("unknown question '{}': expected overlap, equal_offset, present, decodes, offset, "
                               "end, sizeof or alignof", w));
    next();
    auto n = mk(QNode::Sym, col);
    n->name = w;
    return n;
  }
  QPtr term() {
    QPtr a = prim();
    while (is("+") || is("-")) {
      const Tok& op = next();
      auto n = mk(op.text == "+" ? QNode::Add : QNode::Sub, op.col);
      n->kids = {a, prim()};
      a = n;
    }
    return a;
  }
  QPtr prim() {
    const Tok& t = cur();
    if (t.kind == Tok::Int) {
      auto n = mk(QNode::Int, t.col);
      n->value = next().value;
      return n;
    }
    if (t.kind == Tok::Ident && peek().kind == Tok::Punct && peek().text == "(") {
      std::string w = t.text;
      unsigned col = t.col;
      QNode::Kind k = w == "offset" ? QNode::Offset : w == "end" ? QNode::End : w == "sizeof" ? QNode::Sizeof
                    : w == "alignof" ? QNode::Alignof : QNode::True;
      if (k == QNode::True) fail(fmt::format("unknown term '{}': expected offset, end, sizeof or alignof", w));
      next();
      next();
      auto n = mk(k, col);
      member(*n);
      expect(")");
      return n;
    }
    fail("expected a term (an integer, offset(M), end(M), sizeof(S) or alignof(S)), found " + describe(t));
  }
  void member(QNode& n) {
    if (cur().kind == Tok::Ident && (cur().text == "struct" || cur().text == "union")) next();
    if (cur().kind != Tok::Ident) fail("expected a struct tag (as in page.lru), found " + describe(cur()));
    unsigned col = cur().col;
    std::string m = next().text;
    while (true) {
      if (is(".")) {
        next();
        if (cur().kind != Tok::Ident) fail("expected a member name after '.', found " + describe(cur()));
        m += "." + next().text;
      } else if (is("[")) {
        next();
        if (cur().kind != Tok::Int) fail("expected an array index, found " + describe(cur()));
        m += fmt::format("[{}]", next().value);
        expect("]");
      } else {
        break;
      }
    }
    n.members.push_back(m);
    n.member_cols.push_back(col);
  }
  ValueSpec value() {
    ValueSpec v;
    const Tok& t = cur();
    if (t.kind == Tok::Int) {
      v.kind = ValueSpec::Const;
      v.n = next().value;
    } else if (t.kind == Tok::Ident && t.text == "function_address") {
      next();
      v.kind = ValueSpec::FunctionAddress;
      if (accept("(")) {
        v.n = alignment();
        expect(")");
      }
    } else if (t.kind == Tok::Ident && t.text == "slab_object") {
      next();
      v.kind = ValueSpec::SlabObject;
      expect("(");
      v.n = alignment();
      expect(")");
    } else if (t.kind == Tok::Ident && t.text == "any") {
      next();
      v.kind = ValueSpec::Any;
    } else if (t.kind == Tok::Ident) {
      v.kind = ValueSpec::Named;
      v.name = next().text;
      v.n = t.col;
    } else {
      fail("expected a value (an integer, LIST_POISON1, LIST_POISON2, an arch constant, function_address, "
           "slab_object(N) or any), found " + describe(t));
    }
    while (is("+") || is("|")) {
      char op = next().text[0];
      if (cur().kind != Tok::Int) fail(fmt::format("expected an integer after '{}', found {}", op, describe(cur())));
      v.ops.emplace_back(op, next().value);
    }
    return v;
  }
  uint64_t alignment() {
    unsigned col = cur().col;
    if (cur().kind != Tok::Int) fail("expected an alignment (1, 2, 4, 8, ...), found " + describe(cur()));
    uint64_t a = next().value;
    if (a == 0 || (a & (a - 1)) != 0) fail(fmt::format("alignment {} is not a power of two", a), col);
    return a;
  }
  void decoder(QNode& n) {
    const Tok& t = cur();
    if (t.kind == Tok::Ident && t.text == "memdesc_type") {
      next();
      n.decoder = "memdesc_type";
      n.mask = 15;
    } else if (t.kind == Tok::Ident && t.text == "page_tail") {
      next();
      n.decoder = "page_tail";
      n.mask = 1;
    } else if (t.kind == Tok::Ident && t.text == "mask") {
      next();
      expect("(");
      if (cur().kind != Tok::Int) fail("expected a mask, found " + describe(cur()));
      n.mask = next().value;
      n.decoder = fmt::format("mask({:#x})", n.mask);
      expect(")");
    } else {
      fail("expected a decoder (memdesc_type, page_tail or mask(N)), found " + describe(t));
    }
  }
  uint64_t integer(const std::string& what) {
    if (cur().kind == Tok::Int) return next().value;
    if (cur().kind == Tok::Ident && cur().text == "MEMDESC_TYPE_PAGE_TABLE") return next(), 15;
    fail(fmt::format("expected {} (an integer or MEMDESC_TYPE_PAGE_TABLE), found {}", what, describe(cur())));
  }

  const ErrFn& err_;
  std::vector<Tok> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

QPtr parse_query(const std::string& text, const ErrFn& err) {
  QParser p(text, err);
  return p.parse();
}

}  // namespace ptcheck::z3
