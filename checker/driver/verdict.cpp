// The words of typed results; see verdict.h.
#include "driver/verdict.h"

#include "driver/run.h"

namespace ptcheck {

const char* to_string(RowVerdict v) {
  switch (v) {
    case RowVerdict::Pass: return "pass";
    case RowVerdict::Violation: return "violation";
    case RowVerdict::Incomplete: return "incomplete";
    case RowVerdict::Vacuous: return "vacuous";
    case RowVerdict::NotRun: return "not run";
    case RowVerdict::Error: return "error";
    case RowVerdict::Holds: return "holds";
    case RowVerdict::Fails: return "fails";
    case RowVerdict::Sat: return "sat";
    case RowVerdict::Unsat: return "unsat";
  }
  return "?";
}

RowExpected RowExpected::pass() {
  RowExpected e;
  e.kind = Kind::Pass;
  return e;
}

RowExpected RowExpected::of_violation(vm::ErrorKind k) {
  RowExpected e;
  e.kind = Kind::Violation;
  e.violation = k;
  return e;
}

RowExpected RowExpected::of_property(PropertyVerdict v) {
  RowExpected e;
  e.kind = Kind::Property;
  e.property = v;
  return e;
}

std::string RowExpected::text() const {
  switch (kind) {
    case Kind::Pass: return "pass";
    case Kind::Violation: return "violation " + std::string(vm::kind_name(violation));
    case Kind::Property: return to_string(property);
    case Kind::Unknown: break;
  }
  return unknown_text;
}

std::string vacuous_text(const CheckResult& r) {
  std::string out = "vacuous (unreached:";
  for (size_t i = 0; i < r.unreached.size(); ++i) out += (i ? ", " : " ") + r.unreached[i];
  return out + ")";
}

RowExpected expected_of(const TargetEntry& t) {
  const auto& ex = t.def->expect;
  if (!ex) return RowExpected{};
  if (!ex->violation) return RowExpected::pass();
  if (auto k = vm::kind_from_name(ex->kind)) return RowExpected::of_violation(*k);
  RowExpected e;
  e.unknown_text = "violation " + ex->kind;
  return e;
}

std::string kind_text(const CheckResult& r) {
  return r.error_kind ? std::string(vm::kind_name(*r.error_kind)) : std::string();
}

std::string witness_text(const CheckResult& r) {
  return r.witness.empty() ? std::string() : std::string(to_string(r.verdict)) + " " + r.witness;
}

std::string got_text(const CheckResult& r) {
  switch (r.verdict) {
    case RowVerdict::Violation:
      return "violation " + std::string(r.error_kind ? vm::kind_name(*r.error_kind) : "?");
    case RowVerdict::Incomplete: return "incomplete (" + r.incomplete_reason + ")";
    case RowVerdict::Vacuous: return vacuous_text(r);
    default: return to_string(r.verdict);
  }
}

}  // namespace ptcheck
