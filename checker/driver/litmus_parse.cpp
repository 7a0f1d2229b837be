// The C litmus reader (litmus.h): comments and Result: lines, the init block,
// the P functions, the final-state clauses.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "driver/litmus.h"
#include "support/diag.h"

namespace ptcheck::litmus {

namespace {

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Reader {
 public:
  Reader(const std::string& file, const std::string& text) : file_(file), src_(text) {}

  [[noreturn]] void fail(size_t at, const std::string& msg) const {
    unsigned line = 1;
    for (size_t i = 0; i < at && i < src_.size(); ++i) line += src_[i] == '\n';
    throw InputError(fmt::format("{}:{}: error: {}", file_, line, msg));
  }
  unsigned line_of(size_t at) const {
    unsigned line = 1;
    for (size_t i = 0; i < at && i < src_.size(); ++i) line += src_[i] == '\n';
    return line;
  }

  // herd's (* ... *) comments outside braces, C comments anywhere: blanked in
  // text_ (newlines kept); Result: lines collected from the herd comments.
  void mask(Test& t) {
    text_ = src_;
    int depth = 0;
    for (size_t i = 0; i < text_.size(); ++i) {
      char c = text_[i];
      if (depth == 0 && c == '(' && i + 1 < text_.size() && text_[i + 1] == '*') {
        size_t end = src_.find("*)", i + 2);
        if (end == std::string::npos) fail(i, "unterminated (* comment");
        collect_results(t, i + 2, end);
        for (size_t k = i; k < end + 2; ++k)
          if (text_[k] != '\n') text_[k] = ' ';
        i = end + 1;
        continue;
      }
      if (c == '/' && i + 1 < text_.size() && (text_[i + 1] == '/' || text_[i + 1] == '*')) {
        bool line = text_[i + 1] == '/';
        size_t end = line ? text_.find('\n', i) : text_.find("*/", i + 2);
        if (end == std::string::npos) {
          if (!line) fail(i, "unterminated /* comment");
          end = text_.size();
        } else if (!line) {
          end += 2;
        }
        for (size_t k = i; k < end; ++k)
          if (text_[k] != '\n') text_[k] = ' ';
        i = end - 1;
        continue;
      }
      if (c == '{') ++depth;
      if (c == '}') --depth;
    }
  }

  void collect_results(Test& t, size_t from, size_t to) {
    size_t p = from;
    while (p < to) {
      size_t e = src_.find('\n', p);
      if (e == std::string::npos || e > to) e = to;
      std::string l = trim(src_.substr(p, e - p));
      while (!l.empty() && l[0] == '*') l = trim(l.substr(1));
      for (const auto& [prefix, model] : {std::pair<std::string, std::string>{"Result:", "lkmm"},
                                          {"SC-Result:", "sc"}, {"TSO-Result:", "tso"},
                                          {"Approx-Result:", "approx"}}) {
        if (l.rfind(prefix, 0) != 0) continue;
        std::string v = trim(l.substr(prefix.size()));
        size_t sp = v.find_first_of(" \t(");
        v = v.substr(0, sp);
        // herd7's verdicts; the kernel's judgelitmus.sh also knows DEADLOCK
        // (no execution passes the filter: Never 0 0) and Maybe (any).
        const bool extra = model == "lkmm" && (v == "DEADLOCK" || v == "Maybe");
        if (v != "Never" && v != "Sometimes" && v != "Always" && !extra)
          fail(p, fmt::format("{} expects Never, Sometimes or Always{}, found '{}'", prefix,
                              model == "lkmm" ? " (or DEADLOCK, Maybe)" : "", v));
        t.expected[model] = v;
        t.expected_line[model] = line_of(p);
      }
      p = e + 1;
    }
  }

  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip_ws();
    return pos_ >= text_.size();
  }
  std::string word() {
    skip_ws();
    size_t a = pos_;
    while (pos_ < text_.size() && ident_char(text_[pos_])) ++pos_;
    return text_.substr(a, pos_ - a);
  }
  bool accept(const std::string& s) {
    skip_ws();
    if (text_.compare(pos_, s.size(), s) != 0) return false;
    pos_ += s.size();
    return true;
  }
  void expect(const std::string& s, const std::string& where) {
    if (!accept(s)) fail(pos_, fmt::format("expected '{}' {}", s, where));
  }
  // The offset just past the brace matching the one at `open`.
  size_t match_brace(size_t open) {
    int depth = 0;
    for (size_t i = open; i < text_.size(); ++i) {
      if (text_[i] == '{') ++depth;
      if (text_[i] == '}' && --depth == 0) return i + 1;
    }
    fail(open, "unbalanced '{'");
  }

  void header(Test& t) {
    skip_ws();
    if (!accept("C") || pos_ >= text_.size() || !std::isspace(static_cast<unsigned char>(text_[pos_])))
      fail(pos_, "expected the header 'C NAME' (a C litmus test)");
    skip_ws();
    size_t a = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    t.name = text_.substr(a, pos_ - a);
    if (t.name.empty()) fail(a, "expected the test's name after 'C'");
    skip_ws();
    // An optional quoted description.
    if (pos_ < text_.size() && text_[pos_] == '"') {
      size_t e = text_.find('"', pos_ + 1);
      if (e == std::string::npos) fail(pos_, "unterminated string");
      pos_ = e + 1;
    }
  }

  Location* find_loc(Test& t, const std::string& n) {
    for (auto& l : t.locations)
      if (l.name == n) return &l;
    return nullptr;
  }

  void init_block(Test& t) {
    skip_ws();
    if (pos_ >= text_.size() || text_[pos_] != '{') fail(pos_, "expected the init block '{ ... }'");
    size_t end = match_brace(pos_);
    std::string body = text_.substr(pos_ + 1, end - pos_ - 2);
    size_t base = pos_ + 1;
    pos_ = end;
    size_t p = 0;
    while (p < body.size()) {
      size_t semi = body.find(';', p);
      if (semi == std::string::npos) semi = body.size();
      std::string item = trim(body.substr(p, semi - p));
      size_t at = base + p;
      p = semi + 1;
      if (item.empty()) continue;
      std::string lhs = item, rhs;
      if (auto eq = item.find('='); eq != std::string::npos) {
        lhs = trim(item.substr(0, eq));
        rhs = trim(item.substr(eq + 1));
      }
      if (lhs.find(':') != std::string::npos) fail(at, fmt::format("initial register values ('{}') are not supported", lhs));
      // [type] [*...]name
      size_t ne = lhs.size();
      while (ne > 0 && ident_char(lhs[ne - 1])) --ne;
      std::string name = lhs.substr(ne), type = trim(lhs.substr(0, ne));
      if (name.empty()) fail(at, fmt::format("expected a location name in '{}'", item));
      Location l;
      l.name = name;
      if (!type.empty()) l.type = type;
      if (rhs.rfind("ATOMIC_INIT(", 0) == 0 && rhs.back() == ')') rhs = trim(rhs.substr(12, rhs.size() - 13));
      if (!rhs.empty()) {
        bool number = std::isdigit(static_cast<unsigned char>(rhs[0])) || rhs[0] == '-';
        if (number) l.init = rhs;
        else l.init = "&" + (rhs[0] == '&' ? trim(rhs.substr(1)) : rhs);
        if (!number && l.type == "int") l.type = "int *";
      }
      if (Location* old = find_loc(t, name)) *old = l;
      else t.locations.push_back(l);
    }
  }

  void procs(Test& t) {
    for (;;) {
      skip_ws();
      size_t start = pos_;
      if (pos_ >= text_.size() || text_[pos_] != 'P') return;
      size_t q = pos_ + 1;
      while (q < text_.size() && std::isdigit(static_cast<unsigned char>(text_[q]))) ++q;
      if (q == pos_ + 1) return;
      Proc pr;
      pr.index = static_cast<unsigned>(std::stoul(text_.substr(pos_ + 1, q - pos_ - 1)));
      if (pr.index != t.procs.size()) fail(pos_, fmt::format("expected P{}, found P{}", t.procs.size(), pr.index));
      pos_ = q;
      expect("(", "after the process name");
      size_t close = text_.find(')', pos_);
      if (close == std::string::npos) fail(pos_, "unterminated parameter list");
      std::string params = text_.substr(pos_, close - pos_);
      pos_ = close + 1;
      size_t p = 0;
      while (p <= params.size()) {
        size_t c = params.find(',', p);
        if (c == std::string::npos) c = params.size();
        std::string prm = trim(params.substr(p, c - p));
        p = c + 1;
        if (prm.empty() || prm == "void") continue;
        size_t ne = prm.size();
        while (ne > 0 && ident_char(prm[ne - 1])) --ne;
        std::string name = prm.substr(ne), type = trim(prm.substr(0, ne));
        if (name.empty() || type.empty() || type.back() != '*')
          fail(start, fmt::format("P{}: a parameter must point at a shared location ('int *x'), found '{}'", pr.index, prm));
        pr.params.emplace_back(type, name);
        std::string loc_type = trim(type.substr(0, type.size() - 1));
        if (Location* l = find_loc(t, name)) {
          if (l->type == "int" && loc_type != "int") l->type = loc_type;
        } else {
          t.locations.push_back(Location{loc_type, name, ""});
        }
      }
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != '{') fail(pos_, fmt::format("expected the body of P{}", pr.index));
      size_t end = match_brace(pos_);
      pr.line = line_of(start);
      pr.text = text_.substr(start, end - start);
      pr.close = end - 1 - start;
      pos_ = end;
      t.procs.push_back(std::move(pr));
    }
  }

  // ---- clauses
  std::string term() {
    skip_ws();
    size_t a = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || std::isdigit(static_cast<unsigned char>(text_[pos_])))) {
      ++pos_;
      while (pos_ < text_.size() && ident_char(text_[pos_])) ++pos_;
      std::string num = text_.substr(a, pos_ - a);
      size_t save = pos_;
      skip_ws();
      if (pos_ < text_.size() && text_[pos_] == ':') {  // N:reg
        ++pos_;
        std::string r = word();
        if (r.empty()) fail(pos_, "expected a register name after ':'");
        return num + ":" + r;
      }
      pos_ = save;
      return num;
    }
    if (accept("&")) return "&" + word();
    std::string w = word();
    if (w.empty()) fail(pos_, "expected a register (0:r0), a location or a value");
    return w;
  }
  std::shared_ptr<Cond> atom() {
    skip_ws();
    if (accept("(")) {
      auto c = disj();
      expect(")", "closing the condition");
      return c;
    }
    if (accept("~") || accept("not ")) {
      auto c = std::make_shared<Cond>();
      c->kind = Cond::Not;
      c->a = atom();
      return c;
    }
    size_t save = pos_;
    std::string w = word();
    if (w == "true" || w == "false") {
      auto c = std::make_shared<Cond>();
      c->kind = w == "true" ? Cond::True : Cond::False;
      return c;
    }
    pos_ = save;
    auto c = std::make_shared<Cond>();
    c->lhs = term();
    if (accept("!=")) c->kind = Cond::Ne;
    else if (accept("=")) c->kind = Cond::Eq;
    else fail(pos_, "expected '=' or '!=' in the condition");
    c->rhs = term();
    if (c->rhs[0] == '&') c->rhs = c->rhs.substr(1);
    return c;
  }
  std::shared_ptr<Cond> conj() {
    auto c = atom();
    while (accept("/\\")) {
      auto n = std::make_shared<Cond>();
      n->kind = Cond::And;
      n->a = c;
      n->b = atom();
      c = n;
    }
    return c;
  }
  std::shared_ptr<Cond> disj() {
    auto c = conj();
    while (accept("\\/")) {
      auto n = std::make_shared<Cond>();
      n->kind = Cond::Or;
      n->a = c;
      n->b = conj();
      c = n;
    }
    return c;
  }

  void clauses(Test& t) {
    bool have = false;
    while (!at_end()) {
      size_t at = pos_;
      if (accept("locations")) {
        expect("[", "after 'locations'");
        size_t e = text_.find(']', pos_);
        if (e == std::string::npos) fail(pos_, "unterminated locations [...]");
        std::string list = text_.substr(pos_, e - pos_);
        pos_ = e + 1;
        size_t p = 0;
        while (p < list.size()) {
          size_t s = list.find(';', p);
          if (s == std::string::npos) s = list.size();
          std::string item;
          for (char ch : list.substr(p, s - p))
            if (!std::isspace(static_cast<unsigned char>(ch))) item += ch;
          if (!item.empty()) t.shown.push_back(item);
          p = s + 1;
        }
        continue;
      }
      if (accept("filter")) {
        t.filter = disj();
        continue;
      }
      Quant q;
      if (accept("~exists")) q = Quant::NotExists;
      else if (accept("exists")) q = Quant::Exists;
      else if (accept("forall")) q = Quant::Forall;
      else fail(at, "expected 'exists', '~exists', 'forall', 'filter' or 'locations'");
      if (have) fail(at, "a second final condition");
      have = true;
      t.quant = q;
      size_t a = pos_;
      t.cond = disj();
      std::string txt;
      for (char ch : text_.substr(a, pos_ - a)) txt += ch == '\n' || ch == '\t' ? ' ' : ch;
      t.cond_text = trim(txt);
    }
    if (!have) fail(pos_, "the test has no final condition (exists, ~exists or forall)");
  }

  void run(Test& t) {
    mask(t);
    header(t);
    init_block(t);
    procs(t);
    if (t.procs.empty()) fail(pos_, "expected P0(...) { ... }");
    // An address no process names (`p=y;` with no y elsewhere) is an int
    // location of its own, as herd7 makes it.
    for (size_t i = 0; i < t.locations.size(); ++i)
      if (t.locations[i].init.rfind("&", 0) == 0 && !find_loc(t, t.locations[i].init.substr(1)))
        t.locations.push_back(Location{"int", t.locations[i].init.substr(1), ""});
    clauses(t);
  }

 private:
  std::string file_, src_, text_;
  size_t pos_ = 0;
};

void terms(const Cond* c, std::vector<std::string>& out) {
  if (!c) return;
  if (c->kind == Cond::Eq || c->kind == Cond::Ne) {
    if (std::find(out.begin(), out.end(), c->lhs) == out.end()) out.push_back(c->lhs);
    return;
  }
  terms(c->a.get(), out);
  terms(c->b.get(), out);
}

}  // namespace

Test parse_litmus(const std::string& file, const std::string& text) {
  Test t;
  t.file = file;
  Reader r(file, text);
  r.run(t);
  // Approx-Result: what ptcheck's lkmm approximation observes where it misses
  // an outcome LKMM allows; it may only be weaker than Result:.
  if (t.expected.count("approx") &&
      !(t.expected.count("lkmm") && t.expected["lkmm"] != "Never" && t.expected["approx"] != t.expected["lkmm"]))
    throw InputError(fmt::format("{}:{}: error: Approx-Result: states where ptcheck's lkmm misses an outcome LKMM "
                                 "allows: it needs a Result: of Sometimes or Always that it differs from",
                                 file, t.expected_line["approx"]));
  // Every register named must belong to a process, every location must exist.
  std::vector<std::string> all = observed(t);
  for (const auto& term : all) {
    if (auto c = term.find(':'); c != std::string::npos) {
      unsigned p = static_cast<unsigned>(std::stoul(term.substr(0, c)));
      if (p >= t.procs.size()) throw InputError(fmt::format("{}: error: '{}' names P{}, which the test does not have", file, term, p));
    } else {
      bool found = false;
      for (const auto& l : t.locations) found = found || l.name == term;
      if (!found) throw InputError(fmt::format("{}: error: '{}' is not a location of the test", file, term));
    }
  }
  return t;
}

std::vector<std::string> observed(const Test& t) {
  std::vector<std::string> out;
  terms(t.cond.get(), out);
  terms(t.filter.get(), out);
  for (const auto& s : t.shown)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

std::string out_global(const std::string& reg_term) {
  auto c = reg_term.find(':');
  return fmt::format("__out_{}_{}", reg_term.substr(0, c), reg_term.substr(c + 1));
}

std::string litmus_spec(const Test& t, const std::string& target_name) {
  // Line 1 holds every declaration; each Pn then starts on its own line of
  // the litmus file (blank lines pad), so diagnostics name the file's lines.
  // One import: a line's first import is the one read before parsing (the
  // project's import scan), and spinlock_types.ptm includes types.ptm.
  std::string out = "import \"model/include/linux/spinlock_types.ptm\"; ";
  out += "struct srcu_struct { int __srcu_readers; }; ";
  for (const auto& l : t.locations) out += fmt::format("{} {}; ", l.type, l.name);
  std::vector<std::string> regs;
  for (const auto& term : observed(t))
    if (term.find(':') != std::string::npos) {
      regs.push_back(term);
      out += fmt::format("unsigned long {}; ", out_global(term));
    }
  out += "\n";
  unsigned line = 2;
  for (const auto& p : t.procs) {
    for (; line < p.line; ++line) out += "\n";
    std::string text = p.text;
    std::string copy;
    for (const auto& r : regs)
      if (std::stoul(r.substr(0, r.find(':'))) == p.index)
        copy += fmt::format("{} = (unsigned long){}; ", out_global(r), r.substr(r.find(':') + 1));
    text.insert(p.close, copy);
    out += "static void " + text + "\n";
    for (char c : text) line += c == '\n';
    ++line;
  }
  out += fmt::format("target {} {{\n", target_name);
  for (const auto& p : t.procs) {
    std::string args;
    for (const auto& [type, name] : p.params) args += fmt::format("{}&{}", args.empty() ? "" : ", ", name);
    out += fmt::format("\tthread P{} {{ P{}({}); }}\n", p.index, p.index, args);
  }
  std::string init;
  for (const auto& l : t.locations) {
    if (l.init.empty()) continue;
    if (l.type == "atomic_t" || l.type == "atomic_long_t") init += fmt::format("{}.counter = {}; ", l.name, l.init);
    else init += fmt::format("{} = {}; ", l.name, l.init);
  }
  if (!init.empty()) out += "\tinit { " + init + "}\n";
  out += "\texpect pass;\n}\n";
  return out;
}

}  // namespace ptcheck::litmus
