#pragma once
// What `ptcheck check` asks of Z3: the layout properties declared in spec/
// (`property NAME { ... query "..."; expect holds; }`) and the reach of a target's
// `hazard "overlap(F, G)";` lines printed beside its trace.
//
// One Engine per Project is kept for the whole run, so answers are cached across
// properties, hazards and arches.
#include <string>
#include <vector>

#include "driver/run.h"
#include "target/project.h"
#include "z3/engine.h"
#include "z3/query.h"

namespace ptcheck {

// Every `property` in spec/**/*.ptm (names empty or `all`: all of them; otherwise
// those named; names that are not properties are ignored, they may be targets).
// arch "": each property's own arches ("all" or none: every arch in arch/).
// One result per (property, arch): verdict "holds"/"fails" (expect holds) or
// "sat"/"unsat"; "incomplete" with incomplete_reason when Z3 answered unknown.
// error_kind holds the witness text ("sat when CONFIG_X=y; page.lru bytes 8..23").
std::vector<CheckResult> check_properties(Project& project, const std::vector<std::string>& names, bool all,
                                          const std::string& arch, const CheckOptions& opt);

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
