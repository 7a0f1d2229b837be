// check --coverage: which model lines, branch outcomes and functions a search
// executed, their union over runs, the lcov tracefile, and independence of
// the thread count.
#include <string>

#include "driver/coverage.h"
#include "support/temp_project.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using ptcheck::test::kPrelude;
using ptcheck::test::TempProject;

namespace {

// Line numbers matter: the prelude is 3 lines, so `long g, h;` is line 4.
const char* kModel = R"(long g, h;
static void never(void)
{
	h = 7;
}
static void bump(long v)
{
	if (v > 100)
		never();
	g = g + v;
}
target once { thread A { bump(1); } thread B { bump(2); } expect pass; }
target big { thread A { bump(200); } expect pass; }
)";

CheckResult covered_run(TempProject& p, const std::string& t, unsigned threads) {
  const TargetEntry* e = p.project().find_target(t);
  CheckOptions opt;
  opt.explore.threads = threads;
  opt.coverage = true;
  return check_target(p.project(), *e, "x86_64", opt);
}

}  // namespace

TEST_GROUP(Coverage){};

TEST(Coverage, LinesBranchesAndFunctionsOfOneRun) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = covered_run(p, "once", 1);
  CHECK(r.coverage != nullptr);
  const FileCoverage& f = r.coverage->files.at("spec/t.ptm");
  CHECK(f.lines.at(11));         // if (v > 100)
  CHECK(!f.lines.at(12));        // never(): not reached
  CHECK(f.lines.at(13));         // g = g + v
  CHECK(!f.lines.at(7));         // h = 7
  CHECK(f.functions.at("bump").second);
  CHECK(!f.functions.at("never").second);
  // The condition ran, and only one way: the jump over never() was taken.
  bool found = false;
  for (const auto& [key, b] : f.branches)
    if (key.first == 11) {
      found = true;
      CHECK((b[0] == 1) != (b[1] == 1));
      CHECK(b[0] >= 0 && b[1] >= 0);
    }
  CHECK(found);
  CoverageFigures c = r.coverage->figures();
  CHECK(c.lines_hit < c.lines);
  CHECK(c.branches_hit < c.branches);
}

TEST(Coverage, UnionOfRunsAndLcovText) {
  TempProject p(std::string(kPrelude) + kModel);
  CoverageData all;
  all.merge(*covered_run(p, "once", 1).coverage);
  all.merge(*covered_run(p, "big", 1).coverage);
  const FileCoverage& f = all.files.at("spec/t.ptm");
  CHECK(f.lines.at(12) && f.lines.at(7));
  CHECK(f.functions.at("never").second);
  for (const auto& [key, b] : f.branches)
    if (key.first == 11) CHECK(b[0] == 1 && b[1] == 1);
  std::string info = lcov_info(all, "ptcheck", "/root/dir");
  CHECK(info.find("TN:ptcheck\nSF:/root/dir/spec/t.ptm\n") != std::string::npos);
  CHECK(info.find("FNDA:1,never\n") != std::string::npos);
  CHECK(info.find("DA:12,1\n") != std::string::npos);
  CHECK(info.find("BRDA:11,") != std::string::npos);
  CHECK(info.find("end_of_record\n") != std::string::npos);
  std::string sum = coverage_summary(all);
  CHECK(sum.find("spec/t.ptm") != std::string::npos && sum.find("total") != std::string::npos);
}

TEST(Coverage, SameForAnyThreadCountAndOffByDefault) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult one = covered_run(p, "once", 1), two = covered_run(p, "once", 2);
  STRCMP_EQUAL(lcov_info(*one.coverage, "t", "").c_str(), lcov_info(*two.coverage, "t", "").c_str());
  CHECK(p.check("once").coverage == nullptr);
}
