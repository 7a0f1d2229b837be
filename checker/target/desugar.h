#pragma once
// A target's own code as the code generator sees it: numeric parameters
// (`set N = 3;`, overridden by `--bound N=V`) replaced by their values, thread
// arrays (`thread W[3] { ... }`) copied into W_0, W_1, W_2 with
// `__thread_index` their index, and each `mix` written out as threads.
//
// A mix
//     mix { threads 3; ops 2;
//           pool pmd_t *pmd = { test_pmdt, test_pmdt + 1 };
//           op pte_fault(pmd) { __pte_alloc(&test_mm, pmd); }
//           op teardown() { exit_mmap(&test_mm); } }
// is compiled exactly as
//     thread mix[threads] {
//         int __op;
//         for (__op = 0; __op < ops; __op++) {
//             switch (nondet(2)) {
//             case 0: { pmd_t *pmd; switch (nondet(2)) { case 0: pmd = test_pmdt; break;
//                                                       default: pmd = test_pmdt + 1; }
//                       { __pte_alloc(&test_mm, pmd); } break; }
//             default: { { exit_mmap(&test_mm); } break; }
//             }
//         }
//         after-block  (if the mix has `after { ... }`)
//     }
// where `threads` and `ops` are implicit parameters (default 1). A pool of one
// element, and a mix of one op, cost no nondeterministic step.
//
// A named mix (`mix task { ops ops; ... }`; any number per target) is compiled
// the same way, as the single thread `task`, or as task_0 .. task_{N-1} when it
// has `threads N`. Its counts are expressions over the target's parameters
// (`set ops = 2;`, allowed when the target has no unnamed mix), so that one
// `--bound ops=3` can size several mixes.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontend/ast.h"
#include "support/diag.h"

namespace ptcheck {

// A nondeterministic choice the desugaring made: the step whose statement
// starts at `at` picks labels[choice] (what a trace prints for it).
struct ChoiceNote {
  SourceLoc at;
  std::vector<std::string> labels;
};

struct TargetCode {
  ast::StmtPtr init;                     // nullptr when the target has none
  std::vector<ast::ThreadDecl> threads;  // one per thread, arrays and the mix expanded
  std::vector<std::pair<std::string, int64_t>> params;  // every parameter's value, in declaration order
  std::vector<ChoiceNote> notes;
  // Statements the desugaring wrote, as a trace should show them.
  std::vector<std::pair<SourceLoc, std::string>> step_labels;
};

// The target's parameters with their default values: its `set N = V;` lines,
// then a mix's `threads` and `ops`. Throws InputError (located) when a mix
// count is not a number or a parameter.
std::vector<std::pair<std::string, int64_t>> target_params(const ast::TargetDef& td, const SourceManager& sm);

// Each mix's thread and op counts at the target's default parameters, in
// declaration order (located InputError when a count is not one).
std::vector<std::pair<int64_t, int64_t>> mix_counts(const ast::TargetDef& td, const SourceManager& sm);

// The target's code with `bounds` (name, value) overriding parameters. An
// unknown bound name is a located error naming the target's parameters.
TargetCode desugar_target(const ast::TargetDef& td, const std::vector<std::pair<std::string, int64_t>>& bounds,
                          const SourceManager& sm);

// "NAME=V" (--bound) parsing; throws InputError on malformed text.
std::pair<std::string, int64_t> parse_bound(const std::string& text);

// The source text between two locations of one file, on one line ("" if unknown).
std::string source_text(const SourceManager& sm, SourceLoc from, SourceLoc to);

}  // namespace ptcheck
