#pragma once
// A concrete Kconfig assignment: arch defaults, then a target's `set` lines, then
// the command line's --set. Symbols not mentioned are n, as in the kernel.
#include <map>
#include <string>

#include "frontend/ast.h"

namespace ptcheck {

struct Config {
  std::map<std::string, bool> values;  // "CONFIG_MEMCG" -> true
  bool enabled(const std::string& sym) const {
    auto it = values.find(sym);
    return it != values.end() && it->second;
  }
  void set(const std::string& sym, bool v) { values[sym] = v; }
};

bool eval_cond(const ast::Cond* c, const Config& cfg);  // nullptr is true

}  // namespace ptcheck
