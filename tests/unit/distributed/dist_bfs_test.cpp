// The distributed breadth-first search over the in-process FakeTransport
// (ranks are threads): the owner partition, the collectives, and results equal
// to the one-process search for 2, 3 and 4 ranks (verdict, counts, depth,
// counterexample), on pseudo-random graphs with violating transitions,
// deadlocks, failed final checks and invariants, checked by the owner or,
// with worker memos, by the rank that generates the state.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include "distributed/dist_bfs.h"
#include "distributed/fake_transport.h"
#include "explore/progress.h"
#include "unit/explore/fixtures.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using namespace ptcheck::explore;
using namespace ptcheck::explore::testing;

namespace {

// A system whose states may break an invariant: a wrapped system's worker
// plus a state property checked when the store says a state is new (as the
// interpreter does) and by initial_violation(). With `memos`, also checked
// the way the interpreter checks with invariant memos: on New the worker
// either reports the state violating or gives it a memo (its node + 1),
// and it records the memo the sink hands back with each state it expands;
// a memo's portable form is its 4 bytes. In the distributed search the rank
// that generates a successor checks it and the owner expands it: the memo
// must cross.
class WithInvariant : public TransitionSystem {
 public:
  WithInvariant(const TransitionSystem& inner, std::function<bool(const uint8_t*)> bad, bool memos = false)
      : inner_(inner), bad_(std::move(bad)), memos_(memos) {}
  size_t state_size() const override { return inner_.state_size(); }
  void initial_state(uint8_t* out) const override { inner_.initial_state(out); }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(*this); }
  mutable std::mutex mu;
  mutable std::vector<std::pair<uint32_t, uint32_t>> expanded;  // with memos: (node, the memo it came with)

 private:
  struct Sink : SuccessorSink {
    SuccessorSink* out = nullptr;
    const WithInvariant* sys = nullptr;
    Seen emit(uint32_t i, Label l, const uint8_t* next, bool v) override {
      Seen s = out->emit(i, l, next, v);
      if (s != Seen::New) return s;
      uint32_t node;
      std::memcpy(&node, next, 4);
      if (sys->bad_(next)) out->violating_state();
      else if (sys->memos_) out->set_memo(node + 1);
      return s;
    }
    void violating_state() override {}
  };
  struct W : Worker {
    explicit W(const WithInvariant& s) : sys(s), inner(s.inner_.make_worker()) {}
    Result expand(const uint8_t* state, SuccessorSink& sink) override {
      if (sys.memos_) {
        std::lock_guard<std::mutex> g(sys.mu);
        uint32_t node;
        std::memcpy(&node, state, 4);
        sys.expanded.emplace_back(node, sink.state_memo());
      }
      Sink k;
      k.out = &sink;
      k.sys = &sys;
      return inner->expand(state, k);
    }
    bool initial_violation(const uint8_t* s) override { return sys.bad_(s); }
    bool memos() const override { return sys.memos_; }
    size_t memo_bytes() const override { return sys.memos_ ? 4 : 0; }
    void export_memo(uint32_t memo, uint8_t* out) const override { std::memcpy(out, &memo, 4); }
    uint32_t import_memo(const uint8_t* in) override {
      uint32_t m;
      std::memcpy(&m, in, 4);
      return m;
    }
    const WithInvariant& sys;
    std::unique_ptr<Worker> inner;
  };
  const TransitionSystem& inner_;
  std::function<bool(const uint8_t*)> bad_;
  bool memos_;
};

// A grid walk whose worker, like the interpreter's, keeps the state being
// expanded in a member and computes each successor from it on demand, and
// whose initial_violation() loads its argument into that same member: a
// search that checked a new state's invariant with the expanding worker
// would corrupt the expansion.
class LazyGrid : public TransitionSystem {
 public:
  explicit LazyGrid(uint32_t n) : n_(n) {}
  size_t state_size() const override { return 8; }
  void initial_state(uint8_t* out) const override { std::memset(out, 0, 8); }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(n_); }

 private:
  struct W : Worker {
    explicit W(uint32_t n) : n(n) {}
    static bool bad(const uint32_t* s) { return s[0] == 5 && s[1] == 3; }
    Result expand(const uint8_t* state, SuccessorSink& sink) override {
      std::memcpy(cur, state, 8);
      uint32_t emitted = 0;
      for (uint32_t i = 0; i < 3; ++i) {
        uint32_t next[2] = {cur[0], cur[1]};
        if (i == 0 && cur[0] < n) ++next[0];
        else if (i == 1 && cur[1] < n) ++next[1];
        else if (i == 2 && cur[0] != cur[1]) std::swap(next[0], next[1]);
        else continue;
        ++emitted;
        if (sink.emit(i, i, reinterpret_cast<const uint8_t*>(next), false) == Seen::New && bad(next))
          sink.violating_state();
      }
      return emitted ? Result::Expanded : Result::Terminal;
    }
    bool initial_violation(const uint8_t* s) override {
      std::memcpy(cur, s, 8);
      return bad(cur);
    }
    uint32_t n;
    uint32_t cur[2] = {};
  };
  uint32_t n_;
};

Options plain_options() {
  Options o;
  o.threads = 1;
  o.liveness = false;
  return o;
}

// Runs the distributed search on `ranks` fake ranks; every rank's result must
// be the same; returns rank 0's.
Result distributed(const TransitionSystem& ts, int ranks, const Options& opt) {
  std::vector<Result> rs(static_cast<size_t>(ranks));
  dist::run_ranks(ranks, [&](dist::Transport& t) { rs[size_t(t.rank())] = dist::explore_distributed(ts, opt, t); });
  for (const Result& r : rs) {
    CHECK(r.verdict == rs[0].verdict);
    CHECK(r.path == rs[0].path);
    CHECK_EQUAL(rs[0].stats.states, r.stats.states);
  }
  return rs[0];
}

void check_same(const Result& a, const Result& b) {
  CHECK_EQUAL(int(a.verdict), int(b.verdict));
  CHECK_EQUAL(int(a.end), int(b.end));
  CHECK_EQUAL(a.stats.states, b.stats.states);
  CHECK_EQUAL(a.stats.transitions, b.stats.transitions);
  CHECK_EQUAL(a.stats.depth, b.stats.depth);
  CHECK(a.path == b.path);
}

uint32_t node_of(const uint8_t* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

}  // namespace

TEST_GROUP(Distributed){};

TEST(Distributed, OwnerIsStableAndSpreadsStates) {
  std::vector<unsigned> per(4, 0);
  for (uint32_t v = 0; v < 4000; ++v) {
    uint8_t s[8] = {};
    std::memcpy(s, &v, 4);
    const uint32_t o = dist::owner_of(s, sizeof s, 4);
    CHECK(o < 4);
    CHECK_EQUAL(o, dist::owner_of(s, sizeof s, 4));
    CHECK_EQUAL(0u, dist::owner_of(s, sizeof s, 1));
    ++per[o];
  }
  for (unsigned n : per) CHECK(n > 800 && n < 1200);  // 1000 expected each
}

TEST(Distributed, FakeTransportCollectives) {
  dist::run_ranks(3, [](dist::Transport& t) {
    const uint8_t me = uint8_t(t.rank());
    // To rank r: r + 1 bytes of value 10 * me + r.
    std::vector<std::vector<uint8_t>> out(3);
    std::vector<uint8_t> in;
    std::vector<uint64_t> in_counts;
    for (uint8_t r = 0; r < 3; ++r) out[r].assign(r + 1u, uint8_t(10 * me + r));
    t.exchange(out, in, in_counts);
    CHECK(in_counts == std::vector<uint64_t>(3, me + 1u));
    std::vector<uint8_t> want;
    for (uint8_t r = 0; r < 3; ++r) want.insert(want.end(), me + 1u, uint8_t(10 * r + me));
    CHECK(in == want);
    auto g = t.allgather({me});
    for (uint8_t r = 0; r < 3; ++r) CHECK(g[r] == std::vector<uint8_t>{r});
    std::vector<uint64_t> v{uint64_t(me) + 5, uint64_t(me) + 5, uint64_t(me) + 5};
    std::vector<uint64_t> mn = v, mx = v;
    t.allreduce(mn, dist::Transport::Op::Min);
    t.allreduce(mx, dist::Transport::Op::Max);
    t.allreduce(v, dist::Transport::Op::Sum);
    CHECK_EQUAL(5u, mn[0]);
    CHECK_EQUAL(7u, mx[1]);
    CHECK_EQUAL(18u, v[2]);
  });
}

TEST(Distributed, PassingSystemsMatchOneProcess) {
  Counters c(3, 4);
  FnSystem p = philosophers(4);
  for (const TransitionSystem* ts : {static_cast<const TransitionSystem*>(&c), static_cast<const TransitionSystem*>(&p)}) {
    Result one = explore::explore(*ts, plain_options());
    for (int ranks : {2, 3, 4}) {
      Result d = distributed(*ts, ranks, plain_options());
      check_same(one, d);
      uint64_t sum = 0;
      for (uint64_t s : d.rank_states) sum += s;
      CHECK_EQUAL(size_t(ranks), d.rank_states.size());
      CHECK_EQUAL(d.stats.states, sum);  // each state stored by exactly one rank
    }
  }
}

TEST(Distributed, RandomGraphsMatchOneProcess) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    FnSystem g = random_graph(300, 4, seed % 3 == 0 ? 0 : 40, seed);
    Result one = explore::explore(g, plain_options());
    for (int ranks : {2, 3, 4}) check_same(one, distributed(g, ranks, plain_options()));
  }
}

TEST(Distributed, InvariantViolationsMatchOneProcess) {
  // Invariant violations are found by the owner: the canonical (smallest)
  // parent key decides between several violating states of a layer.
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    FnSystem g = random_graph(400, 3, 0, seed);
    WithInvariant w(g, [seed](const uint8_t* s) { return node_of(s) % 37 == seed % 37 && node_of(s) != 0; });
    Result one = explore::explore(w, plain_options());
    for (int ranks : {2, 4}) check_same(one, distributed(w, ranks, plain_options()));
  }
}

TEST(Distributed, MemosCrossRanksWithTheirStates) {
  // The generating rank checks each successor with its parent's memo and
  // sends the verdict and the successor's memo to the owner: violations are
  // the one-process search's, and every state is expanded with the memo its
  // check gave it (the initial state with none).
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    FnSystem g = random_graph(300, 3, 0, seed);
    auto bad = [seed](const uint8_t* s) { return seed % 3 != 0 && node_of(s) % 41 == seed % 41 && node_of(s) != 0; };
    WithInvariant one_sys(g, bad, true);
    Result one = explore::explore(one_sys, plain_options());
    for (int ranks : {2, 3, 4}) {
      WithInvariant w(g, bad, true);
      check_same(one, distributed(w, ranks, plain_options()));
      CHECK(!w.expanded.empty());
      for (const auto& [node, memo] : w.expanded) CHECK_EQUAL(node == 0 ? 0u : node + 1, memo);
    }
  }
}

TEST(Distributed, InvariantCheckLeavesTheExpansionAlone) {
  for (uint32_t n : {4u, 8u}) {  // 8: a violation at (5, 3); 4: a pass
    LazyGrid g(n);
    Result one = explore::explore(g, plain_options());
    CHECK(one.verdict == (n == 8 ? Verdict::Violation : Verdict::Pass));
    for (int ranks : {2, 3}) check_same(one, distributed(g, ranks, plain_options()));
  }
}

TEST(Distributed, ProgressLineShowsStatesPerRank) {
  ProgressSample s;
  s.states = 60;
  s.per_rank = {10, 20, 30};
  const std::string line = Monitor::format_line(s, 0);
  CHECK(line.find("states 60") != std::string::npos);
  CHECK(line.find("ranks 3: 10/20/30") != std::string::npos);
  s.per_rank.clear();
  CHECK(Monitor::format_line(s, 0).find("ranks") == std::string::npos);
}

TEST(Distributed, LimitsAndRefusals) {
  Counters c(3, 6);
  Options o = plain_options();
  o.max_depth = 5;
  check_same(explore::explore(c, o), distributed(c, 3, o));
  o = plain_options();
  o.max_states = 50;
  Result d = distributed(c, 2, o);
  CHECK(d.verdict == Verdict::Incomplete);
  STRCMP_EQUAL("max-states", d.incomplete_reason.c_str());
  o = plain_options();
  o.liveness = true;
  CHECK(dist::check_distributed_options(o).find("--no-liveness") != std::string::npos);
  o.liveness = false;
  o.search = SearchKind::Dfs;
  CHECK(!dist::check_distributed_options(o).empty());
}
