#pragma once
// What `ptcheck check` asks of Z3: the layout properties declared in spec/
// (`property NAME { ... query "..."; expect holds; }`) and the reach of a target's
// `hazard "overlap(F, G)";` lines printed beside its trace.
//
// One Engine per Project is kept for the whole run, so answers are cached across
// properties, hazards and arches.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "target/project.h"
#include "z3/engine.h"
#include "z3/query.h"

namespace ptcheck {

// A layout property's answer on one arch: its own type, not a check target's.
enum class PropertyVerdict {
  Holds, Fails,  // expect holds: true under every config, or a config where it is false
  Sat, Unsat,    // expect sat / unsat: Z3's answer
  Unknown,       // Z3 answered unknown (unknown_reason says why)
  NotRun,        // ^C before it was asked
};
// "holds", "fails", "sat", "unsat", "unknown", "not run"
const char* to_string(PropertyVerdict v);

struct PropertyResult {
  std::string property, arch;
  PropertyVerdict expected = PropertyVerdict::Holds;  // Holds, Sat or Unsat, as written
  PropertyVerdict verdict = PropertyVerdict::NotRun;
  std::string witness;   // fails / sat: "when CONFIG_X=y; page.lru bytes 8..23"
  std::string unknown_reason;
  bool as_expected = false;
  double seconds = 0;
};

// Every `property` in spec/**/*.ptm (names empty or `all`: all of them; otherwise
// those named; names that are not properties are ignored, they may be targets).
// arch "": each property's own arches ("all" or none: every arch in arch/).
// sets: --set values, after each property's own. cancel (^C): the rest is NotRun.
std::vector<PropertyResult> check_properties(Project& project, const std::vector<std::string>& names, bool all,
                                             const std::string& arch,
                                             const std::vector<std::pair<std::string, bool>>& sets,
                                             const std::atomic<bool>* cancel = nullptr);

// Lines to print beside a trace: for each `hazard` of the target, per arch in
// arch/, whether the two members overlap and under which Kconfig values, and
// whether the value the clobbering member is written with can pass the check of
// the clobbered one (memdesc: memdesc_type == MEMDESC_TYPE_PAGE_TABLE).
std::vector<std::string> hazard_reach(Project& project, const TargetEntry& target);

// The properties declared in spec/ (parsed through project.unit()).
std::vector<const ast::PropertyDef*> spec_properties(Project& project);

// The engine shared by the calls above for this project: owned by the project,
// created on first use.
z3::Engine& project_engine(Project& project);

}  // namespace ptcheck
