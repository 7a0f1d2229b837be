#pragma once
// Coverage of the model by a run (`check --coverage FILE.info`): the
// interpreter's marks (vm/coverage.h) as model lines, branches (both outcomes
// of each conditional jump) and functions per source file; their union over
// several runs; lcov's tracefile format (geninfo(1): SF, FN/FNDA, BRDA, DA)
// for genhtml and editors; and a per-file summary.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "vm/coverage.h"

namespace ptcheck {

struct FileCoverage {
  std::map<unsigned, bool> lines;  // line -> executed
  // (line, column of the jump) -> {jump taken, fell through}; -1: the jump never ran
  std::map<std::pair<unsigned, unsigned>, std::array<int, 2>> branches;
  std::map<std::string, std::pair<unsigned, bool>> functions;  // name -> (line, entered)
};

struct CoverageFigures {
  uint64_t lines = 0, lines_hit = 0, branches = 0, branches_hit = 0, functions = 0, functions_hit = 0;
};

struct CoverageData {
  std::map<std::string, FileCoverage> files;  // by path relative to the project root
  void merge(const CoverageData& o);
  CoverageFigures figures() const;
  static CoverageFigures figures_of(const FileCoverage& f);
};

CoverageData coverage_of(const vm::Model& m, const vm::Coverage& c);
// root: prefixed to each SF path so genhtml finds the sources from anywhere.
std::string lcov_info(const CoverageData& d, const std::string& test_name, const std::string& root);
// One line per file and a total: lines, branches, functions hit / present.
std::string coverage_summary(const CoverageData& d);

}  // namespace ptcheck
