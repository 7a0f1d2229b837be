#pragma once
// Typed results of `check`, end to end: what a row (a target on an arch, or a
// layout property) expected and what it came to are enums from the search to
// the printers; the words ("pass", "violation use-after-free", "holds") are
// made only where results are printed (table, JSON, TAP, JUnit) and read back
// nowhere.
#include <optional>
#include <string>

#include "vm/errors.h"
#include "z3/z3_check.h"

namespace ptcheck {

enum class RowVerdict {
  Pass,        // every explored interleaving passed
  Violation,   // a counterexample (CheckResult::error_kind says which)
  Incomplete,  // a limit or an interrupt ended the run; Z3 answered unknown
  Vacuous,     // a pass that missed a reach point
  NotRun,      // ^C came first
  Error,       // the target could not be loaded (CheckResult::error says why)
  Holds, Fails, Sat, Unsat,  // a layout property's answer
};
const char* to_string(RowVerdict v);  // "pass", "violation", ..., "not run", "holds", ...

// What a row expects: a target's `expect pass;` or `expect violation KIND;`
// (Unknown: a target without one, or with a kind ptcheck does not know, shown
// as written), or a layout property's `expect holds|sat|unsat;`.
struct RowExpected {
  enum class Kind { Unknown, Pass, Violation, Property } kind = Kind::Unknown;
  vm::ErrorKind violation = vm::ErrorKind::ModelError;  // Kind::Violation
  PropertyVerdict property = PropertyVerdict::Holds;    // Kind::Property
  std::string unknown_text = "?";                       // Kind::Unknown: how it is shown

  static RowExpected pass();
  static RowExpected of_violation(vm::ErrorKind k);
  static RowExpected of_property(PropertyVerdict v);
  std::string text() const;  // "pass", "violation use-after-free", "holds", or unknown_text
};

}  // namespace ptcheck
