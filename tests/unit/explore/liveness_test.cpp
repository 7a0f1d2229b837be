// The non-termination check after a passing breadth-first search
// (explore/liveness.h): stuck states, the lasso, determinism, and the cases it
// must leave alone.
#include "explore/explorer.h"
#include "fixtures.h"

#include <array>

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;
using namespace ptcheck::explore::testing;

namespace {

// A graph over one-byte states, given as edges (label = 10*from + to);
// `finals` end the run, a state with no edge that is not final is a deadlock.
FnSystem graph(std::vector<std::pair<uint8_t, uint8_t>> edges, std::vector<uint8_t> finals) {
  return FnSystem(Bytes{0}, [edges, finals](const Bytes& s, std::vector<Succ>& out) {
    for (auto [a, b] : edges)
      if (a == s[0]) out.push_back({Label(10 * a + b), Bytes{b}});
    if (!out.empty()) return Worker::Result::Expanded;
    for (uint8_t f : finals)
      if (f == s[0]) return Worker::Result::Terminal;
    return Worker::Result::Deadlock;
  });
}

// Every check runs twice: with the graph recorded during the search (the
// default) and rebuilt after it; both must give the same answer.
Result check(const TransitionSystem& ts, unsigned threads, bool liveness = true) {
  Options o;
  o.threads = threads;
  o.liveness = liveness;
  Result recorded = explore(ts, o);
  o.record_graph = false;
  Result rebuilt = explore(ts, o);
  CHECK(recorded.verdict == rebuilt.verdict);
  CHECK(recorded.end == rebuilt.end);
  CHECK(recorded.path == rebuilt.path);
  CHECK_EQUAL(rebuilt.loop_from, recorded.loop_from);
  CHECK_EQUAL(rebuilt.has_loop, recorded.has_loop);
  CHECK_EQUAL(rebuilt.property, recorded.property);
  STRCMP_EQUAL(rebuilt.liveness.c_str(), recorded.liveness.c_str());
  CHECK_EQUAL(rebuilt.stats.states, recorded.stats.states);
  CHECK_EQUAL(rebuilt.stats.transitions, recorded.stats.transitions);
  return recorded;
}

}  // namespace

TEST_GROUP(Liveness){};

TEST(Liveness, LoopWithNoWayOutIsALivelockWithALasso) {
  // 0 -> 1 -> 2 -> 3 -> 2 (a loop nobody leaves), 0 -> 4 (final).
  FnSystem sys = graph({{0, 1}, {0, 4}, {1, 2}, {2, 3}, {3, 2}}, {4});
  for (unsigned threads : {1u, 2u}) {
    Result r = check(sys, threads);
    CHECK(r.verdict == Verdict::Violation);
    CHECK(r.end == EndKind::Livelock);
    STRCMP_EQUAL("checked", r.liveness.c_str());
    // The first stuck state in breadth-first order is 1: reached by 0->1,
    // then the walk 1->2, then the loop 2->3->2.
    std::vector<Label> want{1, 12, 23, 32};
    CHECK(r.path == want);
    CHECK_EQUAL(2u, r.loop_from);
    CHECK_EQUAL(5u, r.stats.states);  // the counts are the search's
  }
}

TEST(Liveness, LoopThatCanBeLeftPasses) {
  // 0 <-> 1 forever is possible, but 1 -> 2 (final) is always available.
  FnSystem sys = graph({{0, 1}, {1, 0}, {1, 2}}, {2});
  Result r = check(sys, 2);
  CHECK(r.verdict == Verdict::Pass);
  STRCMP_EQUAL("checked", r.liveness.c_str());
}

// The only way out is at the start: 0 -> 1 -> ... -> n with a back edge
// from each state to the one before, and 0 -> 20 (final). The quick check on
// the recorded chunks (liveness.cpp) settles one back edge per pass over the
// states in reverse breadth-first order: it settles the short ladder, and
// gives up on the long one (more than its 12 passes), where the check on
// the canonical rows decides.
std::vector<std::pair<uint8_t, uint8_t>> ladder(uint8_t n) {
  std::vector<std::pair<uint8_t, uint8_t>> e{{0, 20}};
  for (uint8_t i = 0; i < n; ++i) {
    e.push_back({i, uint8_t(i + 1)});
    e.push_back({uint8_t(i + 1), i});
  }
  return e;
}

TEST(Liveness, AWayOutOnlyAtTheStartPasses) {
  for (uint8_t n : {uint8_t(8), uint8_t(16)}) {
    FnSystem sys = graph(ladder(n), {20});
    for (unsigned threads : {1u, 2u}) {
      Result r = check(sys, threads);
      CHECK(r.verdict == Verdict::Pass);
      STRCMP_EQUAL("checked", r.liveness.c_str());
    }
  }
}

TEST(Liveness, AStuckStateAtTheEndOfALadderIsFound) {
  // As above, and n -> n+1, n+1 -> n+1: only n+1 is stuck (n can still climb
  // down).
  for (uint8_t n : {uint8_t(8), uint8_t(16)}) {
    auto e = ladder(n);
    e.push_back({n, uint8_t(n + 1)});
    e.push_back({uint8_t(n + 1), uint8_t(n + 1)});
    FnSystem sys = graph(e, {20});
    std::vector<Label> want;
    for (unsigned i = 0; i <= n; ++i) want.push_back(Label(10 * i + i + 1));
    want.push_back(Label(11 * (n + 1)));
    for (unsigned threads : {1u, 2u}) {
      Result r = check(sys, threads);
      CHECK(r.end == EndKind::Livelock);
      CHECK(r.path == want);
      CHECK_EQUAL(unsigned(n) + 1, r.loop_from);
    }
  }
}

TEST(Liveness, OffByDefaultAndWhenAsked) {
  FnSystem sys = graph({{0, 1}, {1, 1}}, {});
  CHECK(check(sys, 1, false).verdict == Verdict::Pass);
  Options o;
  Result r = explore(sys, o);
  CHECK(r.verdict == Verdict::Pass);
  STRCMP_EQUAL("off", r.liveness.c_str());
  CHECK(check(sys, 1).end == EndKind::Livelock);
}

TEST(Liveness, NotRunWhenTheSearchFoundSomethingElse) {
  // A deadlock at 2 is reported as such; the loop at 1 is not looked at.
  FnSystem sys = graph({{0, 1}, {1, 1}, {0, 2}}, {});
  Result r = check(sys, 1);
  CHECK(r.end == EndKind::Deadlock);
  CHECK(r.liveness.rfind("not run", 0) == 0);
}

TEST(Liveness, EveryPathEndingIsNotALivelock) {
  Counters sys(3, 3);
  Result r = check(sys, 2);
  CHECK(r.verdict == Verdict::Pass);
  STRCMP_EQUAL("checked", r.liveness.c_str());
}

// Liveness properties under weak fairness (explore/fair_cycle.h). Graphs over
// one-byte states with edges (unit, from, to): label = 100*unit + 10*from + to,
// the unit is label / 100; property 0 holds in the states of `holds`.
namespace {

FnSystem fair_graph(std::vector<std::array<uint8_t, 3>> edges, std::vector<uint8_t> finals, std::vector<uint8_t> holds) {
  FnSystem sys(Bytes{0}, [edges, finals](const Bytes& s, std::vector<Succ>& out) {
    for (auto [u, a, b] : edges)
      if (a == s[0]) out.push_back({Label(100 * u + 10 * a + b), Bytes{b}});
    if (!out.empty()) return Worker::Result::Expanded;
    for (uint8_t f : finals)
      if (f == s[0]) return Worker::Result::Terminal;
    return Worker::Result::Deadlock;
  });
  sys.with_progress(1, [holds](const Bytes& s) {
    for (uint8_t h : holds)
      if (h == s[0]) return uint64_t(1);
    return uint64_t(0);
  });
  sys.with_units([](Label l) { return l / 100; });
  return sys;
}

}  // namespace

TEST(Liveness, SpinningAloneIsNotFair) {
  // A (unit 1) spins at 1 while B (unit 2) could set the flag (1 -> 2):
  // the spin starves B, which is enabled all along, so no fair run keeps
  // the flag unset.
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 1}, {2, 1, 2}}, {2}, {2});
  for (unsigned threads : {1u, 2u}) {
    Result r = check(sys, threads);
    CHECK(r.verdict == Verdict::Pass);
    STRCMP_EQUAL("checked", r.liveness.c_str());
  }
}

TEST(Liveness, RetryStarvedByAFairTogglerIsALasso) {
  // A toggles 1 <-> 2 forever; B retries at 1 (1 -> 1) and could succeed at 2
  // (2 -> 3, final). Both move on the cycle 1 -> 2 -> 1 -> 1, so it is fair,
  // and B never gets through: "always eventually done" fails.
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 2}, {1, 2, 1}, {2, 1, 1}, {2, 2, 3}}, {3}, {3});
  for (unsigned threads : {1u, 2u}) {
    Result r = check(sys, threads);
    CHECK(r.verdict == Verdict::Violation);
    CHECK(r.end == EndKind::Liveness);
    CHECK_EQUAL(0, r.property);
    CHECK(r.has_loop);
    // Prefix 0 -> 1, then the loop from 1: A's edge 1 -> 2, back 2 -> 1 (A),
    // then B's edge 1 -> 1.
    std::vector<Label> want{101, 112, 121, 211};
    CHECK(r.path == want);
    CHECK_EQUAL(1u, r.loop_from);
    CHECK_EQUAL(4u, r.stats.states);
  }
}

TEST(Liveness, AUnitDisabledOnTheCycleMayStayStill) {
  // A loops 1 -> 2 -> 1; B can move only at 2 (2 -> 3, final), so B is not
  // enabled all along the cycle and the cycle is weakly fair without B:
  // the property (holds at 3) fails. The loop passes through 2, where B...
  // is enabled; it must pass through 1, where B is disabled.
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 2}, {1, 2, 1}, {2, 2, 3}}, {3}, {3});
  Result r = check(sys, 1);
  CHECK(r.end == EndKind::Liveness);
  std::vector<Label> want{101, 112, 121};
  CHECK(r.path == want);
  CHECK_EQUAL(1u, r.loop_from);
}

TEST(Liveness, FinalStateWherePropertyIsFalse) {
  // The run can end at 2 with the property false (it holds only at 3).
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 2}, {2, 1, 3}}, {2, 3}, {3});
  Result r = check(sys, 2);
  CHECK(r.end == EndKind::Liveness);
  CHECK_FALSE(r.has_loop);
  std::vector<Label> want{101, 112};
  CHECK(r.path == want);
}

TEST(Liveness, PropertyThatHoldsAgainAndAgainPasses) {
  // A cycles 1 -> 2 -> 1 but the property holds at 2: it holds infinitely often.
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 2}, {1, 2, 1}, {2, 2, 3}}, {3}, {2, 3});
  Result r = check(sys, 2);
  CHECK(r.verdict == Verdict::Pass);
  STRCMP_EQUAL("checked", r.liveness.c_str());
}

TEST(Liveness, StuckStatesComeBeforeProperties) {
  // 1 loops with no way out: a livelock, whatever the property says.
  FnSystem sys = fair_graph({{1, 0, 1}, {1, 1, 1}, {1, 0, 2}}, {2}, {2});
  Result r = check(sys, 1);
  CHECK(r.end == EndKind::Livelock);
  CHECK_EQUAL(-1, r.property);
}
