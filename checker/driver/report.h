#pragma once
// Renders an interpreter error in the kernel's own words: KASAN reports with
// alloc and free sites, "kernel BUG at", page dumps, lockdep splats, page faults.
#include <map>
#include <string>
#include <vector>

#include "sema/type_env.h"
#include "trace/trace.h"
#include "vm/machine.h"

namespace ptcheck {

// Alloc/free history the replay collects (the explorer's states keep only
// liveness, not sites).
struct ObjectHistory {
  struct Site {
    uint32_t context = 0;
    std::vector<uint32_t> chain;  // locations, innermost first
    unsigned step = 0;
  };
  std::map<std::pair<uint32_t, uint64_t>, Site> allocated, freed;  // (region, object)
  // The latest acquisition of each lock (or vm::kSite* state) by each context.
  std::map<std::pair<uint32_t, uint64_t>, Site> acquired;  // (context, lock address)
};

std::string loc_file(const vm::Model& m, uint32_t loc);
unsigned loc_line(const vm::Model& m, uint32_t loc);
std::string loc_function(const vm::Model& m, uint32_t loc);
// The statement's source text on one line.
std::string loc_statement(const vm::Model& m, uint32_t loc);

// A context finished holding something (driver/report_exit.cpp): lockdep's
// "lock held when returning to user space" or do_exit()'s notes.
void render_exit_violation(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                           const std::vector<uint32_t>& chain, const uint8_t* state, const ObjectHistory& hist);

// lockdep's recursive-locking and circular-locking reports (driver/report_lockdep.cpp).
void render_lockdep_violation(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                              const std::vector<uint32_t>& chain, const ObjectHistory& hist);

trace::Violation render_violation(const vm::Model& m, const sema::TypeEnv& env, const vm::ErrorInfo& e,
                                  const std::vector<uint32_t>& chain, const uint8_t* state,
                                  const ObjectHistory& hist, vm::Machine& mach);

}  // namespace ptcheck
