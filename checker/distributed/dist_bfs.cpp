// The distributed breadth-first search (dist_bfs.h): rounds of expansion and
// all-to-all exchange per layer, the layer's global order from the gathered
// keys, the violation by a min-reduction, the counterexample walked across
// ranks.
#include "distributed/dist_bfs.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "explore/progress.h"
#include "explore/tree_store.h"

namespace ptcheck::dist {

using namespace explore;

std::string check_distributed_options(const Options& opt) {
  if (opt.search != SearchKind::Bfs)
    return "the distributed search is breadth-first: --search dfs and swarm run in one process (start ptcheck "
           "without mpirun)";
  if (!opt.checkpoint.empty() || !opt.resume.empty())
    return "checkpoints (--checkpoint, --resume) are not written by the distributed search";
  if (opt.reduction != Reduction::None) return "partial-order reduction (--por sleep) is not available under mpirun";
  if (opt.store.kind == StoreKind::HashCompact || opt.store.kind == StoreKind::Bitstate)
    return "lossy stores (hc, bitstate) need a depth-first search, which runs in one process";
  if (opt.liveness)
    return "the liveness pass needs the whole state graph in one process: under mpirun give --no-liveness (the "
           "safety search, invariants, deadlocks and final checks, is distributed)";
  return "";
}

namespace {

constexpr unsigned kIdxBits = 24;
constexpr uint64_t kIdxMask = (uint64_t(1) << kIdxBits) - 1;
constexpr uint64_t kPosMask = (uint64_t(1) << 38) - 1;
constexpr uint64_t kTransitionClass = uint64_t(1) << 63;
constexpr uint64_t kNone = ~uint64_t(0);
constexpr size_t kRoundBytes = size_t(8) << 20;  // outgoing bytes per round before an exchange
constexpr size_t kHeader = 16;                   // key (8), label (4), parent local id (4)

uint64_t key_pos(uint64_t key) { return (key >> kIdxBits) & kPosMask; }

template <class T>
void put(std::vector<uint8_t>& b, T v) {
  const size_t n = b.size();
  b.resize(n + sizeof(T));
  std::memcpy(b.data() + n, &v, sizeof(T));
}
template <class T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// A new state of the layer being built, by local id - layer_first_.
struct Entry {
  uint64_t key = kNone;  // smallest (parent position, successor index) so far
  uint32_t parent_lid = 0;
  uint32_t parent_rank = 0;
};

class DistBfs;

// With worker memos (Worker::memos), the rank that generates a successor
// checks its state properties, as the one-process search does: it has the
// parent in hand, so it reruns only the invariants whose words the step
// wrote (docs/search.md, "Invariant memos"). It checks a successor it owns
// when the store says it is new, and one another rank owns always (it
// cannot know); the record it sends says what the check found and carries
// the successor's memo in its portable form (Worker::export_memo), and the
// owner, when the state is new to it, keeps the verdict and imports the
// memo. Without memos the owner checks each new state in full.
class SendSink final : public SuccessorSink {
 public:
  explicit SendSink(DistBfs& b) : b_(b) {}
  void begin(uint64_t pos, StateId lid) {
    pos_ = pos;
    lid_ = lid;
  }
  Seen emit(uint32_t idx, Label label, const uint8_t* next, bool violation) override;
  void diff_hint(const uint64_t* blocks) override { hint_ = blocks; }
  uint32_t state_memo() const override;
  void set_memo(uint32_t memo) override;
  void violating_state() override;

 private:
  DistBfs& b_;
  uint64_t pos_ = 0;
  StateId lid_ = 0;
  const uint64_t* hint_ = nullptr;  // diff_hint() for the next emit only
  // The successor the worker checks next (after an emit that said New):
  // this rank's new state, or a record in a batch (its owner and offset).
  enum class Checking { None, Own, Sent } checking_ = Checking::None;
  StateId own_ = 0;
  uint32_t sent_to_ = 0;
  size_t sent_at_ = 0;
};

class DistBfs {
 public:
  DistBfs(const TransitionSystem& ts, const Options& opt, Transport& t)
      : ts_(ts),
        opt_(opt),
        t_(t),
        me_(uint32_t(t.rank())),
        n_(uint32_t(t.size())),
        size_(ts.state_size()),
        mem_(opt.max_memory),
        store_(make_store(ts.shape(), opt.store, mem_)),
        parent_rank_(mem_),
        memo_(mem_) {}
  Result run();

 private:
  friend class SendSink;
  using Clock = std::chrono::steady_clock;

  void receive(const uint8_t* in, size_t bytes, uint32_t from);
  void exchange_round();
  // Who checks a new state's properties: this rank, in full (no memos); the
  // worker, after the emit (a successor this rank generated and owns); the
  // rank that sent the record, whose check is at `check`.
  enum class CheckBy { Owner, Worker, Record };
  // Stores a successor (key: its (parent position, index)) and records its
  // edge. The state's id when it is new to this rank, else kNoState.
  StateId store_new(const uint8_t* s, uint64_t key, Label label, uint32_t prank, StateId plid, CheckBy by,
                    const uint8_t* check = nullptr, const uint64_t* hint = nullptr);
  std::vector<Label> walk(uint32_t rank, StateId lid);
  void order_next_frontier();
  void track() {
    uint64_t b = frontier_.capacity() * sizeof(StateId) + pos_.capacity() * sizeof(uint64_t) +
                 layer_.capacity() * sizeof(Entry) + new_ids_.capacity() * sizeof(StateId) + in_.capacity();
    for (const auto& o : out_) b += o.capacity();
    mem_.add(int64_t(b) - int64_t(tracked_));
    tracked_ = b;
  }
  bool stopping() const { return stop_.load(std::memory_order_relaxed) != 0; }
  void consider(uint64_t key, EndKind kind, Label label) {
    if (key < cand_key_) {
      cand_key_ = key;
      cand_kind_ = kind;
      cand_label_ = label;
    }
  }

  const TransitionSystem& ts_;
  uint64_t final_states_ = 0, final_digest_ = 0;
  const Options& opt_;
  Transport& t_;
  const uint32_t me_, n_;
  const size_t size_;
  MemoryAccount mem_;
  std::unique_ptr<StateStorage> store_;
  std::unique_ptr<StoreCursor> cursor_;
  std::unique_ptr<Worker> worker_;
  ExpandLoader loader_;  // cursor_ -> worker_, with the changed blocks
  std::unique_ptr<Worker> checker_;  // invariants of new states (worker_ may be in the middle of an expansion)
  ChunkedArray<uint32_t> parent_rank_;
  // Worker memos: each local state's (by id; 0: none), and the size of a
  // record's check: a word (kChecked, kViolating) and the portable memo.
  ChunkedArray<uint32_t> memo_;
  size_t check_bytes_ = 0;
  size_t rec_ = 0;  // a record: header, check, state
  static constexpr uint64_t kChecked = 1, kViolating = 2;
  std::vector<StateId> frontier_;  // this rank's frontier states, by global position
  std::vector<uint64_t> pos_;      // their global positions (ascending)
  std::vector<Entry> layer_;
  std::vector<StateId> new_ids_, violating_;
  std::vector<std::vector<uint8_t>> out_;  // this round's batch for each rank
  std::vector<uint8_t> in_;                // what arrived, rank after rank
  std::vector<uint64_t> in_counts_;
  uint64_t out_bytes_ = 0, tracked_ = 0;
  StateId layer_first_ = 0;
  uint64_t layer_transitions_ = 0, local_states_ = 0;
  uint64_t cand_key_ = kNone;
  EndKind cand_kind_ = EndKind::None;
  Label cand_label_ = 0;
  std::atomic<int> stop_{0};
  // Progress (read by the monitor thread).
  std::mutex progress_mu_;
  ProgressSample sample_;
};

Seen SendSink::emit(uint32_t idx, Label label, const uint8_t* next, bool violation) {
  const uint64_t* hint = std::exchange(hint_, nullptr);
  checking_ = Checking::None;
  ++b_.layer_transitions_;
  if (idx > kIdxMask) throw std::length_error("explorer: more than 2^24 successors of one state");
  if (violation) {
    b_.consider(kTransitionClass | (pos_ << kIdxBits) | idx, EndKind::Transition, label);
    return Seen::Ignored;
  }
  if (b_.stopping()) return Seen::Ignored;
  const bool memos = b_.check_bytes_ != 0;
  const uint32_t owner = owner_of(next, b_.size_, b_.n_);
  if (owner == b_.me_) {
    // This rank's own: stored now, as a successor of the state the cursor
    // holds (it compares only the blocks the step wrote).
    const StateId id = b_.store_new(next, (pos_ << kIdxBits) | idx, label, b_.me_, lid_,
                                    memos ? DistBfs::CheckBy::Worker : DistBfs::CheckBy::Owner, nullptr, hint);
    if (!memos || id == kNoState) return Seen::Old;
    checking_ = Checking::Own;
    own_ = id;
    return Seen::New;  // the worker checks it, with its parent's memo
  }
  std::vector<uint8_t>& o = b_.out_[owner];
  put<uint64_t>(o, (pos_ << kIdxBits) | idx);
  put<uint32_t>(o, label);
  put<uint32_t>(o, lid_);
  if (memos) {
    checking_ = Checking::Sent;
    sent_to_ = owner;
    sent_at_ = o.size();
    o.resize(o.size() + b_.check_bytes_, 0);  // unchecked until the worker's verdict
  }
  o.insert(o.end(), next, next + b_.size_);
  b_.out_bytes_ += b_.rec_;
  return memos ? Seen::New : Seen::Old;
}

uint32_t SendSink::state_memo() const { return b_.check_bytes_ ? b_.memo_[lid_] : 0; }

void SendSink::set_memo(uint32_t memo) {
  if (checking_ == Checking::Own) {
    b_.memo_[own_] = memo;
  } else if (checking_ == Checking::Sent) {
    uint8_t* c = b_.out_[sent_to_].data() + sent_at_;
    std::memcpy(c, &DistBfs::kChecked, 8);
    b_.worker_->export_memo(memo, c + 8);
  }
  checking_ = Checking::None;
}

void SendSink::violating_state() {
  if (checking_ == Checking::Own) {
    b_.violating_.push_back(own_);
  } else if (checking_ == Checking::Sent) {
    const uint64_t v = DistBfs::kChecked | DistBfs::kViolating;
    std::memcpy(b_.out_[sent_to_].data() + sent_at_, &v, 8);
  }
  checking_ = Checking::None;
}

StateId DistBfs::store_new(const uint8_t* s, uint64_t key, Label label, uint32_t prank, StateId plid, CheckBy by,
                           const uint8_t* check, const uint64_t* hint) {
  // With a hint the successor is this rank's own, and its parent plid the
  // state being expanded, which the cursor holds.
  Found f = hint ? cursor_->find_or_insert_from(s, plid, hint) : cursor_->find_or_insert(s);
  if (f.full) {
    mem_.mark_exceeded();
    request_stop(stop_, StopReason::MaxMemory);
    return kNoState;
  }
  if (f.id < layer_first_) return kNoState;  // stored in an earlier layer
  const size_t slot = f.id - layer_first_;
  if (slot >= layer_.size()) layer_.resize(std::max<size_t>(slot + 1, layer_.size() * 3 / 2));
  Entry& e = layer_[slot];
  if (key < e.key) {
    e.key = key;
    e.parent_lid = plid;
    e.parent_rank = prank;
    store_->label(f.id) = label;
  }
  if (!f.is_new) return kNoState;
  if (!parent_rank_.ensure(f.id, 1) || (check_bytes_ && !memo_.ensure(f.id, 1))) {
    request_stop(stop_, StopReason::MaxMemory);
    return kNoState;
  }
  new_ids_.push_back(f.id);
  ++local_states_;
  if (check_bytes_) memo_[f.id] = 0;
  if (by == CheckBy::Worker) return f.id;
  uint64_t verdict = 0;
  if (by == CheckBy::Record) std::memcpy(&verdict, check, 8);
  if (!(verdict & kChecked)) {  // (a record the worker did not check: none does, but it costs only runs)
    if (checker_->stored_violation(s)) violating_.push_back(f.id);
  } else if (verdict & kViolating) {
    violating_.push_back(f.id);
  } else {
    memo_[f.id] = checker_->import_memo(check + 8);
  }
  return f.id;
}

void DistBfs::receive(const uint8_t* in, size_t bytes, uint32_t from) {
  if (bytes % rec_) throw std::runtime_error("distributed search: a batch of torn records");
  for (size_t off = 0; off < bytes && !stopping(); off += rec_) {
    const uint8_t* p = in + off;
    store_new(p + kHeader + check_bytes_, get<uint64_t>(p), get<uint32_t>(p + 8), from, get<uint32_t>(p + 12),
              check_bytes_ ? CheckBy::Record : CheckBy::Owner, p + kHeader);
  }
}

// Sends the round's batches to their owners and stores what arrives.
void DistBfs::exchange_round() {
  track();
  t_.exchange(out_, in_, in_counts_);  // (each batch sent from out_[r])
  for (auto& o : out_) o.clear();
  out_bytes_ = 0;
  track();
  size_t at = 0;
  for (uint32_t r = 0; r < n_; ++r) {
    receive(in_.data() + at, in_counts_[r], r);
    at += in_counts_[r];
  }
}

// The labels from the initial state to (rank, lid): one collective step per
// depth, the state's owner publishing its parent and label.
std::vector<Label> DistBfs::walk(uint32_t rank, StateId lid) {
  std::vector<Label> path;
  for (;;) {
    std::vector<uint64_t> hop{kNone, kNone, kNone};
    if (rank == me_) {
      const StateId p = store_->parent(lid);
      if (p != kNoState) hop = {parent_rank_[lid], p, store_->label(lid)};
      else hop = {kNone - 1, kNone, kNone};  // the initial state
    }
    t_.allreduce(hop, Transport::Op::Min);
    if (hop[0] == kNone - 1) break;
    if (hop[0] == kNone) throw std::logic_error("distributed search: a parent link is missing");
    path.push_back(Label(hop[2]));
    rank = uint32_t(hop[0]);
    lid = StateId(hop[1]);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// The new states of the layer in canonical order: every rank's sorted keys are
// gathered; a state's global position counts the smaller keys of all ranks.
void DistBfs::order_next_frontier() {
  std::sort(new_ids_.begin(), new_ids_.end(),
            [&](StateId a, StateId b) { return layer_[a - layer_first_].key < layer_[b - layer_first_].key; });
  std::vector<uint8_t> mine(new_ids_.size() * 8);
  for (size_t i = 0; i < new_ids_.size(); ++i) {
    const uint64_t k = layer_[new_ids_[i] - layer_first_].key;
    std::memcpy(mine.data() + 8 * i, &k, 8);
  }
  const std::vector<std::vector<uint8_t>> all = t_.allgather(mine);
  int64_t gathered = 0;  // counted in the peak while it is held
  for (const auto& a : all) gathered += int64_t(a.size());
  mem_.add(gathered);
  std::vector<uint64_t> pos(new_ids_.size(), 0);
  for (uint32_t r = 0; r < n_; ++r) {
    const auto* keys = reinterpret_cast<const uint8_t*>(all[r].data());
    const size_t m = all[r].size() / 8;
    if (r == me_) {
      for (size_t i = 0; i < new_ids_.size(); ++i) pos[i] += i;
      continue;
    }
    // Both lists ascend: one merge pass.
    size_t j = 0;
    for (size_t i = 0; i < new_ids_.size(); ++i) {
      const uint64_t k = layer_[new_ids_[i] - layer_first_].key;
      while (j < m && get<uint64_t>(keys + 8 * j) < k) ++j;
      pos[i] += j;
    }
  }
  for (size_t i = 0; i < new_ids_.size(); ++i) {
    const Entry& e = layer_[new_ids_[i] - layer_first_];
    store_->parent(new_ids_[i]) = e.parent_lid;
    parent_rank_[new_ids_[i]] = e.parent_rank;
  }
  mem_.add(-gathered);
  frontier_.swap(new_ids_);
  pos_.swap(pos);
  new_ids_.clear();
}

Result DistBfs::run() {
  const auto start = Clock::now();
  Result res;
  store_->epochs().set_threads(1);
  cursor_ = store_->cursor();
  worker_ = ts_.make_worker();
  checker_ = ts_.make_worker();
  check_bytes_ = worker_->memos() && worker_->memo_bytes() ? 8 + worker_->memo_bytes() : 0;
  rec_ = kHeader + check_bytes_ + size_;
  out_.assign(n_, {});

  auto finish = [&](Result& r) {
    // Figures: every rank's states and peak memory, the sums as the run's.
    std::vector<uint64_t> mine{local_states_, mem_.peak(), store_->bytes(), 0, 0, final_states_, final_digest_};
    if (auto* tree = dynamic_cast<const TreeStore*>(store_.get())) {
      mine[3] = tree->nodes();
      mine[4] = tree->leaves();
    }
    std::vector<uint8_t> raw(mine.size() * 8);
    std::memcpy(raw.data(), mine.data(), raw.size());
    const auto all = t_.allgather(raw);
    r.stats.memory_bytes = r.stats.store_bytes = r.stats.tree_nodes = r.stats.tree_leaves = 0;
    r.stats.final_states = r.stats.final_digest = 0;
    for (const auto& a : all) {
      const uint8_t* p = a.data();
      r.rank_states.push_back(get<uint64_t>(p));
      r.rank_memory.push_back(get<uint64_t>(p + 8));
      r.stats.memory_bytes += get<uint64_t>(p + 8);
      r.stats.store_bytes += get<uint64_t>(p + 16);
      r.stats.tree_nodes += get<uint64_t>(p + 24);
      r.stats.tree_leaves += get<uint64_t>(p + 32);
      r.stats.final_states += get<uint64_t>(p + 40);
      r.stats.final_digest += get<uint64_t>(p + 48);  // a sum over the states: the ranks' sums add up
    }
    r.stats.bytes_per_state = r.stats.states ? double(r.stats.memory_bytes) / double(r.stats.states) : 0;
    r.store = store_->name();
    r.reduction = Reduction::None;
    r.liveness = opt_.liveness ? "skipped: distributed run" : "off";
    r.stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };

  // The initial state: its owner stores it; every rank checks it (the same answer).
  std::vector<uint8_t> init(std::max<size_t>(size_, 1));
  ts_.initial_state(init.data());
  res.stats.states = 1;
  if (owner_of(init.data(), size_, n_) == me_) {
    Found f = cursor_->find_or_insert(init.data());
    if (f.full || !parent_rank_.ensure(f.id, 1) || (check_bytes_ && !memo_.ensure(f.id, 1)))
      request_stop(stop_, StopReason::MaxMemory);
    else {
      if (check_bytes_) memo_[f.id] = 0;
      store_->parent(f.id) = kNoState;
      store_->label(f.id) = 0;
      frontier_.push_back(f.id);
      pos_.push_back(0);
      local_states_ = 1;
    }
  }
  if (allreduce_one(t_, uint64_t(stop_.load()), Transport::Op::Max)) {
    res.verdict = Verdict::Incomplete;
    res.incomplete_reason = "max-memory";
    return finish(res);
  }
  if (worker_->initial_violation(init.data())) {
    res.verdict = Verdict::Violation;
    res.end = EndKind::Initial;
    return finish(res);
  }

  Monitor monitor(start, opt_.time_limit, opt_.cancel, opt_.progress && me_ == 0, stop_, [this] {
    std::lock_guard<std::mutex> g(progress_mu_);
    return sample_;
  });

  unsigned depth = 0;
  uint64_t states = 1, transitions = 0, global_frontier = 1;
  SendSink sink(*this);
  for (;;) {
    if (opt_.cancel && opt_.cancel->load(std::memory_order_relaxed)) request_stop(stop_, StopReason::Interrupted);
    cursor_->new_layer();
    layer_first_ = store_->next_id();
    layer_.assign(layer_.size(), Entry{});
    layer_transitions_ = 0;
    cand_key_ = kNone;
    if (global_frontier > kPosMask) throw std::length_error("explorer: frontier too large");

    // Rounds: expand up to kRoundBytes of successors, exchange, store.
    size_t next = 0;
    uint64_t layer_new = 0;
    int stop = 0;
    for (;;) {
      store_->epochs().announce(0);
      while (next < frontier_.size() && out_bytes_ < kRoundBytes && !stopping()) {
        sink.begin(pos_[next], frontier_[next]);
        const uint8_t* s = loader_.load(*cursor_, *worker_, frontier_[next]);
        Worker::Result r = worker_->expand(s, sink);
        if (r == Worker::Result::Terminal) {  // Stats::final_states / final_digest: this rank's share
          ++final_states_;
          final_digest_ += worker_->outcome(s, size_);
        }
        if (r == Worker::Result::Deadlock || r == Worker::Result::TerminalViolation)
          consider(pos_[next] << kIdxBits, r == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation, 0);
        ++next;
      }
      exchange_round();
      store_->epochs().quiesce(0);
      store_->epochs().reclaim();
      track();
      if (mem_.exceeded() || (mem_.limit() && mem_.bytes() > mem_.limit())) request_stop(stop_, StopReason::MaxMemory);
      // One gather per round: who has more to expand, who must stop, the counts.
      std::vector<uint64_t> mine{next < frontier_.size() && !stopping() ? 1u : 0u, uint64_t(stop_.load()),
                                 new_ids_.size(), local_states_, mem_.bytes()};
      std::vector<uint8_t> raw(mine.size() * 8);
      std::memcpy(raw.data(), mine.data(), raw.size());
      const auto all = t_.allgather(raw);
      bool more = false;
      stop = 0;
      layer_new = 0;
      ProgressSample ps;
      for (const auto& a : all) {
        more = more || get<uint64_t>(a.data()) != 0;
        stop = std::max(stop, int(get<uint64_t>(a.data() + 8)));
        layer_new += get<uint64_t>(a.data() + 16);
        ps.per_rank.push_back(get<uint64_t>(a.data() + 24));
        ps.memory += get<uint64_t>(a.data() + 32);
      }
      if (!stop && opt_.max_states && states + layer_new >= opt_.max_states) stop = int(StopReason::MaxStates);
      ps.states = states + layer_new;
      ps.depth = depth;
      ps.frontier = global_frontier;
      {
        std::lock_guard<std::mutex> g(progress_mu_);
        sample_ = std::move(ps);
      }
      if (stop) {
        request_stop(stop_, StopReason(stop));
        break;
      }
      if (!more) break;
    }
    const bool aborted = stop != 0;

    // The layer's figures and the first violation (a min over the ranks).
    for (StateId id : violating_) {
      const Entry& e = layer_[id - layer_first_];
      consider(kTransitionClass | e.key, EndKind::Transition, store_->label(id));
    }
    violating_.clear();
    std::vector<uint64_t> sums{layer_transitions_};
    t_.allreduce(sums, Transport::Op::Sum);
    const uint64_t cand = allreduce_one(t_, cand_key_, Transport::Op::Min);
    states += layer_new;
    transitions += sums[0];
    res.stats.states = states;
    res.stats.transitions = transitions;
    if (cand != kNone) {
      std::vector<uint64_t> what{cand_key_ == cand ? uint64_t(cand_kind_) : kNone,
                                 cand_key_ == cand ? uint64_t(cand_label_) : kNone};
      t_.allreduce(what, Transport::Op::Min);
      // Who holds the frontier state at the candidate's position.
      const uint64_t p = key_pos(cand);
      auto it = std::lower_bound(pos_.begin(), pos_.end(), p);
      const bool here = it != pos_.end() && *it == p;
      std::vector<uint64_t> at{here ? me_ : kNone, here ? frontier_[size_t(it - pos_.begin())] : kNone};
      t_.allreduce(at, Transport::Op::Min);
      res.verdict = Verdict::Violation;
      res.end = EndKind(what[0]);
      res.path = walk(uint32_t(at[0]), StateId(at[1]));
      if (res.end == EndKind::Transition) res.path.push_back(Label(what[1]));
      if (aborted) res.incomplete_reason = stop_reason_name(StopReason(stop));
      break;
    }
    if (aborted) {
      res.verdict = Verdict::Incomplete;
      res.incomplete_reason = stop_reason_name(StopReason(stop));
      res.stats.frontier = global_frontier + layer_new;
      break;
    }
    if (layer_new == 0) break;  // every state expanded: complete
    if (opt_.max_depth && depth + 1 >= opt_.max_depth) {
      ++depth;
      res.verdict = Verdict::Incomplete;
      res.incomplete_reason = "max-depth";
      res.stats.frontier = layer_new;
      break;
    }
    order_next_frontier();
    global_frontier = layer_new;
    track();
    ++depth;
  }
  monitor.finish();
  res.stats.depth = res.verdict == Verdict::Violation ? unsigned(res.path.size()) : depth;
  return finish(res);
}

}  // namespace

Result explore_distributed(const TransitionSystem& ts, const Options& opt, Transport& t) {
  if (std::string bad = check_distributed_options(opt); !bad.empty()) throw std::invalid_argument(bad);
  if (t.size() <= 1) return explore_bfs(ts, opt);
  try {
    DistBfs b(ts, opt, t);
    return b.run();
  } catch (const std::exception& e) {
    // The other ranks wait in a collective: end them all.
    t.abort(4, std::string("internal error in the distributed search: ") + e.what());
    throw;  // not reached: abort() does not return
  }
}

Result explore_anywhere(const TransitionSystem& ts, const Options& opt) {
  Transport* w = world();
  return w && w->size() > 1 ? explore_distributed(ts, opt, *w) : explore::explore(ts, opt);
}

}  // namespace ptcheck::dist
