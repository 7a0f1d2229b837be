// The breadth-first search over a state store; see explorer.h for the
// determinism contract.
#include "explore/explorer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"
#include "explore/checkpoint.h"
#include "explore/id_list.h"
#include "explore/liveness.h"
#include "explore/parallel.h"
#include "explore/progress.h"
#include "explore/state_graph.h"
#include "explore/tree_store.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ptcheck::explore {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Violation: return "violation";
    case Verdict::Incomplete: return "incomplete";
  }
  return "?";
}

const char* to_string(EndKind k) {
  switch (k) {
    case EndKind::None: return "none";
    case EndKind::Transition: return "transition";
    case EndKind::Deadlock: return "deadlock";
    case EndKind::TerminalViolation: return "terminal-violation";
    case EndKind::Initial: return "initial";
    case EndKind::Livelock: return "livelock";
    case EndKind::Liveness: return "liveness";
  }
  return "?";
}

const char* to_string(Reduction r) { return r == Reduction::Sleep ? "sleep" : "none"; }

uint64_t Worker::outcome(const uint8_t* state, size_t size) { return XXH3_64bits(state, size); }

const char* to_string(SearchKind k) {
  switch (k) {
    case SearchKind::Bfs: return "bfs";
    case SearchKind::Dfs: return "dfs";
    case SearchKind::Swarm: return "swarm";
  }
  return "?";
}

std::string check_options(const Options& opt) {
  const bool lossy = opt.store.kind == StoreKind::HashCompact || opt.store.kind == StoreKind::Bitstate;
  if (lossy && opt.search == SearchKind::Bfs)
    return "hash compaction and bitstate keep no states to expand: they need a depth-first search (--search dfs or swarm)";
  if (opt.search != SearchKind::Bfs && (!opt.checkpoint.empty() || !opt.resume.empty()))
    return "checkpoints are written by the breadth-first search only";
  if (opt.search == SearchKind::Swarm && opt.threads == 1)
    return "a swarm needs at least 2 threads (or use --search dfs)";
  return "";
}

Result explore(const TransitionSystem& ts, const Options& opt) {
  std::string bad = check_options(opt);
  if (!bad.empty()) throw std::invalid_argument(bad);
  return opt.search == SearchKind::Bfs ? explore_bfs(ts, opt) : explore_dfs(ts, opt);
}

namespace {

// A new state's key while its layer is built: kKeyFlag | (parent position <<
// kIdxBits) | successor index, lowered to the smallest (lower_key). 0 means
// "not written yet" and counts as infinitely large.
constexpr unsigned kIdxBits = 24;
constexpr unsigned kPosBits = 38;
constexpr uint64_t kIdxMask = (uint64_t(1) << kIdxBits) - 1;
constexpr uint64_t kPosMask = (uint64_t(1) << kPosBits) - 1;
constexpr uint64_t kKeyFlag = uint64_t(1) << 62;
constexpr uint64_t kLockBit = uint64_t(1) << 63;
// Counterexample candidates within a layer: state-level ends before transitions,
// then by (position, successor index).
constexpr uint64_t kTransitionClass = uint64_t(1) << 63;
constexpr uint64_t kNoCandidate = ~uint64_t(0);

uint64_t key_pos(uint64_t key) { return (key >> kIdxBits) & kPosMask; }

struct alignas(64) ThreadCtx {
  std::unique_ptr<Worker> worker;
  std::unique_ptr<StoreCursor> cursor;
  std::vector<StateId> new_ids;
  std::vector<StateId> violating;  // new states that break an invariant
  size_t accounted_capacity = 0;
  uint64_t layer_transitions = 0;
  uint64_t asleep_seen = 0;  // the worker's asleep() already counted
  uint64_t layer_new = 0;
  uint64_t unflushed = 0;
  uint64_t cand_key = kNoCandidate;
  EndKind cand_kind = EndKind::None;
  Label cand_label = 0;
  uint64_t final_states = 0, final_digest = 0;  // Stats::final_states / final_digest, this thread's share
  GraphChunk* chunk = nullptr;  // recording the graph: the range being expanded
  ExpandLoader loader;  // cursor -> worker, with the changed blocks
};

class Bfs {
 public:
  Bfs(const TransitionSystem& ts, const Options& opt)
      : ts_(ts),
        opt_(opt),
        mem_(opt.max_memory),
        store_(make_store(ts.shape(), opt.store, mem_)),
        keys_(mem_),
        awake_next_(mem_),
        memo_next_(mem_) {}

  Result run();

 private:
  friend class LayerSink;

  // Publishes a thread's counts; checks the state and memory limits.
  void flush(ThreadCtx& c) {
    uint64_t total = states_.fetch_add(c.unflushed, std::memory_order_relaxed) + c.unflushed;
    c.unflushed = 0;
    if (opt_.max_states && total >= opt_.max_states) request_stop(stop_, StopReason::MaxStates);
    size_t cap = c.new_ids.capacity() + c.violating.capacity();
    if (cap != c.accounted_capacity) {
      mem_.add((int64_t(cap) - int64_t(c.accounted_capacity)) * int64_t(sizeof(StateId)));
      c.accounted_capacity = cap;
    }
    store_->epochs().try_reclaim();
    if (mem_.exceeded() || (mem_.limit() && mem_.bytes() > mem_.limit())) request_stop(stop_, StopReason::MaxMemory);
  }

  bool stopping() const { return stop_.load(std::memory_order_relaxed) != 0; }
  void expand_range(uint64_t begin, uint64_t end);
  std::vector<Label> path_to(StateId id) const;
  void track_vectors() {
    uint64_t b = (frontier_.capacity() + next_.capacity()) * sizeof(StateId) +
                 (offsets_.capacity() + awake_.capacity()) * sizeof(uint64_t) + order_.capacity() * sizeof(StateId) +
                 memo_.capacity() * sizeof(uint32_t);
    mem_.add(int64_t(b) - int64_t(vectors_bytes_));
    vectors_bytes_ = b;
  }
  // Makes `key` the layer key of new state id if it is smaller. Runs
  // concurrently with itself: bit 63 of the key word locks the label.
  void lower_key(StateId id, uint64_t key, Label label) {
    std::atomic_ref<uint64_t> p(keys_[id - layer_first_]);
    uint64_t cur = p.load(std::memory_order_acquire);
    for (;;) {
      if (cur & kLockBit) {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
        cur = p.load(std::memory_order_acquire);
        continue;
      }
      if (cur != 0 && key >= cur) return;
      if (p.compare_exchange_weak(cur, key | kLockBit, std::memory_order_acquire, std::memory_order_acquire)) {
        store_->label(id) = label;
        p.store(key, std::memory_order_release);
        return;
      }
    }
  }
  void write_checkpoint(Result& res, uint64_t states, uint64_t transitions, uint64_t asleep, unsigned depth);
  void fill_stats(Result& r) const;

  const TransitionSystem& ts_;
  const Options& opt_;
  MemoryAccount mem_;
  std::unique_ptr<StateStorage> store_;
  ChunkedArray<uint64_t> keys_;  // layer keys of the layer's new states, by id - layer_first_
  // Sleep sets: the slots awake (not asleep) in each state of the layer being
  // built, by id - layer_first_ (the union of what its incoming edges leave
  // awake), and in each frontier state, by position (empty: all awake).
  bool sleep_ = false;
  ChunkedArray<uint64_t> awake_next_;
  std::vector<uint64_t> awake_;
  // Worker memos (Worker::memos): of each state of the layer being built, by
  // id - layer_first_, and of each frontier state, by position (empty: none).
  bool memos_ = false;
  ChunkedArray<uint32_t> memo_next_;
  std::vector<uint32_t> memo_;
  StateId layer_first_ = 0;
  std::vector<ThreadCtx> ctxs_;
  std::vector<StateId> frontier_, next_;
  IdList order_;  // Options::liveness: every state in canonical order (the frontiers one after another)
  std::unique_ptr<GraphRecorder> graph_;  // Options::record_graph: the edges, as the layers are expanded
  uint64_t order_base_ = 0;              // canonical index of frontier_[0] (with graph_)
  bool order_complete_ = true;  // false after a resume (earlier layers are not in order_)
  uint64_t search_peak_ = 0;    // memory peak before the liveness pass
  uint64_t final_states_ = 0, final_digest_ = 0;  // Stats::final_states / final_digest of the layers done
  std::vector<uint64_t> offsets_;
  uint64_t vectors_bytes_ = 0;
  uint64_t flush_every_ = 4096;
  std::atomic<int> stop_{0};
  std::atomic<uint64_t> states_{0};
  std::atomic<unsigned> depth_now_{0};
  std::atomic<uint64_t> frontier_now_{0};
  double par_secs_ = 0;
};

class LayerSink final : public SuccessorSink {
 public:
  LayerSink(Bfs& b, ThreadCtx& c) : b_(b), c_(c) {}
  void begin(uint64_t pos) {
    pos_ = pos;
    from_ = b_.frontier_[pos];
    memo_ = pos < b_.memo_.size() ? b_.memo_[pos] : 0;
  }
  void sleep_next(uint64_t slots) override { sleep_ = slots; }
  void diff_hint(const uint64_t* blocks) override { hint_ = blocks; }
  uint32_t state_memo() const override { return memo_; }
  void set_memo(uint32_t m) override {
    if (last_new_ != kNoState && b_.memos_) b_.memo_next_[last_new_ - b_.layer_first_] = m;
  }
  Seen emit(uint32_t idx, Label label, const uint8_t* next, bool violation) override {
    const uint64_t* hint = std::exchange(hint_, nullptr);
    ++c_.layer_transitions;
    last_new_ = kNoState;
    if (idx > kIdxMask) throw std::length_error("explorer: more than 2^24 successors of one state");
    if (violation) {
      uint64_t key = kTransitionClass | (pos_ << kIdxBits) | idx;
      if (key < c_.cand_key) {
        c_.cand_key = key;
        c_.cand_kind = EndKind::Transition;
        c_.cand_label = label;
      }
      return Seen::Ignored;
    }
    if (b_.stopping()) return Seen::Ignored;
    const uint64_t key = kKeyFlag | (pos_ << kIdxBits) | idx;
    Found f;
    if (Seen early = look_up(next, hint, label, f); early != Seen::New) return early;
    // An Old state of this layer may have been stored by another thread that
    // has not made its key slot addressable yet: every caller ensures it.
    if (!new_slots(f.id)) return Seen::Ignored;
    if (b_.sleep_)
      std::atomic_ref<uint64_t>(b_.awake_next_[f.id - b_.layer_first_]).fetch_or(~sleep_, std::memory_order_relaxed);
    b_.lower_key(f.id, key, label);
    if (!f.is_new) return Seen::Old;
    return take_new(f.id);
  }
  // A sleeping transition, when the graph is recorded: its successor is
  // looked up (and stored if no awake transition has stored it yet: one will
  // in this layer, since sleep sets reach every state at its depth, and it
  // gives the state its key, parent and sleep set; the sort checks this).
  Seen asleep(uint32_t, Label label, const uint8_t* next) override {
    const uint64_t* hint = std::exchange(hint_, nullptr);
    last_new_ = kNoState;
    if (!c_.chunk || b_.stopping()) return Seen::Ignored;
    Found f;
    if (Seen early = look_up(next, hint, label, f); early != Seen::New) return early;
    if (!f.is_new) return Seen::Old;
    if (!new_slots(f.id)) return Seen::Ignored;
    return take_new(f.id);
  }
  void violating_state() override {
    if (last_new_ != kNoState) c_.violating.push_back(last_new_);
  }

 private:
  // Finds or stores a successor and records its edge: Ignored when memory
  // ran out (the search stops), Cycle for a state of an earlier layer, New
  // (whether or not f.is_new) for a state of the layer being built.
  Seen look_up(const uint8_t* next, const uint64_t* hint, Label label, Found& f) {
    f = hint ? c_.cursor->find_or_insert_from(next, from_, hint) : c_.cursor->find_or_insert(next);
    if (f.full) {
      b_.mem_.mark_exceeded();
      request_stop(b_.stop_, StopReason::MaxMemory);
      return Seen::Ignored;
    }
    record(f.id, label);
    return f.id < b_.layer_first_ ? Seen::Cycle : Seen::New;
  }
  // A state this sink stored first: it joins the layer.
  Seen take_new(StateId id) {
    c_.new_ids.push_back(id);
    ++c_.layer_new;
    if (++c_.unflushed >= b_.flush_every_) b_.flush(c_);
    last_new_ = id;
    return Seen::New;
  }
  void record(StateId id, Label label) {
    if (c_.chunk) c_.chunk->add_edge(id, label);
  }
  // The per-state slots of a state of the layer being built.
  bool new_slots(StateId id) {
    if (!b_.keys_.ensure(id - b_.layer_first_, 1) ||
        (b_.sleep_ && !b_.awake_next_.ensure(id - b_.layer_first_, 1)) ||
        (b_.memos_ && !b_.memo_next_.ensure(id - b_.layer_first_, 1))) {
      request_stop(b_.stop_, StopReason::MaxMemory);
      return false;
    }
    return true;
  }

  Bfs& b_;
  ThreadCtx& c_;
  uint64_t pos_ = 0;
  StateId from_ = kNoState;  // the state being expanded
  const uint64_t* hint_ = nullptr;  // diff_hint() for the next emit or asleep
  StateId last_new_ = kNoState;
  uint64_t sleep_ = 0;
  uint32_t memo_ = 0;
};

void Bfs::expand_range(uint64_t begin, uint64_t end) {
  int ti = parallel_thread_index();
  if (ti < 0 || size_t(ti) >= ctxs_.size()) throw std::logic_error("explorer: unexpected thread index");
  ThreadCtx& c = ctxs_[size_t(ti)];
  LayerSink sink(*this, c);
  GraphChunk chunk;
  const bool props = graph_ && c.worker->progress_count() > 0;
  if (graph_ && graph_->recording()) {
    chunk.first = order_base_ + begin;
    c.chunk = &chunk;
    chunk.edge_labels = props;
  }
  const unsigned ahead = c.cursor->prefetch_distance();
  for (uint64_t pos = begin; pos < end; ++pos) {
    if (stopping()) break;
    // Re-announce now and then, not per state: a seq_cst store waits for every
    // pending store (the new states just written) to reach the cache.
    if (((pos - begin) & 255) == 0) store_->epochs().announce(unsigned(ti));
    sink.begin(pos);
    if (ahead && pos + ahead < end) c.cursor->prefetch(frontier_[pos + ahead]);
    const uint8_t* s = c.loader.load(*c.cursor, *c.worker, frontier_[pos]);
    if (c.chunk && props) chunk.holds.push_back(c.worker->progress(s));
    Worker::Result r = !sleep_ ? c.worker->expand(s, sink)
                     : c.worker->expand_sleep(s, sink, awake_.empty() ? 0 : ~awake_[pos]);
    if (c.chunk) chunk.end_state(r == Worker::Result::Terminal);
    if (r == Worker::Result::Terminal) {
      ++c.final_states;
      c.final_digest += c.worker->outcome(s, ts_.state_size());
    }
    if (r == Worker::Result::Deadlock || r == Worker::Result::TerminalViolation) {
      uint64_t key = pos << kIdxBits;
      if (key < c.cand_key) {
        c.cand_key = key;
        c.cand_kind = r == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation;
        c.cand_label = 0;
      }
    }
  }
  if (c.chunk) {
    c.chunk = nullptr;
    if (!stopping()) graph_->add(std::move(chunk));  // a cut layer is not checked
  }
  store_->epochs().quiesce(unsigned(ti));
}

std::vector<Label> Bfs::path_to(StateId id) const {
  std::vector<Label> path;
  for (StateId p = store_->parent(id); p != kNoState; p = store_->parent(id)) {
    path.push_back(store_->label(id));
    id = p;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

void Bfs::fill_stats(Result& r) const {
  r.stats.final_states = final_states_;
  r.stats.final_digest = final_digest_;
  // bytes per state: the search's own peak, without the graph it records for
  // the liveness check (side bytes) or that check's own memory, which are
  // counted in memory_bytes only.
  r.stats.memory_bytes = mem_.peak();
  const uint64_t search = search_peak_ ? search_peak_ : mem_.core_peak();
  r.stats.bytes_per_state = r.stats.states ? double(search) / double(r.stats.states) : 0;
  r.stats.store_bytes = store_->bytes();
  if (auto* t = dynamic_cast<const TreeStore*>(store_.get())) {
    r.stats.tree_nodes = t->nodes();
    r.stats.tree_leaves = t->leaves();
  }
  r.store = store_->name();
  r.reduction = sleep_ ? Reduction::Sleep : Reduction::None;
}

void Bfs::write_checkpoint(Result& res, uint64_t states, uint64_t transitions, uint64_t asleep, unsigned depth) {
  if (opt_.checkpoint.empty()) return;
  CheckpointHeader h;
  h.fingerprint = opt_.fingerprint;
  h.depth = depth;
  h.states = states;
  h.transitions = transitions;
  h.asleep = asleep;
  h.final_states = final_states_;
  h.final_digest = final_digest_;
  h.layer_first = layer_first_;
  try {
    h.observations = ts_.observations();
    save_checkpoint(opt_.checkpoint, h, frontier_, sleep_ ? awake_ : std::vector<uint64_t>{}, *store_);
    res.checkpoint_written = opt_.checkpoint;
  } catch (const std::exception& e) {
    res.checkpoint_error = e.what();
  }
}

Result Bfs::run() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Result res;

  unsigned threads = opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<tbb::global_control> gc;
  if (tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) < threads)
    gc = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(static_cast<int>(threads));

  ctxs_ = std::vector<ThreadCtx>(threads);
  store_->epochs().set_threads(threads);
  for (auto& c : ctxs_) {
    c.worker = ts_.make_worker();
    c.cursor = store_->cursor();
  }
  sleep_ = opt_.reduction == Reduction::Sleep && ctxs_[0].worker->sleep_sets();
  // PTCHECK_LIVENESS_REBUILD=1: rebuild the graph after the search instead
  // (for comparisons; the answers are the same).
  if (opt_.liveness && opt_.record_graph && opt_.resume.empty() && !std::getenv("PTCHECK_LIVENESS_REBUILD"))
    graph_ = std::make_unique<GraphRecorder>(mem_);
  memos_ = ctxs_[0].worker->memos();
  if (opt_.max_states) flush_every_ = std::clamp<uint64_t>(opt_.max_states / (4 * threads), 1, 4096);

  auto finish = [&](Result& r) {
    r.stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fill_stats(r);
    return r;
  };

  unsigned depth = 0;  // the depth of the frontier's states
  uint64_t states = 1, transitions = 0, asleep = 0;
  if (!opt_.resume.empty()) {
    CheckpointHeader h = load_checkpoint(opt_.resume, opt_.fingerprint, frontier_, awake_, *store_);
    try {
      ts_.restore_observations(h.observations);
    } catch (const std::invalid_argument& e) {
      throw CheckpointError(opt_.resume + ": the checkpoint is corrupt (observations: " + e.what() + ")");
    }
    if (!sleep_) awake_.clear();
    depth = h.depth;
    states = h.states;
    transitions = h.transitions;
    asleep = h.asleep;
    final_states_ = h.final_states;
    final_digest_ = h.final_digest;
    order_complete_ = false;
  } else {
    // The initial state.
    std::vector<uint8_t> init(std::max<size_t>(ts_.state_size(), 1));
    ts_.initial_state(init.data());
    Found f = ctxs_[0].cursor->find_or_insert(init.data());
    if (f.full) {
      res.verdict = Verdict::Incomplete;
      res.incomplete_reason = "max-memory";
      return finish(res);
    }
    store_->parent(f.id) = kNoState;
    store_->label(f.id) = 0;
    res.stats.states = 1;
    if (ctxs_[0].worker->initial_violation(init.data())) {
      res.verdict = Verdict::Violation;
      res.end = EndKind::Initial;
      return finish(res);
    }
    frontier_.push_back(f.id);
    if (opt_.liveness) order_.push_back(f.id);
  }
  states_.store(states, std::memory_order_relaxed);
  res.stats.states = states;
  res.stats.transitions = transitions;

  Monitor monitor(start, opt_.time_limit, opt_.cancel, opt_.progress, stop_, [this] {
    ProgressSample s;
    s.states = states_.load(std::memory_order_relaxed);
    s.depth = depth_now_.load(std::memory_order_relaxed);
    s.frontier = frontier_now_.load(std::memory_order_relaxed);
    s.memory = mem_.bytes();
    return s;
  });

  track_vectors();
  auto end_incomplete = [&](StopReason why, uint64_t left) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = stop_reason_name(why);
    res.stats.frontier = left;
  };

  for (;;) {
    if (opt_.cancel && opt_.cancel->load(std::memory_order_relaxed)) request_stop(stop_, StopReason::Interrupted);
    for (auto& c : ctxs_) c.cursor->new_layer();
    layer_first_ = store_->next_id();
    if (stopping()) {
      end_incomplete(StopReason(stop_.load()), frontier_.size());
      write_checkpoint(res, states, transitions, asleep, depth);
      break;
    }
    depth_now_.store(depth, std::memory_order_relaxed);
    frontier_now_.store(frontier_.size(), std::memory_order_relaxed);
    if (frontier_.size() > kPosMask) throw std::length_error("explorer: frontier too large");

    auto tp0 = Clock::now();
    if (graph_) order_base_ = order_.size() - frontier_.size();
    arena.execute([&] {
      parallel_ranges(frontier_.size(), 16, [&](uint64_t b, uint64_t e) { expand_range(b, e); });
    });
    const bool aborted = stopping();
    store_->epochs().reclaim();
    par_secs_ += std::chrono::duration<double>(Clock::now() - tp0).count();

    // Gather the layer.
    uint64_t layer_new = 0, layer_transitions = 0, layer_asleep = 0, cand = kNoCandidate;
    uint64_t layer_final = 0, layer_digest = 0;
    EndKind cand_kind = EndKind::None;
    Label cand_label = 0;
    auto consider = [&](uint64_t key, EndKind kind, Label label) {
      if (key < cand) {
        cand = key;
        cand_kind = kind;
        cand_label = label;
      }
    };
    for (auto& c : ctxs_) {
      flush(c);
      layer_transitions += c.layer_transitions;
      layer_new += c.layer_new;
      layer_asleep += c.worker->asleep() - c.asleep_seen;
      c.asleep_seen = c.worker->asleep();
      c.layer_transitions = c.layer_new = 0;
      layer_final += c.final_states;
      layer_digest += c.final_digest;
      c.final_states = c.final_digest = 0;
      consider(c.cand_key, c.cand_kind, c.cand_label);
      c.cand_key = kNoCandidate;
      // A new state that breaks an invariant: the transition into it, keyed
      // by its canonical (smallest) parent key.
      for (StateId id : c.violating)
        consider(kTransitionClass | (keys_[id - layer_first_] & ~kKeyFlag), EndKind::Transition, store_->label(id));
      c.violating.clear();
    }

    if (cand != kNoCandidate) {
      uint64_t pos = key_pos(cand);
      states += layer_new;
      transitions += layer_transitions;
      asleep += layer_asleep;
      res.stats.states = states;
      res.stats.transitions = transitions;
      res.stats.asleep = asleep;
      res.verdict = Verdict::Violation;
      res.end = cand_kind;
      res.path = path_to(frontier_[pos]);
      if (cand_kind == EndKind::Transition) res.path.push_back(cand_label);
      if (aborted) res.incomplete_reason = stop_reason_name(StopReason(stop_.load()));
      break;
    }
    if (aborted) {
      // The layer was cut short: what it found is dropped, so a resumed run
      // redoes it from the frontier and counts exactly as an uninterrupted one.
      for (auto& c : ctxs_) c.new_ids.clear();
      res.stats.states = states + layer_new;
      res.stats.transitions = transitions + layer_transitions;
      res.stats.asleep = asleep + layer_asleep;
      end_incomplete(StopReason(stop_.load()), frontier_.size() + layer_new);
      write_checkpoint(res, states, transitions, asleep, depth);
      break;
    }
    states += layer_new;
    transitions += layer_transitions;
    asleep += layer_asleep;
    // The final states of a layer expanded in full (a cut layer's are dropped
    // with it, and its frontier is expanded again on resume).
    final_states_ += layer_final;
    final_digest_ += layer_digest;
    res.stats.states = states;
    res.stats.transitions = transitions;
    res.stats.asleep = asleep;
    if (layer_new == 0) {  // every state expanded: complete
      frontier_.clear();
      break;
    }
    if (opt_.max_depth && depth + 1 >= opt_.max_depth) {  // bounded: the next layer is not expanded
      for (auto& c : ctxs_) c.new_ids.clear();
      ++depth;
      res.verdict = Verdict::Incomplete;
      res.incomplete_reason = "max-depth";
      res.stats.frontier = layer_new;
      break;
    }

    // The next frontier: the new states ordered by their canonical key (a
    // counting sort on the parent position, then by successor index).
    const uint64_t F = frontier_.size();
    offsets_.assign(F + 1, 0);
    auto key_of = [&](StateId id) { return keys_[id - layer_first_]; };
    for (auto& c : ctxs_)
      for (StateId id : c.new_ids) {
        // Only the graph recorder stores a state through a sleeping
        // transition; an awake one must have reached it too.
        if (key_of(id) == 0) throw std::logic_error("explorer: a new state no awake transition reached");
        ++offsets_[key_pos(key_of(id)) + 1];
      }
    for (uint64_t i = 0; i < F; ++i) offsets_[i + 1] += offsets_[i];
    next_.resize(layer_new);
    for (auto& c : ctxs_)
      for (StateId id : c.new_ids) next_[offsets_[key_pos(key_of(id))]++] = id;
    track_vectors();
    for (auto& c : ctxs_) c.new_ids.clear();
    if (sleep_) awake_.assign(layer_new, 0);
    if (memos_) memo_.assign(layer_new, 0);
    // offsets_[pos] is now the end of pos's bucket: order each bucket by
    // successor index and record the parent ids (in parallel).
    arena.execute([&] {
      parallel_ranges(F, 1024, [&](uint64_t b, uint64_t e) {
        for (uint64_t pos = b; pos < e; ++pos) {
          const uint64_t i = pos ? offsets_[pos - 1] : 0, j = offsets_[pos];
          if (j - i > 1)
            std::sort(next_.begin() + int64_t(i), next_.begin() + int64_t(j),
                      [&](StateId a, StateId b) { return key_of(a) < key_of(b); });
          const StateId parent_id = frontier_[pos];
          for (uint64_t k = i; k < j; ++k) {
            store_->parent(next_[k]) = parent_id;
            keys_[next_[k] - layer_first_] = 0;  // ready for the next layer
            if (sleep_) {
              awake_[k] = awake_next_[next_[k] - layer_first_];
              awake_next_[next_[k] - layer_first_] = 0;
            }
            if (memos_) {
              memo_[k] = memo_next_[next_[k] - layer_first_];
              memo_next_[next_[k] - layer_first_] = 0;
            }
          }
        }
      });
    });
    frontier_.swap(next_);
    next_.clear();
    if (opt_.liveness && order_complete_) order_.append(frontier_.data(), frontier_.size());
    track_vectors();
    ++depth;
  }

  if (opt_.liveness && order_complete_ && res.verdict == Verdict::Pass && frontier_.empty()) {
    std::vector<Worker*> ws;
    std::vector<StoreCursor*> cs;
    for (auto& c : ctxs_) {
      ws.push_back(c.worker.get());
      cs.push_back(c.cursor.get());
    }
    Lasso l;
    search_peak_ = mem_.core_peak();
    arena.execute([&] { l = find_stuck_states(order_.span(), store_->next_id(), ws, cs, mem_, graph_.get()); });
    graph_.reset();
    res.liveness = l.skipped.empty() ? "checked" : "skipped: " + l.skipped;
    if (l.found) {
      res.verdict = Verdict::Violation;
      res.end = l.property < 0 ? EndKind::Livelock : EndKind::Liveness;
      res.property = l.property;
      res.path = path_to(l.stuck);
      res.path.insert(res.path.end(), l.walk.begin(), l.walk.end());
      res.loop_from = res.path.size();
      res.has_loop = !l.loop.empty();
      res.path.insert(res.path.end(), l.loop.begin(), l.loop.end());
    }
  } else if (opt_.liveness) {
    res.liveness = !order_complete_ ? "skipped: a resumed run" : res.verdict == Verdict::Pass ? "skipped" : "not run: the search did not pass";
  }
  monitor.finish();
  if (std::getenv("PTCHECK_EXPLORE_TIMING"))
    std::fprintf(stderr, "explore: parallel %.3f s, total %.3f s\n", par_secs_,
                 std::chrono::duration<double>(Clock::now() - start).count());
  if (res.verdict == Verdict::Violation) res.stats.depth = unsigned(res.path.size());
  else res.stats.depth = depth;
  return finish(res);
}

}  // namespace

Result explore_bfs(const TransitionSystem& ts, const Options& opt) {
  Bfs b(ts, opt);
  return b.run();
}

}  // namespace ptcheck::explore
