#include <atomic>
#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include <stdlib.h>
#include <unistd.h>

#include "explore/explorer.h"
#include "fixtures.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;
using namespace ptcheck::explore::testing;

namespace {

Result go(const TransitionSystem& ts, unsigned threads, Options opt = {}) {
  opt.threads = threads;
  return explore(ts, opt);
}

uint64_t ipow(uint64_t b, unsigned e) {
  uint64_t r = 1;
  while (e--) r *= b;
  return r;
}

void check_same(const Result& a, const Result& b) {
  CHECK(a.verdict == b.verdict);
  CHECK(a.end == b.end);
  CHECK_EQUAL(a.stats.states, b.stats.states);
  CHECK_EQUAL(a.stats.transitions, b.stats.transitions);
  CHECK_EQUAL(a.stats.depth, b.stats.depth);
  CHECK(a.path == b.path);
}

// Sends stderr (fd 2) into an unlinked temporary file while alive; text()
// is what has been written so far (the explorer's progress line goes there).
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    char path[] = "/tmp/ptcheck-explorer-test-XXXXXX";
    fd_ = mkstemp(path);
    if (fd_ >= 0) unlink(path);
    saved_ = dup(2);
    if (fd_ >= 0 && saved_ >= 0 && dup2(fd_, 2) < 0) {
      close(saved_);
      saved_ = -1;
    }
  }
  ~StderrCapture() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      dup2(saved_, 2);
      close(saved_);
    }
    if (fd_ >= 0) close(fd_);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  bool ok() const { return fd_ >= 0 && saved_ >= 0; }
  std::string text() const {
    std::fflush(stderr);
    std::string out;
    char buf[4096];
    off_t off = 0;
    for (ssize_t n; fd_ >= 0 && (n = pread(fd_, buf, sizeof buf, off)) > 0; off += n) out.append(buf, size_t(n));
    return out;
  }
  // The explorer's progress line ("states 1.2K  ...  depth 7  ...") has been printed.
  bool has_progress_line() const {
    std::string t = text();
    return t.find("states ") != std::string::npos && t.find("depth ") != std::string::npos;
  }

 private:
  int fd_ = -1;
  int saved_ = -1;
};

// Polls `done` until it holds, or for about a minute (a safety net: a test
// must not hang; its checks then fail instead).
void wait_until(const std::function<bool()>& done) {
  for (int i = 0; i < 12000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// Runs at 1, 2 and 4 threads (twice at 2) and checks they all agree.
Result run_all(const TransitionSystem& ts) {
  Result r1 = go(ts, 1);
  for (unsigned t : {2u, 4u, 2u}) check_same(r1, go(ts, t));
  return r1;
}

}  // namespace

TEST_GROUP(Explorer){};

TEST(Explorer, CountersExactCounts) {
  struct Case {
    unsigned n, k;
  };
  for (Case c : {Case{1, 1}, Case{3, 4}, Case{2, 10}, Case{4, 3}, Case{5, 5}}) {
    Counters sys(c.n, c.k);
    Result r = run_all(sys);
    CHECK(r.verdict == Verdict::Pass);
    CHECK(r.end == EndKind::None);
    CHECK_EQUAL(ipow(c.k + 1, c.n), r.stats.states);
    CHECK_EQUAL(uint64_t(c.n) * c.k * ipow(c.k + 1, c.n - 1), r.stats.transitions);
    CHECK_EQUAL(c.n * c.k, r.stats.depth);
    CHECK_EQUAL(0u, r.stats.frontier);
    CHECK(r.stats.memory_bytes > 0);
    CHECK(r.stats.bytes_per_state > 0);
    CHECK(r.path.empty());
  }
}

TEST(Explorer, SingleStateSystemPasses) {
  Counters sys(2, 0);
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(1u, r.stats.states);
  CHECK_EQUAL(0u, r.stats.transitions);
  CHECK_EQUAL(0u, r.stats.depth);
}

TEST(Explorer, MatchesReferenceBfs) {
  FnSystem inc = increments(true);
  RefCounts ref = reference_bfs(inc);
  Result r = run_all(inc);
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(ref.states, r.stats.states);
  CHECK_EQUAL(ref.transitions, r.stats.transitions);
  CHECK_EQUAL(ref.depth, r.stats.depth);
}

TEST(Explorer, PhilosophersDeadlock) {
  for (unsigned n = 3; n <= 5; ++n) {
    FnSystem sys = philosophers(n);
    Result r = run_all(sys);
    CHECK(r.verdict == Verdict::Violation);
    CHECK(r.end == EndKind::Deadlock);
    // Every fork must be taken, one a step: the shortest deadlock has n steps,
    // every philosopher taking its left fork.
    CHECK_EQUAL(n, r.path.size());
    CHECK_EQUAL(n, r.stats.depth);
    Bytes end = replay(sys, r.path);
    CHECK_EQUAL(2 * n, end.size());
    for (unsigned i = 0; i < n; ++i) {
      CHECK_EQUAL(1, end[i]);      // holds its left fork, waits for the right one
      CHECK_EQUAL(1, end[n + i]);  // every fork taken
    }
    std::vector<Succ> succ;
    CHECK(sys.successors(end, succ) == Worker::Result::Deadlock);
  }
}

TEST(Explorer, LostUpdate) {
  FnSystem sys = increments(false);
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.end == EndKind::TerminalViolation);
  CHECK_EQUAL(4u, r.path.size());  // both read, both write
  CHECK_EQUAL(4u, r.stats.depth);
  Bytes end = replay(sys, r.path);
  CHECK_EQUAL(6u, end.size());
  CHECK_EQUAL(1, end[0]);
  std::vector<Succ> succ;
  CHECK(sys.successors(end, succ) == Worker::Result::TerminalViolation);
}

TEST(Explorer, LockedIncrementPasses) {
  FnSystem sys = increments(true);
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Pass);
  // Two orders of the critical sections: 9 states with thread 0 first (from the
  // initial state), 8 more with thread 1 first (the final states differ in tmp).
  CHECK_EQUAL(17u, r.stats.states);
  CHECK_EQUAL(16u, r.stats.transitions);
  CHECK_EQUAL(8u, r.stats.depth);
}

// Stats::final_states / final_digest: the set of final states, whatever the
// thread count; other final states give another digest.
TEST(Explorer, FinalStatesDigest) {
  Counters c34(3, 4), c33(3, 3);
  Result a = go(c34, 1), b = go(c34, 2), c = go(c33, 2);
  CHECK_EQUAL(1u, a.stats.final_states);  // every counter at k
  CHECK_EQUAL(a.stats.final_states, b.stats.final_states);
  CHECK_EQUAL(a.stats.final_digest, b.stats.final_digest);
  CHECK(a.stats.final_digest != 0);
  CHECK_EQUAL(1u, c.stats.final_states);
  CHECK(a.stats.final_digest != c.stats.final_digest);
  // Two final states (they differ in tmp), reached on many paths: each counted once.
  FnSystem inc = increments(true);
  Result i1 = go(inc, 1), i4 = go(inc, 4);
  CHECK_EQUAL(2u, i1.stats.final_states);
  CHECK_EQUAL(i1.stats.final_digest, i4.stats.final_digest);
}

TEST(Explorer, InitialViolation) {
  FnSystem sys(Bytes{7}, [](const Bytes&, std::vector<Succ>&) { return Worker::Result::Terminal; },
               [](const Bytes& s) { return s[0] == 7; });
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.end == EndKind::Initial);
  CHECK(r.path.empty());
  CHECK_EQUAL(1u, r.stats.states);
  CHECK_EQUAL(0u, r.stats.depth);
}

TEST(Explorer, InitialDeadlock) {
  FnSystem sys(Bytes{1, 2}, [](const Bytes&, std::vector<Succ>&) { return Worker::Result::Deadlock; });
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.end == EndKind::Deadlock);
  CHECK(r.path.empty());
}

// 0 -a(1)-> 1 -b(2)-> 2 (deadlock, depth 2)
// 0 -c(3)-> 3 =d(4)=> violation (transition out of depth 1: path length 2)
TEST(Explorer, TransitionAtDepthBeatsDeadlockOneDeeper) {
  FnSystem sys = graph({{{1, 1}, {3, 3}}, {{2, 2}}, {}, {{0, 4, true}}},
                       {{2, Worker::Result::Deadlock}});
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.end == EndKind::Transition);
  CHECK(r.path == (std::vector<Label>{3, 4}));
  CHECK_EQUAL(2u, r.stats.depth);
}

// 0 -c(3)-> 3 -e(5)-> 4 =d(4)=> violation (path length 3)
// 0 -a(1)-> 1 -b(2)-> 2 (deadlock at depth 2, found after 4 in the layer order)
TEST(Explorer, DeadlockAtDepthBeatsTransitionOutOfIt) {
  FnSystem sys = graph({{{3, 3}, {1, 1}}, {{2, 2}}, {}, {{4, 5}}, {{0, 4, true}}},
                       {{2, Worker::Result::Deadlock}});
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.end == EndKind::Deadlock);
  CHECK(r.path == (std::vector<Label>{1, 2}));
  CHECK_EQUAL(2u, r.stats.depth);
  // Counts are those of the finished layer: states 0,3,1 then 4,2.
  CHECK_EQUAL(5u, r.stats.states);
}

// Ties: the smallest (frontier position, successor index) wins.
TEST(Explorer, TieBreakByPositionThenIndex) {
  // Layer 1 is [1, 2] (successor order of 0). Both have violating transitions;
  // 1's second successor and 2's first: 1 wins (smaller position).
  FnSystem a = graph({{{1, 10}, {2, 20}}, {{0, 11}, {0, 12, true}}, {{0, 21, true}}}, {});
  Result r = run_all(a);
  CHECK(r.end == EndKind::Transition);
  CHECK(r.path == (std::vector<Label>{10, 12}));
  // Same position: the smaller successor index wins.
  FnSystem b = graph({{{1, 10}}, {{0, 13, true}, {0, 12, true}}}, {});
  r = run_all(b);
  CHECK(r.path == (std::vector<Label>{10, 13}));
  // The canonical parent of a state reached twice is the earliest one: 3 is
  // reached from 1 (label 31) and 2 (label 32), 1 comes first in layer 1.
  FnSystem c = graph({{{1, 1}, {2, 2}}, {{3, 31}}, {{3, 32}}, {}}, {{3, Worker::Result::Deadlock}});
  r = run_all(c);
  CHECK(r.end == EndKind::Deadlock);
  CHECK(r.path == (std::vector<Label>{1, 31}));
  // The order of layer 1 follows the parents, not discovery: 4 (via 2) comes after 3 (via 1).
  FnSystem d = graph({{{1, 1}, {2, 2}}, {{3, 3}}, {{4, 4}}, {{0, 9, true}}, {{0, 8, true}}}, {});
  r = run_all(d);
  CHECK(r.path == (std::vector<Label>{1, 3, 9}));
}

TEST(Explorer, TerminalViolationBeatsTransitionInSameLayer) {
  FnSystem sys = graph({{{1, 1}, {2, 2}}, {{0, 5, true}}, {}}, {{2, Worker::Result::TerminalViolation}});
  Result r = run_all(sys);
  CHECK(r.end == EndKind::TerminalViolation);
  CHECK(r.path == (std::vector<Label>{2}));
  CHECK_EQUAL(1u, r.stats.depth);
}

TEST(Explorer, ViolatingTransitionsAreCountedNotStored) {
  FnSystem sys = graph({{{1, 1}, {0, 7, true}}, {{0, 2}}}, {});
  Result r = go(sys, 2);
  CHECK(r.verdict == Verdict::Violation);
  CHECK_EQUAL(2u, r.stats.transitions);
  CHECK_EQUAL(2u, r.stats.states);
  CHECK(r.path == (std::vector<Label>{7}));
}

TEST_GROUP(ExplorerLimits){};

TEST(ExplorerLimits, MaxStates) {
  Counters sys(3, 4);
  for (unsigned t : {1u, 2u}) {
    Options o;
    o.max_states = 10;
    Result r = go(sys, t, o);
    CHECK(r.verdict == Verdict::Incomplete);
    STRCMP_EQUAL("max-states", r.incomplete_reason.c_str());
    CHECK(r.stats.states >= 10);
    CHECK(r.stats.states < 125);
    CHECK(r.stats.transitions > 0);
    CHECK(r.stats.frontier > 0);
  }
}

TEST(ExplorerLimits, TimeLimitStopsPromptly) {
  // No wall-clock bound, so no flake under load. From the 1000th expansion
  // on, every worker waits until the monitor thread has printed its first
  // progress line (1 s into the run). The monitor checks the 0.2 s time limit
  // before it prints, so by then the stop has been requested, and each
  // worker must stop before its next expansion: at most 1000 + 2 expansions,
  // against the 10^7 states of the full run.
  Counters inner(7, 9);
  StderrCapture cap;
  CHECK(cap.ok());
  Gated sys(inner, 1000, [&] { wait_until([&] { return cap.has_progress_line(); }); });
  Options o;
  o.time_limit = 0.2;
  o.progress = true;
  Result r = go(sys, 2, o);
  CHECK(cap.has_progress_line());
  CHECK(r.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("time-limit", r.incomplete_reason.c_str());
  CHECK(sys.expansions() >= 1000);
  CHECK(sys.expansions() <= 1002);
  // Each expansion stores at most 7 new states (one per counter).
  CHECK(r.stats.states > 1000);
  CHECK(r.stats.states <= 1 + 7 * sys.expansions());
}

TEST(ExplorerLimits, CancelBeforeStart) {
  Counters sys(3, 4);
  std::atomic<bool> cancel{true};
  Options o;
  o.cancel = &cancel;
  Result r = go(sys, 2, o);
  CHECK(r.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("interrupted", r.incomplete_reason.c_str());
  CHECK_EQUAL(1u, r.stats.states);
}

TEST(ExplorerLimits, CancelDuringRun) {
  // As TimeLimitStopsPromptly, without a wall-clock bound: the 1000th
  // expansion sets the flag (as a SIGINT handler would) and waits until the
  // monitor, which checks the flag before it prints, has printed a progress line.
  Counters inner(7, 9);
  std::atomic<bool> cancel{false};
  StderrCapture cap;
  CHECK(cap.ok());
  Gated sys(inner, 1000, [&] {
    cancel = true;
    wait_until([&] { return cap.has_progress_line(); });
  });
  Options o;
  o.cancel = &cancel;
  o.progress = true;
  Result r = go(sys, 2, o);
  CHECK(r.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("interrupted", r.incomplete_reason.c_str());
  CHECK(sys.expansions() <= 1002);
  CHECK(r.stats.states <= 1 + 7 * sys.expansions());
}

TEST(ExplorerLimits, MaxMemoryTiny) {
  Counters sys(3, 4);
  Options o;
  o.max_memory = 1000;
  Result r = go(sys, 2, o);
  CHECK(r.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("max-memory", r.incomplete_reason.c_str());
}

TEST(ExplorerLimits, MaxMemoryMidRun) {
  Counters sys(7, 9);
  Options o;
  o.max_memory = 16u << 20;
  Result r = go(sys, 2, o);
  CHECK(r.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("max-memory", r.incomplete_reason.c_str());
  CHECK(r.stats.states > 1000);
  CHECK(r.stats.memory_bytes <= o.max_memory + (4u << 20));
}

TEST(ExplorerLimits, ProgressLineDoesNotDisturbResult) {
  // The run with the progress line is held from its Nth expansion until the
  // line has been printed (1 s in), so the line comes mid-run whatever the
  // load; the result must be exactly that of the same run without it.
  struct Case {
    const TransitionSystem* sys;
    uint64_t gate;
    unsigned threads;
  };
  Counters counters(5, 5);            // 7776 states, passes
  FnSystem dining = philosophers(6);  // deadlocks: the path is compared too
  for (Case c : {Case{&counters, 200, 1}, Case{&counters, 200, 2}, Case{&dining, 20, 2}}) {
    Result plain = go(*c.sys, c.threads);
    StderrCapture cap;
    CHECK(cap.ok());
    Gated sys(*c.sys, c.gate, [&] { wait_until([&] { return cap.has_progress_line(); }); });
    Options o;
    o.progress = true;
    Result r = go(sys, c.threads, o);
    std::string err = cap.text();
    CHECK(cap.has_progress_line());
    CHECK(!err.empty() && err.back() == '\n');  // the line is ended when the run ends
    CHECK(sys.expansions() > c.gate);              // the run went on after the line
    check_same(plain, r);
  }
  CHECK_EQUAL(7776u, go(counters, 1).stats.states);
  CHECK(go(dining, 1).end == EndKind::Deadlock);
}

TEST_GROUP(ExplorerDeterminism){};

namespace {
RefResult check_against_reference(const FnSystem& sys) {
  RefResult ref = reference_explore(sys);
  for (unsigned t : {1u, 2u, 4u, 2u}) {
    Result r = go(sys, t);
    CHECK(r.verdict == (ref.violation ? Verdict::Violation : Verdict::Pass));
    int end = r.end == EndKind::Transition ? 1 : r.end == EndKind::Deadlock ? 2
              : r.end == EndKind::TerminalViolation ? 3 : 0;
    CHECK_EQUAL(ref.end, end);
    CHECK_EQUAL(ref.states, r.stats.states);
    CHECK_EQUAL(ref.transitions, r.stats.transitions);
    CHECK_EQUAL(ref.depth, r.stats.depth);
    CHECK(ref.path == r.path);
  }
  return ref;
}
}  // namespace

TEST(ExplorerDeterminism, FixturesMatchTheSequentialRule) {
  for (unsigned n = 3; n <= 6; ++n) check_against_reference(philosophers(n));
  check_against_reference(increments(false));
  check_against_reference(increments(true));
}

TEST(ExplorerDeterminism, RandomGraphsMatchTheSequentialRule) {
  int ends[4] = {0, 0, 0, 0};
  unsigned max_depth = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    uint32_t n = seed % 4 == 0 ? 20000 : 3000;
    unsigned viol_inv = seed % 3 == 0 ? 0 : unsigned(2000 + seed * 500);
    RefResult ref = check_against_reference(random_graph(n, 6, viol_inv, seed));
    ++ends[ref.end];
    max_depth = std::max(max_depth, ref.depth);
  }
  // The seeds cover every outcome.
  for (int e = 0; e < 4; ++e) CHECK(ends[e] > 0);
  CHECK(max_depth >= 4);
}

// States larger than the lookup pipeline's limit take the direct path.
TEST(ExplorerDeterminism, LargeStates) {
  const unsigned n = 3, k = 4;
  FnSystem sys(Bytes(300, 0), [](const Bytes& s, std::vector<Succ>& out) {
    for (unsigned i = 0; i < n; ++i) {
      if (s[i] < k) {
        Bytes t = s;
        ++t[i];
        t[100 + i] = uint8_t(t[i] * 7);
        out.push_back({i, t});
      }
    }
    return out.empty() ? Worker::Result::Terminal : Worker::Result::Expanded;
  });
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(125u, r.stats.states);
  CHECK_EQUAL(300u, r.stats.transitions);
  CHECK_EQUAL(12u, r.stats.depth);
  check_against_reference(sys);
}

TEST(ExplorerDeterminism, EmptyState) {
  FnSystem sys(Bytes{}, [](const Bytes& s, std::vector<Succ>& out) {
    out.push_back({1, s});
    out.push_back({2, s});
    return Worker::Result::Expanded;
  });
  Result r = run_all(sys);
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(1u, r.stats.states);
  CHECK_EQUAL(2u, r.stats.transitions);
  CHECK_EQUAL(0u, r.stats.depth);
}

TEST(ExplorerLimits, MaxStatesEqualToTheStateSpaceStillEnds) {
  Counters sys(2, 2);  // 9 states
  Options o;
  o.max_states = 9;
  Result r = go(sys, 1, o);
  // The limit is reached while the last layers are explored: incomplete.
  CHECK(r.verdict == Verdict::Incomplete);
  o.max_states = 10;
  r = go(sys, 1, o);
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(9u, r.stats.states);
}
