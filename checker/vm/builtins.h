#pragma once
// Builtins: the kernel primitives the engine provides (docs/model-language.md
// "Builtins"). The compiler resolves a call to one of these names unless the model
// defines a function of the same name (a model definition wins, so the kernel
// model can layer its own allocators on top of the engine's).
#include <cstdint>
#include <optional>
#include <string_view>

namespace ptcheck::vm {

// nondet(n) offers n choices, at most this many: a choice is part of an
// explorer label (24 bits, Machine::label). A constant n above it is refused
// at compile time (sema/codegen_call.cpp), a computed one when the call runs
// (a model-limit error, never a silent cap).
inline constexpr uint64_t kMaxNondetChoices = uint64_t{1} << 20;

enum class Builtin : uint16_t {
  // engine allocation (simple models) and KASAN-style shadow marking
  KmemCacheAlloc, KmemCacheZalloc, KmemCacheFree, AllocPages, AllocPage, FreePages, FreePage,
  KasanSlabAlloc, KasanSlabFree, KasanUnpoisonPages, KasanPoisonPages,
  PageAddress, VirtToPage, PageToPfn, PfnToPage, SlabObject,
  // object iteration for invariants
  FirstObject, NextObject,
  // locks (a lock is a word in memory; 0 = free)
  SpinLockInit, SpinLock, SpinLockNested, SpinTrylock, SpinUnlock, SpinIsLocked,
  AssertSpinLocked, LockdepAssertHeld,
  InitRwsem, DownRead, DownReadNested, DownWrite, UpRead, UpWrite,
  // RCU
  RcuReadLock, RcuReadUnlock, CallRcu, SynchronizeRcu, SynchronizeRcuWait,
  // atomics (atomic_t is a struct with an int `counter` first)
  AtomicRead, AtomicSet, AtomicInc, AtomicDec, AtomicAdd, AtomicSub,
  AtomicIncReturn, AtomicDecReturn, AtomicDecAndTest, AtomicIncNotZero,
  AtomicLongRead, AtomicLongSet, AtomicLongInc, AtomicLongDec, AtomicLongAdd, AtomicLongSub,
  Cmpxchg, Xchg,
  // memory
  Memset, Memcpy,
  // checks
  BugOn, Bug, VmBugOn, VmBugOnPage, VmWarnOn, WarnOn, WarnOnOnce,
  // misc
  Printk, Nondet, Likely, Unlikely, Barrier,
  // sleeping locks, interrupts, preemption, cross-CPU calls
  MutexInit, MutexLock, MutexLockNested, MutexTrylock, MutexUnlock, MutexIsLocked,
  DownReadTrylock, DownWriteTrylock,
  LocalIrqDisable, LocalIrqEnable, LocalIrqSave, LocalIrqRestore, IrqsDisabled,
  PreemptDisable, PreemptEnable,
  SmpCallFunction, SmpCallFunctionWait,
  // assume(cond): a path where cond is false is discarded; the wait a target's
  // final block starts with (vm/machine_final.cpp)
  Assume, FinalWait,
  // mm/page_alloc.c bad_page(page, "reason"): the free-time page check failed
  BadPage,
  // pr_alert_bug("BUG: ...", args...): a kernel consistency check that only prints
  PrAlertBug,
  // downgrade_write(sem): a write-held rwsem becomes read-held in one step
  DowngradeWrite,
  // the fences of tools/memory-model/linux-kernel.def (vm/memory_model.h)
  SmpMb, SmpWmb, SmpRmb, SmpMbBeforeAtomic, SmpMbAfterAtomic, SmpMbAfterSpinlock,
  // atomic_t / atomic_long_t read-modify-writes named by resolve_builtin():
  // args (counter, operand[, operand2]); Insn::c.off the RmwOp, c.sign set
  // when the old value is returned; Insn::sub the Order
  AtomicRmw, AtomicLongRmw,
  // SRCU: a domain is a struct srcu_struct whose first int is the mask of
  // contexts inside a read-side section of it
  SrcuReadLock, SrcuReadUnlock, SynchronizeSrcu, SynchronizeSrcuWait,
  // rcu_barrier(): wait until no RCU callback is pending or running
  RcuBarrier,
  // __trace_note("what", args...): no effect on the state; a trace replay's
  // recorder gets the note (Recorder::on_note), e.g. model/hw/tlb.ptm's fills
  // and flushes, which the report names (driver/report_tlb.cpp)
  TraceNote,
  Count
};

// How a builtin's result is typed for the compiler.
enum class BuiltinRet : uint8_t {
  Void, Int, Long, ULong, Bool, VoidPtr, PagePtr, ArgPointee /* *arg0's type */, ArgType /* arg0's type */
};

// What an invariant may do with a builtin. An invariant is a predicate over
// one state, evaluated once per state (Machine::check_invariants); its stores
// outside its own stack are refused by write_mem/store. The builtins below
// reach the state another way, wait, or choose, and are refused outright.
enum class InInvariant : uint8_t {
  Writes,   // changes the state directly (a lock word, shadow bytes, the RCU
            // queue, another context's record): a model error
  Waits,    // waits for other contexts (a grace period, a cross-CPU call):
            // a model error (no other context runs while an invariant does)
  Chooses,  // nondet(): a model error (an invariant has one value per state)
  Opaque,   // allowed, but reads the state other than through translate():
            // the invariant's reads are not memoised (vm/invariant_memo.h)
  Noted,    // allowed; reads only through translate(), which notes them, or none
};

struct BuiltinInfo {
  std::string_view name;
  Builtin id;
  int8_t min_args, max_args;  // max -1: variadic
  BuiltinRet ret;
  bool visible;    // touches shared state: a step boundary
  bool blocking;   // may be unable to run in a state (locks, grace periods)
  bool pointer_arg0_sized;  // operates on *arg0 whose size comes from arg0's pointee type
  InInvariant in_invariant;
};

const BuiltinInfo& builtin_info(Builtin b);
std::optional<Builtin> find_builtin(std::string_view name);

// The operation of an AtomicRmw / AtomicLongRmw.
enum class RmwOp : uint8_t { Add, Sub, And, Or, Xor, AndNot, Xchg, Cmpxchg, AddUnless };

// A name resolved to a builtin with the facts its spelling carries: the
// ordering (xchg_acquire, atomic_fetch_add_relaxed: vm/memory_model.h Order,
// as a uint8_t), and for AtomicRmw the operation, whether it returns the old
// value, whether the counter is the second argument (atomic_fetch_add(i, v))
// and the implicit operand of inc/dec (1).
struct BuiltinCall {
  Builtin id;
  uint8_t order = 0;
  RmwOp op = RmwOp::Add;
  bool returns_old = false;
  bool counter_second = false;
  bool implicit_one = false;
};
std::optional<BuiltinCall> resolve_builtin(std::string_view name);

}  // namespace ptcheck::vm
