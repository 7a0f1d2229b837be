#pragma once
// Runs a litmus test (litmus.h) under a memory model: every final state of
// the target litmus_spec() builds, explored depth-first, projected on the
// observed registers and locations; herd7's summary from them.
#include <optional>
#include <string>
#include <vector>

#include "driver/litmus.h"
#include "target/project.h"
#include "trace/trace.h"
#include "vm/memory_model.h"

namespace ptcheck::litmus {

struct Outcome {
  std::string text;    // "0:r0=0; 1:r0=1; x=2;"
  bool positive = false;  // the condition holds
};

struct RunResult {
  std::string name, file, memory_model, limits;
  std::vector<Outcome> outcomes;  // distinct, sorted, those the filter keeps
  uint64_t positive = 0, negative = 0;
  std::string observation;        // Never | Sometimes | Always
  bool validated = false;         // herd's Ok: the condition's claim holds
  std::string expected;           // the file's Result for this model ("" none; DEADLOCK, Maybe)
  std::string expected_from;      // "Result", "SC-Result", "TSO-Result" or "Approx-Result"
  std::string lkmm_result;        // the file's Result: (LKMM's own verdict)
  uint64_t states = 0, transitions = 0;
  double seconds = 0;
  std::vector<std::string> errors;  // paths ending in a violation (kind: title)
  std::optional<trace::Trace> witness;  // a path to a positive outcome (or, for forall, a negative one)
  // As the kernel's judgelitmus.sh: DEADLOCK is "Never 0 0" (no final state
  // passes the filter), and "Never 0 0" agrees with nothing else; Maybe with anything.
  bool agrees() const {
    const bool none = positive == 0 && negative == 0;
    if (expected.empty() || expected == "Maybe") return true;
    if (expected == "DEADLOCK") return none;
    return expected == observation && !none;
  }
};

// Writes the generated spec into `workdir`, loads it into `project` and runs it.
RunResult run_litmus(Project& project, const Test& t, vm::MemoryModelKind mm, const std::string& workdir,
                     const std::string& arch);

// herd7's report lines for r (Test, States, Ok/No, Witnesses, Condition,
// Observation), then ptcheck's own (model, limits, Result comparison).
std::string herd_text(const Test& t, const RunResult& r);

}  // namespace ptcheck::litmus
