#pragma once
// Renders an interpreter error in the kernel's own words: KASAN reports with
// alloc and free sites, "kernel BUG at", page dumps, lockdep splats, page faults.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sema/type_env.h"
#include "trace/trace.h"
#include "vm/machine.h"

namespace ptcheck {

struct HistorySite {
  uint32_t context = 0;
  std::vector<uint32_t> chain;  // locations, innermost first
  unsigned step = 0;
};

// What model/hw/tlb.ptm's __trace_note()s told the replay: each CPU's last
// fill, every flush, and a use of a cached entry in the current step
// (driver/report_tlb.cpp names them in a stale-entry report).
struct TlbHistory {
  struct Fill {
    uint64_t mm = 0, vaddr = 0, table = 0, page = 0;
    uint64_t pmd_size = 0;  // the range a walk-cache entry stands for
    uint64_t level = 1;     // the table it points to: 1 a PTE table, 2 a PMD table
    // Where the leaf and the walk-cache entry were filled, with flushes.size()
    // then. A walk through the walk cache refills the leaf only: the table's
    // fill stays the walk that first cached it.
    HistorySite leaf_site, table_site;
    size_t leaf_flushes = 0, table_flushes = 0;
    uint64_t table_vaddr = 0;  // the address whose walk cached the table
  };
  struct Flush {
    HistorySite site;
    uint64_t mm = 0, start = 0, end = 0;  // mm 0: every mm
    bool walk_cache = false;
  };
  struct Hit {
    uint32_t context = 0;
    uint64_t cpu = 0;
    bool leaf = false;  // else the walk cache
  };
  std::map<uint64_t, Fill> fills;  // by CPU
  std::vector<Flush> flushes;
  std::optional<Hit> hit;  // reset at the start of every step
  // A note ("tlb_fill", "tlb_flush", "tlb_hit") at step.
  void note(uint32_t context, const std::string& what, const std::vector<uint64_t>& args,
            const std::vector<uint32_t>& chain, unsigned step);
};

// Alloc/free history the replay collects (the explorer's states keep only
// liveness, not sites).
struct ObjectHistory {
  using Site = HistorySite;
  std::map<std::pair<uint32_t, uint64_t>, Site> allocated, freed;  // (region, object)
  // The latest acquisition of each lock (or vm::kSite* state) by each context.
  std::map<std::pair<uint32_t, uint64_t>, Site> acquired;  // (context, lock address)
  TlbHistory tlb;
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

// A use-after-free at an access the TLB model made through a cached entry
// (driver/report_tlb.cpp): when hist.tlb says this step used one, the title
// says "through a stale TLB entry" and the lines name the entry, its fill and
// the flushes of its mm since that did not cover it. False: not such a case.
bool render_tlb_stale_entry(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                            const ObjectHistory& hist);

trace::Violation render_violation(const vm::Model& m, const sema::TypeEnv& env, const vm::ErrorInfo& e,
                                  const std::vector<uint32_t>& chain, const uint8_t* state,
                                  const ObjectHistory& hist, vm::Machine& mach);

}  // namespace ptcheck
