// arch/Kconfig.toml: the Kconfig rules of the modelled symbols (kconfig.h).
#include "arch/kconfig.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <toml.hpp>

#include "support/diag.h"

namespace ptcheck {

bool KExpr::eval(const std::function<bool(const std::string&)>& value) const {
  switch (kind) {
    case True: return true;
    case Sym: return value(sym);
    case Not: return !a->eval(value);
    case And: return a->eval(value) && b->eval(value);
    case Or: return a->eval(value) || b->eval(value);
  }
  return true;
}

void KExpr::symbols(std::set<std::string>& out) const {
  if (kind == Sym) out.insert(sym);
  if (a) a->symbols(out);
  if (b) b->symbols(out);
}

std::string KExpr::text() const {
  auto paren = [](const KExpr& e, Kind ctx) {
    std::string s = e.text();
    return (e.kind == Or && ctx == And) ? "(" + s + ")" : s;
  };
  switch (kind) {
    case True: return "y";
    case Sym: return sym;
    case Not: return "!" + (a->kind == Sym ? a->text() : "(" + a->text() + ")");
    case And: return paren(*a, And) + " && " + paren(*b, And);
    case Or: return a->text() + " || " + b->text();
  }
  return "?";
}

bool KconfigRule::holds(const std::function<bool(const std::string&)>& value) const {
  switch (kind) {
    case Depends: return !value(symbol) || cond->eval(value);
    case Select: return (!symbol.empty() && !value(symbol)) || !cond->eval(value) || value(target);
    case ArchY: return value(symbol);
    case ArchN: return !value(symbol);
  }
  return true;
}

std::string KconfigRule::text(const std::string& arch) const {
  switch (kind) {
    case Depends: return fmt::format("{} depends on {}", symbol, cond->text());
    case Select:
      return fmt::format("{} selects {}{}", symbol.empty() ? "arch " + arch : symbol, target,
                         cond->kind == KExpr::True ? "" : " if " + cond->text());
    case ArchY: return fmt::format("arch {} always has {}", arch, symbol);
    case ArchN: return fmt::format("arch {} never has {}", arch, symbol);
  }
  return "?";
}

std::set<std::string> KconfigRule::symbols() const {
  std::set<std::string> out;
  if (!symbol.empty()) out.insert(symbol);
  if (!target.empty()) out.insert(target);
  if (cond) cond->symbols(out);
  return out;
}

namespace {

const char* kPath = "arch/Kconfig.toml";

// Recursive descent over "A && !(B || C)"; depth-bounded by the text length.
class ExprParser {
 public:
  ExprParser(const std::string& text, std::function<void(const std::string&)> fail)
      : s_(text), fail_(std::move(fail)) {}
  KExprPtr parse() {
    KExprPtr e = or_();
    skip();
    if (i_ != s_.size()) fail_(fmt::format("unexpected '{}' in \"{}\"", s_.substr(i_, 1), s_));
    return e;
  }

 private:
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool eat(const char* t) {
    skip();
    size_t n = std::char_traits<char>::length(t);
    if (s_.compare(i_, n, t) != 0) return false;
    i_ += n;
    return true;
  }
  KExprPtr mk(KExpr::Kind k, KExprPtr a, KExprPtr b = nullptr, std::string sym = {}) {
    auto e = std::make_shared<KExpr>();
    e->kind = k;
    e->a = std::move(a);
    e->b = std::move(b);
    e->sym = std::move(sym);
    return e;
  }
  KExprPtr or_() {
    KExprPtr a = and_();
    while (eat("||")) a = mk(KExpr::Or, a, and_());
    return a;
  }
  KExprPtr and_() {
    KExprPtr a = unary();
    while (eat("&&")) a = mk(KExpr::And, a, unary());
    return a;
  }
  KExprPtr unary() {
    if (++depth_ > 64) fail_(fmt::format("\"{}\" nests too deeply", s_));
    KExprPtr r;
    if (eat("!")) {
      r = mk(KExpr::Not, unary());
    } else if (eat("(")) {
      r = or_();
      if (!eat(")")) fail_(fmt::format("expected ')' in \"{}\"", s_));
    } else {
      skip();
      size_t b = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      if (b == i_) fail_(fmt::format("expected a symbol in \"{}\"", s_));
      r = mk(KExpr::Sym, nullptr, nullptr, s_.substr(b, i_ - b));
    }
    --depth_;
    return r;
  }
  const std::string& s_;
  std::function<void(const std::string&)> fail_;
  size_t i_ = 0;
  int depth_ = 0;
};

[[noreturn]] void fail_at(const toml::value& v, const std::string& msg) {
  auto loc = v.location();
  input_error(kPath, static_cast<uint32_t>(loc.line()), static_cast<uint32_t>(loc.column() ? loc.column() : 1), msg);
}

std::string where(const toml::value& v) { return fmt::format("{}:{}", kPath, v.location().line()); }

bool is_symbol(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

KExprPtr expr_of(const toml::value& v, const std::string& text) {
  return ExprParser(text, [&](const std::string& m) { fail_at(v, m); }).parse();
}

void add_rule(KconfigRules& out, KconfigRule r, const toml::value& v) {
  for (const auto& s : r.symbols())
    if (!is_symbol(s)) fail_at(v, fmt::format("'{}' is not a Kconfig symbol name (CONFIG_X, capitals)", s));
  for (const auto& s : r.symbols()) out.symbols.insert(s);
  out.rules.push_back(std::move(r));
}

}  // namespace

KconfigRules load_kconfig_rules(const std::string& root, const std::string& arch) {
  KconfigRules out;
  std::filesystem::path file = std::filesystem::path(root) / kPath;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return out;
  std::istringstream text(read_input_file(file.string()));
  toml::value doc;
  try {
    doc = toml::parse(text, kPath);
  } catch (const toml::exception& e) {
    auto loc = e.location();
    input_error(kPath, static_cast<uint32_t>(loc.line()), static_cast<uint32_t>(loc.column() ? loc.column() : 1),
                fmt::format("TOML: {}", e.what()));
  }
  if (!doc.is_table()) input_error(kPath, 0, 0, "expected TOML tables");
  for (const auto& [key, v] : doc.as_table())
    if (key != "depends" && key != "select" && key != "arch")
      fail_at(v, fmt::format("unknown table [{}]: expected [depends], [select] or [arch.NAME]", key));
  auto table = [&](const char* name) -> const toml::table* {
    if (!doc.contains(name)) return nullptr;
    const toml::value& t = doc.at(name);
    if (!t.is_table()) fail_at(t, fmt::format("[{}]: expected a table", name));
    return &t.as_table();
  };
  auto strings = [&](const toml::value& v, const std::string& what) {
    if (!v.is_array()) fail_at(v, fmt::format("{}: expected an array of strings", what));
    std::vector<std::pair<std::string, const toml::value*>> r;
    for (const auto& x : v.as_array()) {
      if (!x.is_string()) fail_at(x, fmt::format("{}: expected strings", what));
      r.emplace_back(x.as_string(), &x);
    }
    return r;
  };
  auto add_selects = [&](const std::string& sym, const toml::value& list) {
    for (const auto& [s, at] : strings(list, sym.empty() ? "[arch] select" : "[select] " + sym)) {
      KconfigRule r;
      r.kind = KconfigRule::Select;
      r.symbol = sym;
      size_t k = s.find(" if ");
      r.target = s.substr(0, k);
      r.cond = k == std::string::npos ? std::make_shared<KExpr>() : expr_of(*at, s.substr(k + 4));
      r.where = where(*at);
      add_rule(out, std::move(r), *at);
    }
  };
  if (const toml::table* d = table("depends"))
    for (const auto& [sym, v] : *d) {
      if (!v.is_string()) fail_at(v, fmt::format("[depends] {}: expected a string expression", sym));
      add_rule(out, KconfigRule{KconfigRule::Depends, sym, "", expr_of(v, v.as_string()), where(v)}, v);
    }
  if (const toml::table* s = table("select"))
    for (const auto& [sym, v] : *s) add_selects(sym, v);
  if (const toml::table* arches = table("arch")) {
    for (const auto& [name, sec] : *arches) {
      if (!sec.is_table()) fail_at(sec, fmt::format("[arch.{}]: expected a table", name));
      for (const auto& [key, v] : sec.as_table()) {
        if (key != "y" && key != "n" && key != "select")
          fail_at(v, fmt::format("[arch.{}] {}: expected y, n or select", name, key));
        if (key == "select") {
          if (name == arch) add_selects("", v);  // the arch's own select: holds whenever its condition does
          continue;
        }
        for (const auto& [sym, at] : strings(v, fmt::format("[arch.{}] {}", name, key))) {
          out.arch_decided.insert(sym);
          if (name != arch) {
            out.symbols.insert(sym);
            continue;
          }
          KconfigRule r;
          r.kind = key == "y" ? KconfigRule::ArchY : KconfigRule::ArchN;
          r.symbol = sym;
          r.where = where(*at);
          add_rule(out, std::move(r), *at);
        }
      }
    }
  }
  return out;
}

}  // namespace ptcheck
