// The non-termination check after a passing breadth-first search
// (explore/liveness.h): stuck states, the lasso, determinism, and the cases it
// must leave alone.
#include "explore/explorer.h"
#include "fixtures.h"

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

Result check(const TransitionSystem& ts, unsigned threads, bool liveness = true) {
  Options o;
  o.threads = threads;
  o.liveness = liveness;
  return explore(ts, o);
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
