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
};

std::string loc_file(const vm::Model& m, uint32_t loc);
unsigned loc_line(const vm::Model& m, uint32_t loc);
std::string loc_function(const vm::Model& m, uint32_t loc);
// The statement's source text on one line.
std::string loc_statement(const vm::Model& m, uint32_t loc);

trace::Violation render_violation(const vm::Model& m, const sema::TypeEnv& env, const vm::ErrorInfo& e,
                                  const std::vector<uint32_t>& chain, const uint8_t* state,
                                  const ObjectHistory& hist, vm::Machine& mach);

}  // namespace ptcheck
