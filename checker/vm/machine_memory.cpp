// Builtins under a weak memory model (docs/memory-model.md "The seam"):
// fences, the drain of a fully ordered primitive, the lock acquisitions and
// RMWs whose ordering the model decides; and the atomic_t read-modify-writes
// and SRCU read sections of exec_builtin(). The access path itself
// (read_mem/write_mem) is in machine.cpp, next to the interpreter loop, so
// the compiler can inline it there.
#include <fmt/format.h>

#include <cstring>

#include "vm/builtins.h"
#include "vm/machine.h"
#include "vm/value_io.h"

namespace ptcheck::vm {

Machine::Exec Machine::exec_builtin_weak(uint8_t* s, uint32_t t, const Insn& in, uint32_t choice) {
  // An invariant reads memory as it is: its context has no store buffer
  // (the model keeps one per schedulable context only), so nothing drains.
  if (in_invariant_) return exec_builtin(s, t, in, choice);
  const auto b = static_cast<Builtin>(in.imm);
  Fence f;
  switch (b) {
    case Builtin::SmpMb: f = Fence::Mb; break;
    case Builtin::SmpWmb: f = Fence::Wmb; break;
    case Builtin::SmpRmb: f = Fence::Rmb; break;
    case Builtin::SmpMbBeforeAtomic: f = Fence::BeforeAtomic; break;
    case Builtin::SmpMbAfterAtomic: f = Fence::AfterAtomic; break;
    case Builtin::SmpMbAfterSpinlock: f = Fence::AfterSpinlock; break;
    default:
      if (const int8_t ai = rmw_arg_[static_cast<size_t>(b)]; ai >= 0) {
        // A lock acquisition or an RMW under a model that orders them as
        // spelled: it updates memory at once (atomicity); a fully ordered or
        // release one first drains, the others only when this context still
        // buffers a store to the word they update (coherence).
        const auto o = static_cast<Order>(in.sub);
        const Operand& op = m_.arglists[in.aux][static_cast<size_t>(ai)];
        const uint64_t addr = read_value(frame(s, t) + op.off, op.size, false);
        // A conditional RMW that is about to fail orders nothing (LKMM: it is a
        // relaxed read): no drain.
        const bool ordered = (o == Order::FullRmw || o == Order::Release) && !conditional_fails(s, t, in);
        if ((ordered || mm_->buffered(s, t, addr, 8)) && !mm_->fence(*this, s, t, Fence::Mb))
          return Exec::Error;
        const bool was = direct_;  // true in the init block: it stays so
        direct_ = true;
        Exec e = exec_builtin(s, t, in, choice);
        direct_ = was;
        return e;
      }
      if (!builtin_drains_[static_cast<size_t>(b)]) return exec_builtin(s, t, in, choice);
      // A fully ordered primitive (a lock, an RMW, a grace period...): what
      // this context stored before it becomes visible first, and what it
      // stores itself is visible at once.
      if (!mm_->fence(*this, s, t, Fence::Mb)) return Exec::Error;
      const bool was = direct_;  // true in the init block: it stays so
      direct_ = true;
      Exec e = exec_builtin(s, t, in, choice);
      direct_ = was;
      return e;
  }
  return mm_->fence(*this, s, t, f) ? Exec::Next : Exec::Error;
}

bool Machine::conditional_fails(uint8_t* s, uint32_t t, const Insn& in) {
  // cmpxchg(p, old, new), atomic[_long]_cmpxchg(v, old, new),
  // atomic[_long]_add_unless(v, a, u), atomic_inc_not_zero(v): the value this
  // context would read now (memory, then its own buffered stores) decides.
  const auto b = static_cast<Builtin>(in.imm);
  const bool atomic = b == Builtin::AtomicRmw || b == Builtin::AtomicLongRmw;
  const auto op = static_cast<RmwOp>(in.c.off);
  if (b != Builtin::Cmpxchg && b != Builtin::AtomicIncNotZero &&
      !(atomic && (op == RmwOp::Cmpxchg || op == RmwOp::AddUnless)))
    return false;
  const auto& args = m_.arglists[in.aux];
  const uint8_t* f = frame(s, t);
  auto arg = [&](size_t i) { return read_value(f + args[i].off, args[i].size, args[i].sign); };
  const uint32_t size = b == Builtin::Cmpxchg ? (in.c.size ? in.c.size : m_.word_size)
                        : b == Builtin::AtomicLongRmw ? m_.word_size
                                                      : 4;
  const bool sign = b == Builtin::Cmpxchg ? in.c.sign : true;
  const uint64_t addr = arg(0);
  const uint8_t* p = translate(s, t, addr, size, false);
  if (!p) return false;  // the RMW itself reports the fault
  uint8_t bytes[8];
  std::memcpy(bytes, p, size);
  mm_->forward(s, t, addr, size, bytes);
  const uint64_t v = read_value(bytes, size, sign);
  if (b == Builtin::AtomicIncNotZero) return v == 0;
  if (op == RmwOp::AddUnless && atomic) return v == truncate_value(arg(2), size, true);
  return v != truncate_value(arg(1), size, sign);
}

Machine::Exec Machine::exec_atomic_rmw(uint8_t* s, uint32_t t, const Insn& in, const uint64_t* a) {
  const auto b = static_cast<Builtin>(in.imm);
  const unsigned word = m_.word_size;
  auto ret = [&](uint64_t v) {
    if (in.a.size) write_value(frame(s, t) + in.a.off, in.a.size, v);
    return Exec::Next;
  };
  // include/linux/atomic/atomic-arch-fallback.h: one indivisible
  // read-modify-write of the counter (args normalised by the compiler to
  // counter, operand, operand2).
  const uint32_t size = b == Builtin::AtomicRmw ? 4 : word;
  const auto op = static_cast<RmwOp>(in.c.off);
  const auto order = static_cast<Order>(in.sub);
  uint64_t v = 0;
  if (!load(s, t, a[0], size, true, v)) return Exec::Error;
  uint64_t nv = v;
  bool write = true;
  switch (op) {
    case RmwOp::Add: nv = v + a[1]; break;
    case RmwOp::Sub: nv = v - a[1]; break;
    case RmwOp::And: nv = v & a[1]; break;
    case RmwOp::Or: nv = v | a[1]; break;
    case RmwOp::Xor: nv = v ^ a[1]; break;
    case RmwOp::AndNot: nv = v & ~a[1]; break;
    case RmwOp::Xchg: nv = a[1]; break;
    case RmwOp::Cmpxchg:
      write = v == truncate_value(a[1], size, true);
      nv = a[2];
      break;
    case RmwOp::AddUnless:
      // atomic_add_unless(v, a, u): add a unless the counter is u; true when it added.
      write = v != truncate_value(a[2], size, true);
      nv = v + a[1];
      break;
  }
  nv = truncate_value(nv, size, true);
  if (write && !store(s, t, a[0], size, nv, order)) return Exec::Error;
  if (op == RmwOp::AddUnless) return ret(write);
  return ret(in.c.sign ? v : nv);
}

Machine::Exec Machine::exec_srcu_read(uint8_t* s, uint32_t t, const Insn& in, const uint64_t* a) {
  const auto b = static_cast<Builtin>(in.imm);
  auto ret = [&](uint64_t v) {
    if (in.a.size) write_value(frame(s, t) + in.a.off, in.a.size, v);
    return Exec::Next;
  };
  auto error = [&](ErrorKind k, const std::string& d) {
    fail(k, t, d);
    return Exec::Error;
  };
  // include/linux/srcu.h: the domain's first int is the mask of contexts
  // inside one of its read-side sections (srcu_read_lock()'s per-CPU
  // counters reduced to who is inside). Nesting on one domain is a model
  // limit; sections of different domains nest freely.
  uint64_t mask = 0;
  if (!load(s, t, a[0], 4, false, mask)) return Exec::Error;
  const uint64_t bit = uint64_t{1} << t;
  if (b == Builtin::SrcuReadLock) {
    if (mask & bit) return error(ErrorKind::ModelLimit, "nested srcu_read_lock() on one srcu_struct (model limit)");
    if (!store(s, t, a[0], 4, mask | bit)) return Exec::Error;
    return ret(0);
  }
  if (!(mask & bit)) return error(ErrorKind::BadUnlock, "srcu_read_unlock() without srcu_read_lock() on this srcu_struct");
  if (!store(s, t, a[0], 4, mask & ~bit)) return Exec::Error;
  // Waiters of this domain's grace period stop waiting for this context.
  for (uint32_t c = 0; c < m_.contexts(); ++c) {
    ThreadState& w = ts(s, c);
    if (!(w.srcu_wait & bit) || w.func == UINT32_MAX) continue;
    const Insn& wi = m_.funcs[w.func].code[w.pc];
    if (wi.op != Op::Builtin || static_cast<Builtin>(wi.imm) != Builtin::SynchronizeSrcuWait) continue;
    const Operand& o = m_.arglists[wi.aux][0];
    if (read_value(frame(s, c) + o.off, o.size, o.sign) == a[0]) {
      w.srcu_wait &= static_cast<uint32_t>(~bit);
      mark_dirty(s, &w, sizeof w);
    }
  }
  return Exec::Next;
}

}  // namespace ptcheck::vm
