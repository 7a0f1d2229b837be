#pragma once
// A counterexample as data: what the text and JSON trace files hold, what
// `ptcheck replay` reads back, and what the interpreter fills in when it replays
// a path the explorer found.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ptcheck::trace {

// One memory word (or smaller access) a step wrote to, or read from, shared
// memory. Printed as: page@ffffea0000000040 +16 [lru.prev] := dead000000000122
// (a write) or ... == dead000000000122 (a read).
struct MemWrite {
  std::string object;    // "page", "ptdesc", "init_mm", ...: the object kind or global name
  uint64_t object_addr = 0;  // start address of the object
  uint64_t offset = 0;       // byte offset of the write inside it
  unsigned size = 8;         // bytes written (1, 2, 4 or 8)
  uint64_t value = 0;        // the value written (zero-extended)
  std::string field;         // the field(s) at that offset, "" if unknown: "lru.prev/memdesc"
};

struct Step {
  unsigned index = 0;          // 1-based
  std::string thread;          // thread name from the target ("T1", "walker"), or "rcu" for callbacks
  std::optional<uint64_t> choice;  // the value a nondeterministic choice took in this step
  std::string file;            // model file of the statement, relative to the project root
  unsigned line = 0;
  std::string function;        // model function the statement is in
  std::string statement;       // the statement's source text, on one line
  std::vector<MemWrite> reads;      // shared memory the step read, in order
  std::vector<MemWrite> writes;     // shared memory the step wrote, in order
  std::vector<std::string> output;  // printk lines the step printed
  // Accesses the text form left out (trace_fold.h): bookkeeping and repeated words.
  unsigned folded_reads = 0, folded_writes = 0;
};

struct Header {
  std::string target;
  std::string arch;
  std::vector<std::pair<std::string, bool>> configs;  // every Kconfig symbol that differs from n, plus explicit n's
  std::string ptcheck_version;
  std::vector<std::pair<std::string, std::string>> model_hashes;  // (path, "xxh64:<16 hex>")
  std::vector<std::pair<std::string, int64_t>> bounds;  // the target's parameters as run (empty: none)
  std::string spec;  // the file defining the target ("" in traces older than this line)
  std::string memory_model;  // vm/memory_model.h name; "" for sc (the line is written only for a weak model)
};

struct Violation {
  std::string kind;                // error kind name: "use-after-free", "vm-bug", "deadlock", ...
  std::string title;               // first line, in the kernel's words: "kernel BUG at mm/...:12!"
  std::vector<std::string> report; // the rest of the report: call trace, page dump, KASAN sites
  // livelock: the steps from this one (1-based) to the last repeat forever:
  // after the last step the state is the one this step started from.
  std::optional<unsigned> loop_from;
};

struct Trace {
  Header header;
  std::vector<Step> steps;
  Violation violation;
};

}  // namespace ptcheck::trace
