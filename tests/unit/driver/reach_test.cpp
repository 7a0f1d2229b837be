// Reach points: a pass that never executed one of them fails as "vacuous"
// and names it; points that are reached leave the pass alone and the state
// counts unchanged; names and lines the program does not have are located
// errors at load time.
#include <string>

#include "explore/explorer.h"
#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/model_system.h"

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
again:
	if (v > 100)
		never();
	g = g + v;
	if (g == 3)
		goto done;
	if (READ_ONCE(h) == 1) {
		h = 0;
		goto again;
	}
done:
	return;
}
)";

std::string with(const std::string& targets) { return std::string(kPrelude) + kModel + targets; }

std::string load_error(const std::string& targets) {
  try {
    TempProject tp(with(targets));
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

void expect_error(const std::string& targets, const std::string& want) {
  std::string msg = load_error(targets);
  CHECK_TEXT(msg.find(want) != std::string::npos, ("want '" + want + "', got: " + msg).c_str());
}

}  // namespace

TEST_GROUP(Reach){};

TEST(Reach, ReachedPointsKeepThePassAndItsCounts) {
  TempProject p(with(
      "target plain { thread A { bump(1); } thread B { bump(2); } expect pass; }\n"
      "target t { thread A { bump(1); } thread B { bump(2); }\n"
      "  reach bump, bump:again, bump: goto done, spec/t.ptm:14; expect pass; }\n"));
  CheckResult plain = p.check("plain");
  CheckResult r = p.check("t");
  STRCMP_EQUAL("pass", ptcheck::to_string(r.verdict));
  CHECK(r.as_expected);
  CHECK(r.unreached.empty());
  LONGS_EQUAL(4, r.reach_points.size());
  STRCMP_EQUAL("bump: goto done", r.reach_points[2].c_str());
  LONGS_EQUAL(plain.stats.states, r.stats.states);
  LONGS_EQUAL(plain.stats.transitions, r.stats.transitions);
}

TEST(Reach, APassWithAnUnreachedPointIsVacuousAndNamesIt) {
  TempProject p(with("target t { thread A { bump(1); } thread B { bump(2); }\n"
                     "  reach never, bump: goto again, bump:done, spec/t.ptm:7; expect pass; }\n"));
  for (unsigned threads : {1u, 2u}) {
    CheckResult r = p.check("t", threads);
    STRCMP_EQUAL("vacuous", ptcheck::to_string(r.verdict));
    CHECK(!r.as_expected);
    CHECK(!r.trace);
    // never() is not called with v <= 100; nobody sets h = 1, so no retry; line 7 is `h = 7;`.
    LONGS_EQUAL(3, r.unreached.size());
    STRCMP_EQUAL("never", r.unreached[0].c_str());
    STRCMP_EQUAL("bump: goto again", r.unreached[1].c_str());
    STRCMP_EQUAL("spec/t.ptm:7", r.unreached[2].c_str());
  }
}

TEST(Reach, AViolationIsNotMaskedByUnreachedPoints) {
  TempProject p(with("target t { thread A { bump(1); BUG_ON(g == 1); } reach never; expect violation bug; }\n"));
  CheckResult r = p.check("t");
  STRCMP_EQUAL("violation", ptcheck::to_string(r.verdict));
  CHECK(r.as_expected);
}

TEST(Reach, UnknownPointsAreLocatedErrors) {
  expect_error("target t { thread A { bump(1); } reach nosuch; expect pass; }\n",
               "spec/t.ptm:24:40: error: reach point 'nosuch': no function and no label of that name");
  expect_error("target t { thread A { bump(1); } reach bump:nolabel; expect pass; }\n",
               "reach point 'bump:nolabel': bump has no label 'nolabel' (it has: again, done)");
  expect_error("target t { thread A { bump(1); } reach bump: goto nolabel; expect pass; }\n",
               "bump has no goto to label 'nolabel' (it has: again, done)");
  expect_error("target t { thread A { g = 1; } reach bump; expect pass; }\n",
               "function 'bump' is not part of this target's program");
  expect_error("target t { thread A { bump(1); } reach spec/t.ptm:6; expect pass; }\n",
               "no code of this target's program is on line 6 of spec/t.ptm (lines with code nearby:");
  expect_error("target t { thread A { bump(1); } reach model/mm/nosuch.ptm:6; expect pass; }\n",
               "no code of this target's program is in model/mm/nosuch.ptm");
  expect_error("target t { thread A { bump(1); } reach bump, bump; expect pass; }\n",
               "reach point 'bump' is given twice");
}

TEST(Reach, BadSyntaxIsLocated) {
  std::string msg;
  try {
    TempProject tp(with("target t { thread A { bump(1); } reach spec/t.ptm; expect pass; }\n"));
  } catch (const InputError& e) {
    msg = e.what();
  }
  CHECK_TEXT(msg.find("spec/t.ptm:24:") != std::string::npos && msg.find("':LINE'") != std::string::npos, msg.c_str());
}

// A run without --coverage records only the reach points' instructions
// (CoverageMode::Watched, vm/coverage.h): at those it must mark what a full
// coverage run marks, and it adds no mark a full run lacks.
TEST(Reach, WatchedMarksAgreeWithFullCoverage) {
  TempProject p(with("target t { thread A { bump(1); } thread B { bump(2); }\n"
                     "  reach never, bump: goto again, bump:done, spec/t.ptm:14; expect pass; }\n"));
  auto inst = instantiate(p.project(), *p.project().find_target("t"), "x86_64", {});
  auto marks = [&](vm::CoverageMode mode, explore::Result& res) {
    vm::ModelSystem sys(inst->model, std::nullopt, mode);
    res = explore::explore(sys, explore::Options{});
    return sys.coverage();
  };
  explore::Result watched_res, all_res;
  const vm::Coverage watched = marks(vm::CoverageMode::Watched, watched_res);
  const vm::Coverage all = marks(vm::CoverageMode::All, all_res);
  LONGS_EQUAL(all_res.stats.states, watched_res.stats.states);
  size_t watched_pcs = 0, ran = 0;
  for (const ReachPoint& pt : inst->reach)
    for (const auto& [f, pc] : pt.at) {
      CHECK(inst->model.funcs[f].code[pc].watch);
      ++watched_pcs;
      const bool w = watched.marks[f][pc] & vm::Coverage::kRan, a = all.marks[f][pc] & vm::Coverage::kRan;
      CHECK_EQUAL(a, w);
      ran += w;
    }
  CHECK(watched_pcs > 0);
  CHECK(ran > 0);            // some points were reached...
  CHECK(ran < watched_pcs);  // ...and `never` was not
  size_t marked_watched = 0, marked_all = 0;
  for (size_t f = 0; f < all.marks.size(); ++f)
    for (size_t pc = 0; pc < all.marks[f].size(); ++pc) {
      CHECK((watched.marks[f][pc] & ~all.marks[f][pc]) == 0);
      marked_watched += watched.marks[f][pc] != 0;
      marked_all += all.marks[f][pc] != 0;
    }
  CHECK(marked_watched < marked_all);  // the rest of bump() ran unrecorded
  // Nobody sets h = 1, so `goto again` never runs either (as above).
  const std::vector<std::string> want{"never", "bump: goto again"};
  CHECK(unreached_points(inst->reach, watched) == want);
  CHECK(unreached_points(inst->reach, all) == want);
}
