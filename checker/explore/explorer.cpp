#include "explore/explorer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/progress.h"
#include "explore/state_store.h"
#include "explore/visited_set.h"

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
  }
  return "?";
}

namespace {

// A state's parent word. While the state is new (in the layer being built) it
// holds kKeyFlag | (parent position << kIdxBits) | successor index, lowered to the
// smallest such key (lower_parent); between layers it becomes
// the parent's id. The initial state's word is kNoParent.
constexpr unsigned kIdxBits = 24;
constexpr unsigned kPosBits = 38;
constexpr uint64_t kIdxMask = (uint64_t(1) << kIdxBits) - 1;
constexpr uint64_t kPosMask = (uint64_t(1) << kPosBits) - 1;
constexpr uint64_t kKeyFlag = uint64_t(1) << 62;
constexpr uint64_t kNoParent = (uint64_t(1) << 62) - 1;
constexpr uint64_t kLockBit = uint64_t(1) << 63;
// Counterexample candidates within a layer: state-level ends before transitions,
// then by (position, successor index).
constexpr uint64_t kTransitionClass = uint64_t(1) << 63;
constexpr uint64_t kNoCandidate = ~uint64_t(0);

uint64_t key_pos(uint64_t key) { return (key >> kIdxBits) & kPosMask; }

struct alignas(64) ThreadCtx {
  std::unique_ptr<Worker> worker;
  uint64_t block_next = 0, block_end = 0;
  std::vector<uint64_t> new_ids;
  size_t accounted_capacity = 0;
  uint64_t layer_transitions = 0;
  uint64_t layer_new = 0;
  uint64_t unflushed = 0;
  uint64_t cand_key = kNoCandidate;
  EndKind cand_kind = EndKind::None;
  Label cand_label = 0;
  std::vector<uint8_t> ring_bytes;  // LayerSink's parked successors
};

class Explorer {
 public:
  Explorer(const TransitionSystem& ts, const Options& opt)
      : ts_(ts),
        opt_(opt),
        size_(ts.state_size()),
        mem_(opt.max_memory),
        store_(size_, mem_),
        set_(store_, mem_) {}

  Result run();

 private:
  friend class LayerSink;

  uint64_t take_id(ThreadCtx& c) {
    if (c.block_next == c.block_end) {
      uint64_t first = store_.reserve_block();
      if (first == StateStore::kNoId) return StateStore::kNoId;
      c.block_next = first;
      c.block_end = first + StateStore::kBlock;
    }
    return c.block_next++;
  }

  // Publishes a thread's counts; checks the state and memory limits.
  void flush(ThreadCtx& c) {
    uint64_t total = states_.fetch_add(c.unflushed, std::memory_order_relaxed) + c.unflushed;
    c.unflushed = 0;
    if (opt_.max_states && total >= opt_.max_states) request_stop(stop_, StopReason::MaxStates);
    size_t cap = c.new_ids.capacity();
    if (cap != c.accounted_capacity) {
      mem_.add((int64_t(cap) - int64_t(c.accounted_capacity)) * int64_t(sizeof(uint64_t)));
      c.accounted_capacity = cap;
    }
    set_.try_reclaim();
    check_memory();
  }

  void check_memory() {
    if (mem_.exceeded() || (mem_.limit() && mem_.bytes() > mem_.limit()))
      request_stop(stop_, StopReason::MaxMemory);
  }

  bool stopping() const { return stop_.load(std::memory_order_relaxed) != 0; }

  void expand_range(uint64_t begin, uint64_t end);
  std::vector<Label> path_to(uint64_t id) const;
  // Keeps the memory account in step with the frontier vectors.
  void track_vectors() {
    uint64_t b = (frontier_.capacity() + offsets_.capacity() + next_.capacity()) * sizeof(uint64_t);
    mem_.add(int64_t(b) - int64_t(vectors_bytes_));
    vectors_bytes_ = b;
  }
  void note_peak(uint64_t extra) {
    peak_ = std::max(peak_, mem_.bytes() + extra);
  }

  const TransitionSystem& ts_;
  const Options& opt_;
  const size_t size_;
  MemoryAccount mem_;
  StateStore store_;
  VisitedSet set_;
  std::vector<ThreadCtx> ctxs_;
  std::vector<uint64_t> frontier_, offsets_, next_;
  uint64_t vectors_bytes_ = 0;
  uint64_t flush_every_ = 4096;
  std::atomic<int> stop_{0};
  std::atomic<uint64_t> states_{0};
  std::atomic<unsigned> depth_now_{0};
  std::atomic<uint64_t> frontier_now_{0};
  uint64_t peak_ = 0;
  double par_secs_ = 0;
};

// Makes `key` the state's parent key if the state is new in this layer and key is
// smaller. Runs concurrently with itself: bit 63 of the word locks the label.
inline void lower_parent(StateStore& store, uint64_t id, uint64_t key, Label label) {
  std::atomic_ref<uint64_t> p(store.parent(id));
  uint64_t cur = p.load(std::memory_order_acquire);
  for (;;) {
    if (!(cur & kKeyFlag)) return;  // an older state: its word is a parent id
    if (cur & kLockBit) {
#if defined(__x86_64__) || defined(__i386__)
      _mm_pause();
#endif
      cur = p.load(std::memory_order_acquire);
      continue;
    }
    if (key >= cur) return;
    if (p.compare_exchange_weak(cur, key | kLockBit, std::memory_order_acquire,
                                std::memory_order_acquire)) {
      store.label(id) = label;
      p.store(key, std::memory_order_release);
      return;
    }
  }
}

// Receives one thread's successors. Small states go through a short pipeline:
// a successor is hashed, its home slot prefetched and its bytes parked in a ring;
// it is looked up kRing successors later, when the slot is likely in cache.
// Lookups of a thread's successors may so be reordered, which the canonical
// (smallest key) rule makes harmless.
class LayerSink final : public SuccessorSink {
 public:
  static constexpr unsigned kRing = 8;
  static constexpr size_t kRingMaxState = 256;

  LayerSink(Explorer& ex, ThreadCtx& c)
      : ex_(ex), c_(c), size_(ex.size_), pipelined_(ex.size_ > 0 && ex.size_ <= kRingMaxState) {
    if (pipelined_ && c.ring_bytes.size() < kRing * size_) c.ring_bytes.resize(kRing * size_);
  }
  void begin(uint64_t pos) {
    pos_ = pos;
    idx_ = 0;
  }
  void emit(Label label, const uint8_t* next, bool violation) override {
    const uint64_t idx = idx_++;
    ++c_.layer_transitions;
    if (idx > kIdxMask) throw std::length_error("explorer: more than 2^24 successors of one state");
    if (violation) {
      uint64_t key = kTransitionClass | (pos_ << kIdxBits) | idx;
      if (key < c_.cand_key) {
        c_.cand_key = key;
        c_.cand_kind = EndKind::Transition;
        c_.cand_label = label;
      }
      return;
    }
    static const uint8_t kEmpty = 0;
    if (size_ == 0) next = &kEmpty;  // a null pointer may not reach memcmp/memcpy
    const uint64_t key = kKeyFlag | (pos_ << kIdxBits) | idx;
    const uint64_t h = XXH3_64bits(next, size_);
    if (!pipelined_) {
      insert(h, next, key, label);
      return;
    }
    if (count_ == kRing) {
      Pending& p = ring_[head_];
      insert(p.hash, &c_.ring_bytes[head_ * size_], p.key, p.label);
      head_ = (head_ + 1) % kRing;
      --count_;
    }
    const unsigned slot = (head_ + count_) % kRing;
    std::memcpy(&c_.ring_bytes[slot * size_], next, size_);
    ring_[slot] = {h, key, label};
    ++count_;
    ex_.set_.prefetch(h);
  }
  // Looks up every parked successor.
  void drain() {
    while (count_) {
      Pending& p = ring_[head_];
      insert(p.hash, &c_.ring_bytes[head_ * size_], p.key, p.label);
      head_ = (head_ + 1) % kRing;
      --count_;
    }
  }

 private:
  struct Pending {
    uint64_t hash;
    uint64_t key;
    Label label;
  };

  void insert(uint64_t h, const uint8_t* next, uint64_t key, Label label) {
    StateStore& store = ex_.store_;
    uint64_t new_id = StateStore::kNoId;
    auto outcome = ex_.set_.find_or_insert(
        h, next,
        [&]() -> uint64_t {
          uint64_t id = ex_.take_id(c_);
          if (id == StateStore::kNoId) return id;
          std::memcpy(store.state(id), next, size_);
          store.parent(id) = key;
          store.label(id) = label;
          new_id = id;
          return id;
        },
        [&](uint64_t id) { lower_parent(store, id, key, label); });
    if (outcome == VisitedSet::Outcome::New) {
      c_.new_ids.push_back(new_id);
      ++c_.layer_new;
      if (++c_.unflushed >= ex_.flush_every_) ex_.flush(c_);
    } else if (outcome == VisitedSet::Outcome::Full) {
      ex_.mem_.mark_exceeded();
      request_stop(ex_.stop_, StopReason::MaxMemory);
    }
  }

  Explorer& ex_;
  ThreadCtx& c_;
  const size_t size_;
  const bool pipelined_;
  uint64_t pos_ = 0;
  uint64_t idx_ = 0;
  Pending ring_[kRing] = {};
  unsigned head_ = 0, count_ = 0;
};

void Explorer::expand_range(uint64_t begin, uint64_t end) {
  int ti = tbb::this_task_arena::current_thread_index();
  if (ti < 0 || size_t(ti) >= ctxs_.size()) throw std::logic_error("explorer: unexpected thread index");
  ThreadCtx& c = ctxs_[size_t(ti)];
  LayerSink sink(*this, c);
  for (uint64_t pos = begin; pos < end; ++pos) {
    if (stopping()) break;
    // Re-announce now and then, not per state: a seq_cst store waits for every
    // pending store (the new states just written) to reach the cache.
    if (((pos - begin) & 255) == 0) set_.announce(unsigned(ti));
    sink.begin(pos);
    Worker::Result r = c.worker->expand(store_.state(frontier_[pos]), sink);
    if (r == Worker::Result::Deadlock || r == Worker::Result::TerminalViolation) {
      uint64_t key = pos << kIdxBits;
      if (key < c.cand_key) {
        c.cand_key = key;
        c.cand_kind = r == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation;
        c.cand_label = 0;
      }
    }
  }
  sink.drain();
  set_.quiesce(unsigned(ti));
}

std::vector<Label> Explorer::path_to(uint64_t id) const {
  std::vector<Label> path;
  for (uint64_t p = store_.parent(id); p != kNoParent; p = store_.parent(id)) {
    path.push_back(store_.label(id));
    id = p;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

Result Explorer::run() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Result res;

  unsigned threads = opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<tbb::global_control> gc;
  if (tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) < threads)
    gc = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(static_cast<int>(threads));

  ctxs_ = std::vector<ThreadCtx>(threads);
  set_.set_threads(threads);
  for (auto& c : ctxs_) c.worker = ts_.make_worker();
  if (opt_.max_states) flush_every_ = std::clamp<uint64_t>(opt_.max_states / (4 * threads), 1, 4096);

  auto finish_stats = [&](Result& r) {
    r.stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    note_peak(0);
    r.stats.memory_bytes = peak_;
    r.stats.bytes_per_state = r.stats.states ? double(peak_) / double(r.stats.states) : 0;
  };

  // The initial state.
  std::vector<uint8_t> init(std::max<size_t>(size_, 1));
  ts_.initial_state(init.data());
  uint64_t root = take_id(ctxs_[0]);
  if (root == StateStore::kNoId) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = "max-memory";
    finish_stats(res);
    return res;
  }
  std::memcpy(store_.state(root), init.data(), size_);
  store_.parent(root) = kNoParent;
  store_.label(root) = 0;
  set_.find_or_insert(XXH3_64bits(init.data(), size_), init.data(), [&] { return root; },
                      [](uint64_t) {});
  res.stats.states = 1;
  states_.store(1, std::memory_order_relaxed);
  if (ctxs_[0].worker->initial_violation(init.data())) {
    res.verdict = Verdict::Violation;
    res.end = EndKind::Initial;
    finish_stats(res);
    return res;
  }

  Monitor monitor(start, opt_.time_limit, opt_.cancel, opt_.progress, stop_, [this] {
    ProgressSample s;
    s.states = states_.load(std::memory_order_relaxed);
    s.depth = depth_now_.load(std::memory_order_relaxed);
    s.frontier = frontier_now_.load(std::memory_order_relaxed);
    s.memory = mem_.bytes();
    return s;
  });

  frontier_.push_back(root);
  track_vectors();
  unsigned depth = 0;  // the depth of the frontier's states
  uint64_t states = 1, transitions = 0;

  auto end_incomplete = [&](StopReason why, uint64_t left) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = stop_reason_name(why);
    res.stats.frontier = left;
  };

  for (;;) {
    if (opt_.cancel && opt_.cancel->load(std::memory_order_relaxed))
      request_stop(stop_, StopReason::Interrupted);
    if (stopping()) {
      end_incomplete(StopReason(stop_.load()), frontier_.size());
      break;
    }
    depth_now_.store(depth, std::memory_order_relaxed);
    frontier_now_.store(frontier_.size(), std::memory_order_relaxed);
    if (frontier_.size() > kPosMask) throw std::length_error("explorer: frontier too large");

    auto tp0 = Clock::now();
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<uint64_t>(0, frontier_.size(), 16),
                        [&](const tbb::blocked_range<uint64_t>& r) { expand_range(r.begin(), r.end()); });
    });
    const bool aborted = stopping();
    note_peak(0);
    set_.reclaim();
    par_secs_ += std::chrono::duration<double>(Clock::now() - tp0).count();

    // Gather the layer.
    uint64_t layer_new = 0, cand = kNoCandidate;
    EndKind cand_kind = EndKind::None;
    Label cand_label = 0;
    for (auto& c : ctxs_) {
      flush(c);
      transitions += c.layer_transitions;
      layer_new += c.layer_new;
      c.layer_transitions = c.layer_new = 0;
      if (c.cand_key < cand) {
        cand = c.cand_key;
        cand_kind = c.cand_kind;
        cand_label = c.cand_label;
      }
      c.cand_key = kNoCandidate;
    }
    states += layer_new;
    res.stats.states = states;
    res.stats.transitions = transitions;
    note_peak(0);

    if (cand != kNoCandidate) {
      uint64_t pos = key_pos(cand);
      res.verdict = Verdict::Violation;
      res.end = cand_kind;
      res.path = path_to(frontier_[pos]);
      if (cand_kind == EndKind::Transition) res.path.push_back(cand_label);
      if (aborted) res.incomplete_reason = stop_reason_name(StopReason(stop_.load()));
      break;
    }
    if (layer_new == 0 && !aborted) {  // every state expanded: complete
      frontier_.clear();
      break;
    }
    if (stopping()) {
      end_incomplete(StopReason(stop_.load()), frontier_.size() + layer_new);
      if (layer_new) ++depth;
      break;
    }

    // The next frontier: the new states ordered by their canonical parent key
    // (a counting sort on the parent position, then by successor index).
    const uint64_t F = frontier_.size();
    offsets_.assign(F + 1, 0);
    for (auto& c : ctxs_)
      for (uint64_t id : c.new_ids) ++offsets_[key_pos(store_.parent(id)) + 1];
    for (uint64_t i = 0; i < F; ++i) offsets_[i + 1] += offsets_[i];
    next_.resize(layer_new);
    for (auto& c : ctxs_) {
      for (uint64_t id : c.new_ids) next_[offsets_[key_pos(store_.parent(id))]++] = id;
    }
    track_vectors();
    note_peak(0);
    for (auto& c : ctxs_) c.new_ids.clear();
    // offsets_[pos] is now the end of pos's bucket: order each bucket by
    // successor index and turn the keys into parent ids (in parallel).
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<uint64_t>(0, F, 1024), [&](const tbb::blocked_range<uint64_t>& r) {
        for (uint64_t pos = r.begin(); pos < r.end(); ++pos) {
          const uint64_t i = pos ? offsets_[pos - 1] : 0, j = offsets_[pos];
          if (j - i > 1) {
            std::sort(next_.begin() + int64_t(i), next_.begin() + int64_t(j),
                      [&](uint64_t a, uint64_t b) { return store_.parent(a) < store_.parent(b); });
          }
          const uint64_t parent_id = frontier_[pos];
          for (uint64_t k = i; k < j; ++k) store_.parent(next_[k]) = parent_id;
        }
      });
    });
    frontier_.swap(next_);
    next_.clear();
    track_vectors();
    ++depth;
  }

  monitor.finish();
  // Developer aid: how much of the run was the parallel part (the rest is the
  // sequential ordering of each layer).
  if (std::getenv("PTCHECK_EXPLORE_TIMING"))
  {
    std::fprintf(stderr, "explore: parallel %.3f s, total %.3f s\n", par_secs_,
                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  if (res.verdict == Verdict::Pass) res.stats.depth = depth;
  else if (res.verdict == Verdict::Violation) res.stats.depth = unsigned(res.path.size());
  else res.stats.depth = depth;
  finish_stats(res);
  return res;
}

}  // namespace

Result explore(const TransitionSystem& ts, const Options& opt) {
  Explorer ex(ts, opt);
  return ex.run();
}

}  // namespace ptcheck::explore
