#pragma once
// Small transition systems for the explorer's tests (and a reference BFS).
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "explore/transition_system.h"

namespace ptcheck::explore::testing {

using Bytes = std::vector<uint8_t>;

struct Succ {
  Label label;
  Bytes next;
  bool violation = false;
};

// A transition system written as one function: successors of a state, plus how
// a state without successors ends.
class FnSystem : public TransitionSystem {
 public:
  using Expand = std::function<Worker::Result(const Bytes&, std::vector<Succ>&)>;
  FnSystem(Bytes init, Expand expand, std::function<bool(const Bytes&)> init_bad = nullptr)
      : init_(std::move(init)), expand_(std::move(expand)), init_bad_(std::move(init_bad)) {}
  size_t state_size() const override { return init_.size(); }
  void initial_state(uint8_t* out) const override {
    if (!init_.empty()) std::memcpy(out, init_.data(), init_.size());
  }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(*this); }

  // Successors of s (for replay and the reference explorer).
  Worker::Result successors(const Bytes& s, std::vector<Succ>& out) const {
    out.clear();
    return expand_(s, out);
  }
  const Bytes& init() const { return init_; }
  bool initial_bad() const { return init_bad_ && init_bad_(init_); }
  // Liveness properties (bit i of progress(s): property i holds in s) and
  // fairness units (default: the label itself).
  FnSystem& with_progress(unsigned count, std::function<uint64_t(const Bytes&)> holds) {
    progress_count_ = count;
    progress_ = std::move(holds);
    return *this;
  }
  FnSystem& with_units(std::function<uint32_t(Label)> unit) {
    unit_ = std::move(unit);
    return *this;
  }

 private:
  struct W : Worker {
    explicit W(const FnSystem& sys) : sys(sys) {}
    Result expand(const uint8_t* state, SuccessorSink& sink) override {
      if (sys.init_.empty()) cur.clear();
      else cur.assign(state, state + sys.init_.size());
      Result r = sys.successors(cur, succ);
      for (uint32_t i = 0; i < succ.size(); ++i) sink.emit(i, succ[i].label, succ[i].next.data(), succ[i].violation);
      return r;
    }
    bool initial_violation(const uint8_t*) override { return sys.initial_bad(); }
    unsigned progress_count() const override { return sys.progress_count_; }
    uint64_t progress(const uint8_t* state) override {
      return sys.progress_(Bytes(state, state + sys.init_.size()));
    }
    uint32_t fairness_unit(Label l) const override { return sys.unit_ ? sys.unit_(l) : l; }
    const FnSystem& sys;
    Bytes cur;
    std::vector<Succ> succ;
  };
  Bytes init_;
  Expand expand_;
  std::function<bool(const Bytes&)> init_bad_;
  unsigned progress_count_ = 0;
  std::function<uint64_t(const Bytes&)> progress_;
  std::function<uint32_t(Label)> unit_;
};

// N counters, each counted up from 0 to K by its own thread (label = counter).
// (K+1)^N states, N*K*(K+1)^(N-1) transitions, depth N*K.
// A fast, allocation-free worker: this is also the benchmark's system.
class Counters : public TransitionSystem {
 public:
  Counters(unsigned n, unsigned k) : n_(n), k_(k) {}
  size_t state_size() const override { return n_; }
  void initial_state(uint8_t* out) const override { std::memset(out, 0, n_); }
  std::unique_ptr<Worker> make_worker() const override { return std::make_unique<W>(n_, k_); }

 private:
  struct W : Worker {
    W(unsigned n, unsigned k) : n(n), k(k), buf(n) {}
    Result expand(const uint8_t* s, SuccessorSink& sink) override {
      bool any = false;
      std::memcpy(buf.data(), s, n);
      for (unsigned i = 0; i < n; ++i) {
        if (s[i] < k) {
          buf[i] = uint8_t(s[i] + 1);
          sink.emit(i, i, buf.data(), false);
          buf[i] = s[i];
          any = true;
        }
      }
      return any ? Result::Expanded : Result::Terminal;
    }
    bool initial_violation(const uint8_t*) override { return false; }
    unsigned n, k;
    std::vector<uint8_t> buf;
  };
  unsigned n_, k_;
};

// Wraps a system: before its `after`-th expansion (counted over all explorer
// threads), and before every later one, a worker waits until `wait()` has
// returned once; the first worker there calls it, the others queue behind it.
// Lets a test hold a run at a known point until some other event (e.g. the
// explorer's monitor thread acting) has happened, whatever the machine's load.
class Gated : public TransitionSystem {
 public:
  Gated(const TransitionSystem& inner, uint64_t after, std::function<void()> wait)
      : inner_(inner), after_(after), wait_(std::move(wait)) {}
  size_t state_size() const override { return inner_.state_size(); }
  StateShape shape() const override { return inner_.shape(); }
  void initial_state(uint8_t* out) const override { inner_.initial_state(out); }
  std::unique_ptr<Worker> make_worker() const override {
    return std::make_unique<W>(*this, inner_.make_worker());
  }
  uint64_t expansions() const { return expansions_.load(); }

 private:
  struct W : Worker {
    W(const Gated& g, std::unique_ptr<Worker> inner) : g(g), inner(std::move(inner)) {}
    Result expand(const uint8_t* s, SuccessorSink& sink) override {
      if (g.expansions_.fetch_add(1) + 1 >= g.after_) g.pass();
      return inner->expand(s, sink);
    }
    bool initial_violation(const uint8_t* s) override { return inner->initial_violation(s); }
    const Gated& g;
    std::unique_ptr<Worker> inner;
  };
  void pass() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) {
      wait_();
      open_ = true;
    }
  }
  const TransitionSystem& inner_;
  uint64_t after_;
  std::function<void()> wait_;
  mutable std::atomic<uint64_t> expansions_{0};
  mutable std::mutex mu_;
  mutable bool open_ = false;
};

// Dining philosophers, one round each: take the left fork (i), take the right
// fork ((i+1)%n), put both down, done. State: pc[n] then fork[n] (0 free, 1 taken).
inline FnSystem philosophers(unsigned n) {
  Bytes init(2 * n, 0);
  return FnSystem(init, [n](const Bytes& s, std::vector<Succ>& out) {
    bool all_done = true;
    for (unsigned i = 0; i < n; ++i) {
      unsigned l = n + i, r = n + (i + 1) % n;
      Bytes t = s;
      switch (s[i]) {
        case 0:
          all_done = false;
          if (!s[l]) { t[i] = 1; t[l] = 1; out.push_back({i, t}); }
          break;
        case 1:
          all_done = false;
          if (!s[r]) { t[i] = 2; t[r] = 1; out.push_back({i, t}); }
          break;
        case 2:
          all_done = false;
          t[i] = 3; t[l] = 0; t[r] = 0; out.push_back({i, t});
          break;
        default: break;
      }
    }
    if (!out.empty()) return Worker::Result::Expanded;
    return all_done ? Worker::Result::Terminal : Worker::Result::Deadlock;
  });
}

// Two threads each add 1 to x. Unlocked: tmp = x; x = tmp + 1. Locked: lock;
// tmp = x; x = tmp + 1; unlock. Final check: x == 2.
// State: x, lock (0 free, 1+t owner), pc[2], tmp[2].
inline FnSystem increments(bool locked) {
  Bytes init(6, 0);
  return FnSystem(init, [locked](const Bytes& s, std::vector<Succ>& out) {
    const uint8_t done = locked ? 4 : 2;
    for (unsigned t = 0; t < 2; ++t) {
      Bytes n = s;
      uint8_t pc = s[2 + t];
      uint8_t step = locked ? pc : uint8_t(pc + 1);  // unlocked skips the lock step
      if (pc == done) continue;
      switch (step) {
        case 0:
          if (s[1]) continue;
          n[1] = uint8_t(1 + t);
          break;
        case 1: n[4 + t] = s[0]; break;
        case 2: n[0] = uint8_t(s[4 + t] + 1); break;
        case 3: n[1] = 0; break;
      }
      n[2 + t] = uint8_t(pc + 1);
      out.push_back({t, n});
    }
    if (!out.empty()) return Worker::Result::Expanded;
    if (s[2] == done && s[3] == done)
      return s[0] == 2 ? Worker::Result::Terminal : Worker::Result::TerminalViolation;
    return Worker::Result::Deadlock;
  });
}

// An explicit graph: node i has edges (target, label, violation); a node without
// edges ends as `ends[i]`. State: the node number (4 bytes).
struct Edge {
  uint32_t to;
  Label label;
  bool violation = false;
};
inline FnSystem graph(std::vector<std::vector<Edge>> edges, std::map<uint32_t, Worker::Result> ends) {
  auto enc = [](uint32_t v) {
    Bytes b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
  };
  return FnSystem(enc(0), [edges, ends, enc](const Bytes& s, std::vector<Succ>& out) {
    uint32_t v;
    std::memcpy(&v, s.data(), 4);
    for (auto& e : edges.at(v)) out.push_back({e.label, enc(e.to), e.violation});
    if (!out.empty()) return Worker::Result::Expanded;
    auto it = ends.find(v);
    return it == ends.end() ? Worker::Result::Terminal : it->second;
  });
}

// Reference: plain sequential BFS; distinct states, transitions, depth (Pass only).
struct RefCounts {
  uint64_t states = 0, transitions = 0;
  unsigned depth = 0;
};
inline RefCounts reference_bfs(const FnSystem& sys) {
  RefCounts rc;
  // Keys as strings: GCC 12 warns spuriously on std::set<std::vector<uint8_t>>.
  auto key = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  std::set<std::string> seen{key(sys.init())};
  std::vector<Bytes> layer{sys.init()};
  std::vector<Succ> succ;
  while (!layer.empty()) {
    std::vector<Bytes> next;
    for (auto& s : layer) {
      sys.successors(s, succ);
      for (auto& x : succ) {
        ++rc.transitions;
        if (!x.violation && seen.insert(key(x.next)).second) next.push_back(x.next);
      }
    }
    if (!next.empty()) ++rc.depth;
    layer.swap(next);
  }
  rc.states = seen.size();
  return rc;
}

// Follows `path` from the initial state; returns the state reached (empty if a
// label does not name a successor). A violating last step returns the state
// before it and sets *violated.
inline Bytes replay(const FnSystem& sys, const std::vector<Label>& path, bool* violated = nullptr) {
  Bytes s = sys.init();
  std::vector<Succ> succ;
  if (violated) *violated = false;
  for (size_t i = 0; i < path.size(); ++i) {
    sys.successors(s, succ);
    const Succ* hit = nullptr;
    for (auto& x : succ)
      if (x.label == path[i]) { hit = &x; break; }
    if (!hit) return {};
    if (hit->violation) {
      if (violated && i + 1 == path.size()) *violated = true;
      return s;
    }
    s = hit->next;
  }
  return s;
}

}  // namespace ptcheck::explore::testing

namespace ptcheck::explore::testing {

// A pseudo-random graph of n nodes (out-degree 0..max_deg, duplicate targets
// likely); an edge violates with probability 1/viol_inv (0: never); a node
// without edges deadlocks, ends or fails its final check.
inline FnSystem random_graph(uint32_t n, unsigned max_deg, unsigned viol_inv, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto rnd = [&x]() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::vector<std::vector<Edge>> edges(n);
  std::map<uint32_t, Worker::Result> ends;
  for (uint32_t v = 0; v < n; ++v) {
    unsigned deg = v == 0 ? max_deg : unsigned(rnd() % (max_deg + 1));
    for (unsigned e = 0; e < deg; ++e) {
      uint32_t to = uint32_t(rnd() % n);
      bool bad = viol_inv && rnd() % viol_inv == 0;
      edges[v].push_back({to, Label(rnd() % 1000), bad});
    }
    if (deg == 0) {
      uint64_t r = rnd() % 16;
      if (r == 0 && viol_inv) ends[v] = Worker::Result::Deadlock;
      else if (r == 1 && viol_inv) ends[v] = Worker::Result::TerminalViolation;
    }
  }
  return graph(std::move(edges), std::move(ends));
}

// The explorer's rule, sequentially: BFS in discovery order (which is the order
// by (parent position, successor index)); the first layer with a violation wins,
// state-level ends before transitions, then the smallest (position, index).
struct RefResult {
  bool violation = false;
  int end = 0;  // 0 none, 1 transition, 2 deadlock, 3 terminal violation
  std::vector<Label> path;
  uint64_t states = 0, transitions = 0;
  unsigned depth = 0;
};
inline RefResult reference_explore(const FnSystem& sys) {
  RefResult rr;
  auto key = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  std::map<std::string, std::pair<std::string, Label>> parent;  // state -> (parent, label)
  std::set<std::string> seen{key(sys.init())};
  std::vector<Bytes> layer{sys.init()};
  std::vector<Succ> succ;
  auto path_of = [&](std::string k) {
    std::vector<Label> p;
    for (auto it = parent.find(k); it != parent.end(); it = parent.find(k)) {
      p.push_back(it->second.second);
      k = it->second.first;
    }
    return std::vector<Label>(p.rbegin(), p.rend());
  };
  unsigned depth = 0;
  while (!layer.empty()) {
    std::vector<Bytes> next;
    int best_state = -1, best_state_kind = 0;
    bool have_tr = false;
    std::vector<Label> tr_path;
    for (size_t pos = 0; pos < layer.size(); ++pos) {
      Worker::Result r = sys.successors(layer[pos], succ);
      if ((r == Worker::Result::Deadlock || r == Worker::Result::TerminalViolation) && best_state < 0) {
        best_state = int(pos);
        best_state_kind = r == Worker::Result::Deadlock ? 2 : 3;
      }
      for (auto& x : succ) {
        ++rr.transitions;
        if (x.violation) {
          if (!have_tr) {
            have_tr = true;
            tr_path = path_of(key(layer[pos]));
            tr_path.push_back(x.label);
          }
          continue;
        }
        if (seen.insert(key(x.next)).second) {
          parent[key(x.next)] = {key(layer[pos]), x.label};
          next.push_back(x.next);
        }
      }
    }
    rr.states = seen.size();
    if (best_state >= 0) {
      rr.violation = true;
      rr.end = best_state_kind;
      rr.path = path_of(key(layer[size_t(best_state)]));
      rr.depth = unsigned(rr.path.size());
      return rr;
    }
    if (have_tr) {
      rr.violation = true;
      rr.end = 1;
      rr.path = tr_path;
      rr.depth = unsigned(rr.path.size());
      return rr;
    }
    if (!next.empty()) ++depth;
    layer.swap(next);
  }
  rr.depth = depth;
  return rr;
}

}  // namespace ptcheck::explore::testing
