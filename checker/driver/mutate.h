#pragma once
// `ptcheck mutate`: how strong are the targets? Built-in mutation operators
// edit the parsed model (AST) of the functions the chosen targets compile, one
// mutant at a time; each mutant is compiled and checked against the targets
// whose unmutated run executed a mutated line, and is killed when a target's
// verdict stops meeting its expectation (a violation, or a pass that became
// vacuous). The parsed program is shared: a mutant swaps AST nodes in place
// and puts them back (MutantEdit), so nothing is parsed twice.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "driver/run.h"
#include "frontend/ast.h"

namespace ptcheck {

enum class MutOp {
  DropLockPair,        // spin_lock(x) ... spin_unlock(x) (and mutex, rwsem, mmap/i_mmap locks) removed
  RcuFreeImmediate,    // call_rcu(head, fn) -> fn(head): the callback runs before the grace period
  DropGracePeriod,     // synchronize_rcu() removed: what follows (the dtor, the free) precedes the grace period
  RecheckAlways,       // pmd_same / pmd_none / p4d_same / pud_same / pte_same (...) -> 1
  DropRcuReadSection,  // rcu_read_lock() ... rcu_read_unlock() removed
  SwapAccesses,        // two adjacent statements that touch shared memory exchanged
  DropIncDec,          // x++, x--, x += 1, atomic_inc(), mm_inc_nr_ptes() ... removed
  ShiftLoopBound,      // a loop's i < n -> i <= n, i <= n -> i < n (likewise > and >=)
  ListDelEntry,        // list_del(e) -> __list_del_entry(e): no poisoning
};
const char* mut_op_name(MutOp op);  // "drop-lock-pair", ...
bool mut_op_from_name(const std::string& name, MutOp& op);
std::vector<MutOp> all_mut_ops();

// One AST slot and what to put in it (a statement or an expression).
struct MutantEdit {
  ast::StmtPtr* stmt_slot = nullptr;
  ast::ExprPtr* expr_slot = nullptr;
  ast::StmtPtr stmt;
  ast::ExprPtr expr;
  void swap();  // apply, and again to undo
};

struct Mutant {
  MutOp op;
  std::string function;  // the model function mutated
  std::string file;      // root-relative model file
  unsigned line = 0;     // of the first mutated node
  std::string what;      // "spin_lock(ptl) ... spin_unlock(ptl) dropped"
  std::vector<std::pair<uint32_t, unsigned>> lines;  // (file id, line) of every mutated node
  std::vector<MutantEdit> edits;
  std::string name() const;  // "drop-lock-pair@model/mm/memory.ptm:123"
};

// Applies a mutant for its lifetime.
class MutantApplied {
 public:
  explicit MutantApplied(Mutant& m);
  ~MutantApplied();
  MutantApplied(const MutantApplied&) = delete;
  MutantApplied& operator=(const MutantApplied&) = delete;

 private:
  Mutant& m_;
};

// The mutants of one function body, operators in `ops`, in source order.
std::vector<Mutant> function_mutants(const ast::FuncDef& fd, const SourceManager& sm, const std::vector<MutOp>& ops);

struct MutateOptions {
  std::vector<MutOp> ops;               // empty: all
  std::vector<std::string> file_prefixes;  // mutate functions of these files only (empty: every file)
  double time_budget = 0;               // seconds for the whole run (0: none)
  double run_limit = 0;                 // seconds per target run (0: from the baseline)
  unsigned threads = 2;
  std::string arch;                     // only this arch ("": each target's own arches)
  // Only shard `shard` of `shards` (1-based): the mutants whose name's FNV-1a
  // hash is shard - 1 modulo shards, so that runs on several machines or in
  // several sittings cover every mutant once (scripts/mutate-score.sh merges them).
  unsigned shard = 1, shards = 1;
  std::vector<std::string> only;  // only the mutants of these names (e.g. a run's survivors; empty: all)
  std::vector<std::pair<std::string, bool>> sets;
  std::function<void(const std::string&)> progress;  // a line per mutant, or nullptr
};

struct MutantRun {
  std::string target, arch;
  // "killed"; "same" (the unmutated run's verdict, counts and final states);
  // "reordered" (counts moved, but the verdict and the set of final states,
  // explore::Stats::final_digest, are the unmutated run's); "changed" (the
  // expectation is met, but the final states differ); "timeout"
  std::string outcome;
  std::string verdict;  // what the mutant got: "violation use-after-free", "vacuous (...)", "pass"
  uint64_t states = 0;
  uint64_t final_states = 0;
};

struct MutantResult {
  std::string name, op, function, file, what;
  unsigned line = 0;
  // "killed", "survived" (some run's outcomes changed: "changed"), "equivalent?"
  // (every run "same" or "reordered": it moves interleavings, not outcomes,
  // within the bounds: a hint, not a proof),
  // "unexecuted" (no target ran the mutated lines), "timeout", "stillborn" (does not compile), "not run"
  std::string status;
  std::string killed_by, violation;  // the first target that killed it, and what it reported
  bool killed_by_mix = false;
  std::string detail;  // stillborn: the compile error
  std::vector<MutantRun> runs;
};

struct MutateReport {
  std::vector<MutantResult> mutants;
  std::vector<std::string> targets;  // target@arch, in the order they are tried (mixes first)
  std::vector<std::string> mixes;
  double seconds = 0;
  bool budget_exhausted = false;
};

// A mix: a target named *_mix or written with a `mix { }` block.
bool is_mix_target(const TargetEntry& t);

// The mutants of the function bodies the targets compile on their arches
// (opt.arch, opt.file_prefixes, opt.ops), in file and line order, narrowed to
// opt's shard and to opt.only (a name there that no mutant has is an
// InputError). `mutate --list` prints them; run_mutate runs them.
std::vector<Mutant> enumerate_mutants(Project& project, const std::vector<const TargetEntry*>& targets,
                                      const MutateOptions& opt);
MutateReport run_mutate(Project& project, const std::vector<const TargetEntry*>& targets, const MutateOptions& opt);

}  // namespace ptcheck
