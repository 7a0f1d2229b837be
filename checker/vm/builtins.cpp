#include "vm/builtins.h"

#include <array>

#include "vm/memory_model.h"

namespace ptcheck::vm {
namespace {

using R = BuiltinRet;
using B = Builtin;
using I = InInvariant;

// name, id, min, max, result, visible, blocking, sized-by-pointee, in an invariant
constexpr BuiltinInfo kTable[] = {
    {"kmem_cache_alloc", B::KmemCacheAlloc, 2, 2, R::VoidPtr, true, false, false, I::Writes},
    {"kmem_cache_zalloc", B::KmemCacheZalloc, 2, 2, R::VoidPtr, true, false, false, I::Writes},
    {"kmem_cache_free", B::KmemCacheFree, 2, 2, R::Void, true, false, false, I::Writes},
    {"alloc_pages", B::AllocPages, 2, 2, R::PagePtr, true, false, false, I::Writes},
    {"alloc_page", B::AllocPage, 1, 1, R::PagePtr, true, false, false, I::Writes},
    {"__free_pages", B::FreePages, 2, 2, R::Void, true, false, false, I::Writes},
    {"__free_page", B::FreePage, 1, 1, R::Void, true, false, false, I::Writes},
    {"kasan_slab_alloc", B::KasanSlabAlloc, 2, 2, R::Void, true, false, false, I::Writes},
    {"kasan_slab_free", B::KasanSlabFree, 2, 2, R::Bool, true, false, false, I::Writes},
    {"kasan_unpoison_pages", B::KasanUnpoisonPages, 2, 2, R::Void, true, false, false, I::Writes},
    {"kasan_poison_pages", B::KasanPoisonPages, 2, 2, R::Void, true, false, false, I::Writes},
    {"page_address", B::PageAddress, 1, 1, R::VoidPtr, false, false, false, I::Noted},
    {"virt_to_page", B::VirtToPage, 1, 1, R::PagePtr, false, false, false, I::Noted},
    {"page_to_pfn", B::PageToPfn, 1, 1, R::ULong, false, false, false, I::Noted},
    {"pfn_to_page", B::PfnToPage, 1, 1, R::PagePtr, false, false, false, I::Noted},
    {"slab_object", B::SlabObject, 2, 2, R::VoidPtr, false, false, false, I::Noted},
    {"first_object", B::FirstObject, 1, 1, R::ArgType, false, false, false, I::Noted},
    {"next_object", B::NextObject, 1, 1, R::ArgType, false, false, false, I::Noted},
    {"spin_lock_init", B::SpinLockInit, 1, 1, R::Void, true, false, false, I::Writes},
    {"spin_lock", B::SpinLock, 1, 1, R::Void, true, true, false, I::Writes},
    {"spin_lock_nested", B::SpinLockNested, 2, 2, R::Void, true, true, false, I::Writes},
    {"spin_trylock", B::SpinTrylock, 1, 1, R::Int, true, false, false, I::Writes},
    {"spin_unlock", B::SpinUnlock, 1, 1, R::Void, true, false, false, I::Writes},
    {"spin_is_locked", B::SpinIsLocked, 1, 1, R::Int, true, false, false, I::Noted},
    {"assert_spin_locked", B::AssertSpinLocked, 1, 1, R::Void, true, false, false, I::Opaque},
    {"lockdep_assert_held", B::LockdepAssertHeld, 1, 1, R::Void, false, false, false, I::Opaque},
    {"init_rwsem", B::InitRwsem, 1, 1, R::Void, true, false, false, I::Writes},
    {"down_read", B::DownRead, 1, 1, R::Void, true, true, false, I::Writes},
    {"down_read_nested", B::DownReadNested, 2, 2, R::Void, true, true, false, I::Writes},
    {"down_write", B::DownWrite, 1, 1, R::Void, true, true, false, I::Writes},
    {"up_read", B::UpRead, 1, 1, R::Void, true, false, false, I::Writes},
    {"up_write", B::UpWrite, 1, 1, R::Void, true, false, false, I::Writes},
    {"rcu_read_lock", B::RcuReadLock, 0, 0, R::Void, true, false, false, I::Opaque},
    {"rcu_read_unlock", B::RcuReadUnlock, 0, 0, R::Void, true, false, false, I::Opaque},
    {"call_rcu", B::CallRcu, 2, 2, R::Void, true, false, false, I::Writes},
    {"synchronize_rcu", B::SynchronizeRcu, 0, 0, R::Void, true, false, false, I::Waits},
    {"__synchronize_rcu_wait", B::SynchronizeRcuWait, 0, 0, R::Void, true, true, false, I::Waits},
    {"atomic_read", B::AtomicRead, 1, 1, R::Int, true, false, false, I::Noted},
    {"atomic_set", B::AtomicSet, 2, 2, R::Void, true, false, false, I::Opaque},
    {"atomic_inc", B::AtomicInc, 1, 1, R::Void, true, false, false, I::Opaque},
    {"atomic_dec", B::AtomicDec, 1, 1, R::Void, true, false, false, I::Opaque},
    {"atomic_add", B::AtomicAdd, 2, 2, R::Void, true, false, false, I::Opaque},
    {"atomic_sub", B::AtomicSub, 2, 2, R::Void, true, false, false, I::Opaque},
    {"atomic_inc_return", B::AtomicIncReturn, 1, 1, R::Int, true, false, false, I::Opaque},
    {"atomic_dec_return", B::AtomicDecReturn, 1, 1, R::Int, true, false, false, I::Opaque},
    {"atomic_dec_and_test", B::AtomicDecAndTest, 1, 1, R::Bool, true, false, false, I::Opaque},
    {"atomic_inc_not_zero", B::AtomicIncNotZero, 1, 1, R::Bool, true, false, false, I::Opaque},
    {"atomic_long_read", B::AtomicLongRead, 1, 1, R::Long, true, false, false, I::Noted},
    {"atomic_long_set", B::AtomicLongSet, 2, 2, R::Void, true, false, false, I::Opaque},
    {"atomic_long_inc", B::AtomicLongInc, 1, 1, R::Void, true, false, false, I::Opaque},
    {"atomic_long_dec", B::AtomicLongDec, 1, 1, R::Void, true, false, false, I::Opaque},
    {"atomic_long_add", B::AtomicLongAdd, 2, 2, R::Void, true, false, false, I::Opaque},
    {"atomic_long_sub", B::AtomicLongSub, 2, 2, R::Void, true, false, false, I::Opaque},
    {"cmpxchg", B::Cmpxchg, 3, 3, R::ArgPointee, true, false, true, I::Opaque},
    {"xchg", B::Xchg, 2, 2, R::ArgPointee, true, false, true, I::Opaque},
    {"memset", B::Memset, 3, 3, R::VoidPtr, true, false, false, I::Opaque},
    {"memcpy", B::Memcpy, 3, 3, R::VoidPtr, true, false, false, I::Opaque},
    {"BUG_ON", B::BugOn, 1, 1, R::Void, false, false, false, I::Noted},
    {"BUG", B::Bug, 0, 0, R::Void, false, false, false, I::Noted},
    {"VM_BUG_ON", B::VmBugOn, 1, 1, R::Void, false, false, false, I::Noted},
    {"VM_BUG_ON_PAGE", B::VmBugOnPage, 2, 2, R::Void, false, false, false, I::Opaque},
    {"VM_WARN_ON", B::VmWarnOn, 1, 1, R::Void, false, false, false, I::Opaque},
    {"WARN_ON", B::WarnOn, 1, 1, R::Int, false, false, false, I::Opaque},
    {"WARN_ON_ONCE", B::WarnOnOnce, 1, 1, R::Int, false, false, false, I::Opaque},
    {"printk", B::Printk, 1, -1, R::Int, false, false, false, I::Opaque},
    {"nondet", B::Nondet, 1, 1, R::Int, true, false, false, I::Chooses},
    {"likely", B::Likely, 1, 1, R::Long, false, false, false, I::Noted},
    {"unlikely", B::Unlikely, 1, 1, R::Long, false, false, false, I::Noted},
    {"barrier", B::Barrier, 0, 0, R::Void, false, false, false, I::Noted},
    {"mutex_init", B::MutexInit, 1, 1, R::Void, true, false, false, I::Writes},
    {"mutex_lock", B::MutexLock, 1, 1, R::Void, true, true, false, I::Writes},
    {"mutex_lock_nested", B::MutexLockNested, 2, 2, R::Void, true, true, false, I::Writes},
    {"mutex_trylock", B::MutexTrylock, 1, 1, R::Int, true, false, false, I::Writes},
    {"mutex_unlock", B::MutexUnlock, 1, 1, R::Void, true, false, false, I::Writes},
    {"mutex_is_locked", B::MutexIsLocked, 1, 1, R::Bool, true, false, false, I::Noted},
    {"down_read_trylock", B::DownReadTrylock, 1, 1, R::Int, true, false, false, I::Writes},
    {"down_write_trylock", B::DownWriteTrylock, 1, 1, R::Int, true, false, false, I::Writes},
    {"local_irq_disable", B::LocalIrqDisable, 0, 0, R::Void, true, false, false, I::Opaque},
    {"local_irq_enable", B::LocalIrqEnable, 0, 0, R::Void, true, false, false, I::Opaque},
    {"arch_local_irq_save", B::LocalIrqSave, 0, 0, R::ULong, true, false, false, I::Opaque},
    {"local_irq_restore", B::LocalIrqRestore, 1, 1, R::Void, true, false, false, I::Opaque},
    {"irqs_disabled", B::IrqsDisabled, 0, 0, R::Int, false, false, false, I::Opaque},
    {"preempt_disable", B::PreemptDisable, 0, 0, R::Void, true, false, false, I::Opaque},
    {"preempt_enable", B::PreemptEnable, 0, 0, R::Void, true, false, false, I::Opaque},
    {"smp_call_function", B::SmpCallFunction, 3, 3, R::Void, true, false, false, I::Writes},
    {"__smp_call_function_wait", B::SmpCallFunctionWait, 0, 0, R::Void, true, true, false, I::Waits},
    {"assume", B::Assume, 1, 1, R::Void, false, false, false, I::Opaque},
    {"__final_wait", B::FinalWait, 0, 0, R::Void, true, true, false, I::Waits},
    {"bad_page", B::BadPage, 2, 2, R::Void, false, false, false, I::Opaque},
    {"pr_alert_bug", B::PrAlertBug, 1, -1, R::Void, false, false, false, I::Opaque},
    {"downgrade_write", B::DowngradeWrite, 1, 1, R::Void, true, false, false, I::Writes},
    {"smp_mb", B::SmpMb, 0, 0, R::Void, false, false, false, I::Opaque},
    {"smp_wmb", B::SmpWmb, 0, 0, R::Void, false, false, false, I::Opaque},
    {"smp_rmb", B::SmpRmb, 0, 0, R::Void, false, false, false, I::Opaque},
    {"smp_mb__before_atomic", B::SmpMbBeforeAtomic, 0, 0, R::Void, false, false, false, I::Opaque},
    {"smp_mb__after_atomic", B::SmpMbAfterAtomic, 0, 0, R::Void, false, false, false, I::Opaque},
    {"smp_mb__after_spinlock", B::SmpMbAfterSpinlock, 0, 0, R::Void, false, false, false, I::Opaque},
    {"__atomic_rmw", B::AtomicRmw, 1, 3, R::Int, true, false, false, I::Opaque},
    {"__atomic_long_rmw", B::AtomicLongRmw, 1, 3, R::Long, true, false, false, I::Opaque},
    {"srcu_read_lock", B::SrcuReadLock, 1, 1, R::Int, true, false, false, I::Opaque},
    {"srcu_read_unlock", B::SrcuReadUnlock, 2, 2, R::Void, true, false, false, I::Opaque},
    {"synchronize_srcu", B::SynchronizeSrcu, 1, 1, R::Void, true, false, false, I::Waits},
    {"__synchronize_srcu_wait", B::SynchronizeSrcuWait, 1, 1, R::Void, true, true, false, I::Waits},
    {"rcu_barrier", B::RcuBarrier, 0, 0, R::Void, true, true, false, I::Waits},
    {"__trace_note", B::TraceNote, 1, 7, R::Void, false, false, false, I::Opaque},
};
static_assert(std::size(kTable) == static_cast<size_t>(B::Count), "builtin table out of sync");

constexpr bool waits_allowed_in_invariant() {
  for (const auto& e : kTable)
    if (e.blocking && (e.in_invariant == I::Opaque || e.in_invariant == I::Noted)) return true;
  return false;
}
static_assert(!waits_allowed_in_invariant(), "a builtin that can block must be refused in an invariant");

// Aliases: kernel spellings with the same semantics.
struct Alias {
  std::string_view name;
  B id;
  Order order = Order::Plain;
};
constexpr Alias kAliases[] = {
    {"pr_err", B::Printk},
    {"pr_info", B::Printk},
    {"pr_warn", B::Printk},
    {"pr_debug", B::Printk},
    {"cond_resched", B::Barrier},
    {"flush_tlb_all", B::Barrier},
    // Since the RCU flavours were consolidated (v4.20) one grace period waits
    // for all of them, and an expedited one only ends sooner.
    {"rcu_read_lock_bh", B::RcuReadLock},
    {"rcu_read_unlock_bh", B::RcuReadUnlock},
    {"rcu_read_lock_sched", B::RcuReadLock},
    {"rcu_read_unlock_sched", B::RcuReadUnlock},
    {"synchronize_rcu_expedited", B::SynchronizeRcu},
    {"synchronize_srcu_expedited", B::SynchronizeSrcu},
    // Makes a preceding unlock and this lock a full barrier: the model's
    // smp_mb() at that point orders at least as much (LKMM's po-unlock-lock-po).
    {"smp_mb__after_unlock_lock", B::SmpMb},
    // Makes srcu_read_unlock() (a fence here already) a full barrier.
    {"smp_mb__after_srcu_read_unlock", B::SmpMb},
    {"xchg_relaxed", B::Xchg, Order::RelaxedRmw},
    {"xchg_acquire", B::Xchg, Order::Acquire},
    {"xchg_release", B::Xchg, Order::Release},
    {"cmpxchg_relaxed", B::Cmpxchg, Order::RelaxedRmw},
    {"cmpxchg_acquire", B::Cmpxchg, Order::Acquire},
    {"cmpxchg_release", B::Cmpxchg, Order::Release},
};

// atomic_<op>[_relaxed|_acquire|_release] and atomic_long_... that have no
// builtin of their own: include/linux/atomic/atomic-instrumented.h's names.
std::optional<BuiltinCall> parse_atomic(std::string_view name) {
  BuiltinCall c{B::AtomicRmw};
  if (name.rfind("atomic_long_", 0) == 0) {
    c.id = B::AtomicLongRmw;
    name.remove_prefix(12);
  } else if (name.rfind("atomic_", 0) == 0) {
    name.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto ends = [&](std::string_view suf) {
    if (name.size() <= suf.size() || name.substr(name.size() - suf.size()) != suf) return false;
    name.remove_suffix(suf.size());
    return true;
  };
  Order order = Order::FullRmw;
  bool suffixed = true;
  if (ends("_relaxed")) order = Order::RelaxedRmw;
  else if (ends("_acquire")) order = Order::Acquire;
  else if (ends("_release")) order = Order::Release;
  else suffixed = false;
  c.order = static_cast<uint8_t>(order);
  struct Op {
    std::string_view name;
    RmwOp op;
    bool one;
  };
  static constexpr Op kOps[] = {{"add", RmwOp::Add, false}, {"sub", RmwOp::Sub, false}, {"and", RmwOp::And, false},
                                {"or", RmwOp::Or, false},   {"xor", RmwOp::Xor, false}, {"andnot", RmwOp::AndNot, false},
                                {"inc", RmwOp::Add, true},  {"dec", RmwOp::Sub, true}};
  auto find_op = [&](std::string_view n, bool arith_only) -> const Op* {
    for (const auto& o : kOps)
      if (o.name == n && (!arith_only || o.op == RmwOp::Add || o.op == RmwOp::Sub)) return &o;
    return nullptr;
  };
  if (name == "xchg" || name == "cmpxchg") {
    c.op = name == "xchg" ? RmwOp::Xchg : RmwOp::Cmpxchg;
    c.returns_old = true;
    return c;
  }
  if (name == "add_unless" && !suffixed) {
    c.op = RmwOp::AddUnless;
    return c;
  }
  if (name.rfind("fetch_", 0) == 0) {
    const Op* o = find_op(name.substr(6), false);
    if (!o) return std::nullopt;
    c.op = o->op;
    c.implicit_one = o->one;
    c.counter_second = !o->one;
    c.returns_old = true;
    return c;
  }
  if (name.size() > 7 && name.substr(name.size() - 7) == "_return") {
    const Op* o = find_op(name.substr(0, name.size() - 7), true);
    if (!o) return std::nullopt;
    c.op = o->op;
    c.implicit_one = o->one;
    c.counter_second = !o->one;
    return c;
  }
  // atomic_and(i, v) and friends: no value returned, so unordered (LKMM).
  if (const Op* o = find_op(name, false); o && !suffixed && o->op != RmwOp::Add && o->op != RmwOp::Sub) {
    c.op = o->op;
    c.counter_second = true;
    c.order = static_cast<uint8_t>(Order::RelaxedRmw);
    return c;
  }
  return std::nullopt;
}

}  // namespace

const BuiltinInfo& builtin_info(Builtin b) { return kTable[static_cast<size_t>(b)]; }

std::optional<Builtin> find_builtin(std::string_view name) {
  if (auto c = resolve_builtin(name)) return c->id;
  return std::nullopt;
}

std::optional<BuiltinCall> resolve_builtin(std::string_view name) {
  const uint8_t full = static_cast<uint8_t>(Order::FullRmw);
  for (const auto& e : kTable)
    if (e.name == name) {
      // Value-returning atomics are fully ordered (Documentation/atomic_t.txt).
      // The others (atomic_inc, atomic_add...) are relaxed RMWs; spin_lock
      // and the other acquisitions are acquires.
      bool rmw = e.id == B::Cmpxchg || e.id == B::Xchg || e.id == B::AtomicIncReturn ||
                 e.id == B::AtomicDecReturn || e.id == B::AtomicDecAndTest || e.id == B::AtomicIncNotZero;
      bool relaxed = e.id == B::AtomicInc || e.id == B::AtomicDec || e.id == B::AtomicAdd || e.id == B::AtomicSub ||
                     e.id == B::AtomicLongInc || e.id == B::AtomicLongDec || e.id == B::AtomicLongAdd ||
                     e.id == B::AtomicLongSub;
      bool acquire = e.id == B::SpinLock || e.id == B::SpinLockNested || e.id == B::SpinTrylock ||
                     e.id == B::MutexLock || e.id == B::MutexLockNested || e.id == B::MutexTrylock ||
                     e.id == B::DownRead || e.id == B::DownReadNested || e.id == B::DownWrite ||
                     e.id == B::DownReadTrylock || e.id == B::DownWriteTrylock;
      uint8_t o = rmw ? full
                  : relaxed ? static_cast<uint8_t>(Order::RelaxedRmw)
                  : acquire ? static_cast<uint8_t>(Order::Acquire)
                            : uint8_t{0};
      return BuiltinCall{e.id, o};
    }
  for (const auto& a : kAliases)
    if (a.name == name) return BuiltinCall{a.id, static_cast<uint8_t>(a.order)};
  return parse_atomic(name);
}

}  // namespace ptcheck::vm
