#pragma once
// The interpreter: executes one step of one context on a state vector.
//
// Step semantics (docs/model-language.md "Concurrency"): a context always
// rests at its next *visible* instruction (a shared-memory access, a lock or RCU
// operation, a nondeterministic choice, the start of an atomic block). A step
// executes that instruction and then every following local-only instruction up
// to the next visible one, so local work merges into the shared step before it.
// Blocking instructions are visible; a context is enabled when the instruction
// it rests at can run.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/assert.h"
#include "support/line_vector.h"
#include "vm/builtins.h"
#include "vm/coverage.h"
#include "vm/errors.h"
#include "vm/lock_deps.h"
#include "vm/memory_model.h"
#include "vm/model.h"

namespace ptcheck::vm {

// Observes a step in trace mode (replay); the explorer runs without one.
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void on_write(const Region& r, uint64_t obj, uint64_t addr, unsigned size, uint64_t value) = 0;
  virtual void on_read(const Region& r, uint64_t obj, uint64_t addr, unsigned size, uint64_t value) = 0;
  virtual void on_print(const std::string& text) = 0;
  virtual void on_alloc(const Region& r, uint64_t obj, uint32_t context, const std::vector<uint32_t>& chain) = 0;
  virtual void on_free(const Region& r, uint64_t obj, uint32_t context, const std::vector<uint32_t>& chain) = 0;
  // A context took the lock at addr, or entered the state a kSite* names: the
  // acquisition site that exit reports name (vm/machine_exit.cpp).
  virtual void on_acquire(uint32_t context, uint64_t addr, const std::vector<uint32_t>& chain) {
    (void)context, (void)addr, (void)chain;
  }
  // __trace_note("what", args...) ran in context (Builtin::TraceNote): facts a
  // report names that the state does not keep (model/hw/tlb.ptm's fills and
  // flushes). Only a replay has a recorder, so a note costs the search nothing.
  virtual void on_note(uint32_t context, const std::string& what, const std::vector<uint64_t>& args,
                       const std::vector<uint32_t>& chain) {
    (void)context, (void)what, (void)args, (void)chain;
  }
};

// Pseudo-addresses for on_acquire(): no region lives this low.
inline constexpr uint64_t kSiteRcu = 1, kSiteIrqOff = 2, kSitePreempt = 3;

struct Move {
  uint32_t context;
  uint32_t choice;
};

// What one step touched, for the explorer's partial-order reduction (sleep
// sets, explore/transition_system.h). A step is `plain` when everything its
// one visible instruction did outside its own context went through memory
// accesses, recorded as ranges (at most kMaxRanges): a Load or Store, an
// atomic, cmpxchg/xchg, a lock or unlock (the lock word), rcu_read_lock/unlock,
// preempt_disable/enable; and the step then ended resting at its next visible
// instruction. Its other effects are on its own context: registers, its own
// stack [stack_lo, stack_hi), pc, held locks, RCU and preemption depth.
// Leaving a read-side section also clears this context's bit in the masks of
// the RCU callbacks and synchronize_rcu() waiters that wait for it; two such
// clearings commute, and every step that sets those masks (call_rcu,
// synchronize_rcu) or reads them (an RCU callback starting) is not plain.
// Any other step (allocation, call_rcu, nondet, interrupts, smp_call_function,
// an atomic block, a thread finishing or failing, an RCU callback starting)
// is not plain and counts as dependent on every other step. Coarse, but it
// cannot miss a dependency through the engine's own bookkeeping (allocator
// metadata, grace periods, thread status).
struct Footprint {
  static constexpr unsigned kMaxRanges = 4;
  struct Range {
    uint64_t lo, hi;
    bool write;
  };
  bool plain = false;
  uint8_t n = 0;
  Range r[kMaxRanges];
  uint64_t stack_lo = 0, stack_hi = 0;
};
// Two plain steps of different contexts commute (and neither disables the
// other) when they touch no common byte with a write, and neither touches the
// other's stack.
inline bool independent(const Footprint& a, const Footprint& b) {
  if (!a.plain || !b.plain) return false;
  auto overlap = [](uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2) { return lo1 < hi2 && lo2 < hi1; };
  for (unsigned i = 0; i < a.n; ++i) {
    if (overlap(a.r[i].lo, a.r[i].hi, b.stack_lo, b.stack_hi)) return false;
    for (unsigned j = 0; j < b.n; ++j)
      if ((a.r[i].write || b.r[j].write) && overlap(a.r[i].lo, a.r[i].hi, b.r[j].lo, b.r[j].hi)) return false;
  }
  for (unsigned j = 0; j < b.n; ++j)
    if (overlap(b.r[j].lo, b.r[j].hi, a.stack_lo, a.stack_hi)) return false;
  return true;
}

class Machine : private MemoryPort {
 public:
  explicit Machine(const Model& m);
  ~Machine() override;

  // Zeroes `s`, runs the target's init block, and starts every thread at its
  // first visible instruction. Returns false when that already fails (error()).
  bool build_initial(uint8_t* s);
  // Appends the moves possible in s, in a fixed order: contexts in index order,
  // choices ascending.
  // (Out: std::vector<Move> or LineVector<Move>, instantiated in machine_moves.cpp.)
  template <class Out>
  void moves(const uint8_t* s, Out& out);
  // Executes one move in place. Returns false when the step raised an error.
  // With `dirty` (dirty_words() words), the blocks it may have written go
  // there instead of dirty().
  bool step(uint8_t* s, Move m) { return step(s, m, own_dirty_.data()); }
  bool step(uint8_t* s, Move m, uint64_t* dirty);
  // What the last step() touched.
  const Footprint& footprint() const { return fp_; }
  // The blocks of kDirtyBlock bytes of the state (bit b of word b / 64 for
  // bytes [b * kDirtyBlock, (b + 1) * kDirtyBlock)) that the last step() may
  // have written: every other block is as it was before the step. An
  // over-approximation (a lock found busy, a frame entered and not changed);
  // every block after a step that failed, and under a weak memory model
  // (whose store buffers are not tracked). Valid until the next step() or
  // invariant check.
  static constexpr unsigned kDirtyBlock = 64;
  const uint64_t* dirty() const { return own_dirty_.data(); }
  size_t dirty_words() const { return own_dirty_.size(); }
  bool all_done(const uint8_t* s) const;
  // kmemleak at the end of a run: false (with error()) when an object of a
  // leak-checked region is still allocated.
  bool check_leaks(const uint8_t* s);
  // Evaluates every invariant on s in place: s must be a working buffer of
  // work_size bytes (the invariant context's frame and stack live past
  // state_size); the state's own bytes are only read. False (with error())
  // when one fails.
  bool check_invariants(uint8_t* s);
  // Invariant i alone (Model::invariants order), noting in `reads` what it
  // read (vm/invariant_memo.h): bit w of reads->bits is state word w (bytes
  // [8w, 8w+8)); opaque when it read something not named word by word (a
  // builtin that inspects contexts, another context's stack, a weak model's
  // buffers, a discarded state). check_invariants(s) is every i in order,
  // stopping at the first that fails.
  struct InvariantReads {
    std::vector<uint64_t> bits;
    bool opaque = false;
  };
  bool check_invariant(uint8_t* s, size_t i, InvariantReads* reads);
  // The liveness properties (`always_eventually`, Model::progress) that hold
  // in s (a working buffer, as for invariants): bit i for property i. A
  // property that fails while evaluated (a BUG, a bad access) throws
  // std::runtime_error naming it.
  uint64_t progress(uint8_t* s);
  // Instructions interpreted so far by step(), the invariants and the
  // liveness properties (not the init block): what the benchmarks divide
  // the search's time by (tests/bench/interp_speed.sh).
  uint64_t instructions() const { return insns_; }
  const ErrorInfo& error() const { return err_; }
  void set_recorder(Recorder* r) { rec_ = r; }
  // Lock-order dependencies: collected into d while it is set (vm/lock_deps.h).
  void set_lock_deps(LockDeps* d) { deps_ = d; }
  // Coverage: recorded into c while it is set (vm/coverage.h): every
  // instruction, or (Watched) only those flagged Insn::watch.
  void set_coverage(Coverage* c, CoverageMode mode = CoverageMode::All) {
    cov_ = c;
    cov_mode_ = c ? mode : CoverageMode::Off;
  }
  // Location (Model::locs index) of the instruction context t rests at.
  uint32_t resting_loc(const uint8_t* s, uint32_t t) const;
  // Call chain of context t, innermost first, as locations.
  std::vector<uint32_t> call_chain(const uint8_t* s, uint32_t t) const;
  // Why a context cannot move (for deadlock reports).
  std::string blocked_reason(const uint8_t* s, uint32_t t) const;
  // The contexts that hold the lock context t is blocked on (empty: t is not
  // blocked on a lock), and a cycle of contexts each blocked on a lock the
  // next one holds (a deadlock among them, whatever the others do; empty:
  // none), starting at its smallest context.
  std::vector<uint32_t> waits_for(const uint8_t* s, uint32_t t) const;
  std::vector<uint32_t> deadlock_cycle(const uint8_t* s) const;
  const Model& model() const { return m_; }
  // The weak memory model the target runs under (nullptr: sc).
  const MemoryModel* memory_model() const { return mm_.get(); }

  // Explorer labels: the context in the top byte, the choice below. Targets
  // have at most 30 threads (target/desugar.cpp) and nondet() at most
  // kMaxNondetChoices (vm/builtins.h) choices.
  static uint32_t label(Move m) {
    PT_ASSERT(m.context < 256 && m.choice < (1u << 24), "a move fits an explorer label");
    return (m.context << 24) | (m.choice & 0xffffff);
  }
  static Move unlabel(uint32_t l) { return {l >> 24, l & 0xffffff}; }

 private:
  friend class BuiltinRunner;
  enum class Exec { Next, Jumped, NewFrame, Blocked, Done, Error };

  ThreadState& ts(uint8_t* s, uint32_t t) const;
  const ThreadState& ts(const uint8_t* s, uint32_t t) const;
  uint8_t* frame(uint8_t* s, uint32_t t) const;
  RcuCallback* rcu_queue(uint8_t* s) const;

  bool is_visible(const uint8_t* s, uint32_t t, const Insn& in) const;
  bool can_run(const uint8_t* s, uint32_t t, const Insn& in, uint32_t& choices) const;
  bool run(uint8_t* s, uint32_t t, uint32_t choice, bool start_visible);
  // run()'s loop; kCov: what it marks in cov_ (a separate instantiation per
  // mode, so a run without coverage pays nothing).
  template <CoverageMode kCov>
  bool run_loop(uint8_t* s, uint32_t t, uint32_t choice, bool start_visible);
  void cover(const Insn& in, uint32_t func, uint32_t pc, Exec e);
  static void mark(uint8_t& m, const Insn& in, Exec e) {
    m |= Coverage::kRan;
    if (in.op == Op::Jz || in.op == Op::Jnz)
      m |= e == Exec::Jumped ? Coverage::kJumped : e == Exec::Next ? Coverage::kFellThrough : 0;
  }
  // f: the context's current frame; th: its ThreadState (both valid until a
  // call or return, which answer NewFrame).
  Exec exec(uint8_t* s, uint32_t t, ThreadState& th, uint8_t* f, const Insn& in, uint32_t choice);
  // What a call, a return and a frame entry read of a function, one cache
  // line each (built from Model::funcs by the constructor): a Function is
  // 312 bytes with these fields spread over five lines, and call() was 7% of
  // a kernel mix's samples, most of them waiting on those loads.
  struct alignas(64) FuncHot {
    const Insn* code = nullptr;
    const Operand* params = nullptr;
    const uint32_t* dead_begin = nullptr;       // nullptr: nothing zeroed at rest
    const uint32_t* call_dead_begin = nullptr;  // nullptr: nothing zeroed at calls
    const Operand* dead_ranges = nullptr;
    uint32_t n_params = 0, frame_size = 0;
    bool has_body = false;
  };
  std::vector<FuncHot> hot_;
  // Each context's stack region (Model::stack_of_context): its fields the
  // hot paths read, without the two dependent loads of the region's record.
  struct StackHot {
    uint64_t base = 0, size = 0;  // [base, base + size): the addresses of the stack
    uint32_t state_off = 0;       // where its bytes start in the state
  };
  std::vector<StackHot> stacks_;
  void clear_dead(uint8_t* f, const FuncHot& fn, uint32_t pc) const;
  void clear_call_dead(uint8_t* f, const FuncHot& fn, uint32_t pc) const;
  const Region* region_of(uint64_t addr);
  Exec exec_builtin(uint8_t* s, uint32_t t, const Insn& in, uint32_t choice);
  bool call(uint8_t* s, uint32_t t, uint32_t func, const std::vector<Operand>* args,
            const uint64_t* arg_values, Operand dst);
  bool start_rcu_callback(uint8_t* s, uint32_t slot);

  // Memory. translate() returns the bytes for [addr, addr+size) or nullptr with
  // err_ set (kind, addr, size, region, obj).
  uint8_t* translate(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, bool write);
  bool own_stack(uint32_t t, uint64_t addr) const;
  // [off, off+size) of stack region r lies inside one object of a live frame
  // of its context (machine_stack.cpp); otherwise err_.frame_func/frame_off
  // say where it fell.
  bool stack_object_ok(const uint8_t* s, const Region& r, uint64_t off, uint32_t size);
  // The one memory-access path (docs/memory-model.md): a shared access's
  // checks (translate), the memory model (forwarding, buffering) and the
  // recorder. read_mem/write_mem take any size; load/store are their word forms.
  bool read_mem(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* out);
  bool write_mem(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, const uint8_t* bytes, Order o);
  bool load(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, bool sign, uint64_t& out);
  bool store(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t v, Order o = Order::Plain);
  // MemoryPort: a store reaching memory, and a full buffer.
  bool commit(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, const uint8_t* bytes, uint32_t loc) override;
  bool limit(uint32_t t, uint32_t entries) override;
  // A builtin under a weak model: fences, and the drain of a fully ordered primitive.
  Exec exec_builtin_weak(uint8_t* s, uint32_t t, const Insn& in, uint32_t choice);
  // A conditional RMW (cmpxchg, add_unless, inc_not_zero) that would not
  // write if it ran now in context t (LKMM orders a failed one as a relaxed read).
  bool conditional_fails(uint8_t* s, uint32_t t, const Insn& in);
  // AtomicRmw / AtomicLongRmw, srcu_read_lock/unlock (machine_memory.cpp); a: the argument values.
  Exec exec_atomic_rmw(uint8_t* s, uint32_t t, const Insn& in, const uint64_t* a);
  Exec exec_srcu_read(uint8_t* s, uint32_t t, const Insn& in, const uint64_t* a);
  uint8_t* shadow(uint8_t* s, const Region& r, uint64_t obj) const;

  bool fail(ErrorKind k, uint32_t t, const std::string& detail = {});
  bool held(const ThreadState& th, uint64_t lock, bool* reader = nullptr) const;
  bool check_free_locks(uint8_t* s, uint32_t t, uint64_t lo, uint64_t hi);
  // A context's entry function returns: nothing may still be held (machine_exit.cpp).
  bool check_exit(uint8_t* s, uint32_t t);
  // Before a lock joins th's held locks: recursive locking of a class, and the
  // dependencies on the held ones (machine_lockdep.cpp).
  bool lock_order(uint8_t* s, uint32_t t, uint64_t lock, unsigned sub, bool trylock);
  // Leaves the context's RCU read-side state if nothing keeps it a reader.
  void leave_read_section(uint8_t* s, uint32_t t);
  void irqs_enabled_again(uint8_t* s, uint32_t t);
  static bool in_rcu_reader(const ThreadState& th);
  static bool in_atomic(const ThreadState& th);

  // assume() and final blocks (machine_final.cpp). A state some context's
  // assume() discarded has no moves, counts as finished, and passes the leak
  // and invariant checks; a final block's thread may start once every other
  // thread is done and no RCU callback is pending or running.
  bool discarded(const uint8_t* s) const;
  bool final_ready(const uint8_t* s, uint32_t t) const;
  Exec exec_assume(uint8_t* s, uint32_t t, uint64_t cond);

  const Model& m_;
  std::unique_ptr<MemoryModel> mm_;  // nullptr under sc: the hot path tests this pointer only
  bool direct_ = false;              // stores commit at once (init, a draining builtin)
  bool builtin_drains_[static_cast<size_t>(Builtin::Count)] = {};
  // Lock acquisitions and RMWs whose ordering the model decides (rmw_is_fence() false):
  // the argument holding the address they update.
  int8_t rmw_arg_[static_cast<size_t>(Builtin::Count)] = {};
  std::vector<std::pair<uint32_t, uint32_t>> pending_;
  ErrorInfo err_;
  Recorder* rec_ = nullptr;
  LockDeps* deps_ = nullptr;
  Coverage* cov_ = nullptr;
  CoverageMode cov_mode_ = CoverageMode::Off;
  uint32_t cur_loc_ = 0;
  std::vector<uint8_t> stride_log2_;  // per region: log2(stride), 0xff when not a power of two
  bool builtin_visible_[static_cast<size_t>(Builtin::Count)] = {};
  const Region* last_region_ = nullptr;  // the last region translate() found
  LineVector<uint64_t> argv_;
  uint64_t last_ret_ = 0;          // value returned by a context's entry function
  bool in_invariant_ = false;
  // Runs the predicate function fid (no parameters) in the invariant context
  // on s; false (with error()) when it fails, else its value is last_ret_.
  bool evaluate(uint8_t* s, uint32_t fid);
  // Evaluates invariant i; false (with error() naming it) when it fails or
  // does not hold.
  bool check_one(uint8_t* s, size_t i);
  InvariantReads* inv_reads_ = nullptr;  // check_invariant(s, i, reads): what it reads
  void note_inv_read(uint64_t off, uint64_t size) {
    if (off + size > m_.state_size) {
      if (off < m_.state_size) inv_reads_->opaque = true;
      return;  // the invariant context's own frame and stack (past state_size)
    }
    for (uint64_t w = off >> 3; w <= (off + size - 1) >> 3; ++w) inv_reads_->bits[w >> 6] |= uint64_t(1) << (w & 63);
  }
  // dirty(): marked where the state is written other than in the stepping
  // context's record (marked at step() entry) and its current frame (marked
  // when run_loop enters a frame): translate() for writes, the shadow bytes,
  // the RCU queue, other contexts' wait masks, allocation zeroing.
  LineVector<uint64_t> own_dirty_;
  uint64_t* dirty_ = nullptr;  // where the step in progress marks
  void mark_dirty(uint64_t off, uint64_t len) {
    if (off >= m_.state_size || len == 0) return;  // the invariant context's tail
    const uint64_t b0 = off / kDirtyBlock, b1 = (std::min<uint64_t>(off + len, m_.state_size) - 1) / kDirtyBlock;
    if (b0 >> 6 == b1 >> 6) [[likely]] {  // one word of the mask
      dirty_[b0 >> 6] |= (~uint64_t(0) >> (63 - (b1 - b0))) << (b0 & 63);
      return;
    }
    for (uint64_t b = b0; b <= b1; ++b) dirty_[b >> 6] |= uint64_t(1) << (b & 63);
  }
  void mark_dirty(const uint8_t* s, const void* p, uint64_t len) {
    mark_dirty(static_cast<uint64_t>(static_cast<const uint8_t*>(p) - s), len);
  }
  void mark_all_dirty() { std::fill_n(dirty_, own_dirty_.size(), ~uint64_t(0)); }
  bool step_unmarked(uint8_t* s, Move mv);
  static constexpr uint64_t kStepBudget = 1'000'000;  // instructions a run may take
  uint64_t budget_ = 0;            // instructions left in this step
  uint64_t insns_ = 0;             // instructions(): each run adds what it took of its budget
  Footprint fp_;                   // what the current (or last) step touched
  bool fp_rec_ = false;            // translate() notes accesses into fp_ (the step's visible instruction)
  bool fp_builtin_[static_cast<size_t>(Builtin::Count)] = {};  // builtins whose step can be plain
  void note_access(uint64_t addr, uint32_t size, bool write) {
    if (addr < fp_.stack_hi && addr + size > fp_.stack_lo) return;  // its own stack
    if (fp_.n == Footprint::kMaxRanges) {
      fp_.n = Footprint::kMaxRanges + 1;  // too many: not plain
      return;
    }
    if (fp_.n < Footprint::kMaxRanges) fp_.r[fp_.n++] = {addr, addr + size, write};
  }
};

// Hot accessors, inline for every machine_*.cpp.
inline ThreadState& Machine::ts(uint8_t* s, uint32_t t) const {
  uint32_t off = t < m_.contexts() ? m_.threads_off + t * static_cast<uint32_t>(sizeof(ThreadState)) : m_.inv_ts_off;
  return *reinterpret_cast<ThreadState*>(s + off);
}
inline const ThreadState& Machine::ts(const uint8_t* s, uint32_t t) const {
  uint32_t off = t < m_.contexts() ? m_.threads_off + t * static_cast<uint32_t>(sizeof(ThreadState)) : m_.inv_ts_off;
  return *reinterpret_cast<const ThreadState*>(s + off);
}
inline uint8_t* Machine::frame(uint8_t* s, uint32_t t) const { return s + stacks_[t].state_off + ts(s, t).fp; }
inline RcuCallback* Machine::rcu_queue(uint8_t* s) const { return reinterpret_cast<RcuCallback*>(s + m_.rcu_off); }

}  // namespace ptcheck::vm
