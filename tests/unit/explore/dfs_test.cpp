// The depth-first searches (explore/dfs.cpp) and the shortening of what they
// find (explore/shorten.cpp): with a lossless store they store and expand
// every state once, so their counts of states and transitions are the
// breadth-first search's; a lossy store says its result is probabilistic;
// the stack's "on the stack" answer (the cycle proviso) follows pushes and
// pops; a violation found deep is shortened to a shortest one that replays;
// a swarm agrees with them; each state is expanded with the worker's memo
// of it, and a successor's diff hint reaches the store.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "explore/explorer.h"
#include "fixtures.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;
using namespace ptcheck::explore::testing;

namespace {

Options dfs(StoreKind store = StoreKind::Tree) {
  Options o;
  o.search = SearchKind::Dfs;
  o.store.kind = store;
  o.threads = 1;
  return o;
}

Result bfs(const TransitionSystem& ts) {
  Options o;
  o.threads = 1;
  return explore(ts, o);
}

uint32_t node_of(const uint8_t* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

// A graph over 4-byte node numbers whose worker records what the store said
// of each successor: (expanded node, successor node, Seen).
class Recording : public TransitionSystem {
 public:
  using Row = std::tuple<uint32_t, uint32_t, Seen>;
  explicit Recording(std::vector<std::vector<uint32_t>> edges) : edges_(std::move(edges)) {}
  size_t state_size() const override { return 4; }
  void initial_state(uint8_t* out) const override { std::memset(out, 0, 4); }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(*this); }
  mutable std::vector<Row> rows;

 private:
  struct W : Worker {
    explicit W(const Recording& g) : g(g) {}
    Result expand(const uint8_t* state, SuccessorSink& sink) override {
      const uint32_t v = node_of(state);
      const auto& out = g.edges_.at(v);
      for (uint32_t i = 0; i < out.size(); ++i) {
        uint8_t next[4];
        std::memcpy(next, &out[i], 4);
        g.rows.emplace_back(v, out[i], sink.emit(i, out[i], next, false));
      }
      return out.empty() ? Result::Terminal : Result::Expanded;
    }
    bool initial_violation(const uint8_t*) override { return false; }
    const Recording& g;
  };
  std::vector<std::vector<uint32_t>> edges_;
};

// A graph whose worker attaches a memo to each new successor (1000 + its
// node) and records, for each state it expands, the memo the sink gives
// back; every successor comes with a diff hint of `hint` (the one block of a
// 4-byte state: it may differ from the state expanded).
class Memoing : public TransitionSystem {
 public:
  explicit Memoing(std::vector<std::vector<uint32_t>> edges, uint64_t hint = 1)
      : edges_(std::move(edges)), hint_(hint) {}
  size_t state_size() const override { return 4; }
  void initial_state(uint8_t* out) const override { std::memset(out, 0, 4); }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(*this); }
  mutable std::vector<std::pair<uint32_t, uint32_t>> expanded;  // (node, its memo)
  mutable std::mutex mu;  // a swarm's workers share `expanded`

 private:
  struct W : Worker {
    explicit W(const Memoing& g) : g(g) {}
    Result expand(const uint8_t* state, SuccessorSink& sink) override {
      const uint32_t v = node_of(state);
      {
        std::lock_guard<std::mutex> lock(g.mu);
        g.expanded.emplace_back(v, sink.state_memo());
      }
      const auto& out = g.edges_.at(v);
      for (uint32_t i = 0; i < out.size(); ++i) {
        uint8_t next[4];
        std::memcpy(next, &out[i], 4);
        sink.diff_hint(&g.hint_);
        if (sink.emit(i, out[i], next, false) == Seen::New) sink.set_memo(1000 + out[i]);
      }
      return out.empty() ? Result::Terminal : Result::Expanded;
    }
    bool initial_violation(const uint8_t*) override { return false; }
    const Memoing& g;
  };
  std::vector<std::vector<uint32_t>> edges_;
  uint64_t hint_;
};

// A violation reached depth-first at depth 10 (0 -1-> 1 -1-> ... -1-> 9,
// whose edge labelled 3 violates), and at depth 2 the other way (0 -2-> 10,
// whose edge labelled 3 violates). Successors are explored in their order, so
// the depth-first search takes the long way first.
FnSystem long_way_first() {
  std::vector<std::vector<Edge>> e(11);
  e[0] = {{1, 1}, {10, 2}};
  for (uint32_t i = 1; i < 9; ++i) e[i] = {{i + 1, 1}};
  e[9] = {{9, 3, true}};
  e[10] = {{10, 3, true}};
  return graph(e, {});
}

}  // namespace

TEST_GROUP(DepthFirst){};

TEST(DepthFirst, LosslessCountsAreTheBreadthFirstCounts) {
  for (auto [n, k] : {std::pair{1u, 1u}, {3u, 4u}, {4u, 3u}, {5u, 4u}}) {
    Counters c(n, k);
    const Result b = bfs(c);
    for (StoreKind kind : {StoreKind::Tree, StoreKind::Plain}) {
      const Result d = explore(c, dfs(kind));
      CHECK(d.verdict == Verdict::Pass);
      CHECK_EQUAL(b.stats.states, d.stats.states);
      CHECK_EQUAL(b.stats.transitions, d.stats.transitions);
      CHECK_EQUAL(n * k, d.stats.depth);  // the deepest stack: every counter at k
      CHECK(!d.probabilistic);
    }
  }
  // Graphs with shared successors and back edges, and no violation.
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    FnSystem g = random_graph(300, 4, 0, seed);
    const Result b = bfs(g);
    const Result d = explore(g, dfs());
    CHECK(b.verdict == Verdict::Pass);
    CHECK(d.verdict == Verdict::Pass);
    CHECK_EQUAL(b.stats.states, d.stats.states);
    CHECK_EQUAL(b.stats.transitions, d.stats.transitions);
  }
}

TEST(DepthFirst, LossyStoresSayTheResultIsProbabilistic) {
  // 6^5 = 7,776 states, 20 deep: the stack's frames hold the pending
  // successors' bytes, and are reused as the search climbs and descends.
  Counters c(5, 5);
  const Result b = bfs(c);
  Options hc = dfs(StoreKind::HashCompact);
  const Result h = explore(c, hc);
  CHECK(h.verdict == Verdict::Pass);
  CHECK(h.probabilistic);
  CHECK_EQUAL(std::string("hc"), h.store);
  // 64-bit fingerprints of 7,776 states: a collision is not expected, and
  // the hash is deterministic.
  CHECK_EQUAL(b.stats.states, h.stats.states);
  CHECK_EQUAL(b.stats.transitions, h.stats.transitions);
  CHECK(h.omission_probability > 0 && h.omission_probability < 1e-9);
  CHECK(h.lossy_summary.find("hash compaction") != std::string::npos);

  Options bits = dfs(StoreKind::Bitstate);
  bits.store.bitstate_log2 = 24;
  const Result s = explore(c, bits);
  CHECK(s.verdict == Verdict::Pass);
  CHECK(s.probabilistic);
  CHECK_EQUAL(std::string("bitstate"), s.store);
  CHECK(s.stats.states <= b.stats.states);
  CHECK(s.stats.states * 100 >= b.stats.states * 99);
  CHECK(s.omission_probability > 0);
  CHECK(s.lossy_summary.find("bitstate") != std::string::npos);
}

TEST(DepthFirst, OnTheStackFollowsPushesAndPops) {
  // 0 -> 1, 3; 1 -> 2; 2 -> 0, 3; 3 -> 1, 0. Depth-first: 0 stores 1 and 3;
  // 1 stores 2; from 2, node 0 is on the stack (Cycle) and 3 is stored but
  // not on it (Old); after 2 and 1 are popped, 3 (pushed at 1's depth, in
  // its reused frame) finds 1 Old and 0 on the stack again.
  Recording g({{1, 3}, {2}, {0, 3}, {1, 0}});
  const Result r = explore(g, dfs());
  CHECK(r.verdict == Verdict::Pass);
  CHECK_EQUAL(4u, r.stats.states);
  const std::vector<Recording::Row> want = {
      {0, 1, Seen::New}, {0, 3, Seen::New}, {1, 2, Seen::New}, {2, 0, Seen::Cycle},
      {2, 3, Seen::Old}, {3, 1, Seen::Old}, {3, 0, Seen::Cycle},
  };
  CHECK(g.rows == want);
  // A lossy store keeps no state ids: it cannot tell the stack's states apart.
  g.rows.clear();
  explore(g, dfs(StoreKind::HashCompact));
  CHECK_EQUAL(want.size(), g.rows.size());
  for (const auto& [from, to, seen] : g.rows) CHECK(seen != Seen::Cycle);
}

TEST(DepthFirst, EachStateIsExpandedWithItsOwnMemo) {
  // The worker's memo (the model's invariant read sets) goes with the state
  // it was set for, through the stack and the lossy stores' byte pools, and
  // through a swarm's shuffles; the initial state has none.
  const std::vector<std::vector<uint32_t>> edges = {{1, 2, 3}, {4, 2}, {5, 0}, {4, 6}, {6}, {1}, {}};
  for (int run = 0; run < 3; ++run) {
    Memoing g(edges);
    Options o = dfs(run == 1 ? StoreKind::HashCompact : StoreKind::Tree);
    if (run == 2) {
      o.search = SearchKind::Swarm;
      o.threads = 2;
      o.seed = 3;
    }
    const Result r = explore(g, o);
    CHECK(r.verdict == Verdict::Pass);
    CHECK_EQUAL(7u, r.stats.states);
    CHECK(g.expanded.size() >= 7);
    for (const auto& [v, memo] : g.expanded) CHECK_EQUAL(v == 0 ? 0u : 1000 + v, memo);
  }
}

TEST(DepthFirst, TheDiffHintReachesTheStore) {
  // With the tree store, a successor is compared with the state expanded
  // only in the blocks its hint names: a hint naming no block says the
  // successor is that state, so nothing new is found. (A worker must not
  // lie so; this only shows the hint is passed on.) A true hint finds all.
  const std::vector<std::vector<uint32_t>> edges = {{1, 2}, {2}, {0}};
  Memoing liar(edges, 0);
  CHECK_EQUAL(1u, explore(liar, dfs()).stats.states);
  Memoing honest(edges, 1);
  CHECK_EQUAL(3u, explore(honest, dfs()).stats.states);
}

TEST(DepthFirst, AViolationFoundDeepIsShortened) {
  FnSystem g = long_way_first();
  const Result b = bfs(g);
  CHECK(b.verdict == Verdict::Violation);
  for (StoreKind kind : {StoreKind::Tree, StoreKind::Plain, StoreKind::HashCompact}) {
    const Result d = explore(g, dfs(kind));
    CHECK(d.verdict == Verdict::Violation);
    CHECK(d.end == EndKind::Transition);
    CHECK(d.shortest);
    CHECK(d.path == std::vector<Label>({2, 3}));
    CHECK(d.path == b.path);
    bool violated = false;
    CHECK(!replay(g, d.path, &violated).empty());
    CHECK(violated);
  }
  // Without the bounded breadth-first search, minimisation alone cannot drop
  // a step of the long way (each label names the next edge): the trace is
  // the one found, not proven shortest, and still replays.
  Options o = dfs();
  o.shorten_budget = 0;
  const Result d = explore(g, o);
  CHECK(d.verdict == Verdict::Violation);
  CHECK(!d.shortest);
  CHECK_EQUAL(10u, d.path.size());
  bool violated = false;
  CHECK(!replay(g, d.path, &violated).empty());
  CHECK(violated);
}

TEST(DepthFirst, DeadlockPathReplaysAndIsShortest) {
  FnSystem p = philosophers(3);
  const Result b = bfs(p);
  CHECK(b.verdict == Verdict::Violation);
  CHECK(b.end == EndKind::Deadlock);
  const Result d = explore(p, dfs());
  CHECK(d.verdict == Verdict::Violation);
  CHECK(d.end == EndKind::Deadlock);
  CHECK(d.shortest);
  CHECK_EQUAL(b.path.size(), d.path.size());
  const Bytes end = replay(p, d.path);
  CHECK(!end.empty());
  std::vector<Succ> succ;
  CHECK(p.successors(end, succ) == Worker::Result::Deadlock);
}

TEST(DepthFirst, MaxDepthEndsIncomplete) {
  Counters c(2, 5);
  Options o = dfs();
  o.max_depth = 3;
  const Result r = explore(c, o);
  CHECK(r.verdict == Verdict::Incomplete);
  CHECK_EQUAL(std::string("max-depth"), r.incomplete_reason);
  CHECK(r.stats.states < 36);
  CHECK_EQUAL(3u, r.stats.depth);
}

TEST(DepthFirst, SwarmAgrees) {
  Counters c(4, 3);
  const Result b = bfs(c);
  Options o = dfs();
  o.search = SearchKind::Swarm;
  o.threads = 2;
  o.seed = 7;
  const Result s = explore(c, o);
  CHECK(s.verdict == Verdict::Pass);
  CHECK_EQUAL(b.stats.states, s.stats.states);
  CHECK_EQUAL(b.stats.transitions, s.stats.transitions);

  FnSystem g = long_way_first();
  const Result v = explore(g, o);
  CHECK(v.verdict == Verdict::Violation);
  CHECK(v.path == std::vector<Label>({2, 3}));
  CHECK(v.shortest);
}

// A depth-first pass never claims the non-termination check it did not run.
TEST(DepthFirst, APassSaysTheLivenessCheckWasSkipped) {
  Counters c(3, 2);
  for (SearchKind k : {SearchKind::Dfs, SearchKind::Swarm}) {
    Options o = dfs();
    o.search = k;
    o.threads = 2;
    o.liveness = true;
    const Result r = explore(c, o);
    CHECK(r.verdict == Verdict::Pass);
    STRCMP_EQUAL("skipped: depth-first search (--search bfs runs it)", r.liveness.c_str());
    o.liveness = false;
    STRCMP_EQUAL("off", explore(c, o).liveness.c_str());
  }
  Options o = dfs();
  o.liveness = true;
  FnSystem g = long_way_first();
  const Result v = explore(g, o);
  CHECK(v.verdict == Verdict::Violation);
  STRCMP_EQUAL("not run: the search did not pass", v.liveness.c_str());  // (as the breadth-first search says)
}

TEST(DepthFirst, RefusedCombinations) {
  Options o;
  o.store.kind = StoreKind::HashCompact;  // with the breadth-first search
  CHECK(!check_options(o).empty());
  o = dfs();
  o.checkpoint = "/tmp/never-written";
  CHECK(!check_options(o).empty());
  o = dfs();
  o.search = SearchKind::Swarm;
  o.threads = 1;
  CHECK(!check_options(o).empty());
  Counters c(2, 2);
  CHECK_THROWS(std::invalid_argument, explore(c, o));
}
