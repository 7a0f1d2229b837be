#pragma once
// Which instructions a search executed, and which way each conditional jump
// went: the raw facts behind `check --coverage` (driver/coverage.cpp turns
// them into model lines, branches and functions). Each explorer worker keeps
// its own; the run merges them with OR, so the result is the union over the
// explored space and the same for every thread count. The interpreter records
// only while a Coverage is set (a separate instantiation of its step loop), so
// a run without --coverage pays nothing. A target's reach points need only
// their own instructions: under CoverageMode::Watched the loop records just
// the instructions flagged Insn::watch (a test of a byte of the instruction
// it has loaded anyway, instead of a load and store of a mark per
// instruction).
#include <cstdint>
#include <vector>

#include "vm/model.h"

namespace ptcheck::vm {

enum class CoverageMode : uint8_t {
  Off,
  Watched,  // only instructions with Insn::watch set (a target's reach points)
  All,      // every instruction (--coverage, ptcheck mutate)
};

struct Coverage {
  enum : uint8_t { kRan = 1, kJumped = 2, kFellThrough = 4 };
  std::vector<std::vector<uint8_t>> marks;  // [function id][pc]

  Coverage() = default;
  explicit Coverage(const Model& m) {
    marks.resize(m.funcs.size());
    for (size_t i = 0; i < m.funcs.size(); ++i) marks[i].assign(m.funcs[i].code.size(), 0);
  }
  void merge(const Coverage& o) {
    if (marks.empty()) marks = o.marks;
    for (size_t f = 0; f < marks.size() && f < o.marks.size(); ++f)
      for (size_t pc = 0; pc < marks[f].size() && pc < o.marks[f].size(); ++pc) marks[f][pc] |= o.marks[f][pc];
  }
};

}  // namespace ptcheck::vm
