#include "vm/model_system.h"

#include "vm/invariant_memo.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace ptcheck::vm {

static_assert(Machine::kDirtyBlock == explore::kDiffBlockBytes, "the VM marks the blocks the store compares");

namespace {
class alignas(kCacheLine) ModelWorker : public explore::Worker {
 public:
  ModelWorker(const Model& m, bool init_failed, LockDeps* deps, Coverage* cov, CoverageMode cov_mode,
              InvariantMemos* memos, ModelSystem::WorkerCounts* counts)
      : m_(m),
        mach_(m),
        cur_(m.buffer_size()),
        next_(m.buffer_size()),
        init_failed_(init_failed),
        memos_(memos),
        counts_(*counts) {
    mach_.set_lock_deps(deps);
    mach_.set_coverage(cov, cov_mode);
  }
  // (Also after each expansion: the counts may be read while a worker lives.)
  ~ModelWorker() override { counts_.instructions = mach_.instructions(); }

  // Copies the state into cur_ (and into next_, for a big state) and lists
  // its moves; false (with how the state ends) when there is none. With a
  // hint (since_last) and both buffers still holding the last state loaded,
  // only the blocks the hint names are copied.
  bool load(const uint8_t* state, Result& end) {
    const uint64_t* since = loaded_ ? since_ : nullptr;
    since_ = nullptr;
    loaded_ = false;
    if (since) {
      for_runs(since, [&](uint32_t off, uint32_t len) {
        std::memcpy(cur_.data() + off, state + off, len);
        if (by_blocks_) std::memcpy(next_.data() + off, state + off, len);
      });
      if (kCheckDirty) check_since(state);
    } else {
      std::memcpy(cur_.data(), state, m_.state_size);
      if (by_blocks_) std::memcpy(next_.data(), cur_.data(), m_.state_size);
    }
    loaded_ = true;  // (stepping next_ clears it until the expansion ends)
    moves_.clear();
    mach_.moves(cur_.data(), moves_);
    if (!moves_.empty()) return true;
    end = !mach_.all_done(cur_.data())       ? Result::Deadlock
          : mach_.check_leaks(cur_.data()) ? Result::Terminal
                                           : Result::TerminalViolation;
    return false;
  }

  // Each move steps next_, a copy of cur_. For a big state (by_blocks_) the
  // copy is made once, and after each successor is emitted only the blocks
  // its step may have written (Machine::dirty()) are copied back from cur_.
  Result expand(const uint8_t* state, explore::SuccessorSink& sink) override {
    if (Result end; !load(state, end)) return end;
    loaded_ = false;
    dirty_.resize(mach_.dirty_words());
    for (uint32_t i = 0; i < moves_.size(); ++i) {
      const Move& mv = moves_[i];
      if (!by_blocks_) std::memcpy(next_.data(), cur_.data(), m_.state_size);
      bool ok = mach_.step(next_.data(), mv, dirty_.data());
      if (kCheckDirty) check_dirty(next_.data(), dirty_.data(), mv);
      sink.diff_hint(dirty_.data());
      // Invariants once per state: when the store says it is new.
      if (sink.emit(i, Machine::label(mv), next_.data(), !ok) == explore::Seen::New) check_new(next_.data(), sink);
      if (by_blocks_) copy_blocks(next_.data(), cur_.data(), dirty_.data());
    }
    counts_.instructions = mach_.instructions();
    loaded_ = true;  // next_ holds cur_ again
    return Result::Expanded;
  }

  void since_last(const uint64_t* blocks) override { since_ = blocks; }

  bool memos() const override { return memos_ != nullptr; }
  size_t memo_bytes() const override { return memos_ ? memos_->portable_bytes(m_.invariants.size()) : 0; }
  void export_memo(uint32_t memo, uint8_t* out) const override {
    if (memos_) memos_->export_memo(memo, m_.invariants.size(), out);
  }
  uint32_t import_memo(const uint8_t* in) override {
    return memos_ ? memos_->import_memo(in, m_.invariants.size()) : 0;
  }

  // Liveness properties: evaluated on a copy (the predicates run in the
  // invariant context's scratch tail); a context is a fairness unit.
  unsigned progress_count() const override { return static_cast<unsigned>(m_.progress.size()); }
  uint64_t progress(const uint8_t* state) override {
    aux_.resize(m_.buffer_size());
    std::memcpy(aux_.data(), state, m_.state_size);
    return mach_.progress(aux_.data());
  }
  uint32_t fairness_unit(explore::Label label) const override { return Machine::unlabel(label).context; }

  // A final state's outcome: every region but the stacks (their size and
  // place follow the functions' frames, which a mutant of the model may
  // change), with their shadow bytes, and the RCU queue. Every context has
  // finished, so its record says nothing more.
  uint64_t outcome(const uint8_t* state, size_t) override {
    XXH3_state_t h;
    XXH3_64bits_reset(&h);
    for (const Region& r : m_.regions) {
      if (r.kind == RegionKind::Stack || r.state_off >= m_.state_size) continue;
      XXH3_64bits_update(&h, state + r.state_off, r.count * r.obj_size);
      if (r.shadow_off >= 0) XXH3_64bits_update(&h, state + r.shadow_off, r.count);
    }
    XXH3_64bits_update(&h, state + m_.rcu_off, m_.rcu_capacity * sizeof(RcuCallback));
    return XXH3_64bits_digest(&h);
  }

  // Sleep sets: a slot is a context (below 64). Every move is executed, the
  // sleeping ones too (their footprints are needed), but only the awake ones
  // go to the store. Moves with several choices (nondet, an RCU callback
  // slot) are never plain, so a context's slot always names one move.
  // Under a weak memory model the footprints do not describe a propagation
  // step: the CLI refuses an explicit --por sleep there (auto falls back to
  // none), and the worker offers none.
  bool sleep_sets() const override { return m_.contexts() <= 64 && m_.memory_model == MemoryModelKind::Sc; }

  Result expand_sleep(const uint8_t* state, explore::SuccessorSink& sink, uint64_t sleep) override {
    if (Result end; !load(state, end)) return end;
    loaded_ = false;
    const size_t n = moves_.size(), stride = m_.work_size + 8;
    fps_.resize(n);
    ok_.resize(n);
    const size_t dw = mach_.dirty_words();
    dirty_.resize(n * dw);
    // Every successor is made before any is emitted. A small state's each
    // get a buffer in succ_. A big state's (by_blocks_) are stepped one after
    // the other in next_: the blocks each step may have written are saved in
    // saved_ and copied back from cur_, and a successor is rebuilt in next_
    // from its saved blocks when it is emitted.
    if (by_blocks_) {
      saved_at_.resize(n + 1);
      saved_at_[0] = 0;
    } else if (succ_.size() < n * stride) {
      succ_.resize(n * stride);
    }
    for (size_t i = 0; i < n; ++i) {
      uint8_t* nx = by_blocks_ ? next_.data() : succ_.data() + i * stride;
      if (!by_blocks_) std::memcpy(nx, cur_.data(), m_.state_size);
      uint64_t* dirty = dirty_.data() + i * dw;
      ok_[i] = mach_.step(nx, moves_[i], dirty);
      fps_[i] = mach_.footprint();
      if (!ok_[i]) fps_[i].plain = false;
      if (kCheckDirty) check_dirty(nx, dirty, moves_[i]);
      if (!by_blocks_) continue;
      size_t at = saved_at_[i];
      if (saved_.size() < at + m_.state_size) saved_.resize(std::max(2 * saved_.size(), at + m_.state_size));
      for_runs(dirty, [&](uint32_t off, uint32_t len) {
        std::memcpy(saved_.data() + at, nx + off, len);
        std::memcpy(nx + off, cur_.data() + off, len);
        at += len;
      });
      saved_at_[i + 1] = at;
    }
    // Successor i, ready to emit; and done with.
    auto open = [&](size_t i) {
      if (!by_blocks_) return succ_.data() + i * stride;
      size_t from = saved_at_[i];
      for_runs(dirty_.data() + i * dw, [&](uint32_t off, uint32_t len) {
        std::memcpy(next_.data() + off, saved_.data() + from, len);
        from += len;
      });
      return next_.data();
    };
    auto close = [&](size_t i) {
      if (by_blocks_) copy_blocks(next_.data(), cur_.data(), dirty_.data() + i * dw);
    };
    uint64_t done = 0;  // slots of the plain moves emitted so far
    for (size_t i = 0; i < n; ++i) {
      const uint32_t ctx = moves_[i].context;
      const uint64_t bit = fps_[i].plain ? uint64_t(1) << ctx : 0;
      if (bit & sleep) {
        ++asleep_;
        uint8_t* nx = open(i);
        sink.diff_hint(dirty_.data() + i * dw);
        if (sink.asleep(uint32_t(i), Machine::label(moves_[i]), nx) == explore::Seen::New) check_new(nx, sink);
        close(i);
        continue;
      }
      uint64_t next_sleep = 0;
      const uint64_t cand = sleep | done;
      if (cand && fps_[i].plain)
        for (size_t j = 0; j < n; ++j)
          if (fps_[j].plain && (cand >> moves_[j].context & 1) && vm::independent(fps_[j], fps_[i]))
            next_sleep |= uint64_t(1) << moves_[j].context;
      sink.sleep_next(next_sleep);
      uint8_t* nx = open(i);
      sink.diff_hint(dirty_.data() + i * dw);
      if (sink.emit(uint32_t(i), Machine::label(moves_[i]), nx, !ok_[i]) == explore::Seen::New) check_new(nx, sink);
      close(i);
      done |= bit;
    }
    counts_.instructions = mach_.instructions();
    loaded_ = true;  // every successor closed: next_ holds cur_ again
    return Result::Expanded;
  }

  bool initial_violation(const uint8_t* state) override {
    if (init_failed_) return true;
    aux_.resize(m_.buffer_size());
    std::memcpy(aux_.data(), state, m_.state_size);
    return !mach_.check_invariants(aux_.data());
  }
  bool stored_violation(const uint8_t* state) override {
    ++counts_.ran;
    counts_.invariants_ran += m_.invariants.size();
    return initial_violation(state);
  }

 private:
  // Calls f(offset, length) for each run of consecutive blocks set in
  // `dirty` (Machine::dirty()'s layout), clipped to the state's bytes.
  template <class F>
  void for_runs(const uint64_t* dirty, F f) const {
    constexpr uint32_t kB = Machine::kDirtyBlock;
    const uint32_t size = m_.state_size, nblk = (size + kB - 1) / kB;
    for (uint32_t w = 0; w * 64 < nblk; ++w)
      for (uint64_t bits = dirty[w]; bits;) {
        const unsigned lo = static_cast<unsigned>(__builtin_ctzll(bits));
        const uint64_t rest = ~(bits >> lo);  // zero only when all 64 are set
        const unsigned run = rest ? static_cast<unsigned>(__builtin_ctzll(rest)) : 64;
        const uint32_t b0 = w * 64 + lo;
        if (b0 >= nblk) break;
        f(b0 * kB, std::min((b0 + run) * kB, size) - b0 * kB);
        bits = lo + run >= 64 ? 0 : bits & (~uint64_t(0) << (lo + run));
      }
  }
  // The blocks named in `dirty`, from `from` to `to`.
  void copy_blocks(uint8_t* to, const uint8_t* from, const uint64_t* dirty) const {
    for_runs(dirty, [&](uint32_t off, uint32_t len) { std::memcpy(to + off, from + off, len); });
  }

  // PTCHECK_CHECK_DIRTY=1: after every step, every block of the successor
  // that differs from cur_ must be marked in Machine::dirty() (a block
  // missed there would make the store take a new state for an old one). A
  // miss aborts the run, naming the move and the first byte.
  static inline const bool kCheckDirty = std::getenv("PTCHECK_CHECK_DIRTY") != nullptr;
  void check_dirty(const uint8_t* nx, const uint64_t* dirty, const Move& mv) const {
    constexpr unsigned kB = Machine::kDirtyBlock;
    for (uint32_t at = 0; at < m_.state_size; at += kB) {
      const uint32_t b = at / kB, len = std::min<uint32_t>(kB, m_.state_size - at);
      if ((dirty[b / 64] >> (b % 64) & 1) || std::memcmp(nx + at, cur_.data() + at, len) == 0) continue;
      uint32_t k = at;
      while (nx[k] == cur_[k]) ++k;
      throw std::logic_error(fmt::format("PTCHECK_CHECK_DIRTY: the step of {} (choice {}) wrote byte {} of the state "
                                         "({}) without marking its block {}",
                                         m_.context_name(mv.context), mv.choice, k, owner_of(k), b));
    }
  }
  // And after a load by a hint (since_last): cur_, and next_ for a big
  // state, must equal the state given (a block the hint missed would expand
  // another state than the one named).
  void check_since(const uint8_t* state) const {
    for (const LineVector<uint8_t>* b : {&cur_, &next_}) {
      if (b == &next_ && !by_blocks_) continue;
      if (std::memcmp(b->data(), state, m_.state_size) == 0) continue;
      uint32_t k = 0;
      while ((*b)[k] == state[k]) ++k;
      throw std::logic_error(fmt::format("PTCHECK_CHECK_DIRTY: the hint of the blocks changed since the last "
                                         "expansion missed byte {} of the state ({})",
                                         k, owner_of(k)));
    }
  }
  std::string owner_of(uint32_t off) const {
    if (off >= m_.threads_off && off < m_.threads_off + m_.contexts() * sizeof(ThreadState))
      return "the record of " + m_.context_name((off - m_.threads_off) / uint32_t(sizeof(ThreadState)));
    if (off >= m_.rcu_off && off < m_.rcu_off + m_.rcu_capacity * sizeof(RcuCallback)) return "the RCU queue";
    for (const Region& r : m_.regions) {
      if (off >= r.state_off && off < r.state_off + r.count * r.obj_size) return "region " + r.name;
      if (r.shadow_off >= 0 && off >= uint64_t(r.shadow_off) && off < r.shadow_off + r.count)
        return "the shadow bytes of region " + r.name;
    }
    return "no region";
  }

  // The invariants of a new successor of cur_ (in buffer nx), and its memo
  // (vm/invariant_memo.h): each invariant is skipped when the step wrote
  // none of the words it read on cur_; the others run in their order.
  void check_new(uint8_t* nx, explore::SuccessorSink& sink) {
    if (!memos_) {
      ++counts_.ran;
      counts_.invariants_ran += m_.invariants.size();
      if (!mach_.check_invariants(nx)) sink.violating_state();
      return;
    }
    const uint32_t memo = sink.state_memo();
    const uint32_t* old = memo ? memos_->tuple(memo) : nullptr;
    const size_t n = m_.invariants.size();
    sets_.resize(n);
    bool ran = false;
    for (size_t i = 0; i < n; ++i) {
      if (old && old[i] && memos_->unchanged(old[i], cur_.data(), nx)) {
        sets_[i] = old[i];
        ++counts_.invariants_skipped;
        continue;
      }
      ran = true;
      ++counts_.invariants_ran;
      if (!mach_.check_invariant(nx, i, &reads_)) {
        ++counts_.ran;
        sink.violating_state();
        return;
      }
      sets_[i] = reads_.opaque ? 0 : memos_->intern(reads_.bits);
    }
    if (!ran) {
      ++counts_.skipped;
      sink.set_memo(memo);
      return;
    }
    ++counts_.ran;
    sink.set_memo(memos_->intern_tuple(sets_));
  }

  // Every buffer a step writes is a LineVector, and the worker itself is
  // alignas(kCacheLine) (support/line_vector.h): the workers are made on the
  // main thread and used each by its own.
  const Model& m_;
  Machine mach_;
  LineVector<uint8_t> cur_, next_;
  // cur_ (and next_, for a big state) hold the state loaded last, so a hint
  // (since_last) can update them: set once a load or an expansion ends.
  bool loaded_ = false;
  const uint64_t* since_ = nullptr;  // the hint for the next load
  LineVector<uint8_t> aux_;          // progress() and initial_violation(): leave cur_ alone
  LineVector<Move> moves_;
  // A state of at least kByBlocks bytes is copied once per expansion, not
  // once per move (expand, expand_sleep). On ppc_mainline_frag_mix (22 KB)
  // the copies were a fifth of the time, and the run now takes 0.83x; the
  // 10-12 KB mixes are unchanged; on the SPIN twin (1.4 KB) copying blocks
  // took 1.05x the time of whole copies (docs/benchmarks.md).
  static constexpr uint32_t kByBlocks = 8192;
  const bool by_blocks_ = m_.state_size >= kByBlocks;
  LineVector<uint8_t> succ_;     // expand_sleep, small state: every move's successor, work_size + 8 bytes apart
  LineVector<uint8_t> saved_;    // expand_sleep, big state: every move's written blocks, in order
  LineVector<size_t> saved_at_;  // expand_sleep, big state: where move i's blocks start in saved_
  LineVector<Footprint> fps_;
  LineVector<uint64_t> dirty_;  // every move's Machine::dirty() (expand: the current move's)
  LineVector<uint8_t> ok_;
  bool init_failed_;
  InvariantMemos* memos_;
  ModelSystem::WorkerCounts& counts_;
  Machine::InvariantReads reads_;
  std::vector<uint32_t> sets_;  // check_new: the successor's read set per invariant
};
}  // namespace

ModelSystem::ModelSystem(const Model& m, std::optional<LockEdge> witness, CoverageMode coverage)
    : m_(m), initial_(m.work_size), witness_(witness), coverage_(coverage) {
  Machine mach(m);
  if (coverage_ != CoverageMode::Off) {
    init_cov_ = Coverage(m);
    mach.set_coverage(&init_cov_, coverage_);
  }
  if (!mach.build_initial(initial_.data())) {
    init_failed_ = true;
    init_error_ = mach.error();
  }
  // Memos need invariants to skip and sc (a weak model's buffers are read
  // outside translate()).
  if (!m_.invariants.empty() && m_.memory_model == MemoryModelKind::Sc)
    memos_ = std::make_unique<InvariantMemos>(m_.state_size);
}

ModelSystem::~ModelSystem() = default;

void ModelSystem::set_invariant_memo(bool on) {
  if (!on) memos_.reset();
}

explore::StateShape ModelSystem::shape() const {
  // The state's own pieces: each context, the RCU queue, every object of
  // every region (the tree store cuts big ones into 64-byte leaves), the
  // shadow bytes of each region.
  explore::StateShape sh;
  sh.size = m_.state_size;
  std::vector<uint32_t> c{0, m_.state_size};
  for (uint32_t t = 0; t <= m_.contexts(); ++t) c.push_back(m_.threads_off + t * uint32_t(sizeof(ThreadState)));
  c.push_back(m_.rcu_off + m_.rcu_capacity * uint32_t(sizeof(RcuCallback)));
  for (const Region& r : m_.regions) {
    if (r.state_off >= m_.state_size) continue;  // the invariant context's scratch stack
    for (uint64_t i = 0; i <= r.count; ++i) c.push_back(static_cast<uint32_t>(r.state_off + i * r.obj_size));
    if (r.shadow_off >= 0) {
      c.push_back(static_cast<uint32_t>(r.shadow_off));
      c.push_back(static_cast<uint32_t>(r.shadow_off + r.count));
    }
  }
  // A weak memory model's state: one piece per context.
  const uint64_t mm_per_context = m_.mm_bytes ? m_.mm_bytes / m_.contexts() : 0;
  if (m_.mm_bytes)
    for (uint32_t t = 0; t <= m_.contexts(); ++t) c.push_back(static_cast<uint32_t>(m_.mm_off + t * mm_per_context));
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  while (!c.empty() && c.back() > m_.state_size) c.pop_back();
  sh.cuts = c.size() > 1 ? c : std::vector<uint32_t>{0};
  // Layout order: the shared pieces (globals, pages, slab objects, the RCU
  // queue, shadows) in memory order, then each context's own pieces side by
  // side: its ThreadState, its stack, its weak-memory piece. A step changes
  // its thread's pc and frame together; apart, they cost the tree store two
  // paths of new nodes per state (mainline_table_mix: 3.2 nodes per state
  // against 0.4 grouped; docs/search.md, "The state and its store").
  // PTCHECK_MEMORY_ORDER=1 keeps memory order, for comparisons
  // (tests/bench/store_bytes.sh).
  static const bool keep_memory_order = std::getenv("PTCHECK_MEMORY_ORDER") != nullptr;
  if (keep_memory_order) return sh;
  const size_t pieces = sh.cuts.size() - 1;
  std::vector<uint32_t> owner(pieces, 0);  // 0: shared; t + 1: context t
  auto own = [&](uint64_t lo, uint64_t hi, uint32_t t) {
    for (size_t i = 0; i < pieces; ++i)
      if (sh.cuts[i] >= lo && sh.cuts[i] < hi) owner[i] = t + 1;
  };
  const uint64_t ctx = sizeof(ThreadState);
  for (uint32_t t = 0; t < m_.contexts(); ++t) own(m_.threads_off + t * ctx, m_.threads_off + (t + 1) * ctx, t);
  for (const Region& r : m_.regions)
    if (r.kind == RegionKind::Stack && r.thread < m_.contexts())
      own(r.state_off, r.state_off + r.count * r.obj_size, r.thread);
  if (m_.mm_bytes)
    for (uint32_t t = 0; t < m_.contexts(); ++t)
      own(m_.mm_off + t * mm_per_context, m_.mm_off + (t + 1) * mm_per_context, t);
  sh.order.resize(pieces);
  std::iota(sh.order.begin(), sh.order.end(), 0u);
  std::stable_sort(sh.order.begin(), sh.order.end(), [&](uint32_t a, uint32_t b) { return owner[a] < owner[b]; });
  return sh;
}

void ModelSystem::initial_state(uint8_t* out) const { std::memcpy(out, initial_.data(), m_.state_size); }

std::unique_ptr<explore::Worker> ModelSystem::make_worker() const {
  std::lock_guard<std::mutex> g(deps_mu_);
  LockDeps& d = deps_.emplace_back();
  if (witness_) d.set_witness(*witness_);
  Coverage* cov = coverage_ != CoverageMode::Off ? &covs_.emplace_back(m_) : nullptr;
  return std::make_unique<ModelWorker>(m_, init_failed_, &d, cov, coverage_, memos_.get(),
                                       &worker_counts_.emplace_back());
}

ModelSystem::WorkerCounts ModelSystem::worker_counts() const {
  std::lock_guard<std::mutex> g(deps_mu_);
  WorkerCounts all;
  for (const WorkerCounts& c : worker_counts_) {
    all.ran += c.ran;
    all.skipped += c.skipped;
    all.invariants_ran += c.invariants_ran;
    all.invariants_skipped += c.invariants_skipped;
    all.instructions += c.instructions;
  }
  return all;
}

Coverage ModelSystem::coverage() const {
  std::lock_guard<std::mutex> g(deps_mu_);
  Coverage all = init_cov_;
  for (const Coverage& c : covs_) all.merge(c);
  all.merge(resumed_cov_);
  return all;
}

std::vector<LockEdge> ModelSystem::lock_edges() const {
  std::lock_guard<std::mutex> g(deps_mu_);
  std::vector<LockEdge> all = resumed_edges_;
  for (const LockDeps& d : deps_) {
    auto e = d.edges();
    all.insert(all.end(), e.begin(), e.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// The observations' bytes: the lock-order edges (a count, then from/to
// pairs), then the coverage marks (a count of functions, then each one's
// length and marks; no functions when coverage is off).
std::vector<uint8_t> ModelSystem::observations() const {
  std::vector<uint8_t> out;
  auto put64 = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
  };
  const std::vector<LockEdge> edges = lock_edges();
  put64(edges.size());
  for (const LockEdge& e : edges) {
    put64(e.from);
    put64(e.to);
  }
  const Coverage cov = coverage_ != CoverageMode::Off ? coverage() : Coverage{};
  put64(cov.marks.size());
  for (const auto& f : cov.marks) {
    put64(f.size());
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

void ModelSystem::restore_observations(const std::vector<uint8_t>& bytes) const {
  size_t at = 0;
  auto get64 = [&] {
    if (bytes.size() - at < 8) throw std::invalid_argument("cut short");
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(bytes[at + i]) << (8 * i);
    at += 8;
    return v;
  };
  const uint64_t ne = get64();
  if (ne > (bytes.size() - at) / 16) throw std::invalid_argument("cut short");
  std::vector<LockEdge> edges(static_cast<size_t>(ne));
  // A lock node is a lock class (a region's index and an offset in one of
  // its objects: lock_class.h) and a subclass; one this model has no such
  // place for would be reported as a lock named "?".
  auto node = [&] {
    const LockNode n = get64();
    const uint64_t cls = n >> 4, region = cls >> 32;
    if (region >= m_.regions.size() || (cls & 0xffffffffu) >= m_.regions[region].stride)
      throw std::invalid_argument("lock classes of another model");
    return n;
  };
  for (LockEdge& e : edges) {
    e.from = node();
    e.to = node();
  }
  const uint64_t nf = get64();
  Coverage cov;
  if (nf != 0) {
    if (coverage_ == CoverageMode::Off || nf != m_.funcs.size()) throw std::invalid_argument("coverage of another model");
    cov = Coverage(m_);
    for (auto& f : cov.marks) {
      if (get64() != f.size() || bytes.size() - at < f.size()) throw std::invalid_argument("coverage of another model");
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), f.size(), f.begin());
      at += f.size();
    }
  }
  if (at != bytes.size()) throw std::invalid_argument("trailing bytes");
  std::lock_guard<std::mutex> g(deps_mu_);
  resumed_edges_.insert(resumed_edges_.end(), edges.begin(), edges.end());
  resumed_cov_.merge(cov);
}

}  // namespace ptcheck::vm
