// Model coverage as lines, branches and functions, lcov output (see coverage.h).
#include "driver/coverage.h"

#include <fmt/format.h>

#include "support/diag.h"

namespace ptcheck {

void CoverageData::merge(const CoverageData& o) {
  for (const auto& [path, of] : o.files) {
    FileCoverage& f = files[path];
    for (const auto& [line, hit] : of.lines) f.lines[line] = f.lines[line] || hit;
    for (const auto& [key, b] : of.branches) {
      auto [it, fresh] = f.branches.emplace(key, b);
      if (!fresh)
        for (int i = 0; i < 2; ++i) it->second[i] = std::max(it->second[i], b[i]);
    }
    for (const auto& [name, fn] : of.functions) {
      auto [it, fresh] = f.functions.emplace(name, fn);
      if (!fresh) it->second.second = it->second.second || fn.second;
    }
  }
}

CoverageFigures CoverageData::figures_of(const FileCoverage& f) {
  CoverageFigures c;
  for (const auto& [line, hit] : f.lines) c.lines++, c.lines_hit += hit;
  for (const auto& [key, b] : f.branches) c.branches += 2, c.branches_hit += (b[0] > 0) + (b[1] > 0);
  for (const auto& [name, fn] : f.functions) c.functions++, c.functions_hit += fn.second;
  return c;
}

CoverageFigures CoverageData::figures() const {
  CoverageFigures t;
  for (const auto& [path, f] : files) {
    CoverageFigures c = figures_of(f);
    t.lines += c.lines, t.lines_hit += c.lines_hit, t.branches += c.branches, t.branches_hit += c.branches_hit;
    t.functions += c.functions, t.functions_hit += c.functions_hit;
  }
  return t;
}

CoverageData coverage_of(const vm::Model& m, const vm::Coverage& c) {
  CoverageData d;
  for (const vm::Function& fn : m.funcs) {
    if (!fn.has_body || fn.id >= c.marks.size()) continue;
    const auto& marks = c.marks[fn.id];
    for (size_t pc = 0; pc < fn.code.size() && pc < marks.size(); ++pc) {
      const vm::Insn& in = fn.code[pc];
      if (in.loc >= m.locs.size() || !m.locs[in.loc].loc.valid()) continue;
      const SourceLoc& at = m.locs[in.loc].loc;
      FileCoverage& f = d.files[m.sm->path(at.file)];
      const bool ran = marks[pc] & vm::Coverage::kRan;
      f.lines[at.line] = f.lines[at.line] || ran;
      if (in.op == vm::Op::Jz || in.op == vm::Op::Jnz) {
        std::array<int, 2> b{ran ? (marks[pc] & vm::Coverage::kJumped ? 1 : 0) : -1,
                             ran ? (marks[pc] & vm::Coverage::kFellThrough ? 1 : 0) : -1};
        auto [it, fresh] = f.branches.emplace(std::pair{at.line, at.col}, b);
        if (!fresh)
          for (int i = 0; i < 2; ++i) it->second[i] = std::max(it->second[i], b[i]);
      }
    }
    if (fn.loc.valid() && !fn.code.empty()) {
      FileCoverage& f = d.files[m.sm->path(fn.loc.file)];
      auto [it, fresh] = f.functions.emplace(fn.name, std::pair{fn.loc.line, (marks[0] & vm::Coverage::kRan) != 0});
      if (!fresh) it->second.second = it->second.second || (marks[0] & vm::Coverage::kRan);
    }
  }
  return d;
}

std::string lcov_info(const CoverageData& d, const std::string& test_name, const std::string& root) {
  std::string out, dir = root;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (const auto& [path, f] : d.files) {
    out += fmt::format("TN:{}\nSF:{}\n", test_name, dir.empty() || path.starts_with('/') ? path : dir + "/" + path);
    for (const auto& [name, fn] : f.functions) out += fmt::format("FN:{},{}\n", fn.first, name);
    for (const auto& [name, fn] : f.functions) out += fmt::format("FNDA:{},{}\n", fn.second ? 1 : 0, name);
    CoverageFigures c = CoverageData::figures_of(f);
    out += fmt::format("FNF:{}\nFNH:{}\n", c.functions, c.functions_hit);
    for (const auto& [key, b] : f.branches)
      for (int i = 0; i < 2; ++i)
        out += fmt::format("BRDA:{},{},{},{}\n", key.first, key.second, i, b[i] < 0 ? "-" : std::to_string(b[i]));
    out += fmt::format("BRF:{}\nBRH:{}\n", c.branches, c.branches_hit);
    for (const auto& [line, hit] : f.lines) out += fmt::format("DA:{},{}\n", line, hit ? 1 : 0);
    out += fmt::format("LF:{}\nLH:{}\nend_of_record\n", c.lines, c.lines_hit);
  }
  return out;
}

std::string coverage_summary(const CoverageData& d) {
  auto pct = [](uint64_t hit, uint64_t all) { return all ? fmt::format("{:5.1f}%", 100.0 * hit / all) : "    -"; };
  auto row = [&](const std::string& name, const CoverageFigures& c) {
    return fmt::format("{:<44} {:>5}/{:<5} {}  {:>5}/{:<5} {}  {:>4}/{:<4} {}\n", name, c.lines_hit, c.lines,
                       pct(c.lines_hit, c.lines), c.branches_hit, c.branches, pct(c.branches_hit, c.branches),
                       c.functions_hit, c.functions, pct(c.functions_hit, c.functions));
  };
  std::string out = fmt::format("{:<44} {:>18}  {:>18}  {:>16}\n", "coverage", "lines", "branches", "functions");
  for (const auto& [path, f] : d.files) out += row(path, CoverageData::figures_of(f));
  return out + row("total", d.figures());
}

}  // namespace ptcheck
