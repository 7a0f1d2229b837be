#pragma once
// Kconfig symbols and rules at instantiation: a symbol no model, arch or spec
// file mentions is a typo (with the nearest known one suggested), and a config
// that breaks a rule of arch/Kconfig.toml is one no kernel build has (the
// error names the rule, at the `set` line or --set that made it).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "frontend/ast.h"
#include "sema/config.h"
#include "target/project.h"

namespace ptcheck {

// Every Kconfig symbol the project knows: those of #if lines and IS_ENABLED()
// in model/, arch/ and spec/ (and loaded --spec files; `set` lines are what is
// checked, not mentions),
// every arch's [kconfig], and arch/Kconfig.toml. Cached in the project.
const std::set<std::string>& known_config_symbols(Project& project);

// The known symbol closest to `s` ("" when none is close).
std::string nearest_symbol(const std::set<std::string>& known, const std::string& s);

// Throws InputError "--set: error: unknown Kconfig symbol 'X' (did you mean 'Y'?)"
// for an unknown symbol among `sets` (`what` names the option).
void check_known_symbols(Project& project, const std::vector<std::pair<std::string, bool>>& sets,
                         const std::string& what);

// The target's `set` lines and --set against the known symbols and the arch's
// rules; `cfg` is the resulting config. Located errors (InputError). td may
// be nullptr (the layout tools: --set only).
void check_target_config(Project& project, const ast::TargetDef* td, const ArchInfo& arch, const Config& cfg,
                         const std::vector<std::pair<std::string, bool>>& cli_sets);

}  // namespace ptcheck
