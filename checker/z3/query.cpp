// Layout query parser and the Z3 engine that answers queries per arch.
#include "z3/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "target/project.h"

namespace ptcheck::zl {

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

std::string value_text(const ValueSpec& v) {
  std::string s;
  switch (v.kind) {
    case ValueSpec::Const: s = fmt::format("{:#x}", v.n); break;
    case ValueSpec::Named: s = v.name; break;
    case ValueSpec::FunctionAddress: s = v.n ? fmt::format("function_address({})", v.n) : "function_address"; break;
    case ValueSpec::SlabObject: s = fmt::format("slab_object({})", v.n); break;
    case ValueSpec::Any: s = "any"; break;
  }
  for (const auto& [op, k] : v.ops) s += fmt::format(" {} {:#x}", op, k);
  return s;
}

}  // namespace

QPtr parse_query(const std::string& text, const ErrFn& err) {
  QParser p(text, err);
  return p.parse();
}

std::string to_string(const QNode& q) {
  auto k = [&](size_t i) { return to_string(*q.kids[i]); };
  switch (q.kind) {
    case QNode::True: return "true";
    case QNode::False: return "false";
    case QNode::Sym: return q.name;
    case QNode::Not: return "!" + k(0);
    case QNode::And: return "(" + k(0) + " && " + k(1) + ")";
    case QNode::Or: return "(" + k(0) + " || " + k(1) + ")";
    case QNode::Implies: return "(" + k(0) + " -> " + k(1) + ")";
    case QNode::Overlap: return fmt::format("overlap({}, {})", q.members[0], q.members[1]);
    case QNode::EqualOffset: return fmt::format("equal_offset({}, {})", q.members[0], q.members[1]);
    case QNode::Present: return fmt::format("present({})", q.members[0]);
    case QNode::Decodes: return fmt::format("decodes({}, {}, {})", value_text(q.val), q.decoder, q.value);
    case QNode::Cmp: return k(0) + " " + q.name + " " + k(1);
    case QNode::Int: return std::to_string(q.value);
    case QNode::Offset: return fmt::format("offset({})", q.members[0]);
    case QNode::End: return fmt::format("end({})", q.members[0]);
    case QNode::Sizeof: return fmt::format("sizeof({})", q.members[0]);
    case QNode::Alignof: return fmt::format("alignof({})", q.members[0]);
    case QNode::Add: return "(" + k(0) + " + " + k(1) + ")";
    case QNode::Sub: return "(" + k(0) + " - " + k(1) + ")";
  }
  return "?";
}

// ---- text helpers ---------------------------------------------------------------------

std::string describe_value(const ValueSpec& v, const ArchInfo& arch, bool cold_unaligned) {
  std::string s;
  switch (v.kind) {
    case ValueSpec::Const: s = fmt::format("{:#x}", v.n); break;
    case ValueSpec::Named: s = v.name; break;
    case ValueSpec::FunctionAddress: {
      uint64_t a = v.n ? v.n : cold_unaligned ? 1 : arch.function_align;
      s = a == 1 ? "a function address (unaligned, as a cold function may be)"
                 : fmt::format("a function address ({}-byte aligned)", a);
      break;
    }
    case ValueSpec::SlabObject: s = fmt::format("a pointer to a {}-byte aligned object", v.n); break;
    case ValueSpec::Any: s = "any value"; break;
  }
  for (const auto& [op, k] : v.ops) s += fmt::format(" {} {:#x}", op, k);
  return s;
}

std::string config_text(const std::vector<std::pair<std::string, bool>>& cfg) {
  std::string s;
  for (const auto& [k, v] : cfg) s += (s.empty() ? "" : ", ") + k + (v ? "=y" : "=n");
  return s;
}

std::string ranges_text(const std::vector<MemberRange>& ms) {
  std::string s;
  for (const auto& m : ms) {
    s += s.empty() ? "" : ", ";
    if (!m.present) s += m.member + " absent";
    else if (m.size == 0) s += fmt::format("{} @{} (0 bytes)", m.member, m.offset);
    else s += fmt::format("{} bytes {}..{}", m.member, m.offset, m.offset + m.size - 1);
  }
  return s;
}

// ---- engine ---------------------------------------------------------------------------

struct Engine::ArchState {
  ArchInfo info;
  std::unique_ptr<SymLayout> layout;
};

Engine::Engine(EngineOptions o) : opt_(o) {}
Engine::~Engine() {
  cache_.clear();
  arches_.clear();
}

void Engine::add_arch(const ArchInfo& arch, const std::vector<const ast::TranslationUnit*>& units,
                      SourceManager& sm) {
  auto st = std::make_unique<ArchState>();
  st->info = arch;
  st->layout = std::make_unique<SymLayout>(ctx_, st->info, sm);
  for (const auto* u : units) st->layout->add_unit(*u);
  arches_[arch.name] = std::move(st);
}

void Engine::load_project_arch(Project& p, const std::string& arch) {
  if (has_arch(arch)) return;
  ArchInfo info = load_arch(p.root(), arch);
  std::vector<std::string> files = info.model_files;
  for (const auto& f : p.resolve_import("model", "", SourceLoc{})) files.push_back(f);
  files = p.closure(files);
  std::vector<const ast::TranslationUnit*> units;
  for (const auto& f : files) units.push_back(&p.unit(f));
  add_arch(info, units, p.sources());
}

SymLayout& Engine::layout(const std::string& arch) {
  auto it = arches_.find(arch);
  if (it == arches_.end()) throw InputError(fmt::format("ptcheck: error: arch '{}' is not loaded", arch));
  return *it->second->layout;
}

std::string Engine::solve(const z3::expr& f, std::string* reason, std::optional<z3::model>* model) {
  try {
    z3::solver s(ctx_);
    z3::params p(ctx_);
    if (opt_.timeout_ms) p.set("timeout", opt_.timeout_ms);
    s.set(p);
    s.add(f);
    switch (s.check()) {
      case z3::sat:
        if (model) *model = s.get_model();
        return "sat";
      case z3::unsat:
        return "unsat";
      case z3::unknown:
        if (reason) *reason = s.reason_unknown();
        return "unknown";
    }
  } catch (const z3::exception& e) {
    if (reason) *reason = e.msg();
  }
  return "unknown";
}

SymMember Engine::member(const std::string& m, unsigned col, ArchState& a, const ErrFn& err) {
  size_t dot = m.find_first_of(".[");
  std::string tag = m.substr(0, dot);
  const SymType* rec = a.layout->record(tag);
  if (!rec || !rec->complete)
    throw InputError(err(fmt::format("no struct or union '{}' in the model for {}", tag, a.info.name), col));
  if (dot == std::string::npos) {
    return SymMember{{{ctx_.bool_val(true), ctx_.bv_val(0, 64), rec}}, ctx_.bool_val(true), ctx_.bv_val(0, 64),
                     rec->size};
  }
  std::string path = m.substr(dot + (m[dot] == '.' ? 1 : 0));
  auto r = a.layout->member(rec, path);
  if (!r)
    throw InputError(err(fmt::format("no member '{}' in {} under any config on {}", path, rec->name, a.info.name), col));
  return *r;
}

std::pair<z3::expr, z3::expr> Engine::term(const QNode& q, ArchState& a, const ErrFn& err,
                                           std::vector<std::string>& members) {
  z3::expr yes = ctx_.bool_val(true);
  switch (q.kind) {
    case QNode::Int:
      return {ctx_.bv_val(q.value, 64), yes};
    case QNode::Offset:
    case QNode::End:
    case QNode::Sizeof: {
      SymMember m = member(q.members[0], q.member_cols[0], a, err);
      if (q.members[0].find_first_of(".[") != std::string::npos) members.push_back(q.members[0]);
      if (q.kind == QNode::Offset) return {m.offset, m.present};
      if (q.kind == QNode::End) return {m.offset + m.size, m.present};
      return {m.size, m.present};
    }
    case QNode::Alignof: {
      SymMember m = member(q.members[0], q.member_cols[0], a, err);
      if (m.candidates.size() != 1) return {m.candidates[0].type->align, m.present};
      return {m.candidates[0].type->align, m.present};
    }
    case QNode::Add:
    case QNode::Sub: {
      auto x = term(*q.kids[0], a, err, members);
      auto y = term(*q.kids[1], a, err, members);
      return {q.kind == QNode::Add ? x.first + y.first : x.first - y.first, x.second && y.second};
    }
    default:
      throw InputError(err("expected a term", q.col));
  }
}

ValueAnswer Engine::decide_value(const QNode& q, ArchState& a, const ErrFn& err) {
  ValueAnswer va;
  va.text = to_string(q);
  const ValueSpec& v = q.val;
  z3::expr x = ctx_.bv_const(fmt::format("value!{}", fresh_++).c_str(), 64);
  z3::expr c = ctx_.bool_val(true);
  uint64_t base = 0;
  bool single = false;
  switch (v.kind) {
    case ValueSpec::Const:
      base = v.n;
      single = true;
      break;
    case ValueSpec::Named: {
      const ArchInfo& ai = a.info;
      if (v.name == "LIST_POISON1") base = ai.list_poison1();
      else if (v.name == "LIST_POISON2") base = ai.list_poison2();
      else if (v.name == "TAIL_MAPPING") base = 0x400 + ai.poison_pointer_delta;
      else if (v.name == "POISON_POINTER_DELTA") base = ai.poison_pointer_delta;
      else if (ai.constants.count(v.name)) base = ai.constants.at(v.name);
      else
        throw InputError(err(fmt::format("unknown value '{}' on {}: expected LIST_POISON1, LIST_POISON2, TAIL_MAPPING, "
                                         "an arch constant, function_address, slab_object(N) or any",
                                         v.name, ai.name),
                             static_cast<unsigned>(v.n)));
      single = true;
      break;
    }
    case ValueSpec::FunctionAddress:
    case ValueSpec::SlabObject: {
      uint64_t al = v.kind == ValueSpec::SlabObject || v.n ? v.n : opt_.cold_unaligned ? 1 : a.info.function_align;
      if (al > 1) c = (x & ctx_.bv_val(al - 1, 64)) == ctx_.bv_val(0, 64);
      // function addresses lie in the kernel text (1 GiB from the arch's text_base)
      uint64_t tb = a.info.map.text_base;
      if (v.kind == ValueSpec::FunctionAddress && tb && tb + (1ull << 30) > tb)
        c = c && z3::uge(x, ctx_.bv_val(tb, 64)) && z3::ult(x, ctx_.bv_val(static_cast<uint64_t>(tb + (1ull << 30)), 64));
      break;
    }
    case ValueSpec::Any:
      break;
  }
  if (single) c = x == ctx_.bv_val(base, 64);
  // the value set after the + / | operations: y
  z3::expr y = x;
  uint64_t sv = base;
  for (const auto& [op, k] : v.ops) {
    y = op == '+' ? y + ctx_.bv_val(k, 64) : (y | ctx_.bv_val(k, 64));
    sv = op == '+' ? sv + k : (sv | k);
  }
  va.single = single;
  va.describe = describe_value(v, a.info, opt_.cold_unaligned);
  if (single) va.describe += fmt::format(" = {:#x}", sv);
  z3::expr goal = c && ((y & ctx_.bv_val(q.mask, 64)) == ctx_.bv_val(q.value, 64));
  std::optional<z3::model> m;
  std::string reason;
  va.result = solve(goal, &reason, &m);
  if (va.result == "sat" && m) {
    va.witness = m->eval(y, true).simplify().get_numeral_uint64();
    va.decoded = *va.witness & q.mask;
  } else if (single) {
    va.decoded = sv & q.mask;
  }
  if (va.result == "unknown") va.describe += " (z3: " + reason + ")";
  return va;
}

z3::expr Engine::translate(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members,
                           std::vector<ValueAnswer>& values, std::string& unknown) {
  auto k = [&](size_t i) { return translate(*q.kids[i], a, err, members, values, unknown); };
  switch (q.kind) {
    case QNode::True: return ctx_.bool_val(true);
    case QNode::False: return ctx_.bool_val(false);
    case QNode::Sym: return a.layout->sym(q.name);
    case QNode::Not: return !k(0);
    case QNode::And: return k(0) && k(1);
    case QNode::Or: return k(0) || k(1);
    case QNode::Implies: return z3::implies(k(0), k(1));
    case QNode::Overlap:
    case QNode::EqualOffset: {
      SymMember x = member(q.members[0], q.member_cols[0], a, err);
      SymMember y = member(q.members[1], q.member_cols[1], a, err);
      members.push_back(q.members[0]);
      members.push_back(q.members[1]);
      z3::expr both = x.present && y.present;
      if (q.kind == QNode::EqualOffset) return both && x.offset == y.offset;
      z3::expr zero = ctx_.bv_val(0, 64);
      return both && x.size != zero && y.size != zero && z3::ult(x.offset, y.offset + y.size) &&
             z3::ult(y.offset, x.offset + x.size);
    }
    case QNode::Present: {
      SymMember x = member(q.members[0], q.member_cols[0], a, err);
      members.push_back(q.members[0]);
      return x.present;
    }
    case QNode::Decodes: {
      ValueAnswer va = decide_value(q, a, err);
      values.push_back(va);
      if (va.result == "unknown") {
        unknown = "z3 could not decide " + va.text;
        return ctx_.bool_val(false);
      }
      return ctx_.bool_val(va.result == "sat");
    }
    case QNode::Cmp: {
      auto x = term(*q.kids[0], a, err, members);
      auto y = term(*q.kids[1], a, err, members);
      z3::expr def = x.second && y.second;
      const std::string& op = q.name;
      z3::expr r = op == "==" ? x.first == y.first
                 : op == "!=" ? x.first != y.first
                 : op == "<"  ? z3::ult(x.first, y.first)
                 : op == "<=" ? z3::ule(x.first, y.first)
                 : op == ">"  ? z3::ugt(x.first, y.first)
                              : z3::uge(x.first, y.first);
      return def && r;
    }
    default:
      throw InputError(err("expected a layout question, found a term", q.col));
  }
}

namespace {
void collect_syms(const z3::expr& e, std::set<std::string>& out, std::set<unsigned>& seen) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_app()) {
    if (e.num_args() == 0 && e.is_bool() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
      out.insert(e.decl().name().str());
      return;
    }
    for (unsigned i = 0; i < e.num_args(); ++i) collect_syms(e.arg(i), out, seen);
  } else if (e.is_quantifier()) {
    collect_syms(e.body(), out, seen);
  }
}
}  // namespace

// A prime implicant of q (given background) taken from the model: the fewest
// symbol values that force q, found by dropping each symbol while background ∧
// rest ∧ ¬q stays unsat. Symbols fixed by `sets` are part of the background.
std::vector<std::pair<std::string, bool>> Engine::implicant(const z3::expr& q, const z3::expr& background,
                                                            const z3::model& m,
                                                            const std::vector<std::pair<std::string, bool>>& sets) {
  std::set<std::string> syms;
  std::set<unsigned> seen;
  collect_syms(q, syms, seen);
  for (const auto& [s, v] : sets) syms.erase(s);
  std::vector<std::pair<std::string, bool>> fixed;
  for (const auto& s : syms) {
    z3::expr v = m.eval(ctx_.bool_const(s.c_str()), true);
    fixed.emplace_back(s, v.is_true());
  }
  auto lit = [&](const std::pair<std::string, bool>& f) {
    z3::expr b = ctx_.bool_const(f.first.c_str());
    return f.second ? b : !b;
  };
  for (size_t i = 0; i < fixed.size();) {
    z3::expr f = background && !q;
    for (size_t j = 0; j < fixed.size(); ++j)
      if (j != i) f = f && lit(fixed[j]);
    if (solve(f) == "unsat") fixed.erase(fixed.begin() + static_cast<long>(i));
    else ++i;
  }
  return fixed;
}

Answer Engine::ask(const QNode& q, const std::string& arch, const std::vector<std::pair<std::string, bool>>& sets,
                   const ErrFn& err) {
  auto it = arches_.find(arch);
  if (it == arches_.end()) throw InputError(fmt::format("ptcheck: error: arch '{}' is not loaded", arch));
  ArchState& a = *it->second;
  std::string key = arch + "|" + to_string(q) + "|" + (opt_.cold_unaligned ? "cold" : "") + "|" +
                    std::to_string(opt_.timeout_ms);
  auto sorted = sets;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [s, v] : sorted) key += s + (v ? "=y," : "=n,");
  auto c = cache_.find(key);
  if (c != cache_.end()) {
    ++hits_;
    Answer r = c->second;
    r.cached = true;
    return r;
  }

  Answer ans;
  ans.arch = arch;
  std::vector<std::string> members;
  std::string unknown;
  z3::expr f = translate(q, a, err, members, ans.values, unknown).simplify();
  z3::expr background = a.layout->axioms();
  for (const auto& [s, v] : sets) background = background && (v ? a.layout->sym(s) : !a.layout->sym(s));
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  auto ranges = [&](const z3::model& m) {
    std::vector<MemberRange> out;
    for (const auto& name : members) {
      SymMember sm = member(name, 0, a, err);
      MemberRange r;
      r.member = name;
      r.present = m.eval(sm.present, true).is_true();
      r.offset = m.eval(sm.offset, true).simplify().get_numeral_uint64();
      r.size = m.eval(sm.size, true).simplify().get_numeral_uint64();
      out.push_back(r);
    }
    return out;
  };
  if (!unknown.empty()) {
    ans.result = "unknown";
    ans.reason = unknown;
    ans.holds = "unknown";
  } else {
    std::optional<z3::model> m;
    ans.result = solve(background && f, &ans.reason, &m);
    if (ans.result == "sat" && m) {
      ans.config = implicant(f, background, *m, sets);
      ans.members = ranges(*m);
    }
    std::optional<z3::model> cm;
    std::string why;
    std::string neg = ans.result == "unsat" ? "sat" : solve(background && !f, &why, &cm);
    ans.holds = neg == "unsat" ? "yes" : neg == "sat" ? "no" : "unknown";
    if (neg == "sat" && cm) {
      ans.counter = implicant(!f, background, *cm, sets);
      ans.counter_members = ranges(*cm);
    }
    if (ans.holds == "unknown" && ans.reason.empty()) ans.reason = why;
  }
  cache_.emplace(key, ans);
  return ans;
}

}  // namespace ptcheck::zl
