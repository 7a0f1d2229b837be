#pragma once
// Kconfig dependencies of the modelled symbols (arch/Kconfig.toml): `depends
// on` and `select` rules, and what each arch always and never has. A config
// that breaks a rule is one no kernel build has: `--set` and target `set`
// lines are checked against them (target/kconfig_check.cpp) and the Z3 layout
// engine takes them as axioms (z3/sym_layout.cpp).
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ptcheck {

// A boolean expression over Kconfig symbols: &&, ||, !, parentheses.
struct KExpr {
  enum Kind { True, Sym, Not, And, Or } kind = True;
  std::string sym;
  std::shared_ptr<const KExpr> a, b;
  bool eval(const std::function<bool(const std::string&)>& value) const;
  void symbols(std::set<std::string>& out) const;
  std::string text() const;
};
using KExprPtr = std::shared_ptr<const KExpr>;

struct KconfigRule {
  enum Kind {
    Depends,  // symbol=y needs cond
    Select,   // symbol=y and cond force target=y (symbol "": the arch's own select)
    ArchY,    // the arch always has symbol
    ArchN,    // the arch never has symbol
  } kind = Depends;
  std::string symbol;
  std::string target;  // Select
  KExprPtr cond;       // Depends: what is needed; Select: when (True: always)
  std::string where;   // "arch/Kconfig.toml:12"
  // Whether `value` (a symbol's value, false when unset) satisfies the rule.
  bool holds(const std::function<bool(const std::string&)>& value) const;
  // "CONFIG_X depends on A && B", "CONFIG_X selects CONFIG_Y", "arch x86_64
  // always has CONFIG_X"
  std::string text(const std::string& arch) const;
  std::set<std::string> symbols() const;
};

struct KconfigRules {
  std::vector<KconfigRule> rules;  // the shared ones, then the arch's
  std::set<std::string> symbols;   // every symbol any rule names (all arches)
  std::set<std::string> arch_decided;  // symbols an arch section fixes (not set by hand)
};

// Reads root/arch/Kconfig.toml for `arch` (no file: no rules). Throws
// InputError "arch/Kconfig.toml:LINE:COL: error: ..." on malformed entries.
KconfigRules load_kconfig_rules(const std::string& root, const std::string& arch);

}  // namespace ptcheck
