// The depth-first searches: find a violation fast, then shorten it.
//
// Sequential DFS (--search dfs): one worker, successors explored in the
// worker's order; states are stored when generated, so each is expanded once.
// Swarm (--search swarm, Holzmann's swarm verification): every thread runs its
// own DFS with its own store and its own random successor order (seeded from
// --seed and the thread number); the first violation found ends the run. A
// swarm's counts are those of the worker that finished first (a pass needs
// every worker to finish; their state spaces are the same).
//
// A lossless store keeps only ids on the stack (a state is materialized when
// it is expanded); a lossy one (hc, bitstate) keeps each pending successor's
// bytes. Each pending state keeps the worker's memo of it (the model's
// invariant read sets, vm/invariant_memo.h), as the breadth-first search
// does: without it every new state ran every invariant, and `check --all
// --search dfs` took twice as long (docs/benchmarks.md, 2026-12-07).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "explore/explorer.h"
#include "explore/progress.h"
#include "explore/shorten.h"
#include "explore/tree_store.h"

namespace ptcheck::explore {

namespace {

struct Pending {
  Label label;
  StateId id;       // lossless stores
  uint32_t bytes;   // lossy stores: offset of the state in the frame's byte pool / size
  uint32_t memo;    // the worker's memo of the state (SuccessorSink::set_memo; 0: none)
};

struct Frame {
  std::vector<Pending> next;
  std::vector<uint8_t> pool;  // lossy stores: the pending successors' bytes
  size_t at = 0;
  Label label = 0;            // the label that reached this frame's state
};

// The search stack. A popped frame stays allocated, and the next push at its
// depth reuses its lists: a fresh std::vector per expansion cost the twin's
// lossy DFS (ROUNDS 4) about 8% of its time in malloc and free
// (docs/benchmarks.md). It also knows which states are on it, a bit per
// state id (lossless stores number states densely), instead of scanning the
// stack for every state found again.
class FrameStack {
 public:
  Frame& push(Label label, StateId id) {
    if (n_ == frames_.size()) frames_.emplace_back();
    ids_.push_back(id);
    if (id != kNoState) {
      if (id / 64 >= on_.size()) on_.resize(std::max<size_t>(id / 64 + 1, 2 * on_.size()), 0);
      on_[id / 64] |= uint64_t(1) << (id % 64);
    }
    Frame& f = frames_[n_++];
    f.label = label;
    return f;
  }
  void pop() {
    const StateId id = ids_.back();
    ids_.pop_back();
    if (id != kNoState) on_[id / 64] &= ~(uint64_t(1) << (id % 64));
    --n_;
  }
  bool holds(StateId id) const { return id / 64 < on_.size() && (on_[id / 64] >> (id % 64) & 1); }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Frame& back() { return frames_[n_ - 1]; }
  Frame& operator[](size_t i) { return frames_[i]; }
  const Frame* begin() const { return frames_.data(); }
  const Frame* end() const { return frames_.data() + n_; }

 private:
  std::vector<Frame> frames_;  // [0, n_) in use; the rest kept for reuse
  size_t n_ = 0;
  std::vector<StateId> ids_;   // the frames' states (kNoState: a lossy store's)
  std::vector<uint64_t> on_;   // a bit per state id: on the stack
};

class DfsSink final : public SuccessorSink {
 public:
  DfsSink(StoreCursor& cursor, size_t size, bool keep_bytes) : cursor_(cursor), size_(size), keep_(keep_bytes) {}
  // `from`: the id of the state expanded next (a lossless store has it in
  // hand, materialized or just inserted, and compares a successor with it
  // only where diff_hint() says it may differ); `memo`: the worker's memo of
  // that state (its invariants' read sets: the worker then reruns on a
  // successor only the invariants whose words the step wrote).
  void begin(Frame* f, StateId from, uint32_t memo) {
    frame_ = f;
    from_ = from;
    memo_ = memo;
    violation_ = false;
  }
  void diff_hint(const uint64_t* blocks) override { hint_ = blocks; }
  uint32_t state_memo() const override { return memo_; }
  void set_memo(uint32_t m) override {
    if (last_new_) frame_->next.back().memo = m;
  }
  Seen emit(uint32_t, Label label, const uint8_t* next, bool violation) override {
    const uint64_t* hint = std::exchange(hint_, nullptr);
    ++transitions;
    last_new_ = false;
    if (violation) {
      if (!violation_) {
        violation_ = true;
        violation_label_ = label;
      }
      return Seen::Ignored;
    }
    if (violation_ || full) return Seen::Ignored;
    Found f = hint && from_ != kNoState ? cursor_.find_or_insert_from(next, from_, hint) : cursor_.find_or_insert(next);
    if (f.full) {
      full = true;
      return Seen::Ignored;
    }
    if (!f.is_new) return on_stack(f.id) ? Seen::Cycle : Seen::Old;
    ++states;
    last_new_ = true;
    Pending p{label, f.id, 0, 0};
    if (keep_) {
      p.bytes = static_cast<uint32_t>(frame_->pool.size());
      frame_->pool.insert(frame_->pool.end(), next, next + size_);
    }
    frame_->next.push_back(p);
    return Seen::New;
  }
  void violating_state() override {
    if (last_new_ && !violation_) {
      violation_ = true;
      violation_label_ = frame_->next.back().label;
    }
  }
  // Lossless stores: whether a state is on the stack (the cycle proviso).
  const FrameStack* stack = nullptr;
  bool on_stack(StateId id) const { return stack && stack->holds(id); }

  uint64_t states = 0, transitions = 0;
  bool full = false;
  bool violation_ = false;
  Label violation_label_ = 0;

 private:
  StoreCursor& cursor_;
  size_t size_;
  bool keep_;
  Frame* frame_ = nullptr;
  StateId from_ = kNoState;
  uint32_t memo_ = 0;
  const uint64_t* hint_ = nullptr;  // diff_hint() for the next emit only
  bool last_new_ = false;
};

struct DfsOutcome {
  Result res;
  bool finished = false;  // ran to a verdict (not stopped by another swarm worker)
};

DfsOutcome run_one(const TransitionSystem& ts, const Options& opt, uint64_t memory, uint64_t seed, bool shuffle,
                   std::atomic<int>& stop, std::atomic<uint64_t>& progress_states) {
  DfsOutcome out;
  Result& res = out.res;
  MemoryAccount mem(memory);
  std::unique_ptr<StateStorage> store;
  try {
    store = make_store(ts.shape(), opt.store, mem);
  } catch (const std::length_error&) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = "max-memory";
    return out;
  }
  store->epochs().set_threads(1);
  auto cursor = store->cursor();
  auto worker = ts.make_worker();
  const size_t size = ts.state_size();
  const bool lossy = !store->lossless();
  res.store = store->name();
  res.probabilistic = lossy;
  std::mt19937_64 rng(seed);

  std::vector<uint8_t> cur(std::max<size_t>(size, 1));
  ts.initial_state(cur.data());
  Found f0 = cursor->find_or_insert(cur.data());
  auto finish_stats = [&](uint64_t states, uint64_t transitions) {
    res.stats.states = states;
    res.stats.transitions = transitions;
    res.stats.memory_bytes = mem.peak();
    res.stats.bytes_per_state = states ? double(mem.peak()) / double(states) : 0;
    res.stats.store_bytes = store->bytes();
    if (auto* t = dynamic_cast<const TreeStore*>(store.get())) {
      res.stats.tree_nodes = t->nodes();
      res.stats.tree_leaves = t->leaves();
    }
    if (lossy) {
      res.omission_probability = store->omission_probability(states);
      res.lossy_summary = store->lossy_summary(states);
    }
  };
  if (f0.full) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = "max-memory";
    finish_stats(0, 0);
    return out;
  }
  if (worker->initial_violation(cur.data())) {
    res.verdict = Verdict::Violation;
    res.end = EndKind::Initial;
    out.finished = true;
    finish_stats(1, 0);
    return out;
  }

  FrameStack stack;
  stack.push(0, lossy ? kNoState : f0.id);
  DfsSink sink(*cursor, size, lossy);
  if (!lossy) sink.stack = &stack;
  bool depth_cut = false;
  unsigned max_stack = 0;

  auto expand = [&](Frame& fr, const uint8_t* s, StateId id, uint32_t memo) {
    sink.begin(&fr, lossy ? kNoState : id, memo);
    fr.next.clear();
    fr.pool.clear();
    fr.at = 0;
    Worker::Result r = worker->expand(s, sink);
    if (shuffle) std::shuffle(fr.next.begin(), fr.next.end(), rng);
    return r;
  };
  auto path_here = [&]() {
    std::vector<Label> p;
    for (size_t i = 1; i < stack.size(); ++i) p.push_back(stack[i].label);
    return p;
  };

  // A lossless store's states are expanded in the cursor's own buffer, the
  // worker told which blocks changed since the state it expanded last (as
  // the breadth-first search does: a kernel mix's state is 12-24 KB, and a
  // child differs from its parent in a few blocks).
  ExpandLoader loader;
  Worker::Result r = expand(stack[0], cur.data(), f0.id, 0);
  uint64_t iter = 0;
  for (;;) {
    if (sink.violation_) {
      res.verdict = Verdict::Violation;
      res.end = EndKind::Transition;
      res.path = path_here();
      res.path.push_back(sink.violation_label_);
      out.finished = true;
      break;
    }
    if (r == Worker::Result::Deadlock || r == Worker::Result::TerminalViolation) {
      res.verdict = Verdict::Violation;
      res.end = r == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation;
      res.path = path_here();
      out.finished = true;
      break;
    }
    r = Worker::Result::Expanded;
    if (sink.full) {
      res.verdict = Verdict::Incomplete;
      res.incomplete_reason = "max-memory";
      out.finished = true;
      break;
    }
    if ((++iter & 255) == 0) {
      progress_states.store(sink.states + 1, std::memory_order_relaxed);
      if (opt.max_states && sink.states + 1 >= opt.max_states) request_stop(stop, StopReason::MaxStates);
      if (stop.load(std::memory_order_relaxed)) {
        res.verdict = Verdict::Incomplete;
        res.incomplete_reason = stop_reason_name(StopReason(stop.load()));
        res.stats.frontier = 0;
        for (const Frame& f : stack) res.stats.frontier += f.next.size() - f.at;
        break;
      }
    }
    Frame& top = stack.back();
    if (top.at == top.next.size()) {
      stack.pop();
      if (stack.empty()) {
        res.verdict = depth_cut ? Verdict::Incomplete : Verdict::Pass;
        if (depth_cut) res.incomplete_reason = "max-depth";
        out.finished = true;
        break;
      }
      continue;
    }
    const Pending p = top.next[top.at++];
    if (opt.max_depth && stack.size() > opt.max_depth) {
      depth_cut = true;
      continue;
    }
    // A lossy store's state is expanded where it waited, in its frame's
    // pool: the push below may move the frames, but a moved vector keeps its
    // buffer, and only the new frame's pool grows during the expansion.
    const uint8_t* s = lossy ? top.pool.data() + p.bytes : loader.load(*cursor, *worker, p.id);
    stack.push(p.label, lossy ? kNoState : p.id);
    max_stack = std::max<unsigned>(max_stack, static_cast<unsigned>(stack.size() - 1));
    r = expand(stack.back(), s, p.id, p.memo);
  }
  finish_stats(sink.states + 1, sink.transitions);
  res.stats.depth = res.verdict == Verdict::Violation ? static_cast<unsigned>(res.path.size()) : max_stack;
  return out;
}

}  // namespace

Result explore_dfs(const TransitionSystem& ts, const Options& opt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::atomic<int> stop{0};
  std::atomic<uint64_t> progress_states{0};
  const unsigned n = opt.search == SearchKind::Swarm
                         ? (opt.threads ? opt.threads : std::max(2u, std::thread::hardware_concurrency()))
                         : 1;
  Monitor monitor(start, opt.time_limit, opt.cancel, opt.progress, stop, [&] {
    ProgressSample s;
    s.states = progress_states.load(std::memory_order_relaxed);
    return s;
  });
  std::vector<DfsOutcome> outs(n);
  std::atomic<int> winner{-1};
  auto work = [&](unsigned i) {
    outs[i] = run_one(ts, opt, opt.max_memory ? opt.max_memory / n : 0, opt.seed * 0x9e3779b97f4a7c15ull + i,
                      opt.search == SearchKind::Swarm && i > 0, stop, progress_states);
    if (outs[i].finished) {
      int expected = -1;
      if (winner.compare_exchange_strong(expected, int(i))) request_stop(stop, StopReason::Interrupted);
    }
  };
  if (n == 1) {
    work(0);
  } else {
    std::vector<std::thread> ts_;
    for (unsigned i = 0; i < n; ++i) ts_.emplace_back(work, i);
    for (auto& t : ts_) t.join();
  }
  monitor.finish();
  int w = winner.load();
  Result res = outs[w >= 0 ? unsigned(w) : 0].res;
  if (w < 0 && res.verdict == Verdict::Incomplete && opt.cancel && opt.cancel->load()) res.incomplete_reason = "interrupted";
  if (res.verdict == Verdict::Violation) shorten(ts, opt, res, opt.shorten_budget);
  // The non-termination check and the liveness properties need the layered
  // search's graph (explorer.cpp): a depth-first pass says so rather than
  // passing as if they held.
  if (opt.liveness)
    res.liveness = res.verdict == Verdict::Pass ? "skipped: depth-first search (--search bfs runs it)"
                                                : "not run: the search did not pass";
  res.stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

}  // namespace ptcheck::explore
