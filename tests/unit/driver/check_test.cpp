// The check pipeline end to end on the toy targets: expected verdicts, exact
// state counts where they are known analytically, identical results for every
// thread count, limits, replay, and refusal of a diverged trace.
#include <memory>
#include <string>

#include "driver/run.h"
#include "support/temp_project.h"
#include "target/project.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {
Project& toy_project() {
  static std::unique_ptr<Project> p;
  if (!p) {
    p = std::make_unique<Project>(PTCHECK_TEST_ROOT);
    p->load_specs();
  }
  return *p;
}

CheckResult check_toy(const std::string& target, unsigned threads, uint64_t max_states = 0, double time_limit = 0) {
  Project& p = toy_project();
  const TargetEntry* t = p.find_target(target);
  if (!t) FAIL(("no target " + target).c_str());
  CheckOptions opt;
  opt.explore.threads = threads;
  opt.explore.max_states = max_states;
  opt.explore.time_limit = time_limit;
  return check_target(p, *t, "x86_64", opt);
}

const char* kToys[] = {"lost_update",  "lost_update_locked", "independent_counters", "philosophers",
                       "philosophers_ordered", "rcu_call_rcu", "rcu_synchronize", "rcu_free_early",
                       "rcu_forgot_free"};
}  // namespace

TEST_GROUP(Check){};

TEST(Check, ToyTargetsMeetTheirExpectations) {
  for (const char* t : kToys) {
    CheckResult r = check_toy(t, 2);
    CHECK_TEXT(r.as_expected, (std::string(t) + ": " + got_text(r)).c_str());
  }
}

TEST(Check, IndependentCountersHaveTheProductStateSpace) {
  // Three threads, each with four resting points: 4^3 states; each state offers
  // one move per unfinished thread: 3 * 3 * 4 * 4 transitions; depth 3 * 3.
  CheckResult r = check_toy("independent_counters", 1);
  LONGS_EQUAL(64, r.stats.states);
  LONGS_EQUAL(144, r.stats.transitions);
  LONGS_EQUAL(9, r.stats.depth);
}

TEST(Check, PhilosophersDeadlockIsShortest) {
  CheckResult r = check_toy("philosophers", 1);
  STRCMP_EQUAL("deadlock", ptcheck::kind_text(r).c_str());
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  LONGS_EQUAL(3, r.trace->steps.size());  // each philosopher takes its left fork
  for (const auto& st : r.trace->steps) CHECK(st.statement.find("spin_lock(&fork[left])") != std::string::npos);
}

TEST(Check, LostUpdateFoundAndLockedVersionPasses) {
  CheckResult bad = check_toy("lost_update", 1);
  STRCMP_EQUAL("violation", ptcheck::to_string(bad.verdict));
  STRCMP_EQUAL("bug", ptcheck::kind_text(bad).c_str());
  CheckResult good = check_toy("lost_update_locked", 1);
  STRCMP_EQUAL("pass", ptcheck::to_string(good.verdict));
}

TEST(Check, IdenticalResultsForEveryThreadCount) {
  for (const char* t : kToys) {
    CheckResult a = check_toy(t, 1), b = check_toy(t, 2), c = check_toy(t, 4);
    std::string what = t;
    STRCMP_EQUAL_TEXT(ptcheck::to_string(a.verdict), ptcheck::to_string(b.verdict), what.c_str());
    STRCMP_EQUAL_TEXT(ptcheck::to_string(a.verdict), ptcheck::to_string(c.verdict), what.c_str());
    CHECK_TEXT(a.stats.states == b.stats.states && a.stats.states == c.stats.states, what.c_str());
    CHECK_TEXT(a.stats.transitions == b.stats.transitions && a.stats.transitions == c.stats.transitions, what.c_str());
    CHECK_TEXT(a.stats.depth == b.stats.depth && a.stats.depth == c.stats.depth, what.c_str());
    if (a.trace) {
      std::string ta = trace::to_text(*a.trace), tb = trace::to_text(*b.trace), tc = trace::to_text(*c.trace);
      STRCMP_EQUAL_TEXT(ta.c_str(), tb.c_str(), what.c_str());
      STRCMP_EQUAL_TEXT(ta.c_str(), tc.c_str(), what.c_str());
    }
  }
}

TEST(Check, MaxStatesEndsIncomplete) {
  CheckResult r = check_toy("lost_update_locked", 2, 10);
  STRCMP_EQUAL("incomplete", ptcheck::to_string(r.verdict));
  STRCMP_EQUAL("max-states", r.incomplete_reason.c_str());
  CHECK(r.stats.states >= 10);
}

TEST(Check, TraceReplaysAndAnEditedOneIsRefused) {
  CheckResult r = check_toy("rcu_free_early", 2);
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  // Round trip through the text format, then replay.
  trace::Trace t = trace::parse_text("t.trace", trace::to_text(*r.trace));
  ReplayResult ok = replay_trace(toy_project(), t, {});
  CHECK_TEXT(ok.reproduced, ok.message.c_str());
  // Swap the thread of step 3: the model cannot follow it.
  trace::Trace bad = t;
  bad.steps[2].thread = bad.steps[2].thread == "reader" ? "updater" : "reader";
  ReplayResult no = replay_trace(toy_project(), bad, {});
  CHECK(!no.reproduced);
  CHECK_TEXT(no.message.find("step 3") != std::string::npos, no.message.c_str());
  // A changed write value is caught at its step.
  trace::Trace bad2 = t;
  for (auto& st : bad2.steps)
    if (!st.writes.empty()) {
      st.writes[0].value ^= 1;
      break;
    }
  ReplayResult no2 = replay_trace(toy_project(), bad2, {});
  CHECK(!no2.reproduced);
  CHECK_TEXT(no2.message.find("wrote different memory") != std::string::npos, no2.message.c_str());
}

TEST(Check, GarbageModelIsALocatedInputError) {
  try {
    test::TempProject p("struct page { int x; \n target t { thread T { } expect pass; }\n");
    FAIL("garbage parsed");
  } catch (const InputError& e) {
    std::string msg = e.what();
    CHECK_TEXT(msg.find("spec/t.ptm:") != std::string::npos && msg.find(": error: ") != std::string::npos,
               msg.c_str());
  }
}

TEST(Check, UnknownErrorKindInExpectIsAnError) {
  test::TempProject p("long g;\ntarget t { thread T { g = 1; } expect violation use-after-fre; }\n");
  try {
    p.check("t");
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("unknown error kind 'use-after-fre'") != std::string::npos);
  }
}
