// The Machine's set-up (the constructor and the initial state), the moves
// a state offers (which contexts can run, with their choices) and one step:
// a move run to its next visible instruction. The step loop itself, with
// the access path it inlines, is in machine.cpp.
#include <cstring>

#include "vm/builtins.h"
#include "vm/machine.h"
#include "vm/value_io.h"

namespace ptcheck::vm {

Machine::Machine(const Model& m) : m_(m) {
  own_dirty_.assign((m.state_size / kDirtyBlock + 64) / 64, 0);
  dirty_ = own_dirty_.data();
  for (const Region& r : m.regions) {
    uint8_t sh = 0xff;
    if (r.stride && (r.stride & (r.stride - 1)) == 0) sh = static_cast<uint8_t>(__builtin_ctzll(r.stride));
    stride_log2_.push_back(sh);
  }
  for (const Function& f : m.funcs) {
    FuncHot h;
    h.code = f.code.data();
    h.params = f.params.data();
    h.n_params = static_cast<uint32_t>(f.params.size());
    h.frame_size = f.frame_size;
    h.has_body = f.has_body;
    if (!f.dead_begin.empty()) h.dead_begin = f.dead_begin.data();
    if (!f.call_dead_begin.empty()) h.call_dead_begin = f.call_dead_begin.data();
    h.dead_ranges = f.dead_ranges.data();
    hot_.push_back(h);
  }
  for (uint32_t r : m.stack_of_context)
    stacks_.push_back(StackHot{m.regions[r].base, m.regions[r].obj_size, m.regions[r].state_off});
  for (size_t b = 0; b < static_cast<size_t>(Builtin::Count); ++b)
    builtin_visible_[b] = builtin_info(static_cast<Builtin>(b)).visible;
  // Builtins whose only effects outside their own context are memory
  // accesses through translate() (see Footprint).
  for (Builtin b : {Builtin::SpinLockInit, Builtin::SpinLock, Builtin::SpinLockNested, Builtin::SpinTrylock,
                    Builtin::SpinUnlock, Builtin::SpinIsLocked, Builtin::AssertSpinLocked, Builtin::InitRwsem,
                    Builtin::DownRead, Builtin::DownReadNested, Builtin::DownWrite, Builtin::DownReadTrylock,
                    Builtin::DownWriteTrylock, Builtin::UpRead, Builtin::UpWrite, Builtin::DowngradeWrite,
                    Builtin::MutexInit, Builtin::MutexLock, Builtin::MutexLockNested, Builtin::MutexTrylock,
                    Builtin::MutexUnlock, Builtin::MutexIsLocked, Builtin::RcuReadLock, Builtin::RcuReadUnlock,
                    Builtin::PreemptDisable, Builtin::PreemptEnable, Builtin::AtomicRead, Builtin::AtomicLongRead,
                    Builtin::AtomicSet, Builtin::AtomicLongSet, Builtin::AtomicInc, Builtin::AtomicDec,
                    Builtin::AtomicAdd, Builtin::AtomicSub, Builtin::AtomicIncReturn, Builtin::AtomicDecReturn,
                    Builtin::AtomicDecAndTest, Builtin::AtomicIncNotZero, Builtin::AtomicLongInc,
                    Builtin::AtomicLongDec, Builtin::AtomicLongAdd, Builtin::AtomicLongSub, Builtin::Cmpxchg,
                    Builtin::Xchg})
    fp_builtin_[static_cast<size_t>(b)] = true;
  mm_ = make_memory_model(m);
  // Under a weak model every visible primitive is a full fence (it drains
  // what its context has not yet made visible, and its own stores commit at
  // once) except these, which are single ordered accesses
  // (docs/memory-model.md).
  for (size_t b = 0; b < static_cast<size_t>(Builtin::Count); ++b) builtin_drains_[b] = builtin_visible_[b];
  for (Builtin b : {Builtin::AtomicRead, Builtin::AtomicLongRead, Builtin::AtomicSet, Builtin::AtomicLongSet,
                    Builtin::SpinIsLocked, Builtin::Nondet, Builtin::FinalWait})
    builtin_drains_[static_cast<size_t>(b)] = false;
  for (auto& a : rmw_arg_) a = -1;
  if (mm_ && !mm_->rmw_is_fence()) {
    for (Builtin b : {Builtin::SpinLock, Builtin::SpinLockNested, Builtin::SpinTrylock, Builtin::MutexLock,
                      Builtin::MutexLockNested, Builtin::MutexTrylock, Builtin::DownRead, Builtin::DownReadNested,
                      Builtin::DownWrite, Builtin::DownReadTrylock, Builtin::DownWriteTrylock, Builtin::AtomicInc,
                      Builtin::AtomicDec, Builtin::AtomicLongInc, Builtin::AtomicLongDec, Builtin::AtomicIncReturn,
                      Builtin::AtomicDecReturn, Builtin::AtomicDecAndTest, Builtin::AtomicIncNotZero,
                      Builtin::AtomicRmw, Builtin::AtomicLongRmw, Builtin::Xchg, Builtin::Cmpxchg})
      rmw_arg_[static_cast<size_t>(b)] = 0;
    for (Builtin b : {Builtin::AtomicAdd, Builtin::AtomicSub, Builtin::AtomicLongAdd, Builtin::AtomicLongSub})
      rmw_arg_[static_cast<size_t>(b)] = 1;
    for (size_t b = 0; b < static_cast<size_t>(Builtin::Count); ++b)
      if (rmw_arg_[b] >= 0) builtin_drains_[b] = false;
  }
}

Machine::~Machine() = default;

bool Machine::build_initial(uint8_t* s) {
  std::memset(s, 0, m_.work_size);
  if (m_.initial_image.size() == m_.state_size) std::memcpy(s, m_.initial_image.data(), m_.state_size);
  for (uint32_t t = 0; t < m_.contexts() + 1; ++t) {
    ThreadState& th = ts(s, t);
    th.func = UINT32_MAX;
    th.status = t < m_.threads.size() ? kRunning : kIdle;
  }
  if (m_.init_func != UINT32_MAX) {
    // The init block runs to completion in thread 0's context, as one
    // sequential prologue that is not part of the explored interleavings.
    in_invariant_ = false;
    // Its stores are visible at once, under every memory model.
    direct_ = true;
    struct Restore {
      bool& d;
      ~Restore() { d = false; }
    } restore{direct_};
    if (!call(s, 0, m_.init_func, nullptr, nullptr, Operand{0, 0, false})) return false;
    budget_ = kStepBudget;
    for (;;) {
      ThreadState& th = ts(s, 0);
      if (th.func == UINT32_MAX) break;
      const Insn& in = m_.funcs[th.func].code[th.pc];
      cur_loc_ = in.loc;
      if (--budget_ == 0) return fail(ErrorKind::ModelError, 0, "init does not terminate");
      const uint32_t func = th.func, pc = th.pc;
      Exec e = exec(s, 0, th, frame(s, 0), in, 0);
      if (cov_) cover(in, func, pc, e);
      if (e == Exec::Next) ++ts(s, 0).pc;
      else if (e == Exec::Error) return false;
      else if (e == Exec::Blocked) return fail(ErrorKind::Deadlock, 0, "init blocked");
    }
    ThreadState& th0 = ts(s, 0);
    th0.status = kRunning;
    if (th0.nheld) return fail(ErrorKind::ModelError, 0, "init returned holding a lock");
  }
  for (uint32_t t = 0; t < m_.threads.size(); ++t) {
    if (!call(s, t, m_.threads[t].entry, nullptr, nullptr, Operand{0, 0, false})) return false;
    ts(s, t).status = kRunning;
    if (!run(s, t, 0, false)) return false;
  }
  return true;
}

bool Machine::held(const ThreadState& th, uint64_t lock, bool* reader) const {
  for (uint32_t i = 0; i < th.nheld; ++i)
    if (th.held[i] == lock) {
      if (reader) *reader = held_lock_kind(th, i) == kRwsemRead;
      return true;
    }
  return false;
}

bool Machine::can_run(const uint8_t* s, uint32_t t, const Insn& in, uint32_t& choices) const {
  choices = 1;
  if (in.op != Op::Builtin) return true;
  auto b = static_cast<Builtin>(in.imm);
  const uint8_t* f = const_cast<Machine*>(this)->frame(const_cast<uint8_t*>(s), t);
  const auto& args = m_.arglists[in.aux];
  auto arg = [&](size_t i) { return read_value(f + args[i].off, args[i].size, args[i].sign); };
  const ThreadState& th = ts(s, t);
  auto word_at = [&](uint64_t addr, uint32_t size, uint64_t& v) {
    const Region* r = m_.find_region(addr);
    if (!r) return false;
    uint64_t rel = addr - r->base, obj = rel / r->stride, off = rel % r->stride;
    if (off + size > r->obj_size) return false;
    v = read_value(s + r->state_off + obj * r->obj_size + off, size, false);
    return true;
  };
  switch (b) {
    case Builtin::Nondet: {
      // Above the limit the call is offered once, and the step reports it
      // (exec_builtin): never explored as a cut-down range.
      uint64_t n = arg(0);
      choices = n == 0 || n > kMaxNondetChoices ? 1 : static_cast<uint32_t>(n);
      return true;
    }
    case Builtin::SpinLock:
    case Builtin::SpinLockNested: {
      uint64_t v = 0, lock = arg(0);
      if (!word_at(lock, 4, v)) return true;  // the step reports the fault
      return v == 0 || held(th, lock);
    }
    case Builtin::DownRead:
    case Builtin::DownReadNested: {
      uint64_t v = 0, sem = arg(0);
      if (!word_at(sem, m_.word_size, v)) return true;
      return v != ~0ull >> (64 - 8 * m_.word_size) || held(th, sem);
    }
    case Builtin::DownWrite: {
      uint64_t v = 0, sem = arg(0);
      if (!word_at(sem, m_.word_size, v)) return true;
      return v == 0 || held(th, sem);
    }
    case Builtin::SynchronizeRcuWait:
      return th.gp_wait == 0;
    case Builtin::SmpCallFunctionWait:
      return th.ipi_wait == 0;
    case Builtin::FinalWait:
      return final_ready(s, t);
    case Builtin::SynchronizeSrcuWait:
      return th.srcu_wait == 0;
    case Builtin::RcuBarrier: {
      // rcu_barrier(): every callback queued before it has run. Simplified to
      // "no callback pending or running", which may also wait for callbacks
      // queued after it (never a missed interleaving; a queue that never
      // empties shows as a deadlock).
      if (t != m_.rcu_context() && ts(s, m_.rcu_context()).func != UINT32_MAX) return false;
      const RcuCallback* q = reinterpret_cast<const RcuCallback*>(s + m_.rcu_off);
      for (uint32_t i = 0; i < m_.rcu_capacity; ++i)
        if (q[i].used) return false;
      return true;
    }
    case Builtin::MutexLock:
    case Builtin::MutexLockNested: {
      uint64_t v = 0, lock = arg(0);
      if (!word_at(lock, m_.word_size, v)) return true;
      return v == 0 || held(th, lock);
    }
    default:
      return true;
  }
}

template <class Out>
void Machine::moves(const uint8_t* s, Out& out) {
  if (discarded(s)) return;
  for (uint32_t t = 0; t < m_.contexts(); ++t) {
    const ThreadState& th = ts(s, t);
    if (th.func == UINT32_MAX) {
      if (t != m_.rcu_context()) continue;
      // Idle RCU context: any queued callback whose grace period has ended and
      // which is the oldest pending one of the context that queued it.
      const RcuCallback* q = reinterpret_cast<const RcuCallback*>(s + m_.rcu_off);
      uint32_t seen = 0;
      for (uint32_t i = 0; i < m_.rcu_capacity; ++i) {
        if (!q[i].used) continue;
        uint32_t bit = 1u << q[i].thread;
        if (!(seen & bit) && q[i].waiting == 0) out.push_back({t, i});
        seen |= bit;
      }
      continue;
    }
    const Insn& in = m_.funcs[th.func].code[th.pc];
    uint32_t choices = 1;
    if (!can_run(s, t, in, choices)) continue;
    for (uint32_t c = 0; c < choices; ++c) out.push_back({t, c});
  }
  if (mm_) {
    // The memory model's own transitions: a store of context t reaches memory.
    pending_.clear();
    mm_->pending(s, pending_);
    for (const auto& [t, i] : pending_) out.push_back({t, kPropagateChoice + i});
  }
}
template void Machine::moves(const uint8_t*, std::vector<Move>&);
template void Machine::moves(const uint8_t*, LineVector<Move>&);

bool Machine::start_rcu_callback(uint8_t* s, uint32_t slot) {
  // rcu_do_batch(): take the callback off the list and invoke head->func(head),
  // reading func back from memory, where it may have been overwritten.
  uint32_t t = m_.rcu_context();
  RcuCallback* q = rcu_queue(s);
  RcuCallback cb = q[slot];
  mark_dirty(s, q, m_.rcu_capacity * sizeof(RcuCallback));
  std::memmove(&q[slot], &q[slot + 1], (m_.rcu_capacity - slot - 1) * sizeof(RcuCallback));
  std::memset(&q[m_.rcu_capacity - 1], 0, sizeof(RcuCallback));
  cur_loc_ = 0;
  uint64_t fn = 0;
  if (!load(s, t, cb.head + m_.word_size, m_.word_size, false, fn)) return false;
  const Function* f = m_.function_at(fn);
  if (!f) {
    err_ = ErrorInfo{};
    err_.value = fn;
    err_.addr = cb.head;
    return fail(ErrorKind::BadCall, t, "rcu_do_batch: callback function word of rcu_head");
  }
  uint64_t arg = cb.head;
  ts(s, t).status = kRunning;
  if (!call(s, t, f->id, nullptr, &arg, Operand{0, 0, false})) return false;
  return run(s, t, 0, false);
}

bool Machine::step(uint8_t* s, Move mv, uint64_t* dirty) {
  dirty_ = dirty;
  dirty[0] = 0;  // (a state of up to 4 KiB has one word)
  for (size_t i = 1, n = own_dirty_.size(); i < n; ++i) dirty[i] = 0;
  if (mm_) mark_all_dirty();  // the store buffers are not tracked
  else mark_dirty(s, &ts(s, mv.context), sizeof(ThreadState));
  budget_ = kStepBudget;  // (a step that runs no code, a weak model's propagation, adds nothing)
  const bool ok = step_unmarked(s, mv);
  insns_ += kStepBudget - budget_;
  if (!ok) mark_all_dirty();
  dirty_ = own_dirty_.data();  // (marks outside a step, e.g. the init block's, land here)
  return ok;
}

bool Machine::step_unmarked(uint8_t* s, Move mv) {
  in_invariant_ = false;
  fp_.plain = false;
  if (mm_ && is_propagate(mv.choice)) {
    const uint32_t index = mv.choice - kPropagateChoice;
    cur_loc_ = mm_->pending_loc(s, mv.context, index);
    return mm_->propagate(*this, s, mv.context, index);
  }
  if (mv.context == m_.rcu_context() && ts(s, mv.context).func == UINT32_MAX)
    return start_rcu_callback(s, mv.choice);
  return run(s, mv.context, mv.choice, true);
}

bool Machine::all_done(const uint8_t* s) const {
  if (discarded(s)) return true;
  for (uint32_t t = 0; t < m_.threads.size(); ++t)
    if (ts(s, t).status != kDone) return false;
  if (ts(s, m_.rcu_context()).func != UINT32_MAX) return false;
  const RcuCallback* q = reinterpret_cast<const RcuCallback*>(s + m_.rcu_off);
  for (uint32_t i = 0; i < m_.rcu_capacity; ++i)
    if (q[i].used) return false;
  return !mm_ || mm_->quiescent(s);
}


}  // namespace ptcheck::vm
