// The engine's builtins: allocation and KASAN shadow, locks, RCU, atomics, checks.
// Each mirrors the kernel primitive of the same name at the level the model
// needs; where the engine simplifies, the comment at that case says how.
#include <fmt/format.h>

#include <cstring>

#include "vm/builtins.h"
#include "vm/machine.h"
#include "vm/printk.h"
#include "vm/value_io.h"

namespace ptcheck::vm {

namespace {
uint64_t all_ones(unsigned word) { return word >= 8 ? ~0ull : (1ull << (8 * word)) - 1; }
}  // namespace

bool Machine::check_free_locks(uint8_t* s, uint32_t t, uint64_t lo, uint64_t hi) {
  // lockdep's debug_check_no_locks_freed(): no context may hold a lock inside
  // memory that is being freed.
  for (uint32_t c = 0; c < m_.contexts(); ++c) {
    const ThreadState& th = ts(s, c);
    for (uint32_t i = 0; i < th.nheld; ++i)
      if (th.held[i] >= lo && th.held[i] < hi) {
        err_.addr = th.held[i];
        err_.value = c;
        return fail(ErrorKind::HeldLockFreed, t);
      }
  }
  return true;
}

bool Machine::in_rcu_reader(const ThreadState& th) {
  // Since the RCU flavours were consolidated (v4.20), a grace period waits for
  // rcu_read_lock() sections and for every region with preemption or
  // interrupts disabled, which includes every spinlock critical section on a
  // !PREEMPT_RT kernel (spin_lock() does preempt_disable()).
  if (th.rcu_depth || th.preempt || th.irq_off) return true;
  for (uint32_t i = 0; i < th.nheld; ++i)
    if (held_lock_kind(th, i) == kSpin) return true;
  return false;
}

bool Machine::in_atomic(const ThreadState& th) {
  return in_rcu_reader(th);
}

void Machine::leave_read_section(uint8_t* s, uint32_t t) {
  if (in_rcu_reader(ts(s, t))) return;
  uint32_t bit = ~(1u << t);
  RcuCallback* q = rcu_queue(s);
  for (uint32_t i = 0; i < m_.rcu_capacity; ++i)
    if (q[i].used && (q[i].waiting & ~bit)) {
      q[i].waiting &= bit;
      mark_dirty(s, &q[i], sizeof q[i]);
    }
  for (uint32_t c = 0; c < m_.contexts(); ++c)
    if (ThreadState& o = ts(s, c); o.gp_wait & ~bit) {
      o.gp_wait &= bit;
      mark_dirty(s, &o, sizeof o);
    }
}

void Machine::irqs_enabled_again(uint8_t* s, uint32_t t) {
  // An IPI pending on this CPU is handled now: smp_call_function() callers
  // stop waiting for it.
  uint32_t bit = ~(1u << t);
  for (uint32_t c = 0; c < m_.contexts(); ++c)
    if (ThreadState& o = ts(s, c); o.ipi_wait & ~bit) {
      o.ipi_wait &= bit;
      mark_dirty(s, &o, sizeof o);
    }
  leave_read_section(s, t);
}

Machine::Exec Machine::exec_builtin(uint8_t* s, uint32_t t, const Insn& in, uint32_t choice) {
  auto b = static_cast<Builtin>(in.imm);
  if (in_invariant_) {
    const BuiltinInfo& bi = builtin_info(b);
    const char* why = nullptr;
    switch (bi.in_invariant) {
      case InInvariant::Writes: why = "it would change the state it checks"; break;
      case InInvariant::Waits: why = "an invariant cannot wait: no other context runs while it is evaluated"; break;
      case InInvariant::Chooses: why = "an invariant has one value per state and cannot branch on a choice"; break;
      case InInvariant::Opaque: if (inv_reads_) inv_reads_->opaque = true; break;
      case InInvariant::Noted: break;
    }
    if (why) {
      fail(ErrorKind::ModelError, t, fmt::format("an invariant may not call {}(): {}", bi.name, why));
      return Exec::Error;
    }
  }
  uint8_t* f = frame(s, t);
  const auto& args = m_.arglists[in.aux];
  argv_.resize(args.size());
  for (size_t i = 0; i < args.size(); ++i) argv_[i] = read_value(f + args[i].off, args[i].size, args[i].sign);
  const uint64_t* a = argv_.data();
  ThreadState& th = ts(s, t);
  auto ret = [&](uint64_t v) {
    if (in.a.size) write_value(f + in.a.off, in.a.size, v);
    return Exec::Next;
  };
  auto error = [&](ErrorKind k, const std::string& d = {}) {
    fail(k, t, d);
    return Exec::Error;
  };
  auto chain = [&]() { return call_chain(s, t); };
  const unsigned word = m_.word_size;

  // Locks live in memory; a fault on a lock word of freed memory is its own kind.
  auto lock_word = [&](uint64_t addr, uint32_t size) -> uint8_t* {
    uint8_t* p = translate(s, t, addr, size, true);
    if (!p && err_.kind == ErrorKind::UseAfterFree) err_.kind = ErrorKind::LockFreedMemory;
    return p;
  };
  auto push_held = [&](uint64_t lock, LockKind kind, unsigned sub, bool trylock) {
    if (th.nheld == kMaxHeld) return error(ErrorKind::ModelLimit, "more than 4 locks held at once");
    if (!lock_order(s, t, lock, sub, trylock)) return Exec::Error;
    const unsigned sh = 2 * th.nheld, sh4 = 4 * th.nheld;
    th.held_kind = static_cast<uint8_t>((th.held_kind & ~(3u << sh)) | (unsigned(kind) << sh));
    th.held_sub = static_cast<uint16_t>((th.held_sub & ~(15u << sh4)) | ((sub & 15u) << sh4));
    th.held[th.nheld++] = lock;
    if (rec_) rec_->on_acquire(t, lock, chain());
    return Exec::Next;
  };
  auto pop_held = [&](uint64_t lock) {
    for (uint32_t i = 0; i < th.nheld; ++i)
      if (th.held[i] == lock) {
        for (uint32_t j = i; j + 1 < th.nheld; ++j) th.held[j] = th.held[j + 1];
        unsigned low = th.held_kind & ((1u << (2 * i)) - 1), high = unsigned(th.held_kind) >> (2 * i + 2);
        th.held_kind = static_cast<uint8_t>(low | (high << (2 * i)));
        unsigned slow = th.held_sub & ((1u << (4 * i)) - 1), shigh = unsigned(th.held_sub) >> (4 * i + 4);
        th.held_sub = static_cast<uint16_t>(slow | (shigh << (4 * i)));
        th.held[--th.nheld] = 0;
        return;
      }
  };
  // might_sleep(): a sleeping primitive called where the kernel may not
  // schedule (___might_sleep() in kernel/sched/core.c).
  auto might_sleep = [&](const char* what) -> bool {
    if (!in_atomic(th)) return true;
    std::string why = th.irq_off ? "irqs_disabled(): 1" : "";
    for (uint32_t i = 0; i < th.nheld; ++i)
      if (held_lock_kind(th, i) == kSpin) why += fmt::format("{}a spinlock is held ({:016x})", why.empty() ? "" : ", ", th.held[i]);
    if (th.preempt) why += fmt::format("{}preempt_count: {}", why.empty() ? "" : ", ", th.preempt);
    if (th.rcu_depth) why += fmt::format("{}rcu_read_lock() nesting: {}", why.empty() ? "" : ", ", th.rcu_depth);
    fail(ErrorKind::SleepInAtomic, t, fmt::format("{} may sleep; {}", what, why));
    return false;
  };
  auto slab_region = [&](uint64_t cache) -> const Region* {
    for (const Region& r : m_.regions)
      if (r.kind == RegionKind::Slab && r.base == cache) return &r;
    return nullptr;
  };
  auto mark = [&](const Region& r, uint64_t obj, uint8_t st) {
    s[r.shadow_off + obj] = st;
    mark_dirty(uint64_t(r.shadow_off) + obj, 1);
    if (!rec_) return;
    if (st == kLive) rec_->on_alloc(r, obj, t, chain());
    else rec_->on_free(r, obj, t, chain());
  };
  // Freeing object(s) [first, first+n) of region r, KASAN and lockdep checks first.
  auto free_objects = [&](const Region& r, uint64_t first, uint64_t n, uint64_t addr) -> bool {
    err_ = ErrorInfo{};
    err_.addr = addr;
    err_.region = static_cast<uint32_t>(&r - m_.regions.data());
    err_.obj = first;
    for (uint64_t i = first; i < first + n; ++i) {
      uint8_t st = s[r.shadow_off + i];
      if (st == kFreed) return fail(ErrorKind::DoubleFree, t);
      if (st != kLive) return fail(ErrorKind::InvalidFree, t, "the object was never allocated");
    }
    if (!check_free_locks(s, t, r.base + first * r.stride, r.base + (first + n) * r.stride)) return false;
    if (r.kind == RegionKind::PageData && m_.pages_region != UINT32_MAX) {
      const Region& pr = m_.regions[m_.pages_region];
      if (!check_free_locks(s, t, pr.base + first * pr.stride, pr.base + (first + n) * pr.stride)) return false;
    }
    for (uint64_t i = first; i < first + n; ++i) mark(r, i, kFreed);
    return true;
  };
  auto page_index = [&](uint64_t page, uint64_t& idx) -> bool {
    if (m_.pages_region == UINT32_MAX) return fail(ErrorKind::ModelError, t, "the target has no pages in its heap");
    const Region& pr = m_.regions[m_.pages_region];
    if (page < pr.base || page >= pr.end() || (page - pr.base) % pr.stride) {
      err_ = ErrorInfo{};
      err_.addr = page;
      return fail(ErrorKind::InvalidFree, t, "not a modelled struct page");
    }
    idx = (page - pr.base) / pr.stride;
    return true;
  };

  switch (b) {
    case Builtin::KmemCacheAlloc:
    case Builtin::KmemCacheZalloc: {
      // Lowest free object first, so allocation is deterministic. Contents are
      // left as the previous user left them unless __GFP_ZERO, as in SLUB.
      const Region* r = slab_region(a[0]);
      if (!r) return error(ErrorKind::ModelError, fmt::format("kmem_cache_alloc: {:#x} is not a slab cache", a[0]));
      for (uint64_t i = 0; i < r->count; ++i) {
        if (s[r->shadow_off + i] == kLive) continue;
        mark(*r, i, kLive);
        if (b == Builtin::KmemCacheZalloc || (a[1] & m_.gfp_zero)) {
          std::memset(s + r->state_off + i * r->obj_size, 0, r->obj_size);
          mark_dirty(r->state_off + i * r->obj_size, r->obj_size);
        }
        return ret(r->base + i * r->stride);
      }
      return ret(0);  // the cache is exhausted: allocation fails, as it may in the kernel
    }
    case Builtin::KmemCacheFree: {
      if (a[1] == 0) return Exec::Next;
      const Region* r = m_.find_region(a[1]);
      if (!r || r->kind != RegionKind::Slab || r->base != a[0] || (a[1] - r->base) % r->stride) {
        err_ = ErrorInfo{};
        err_.addr = a[1];
        return error(ErrorKind::InvalidFree, "kmem_cache_free of a pointer that is not an object of that cache");
      }
      return free_objects(*r, (a[1] - r->base) / r->stride, 1, a[1]) ? Exec::Next : Exec::Error;
    }
    case Builtin::AllocPages:
    case Builtin::AllocPage: {
      uint64_t order = b == Builtin::AllocPages ? a[1] : 0;
      if (m_.page_data_region == UINT32_MAX) return error(ErrorKind::ModelError, "the target has no pages in its heap");
      if (order > 10) return error(ErrorKind::ModelError, "alloc_pages: order too large");
      const Region& dr = m_.regions[m_.page_data_region];
      uint64_t n = 1ull << order;
      // Buddy alignment: an order-k block starts at a multiple of 2^k.
      for (uint64_t i = 0; i + n <= dr.count; i += n) {
        bool free = true;
        for (uint64_t j = i; j < i + n; ++j) free = free && s[dr.shadow_off + j] != kLive;
        if (!free) continue;
        for (uint64_t j = i; j < i + n; ++j) {
          mark(dr, j, kLive);
          if (a[0] & m_.gfp_zero) {
            std::memset(s + dr.state_off + j * dr.obj_size, 0, dr.obj_size);
            mark_dirty(dr.state_off + j * dr.obj_size, dr.obj_size);
          }
        }
        const Region& pr = m_.regions[m_.pages_region];
        return ret(pr.base + i * pr.stride);
      }
      return ret(0);
    }
    case Builtin::FreePages:
    case Builtin::FreePage: {
      uint64_t order = b == Builtin::FreePages ? a[1] : 0, idx = 0;
      if (!page_index(a[0], idx)) return Exec::Error;
      const Region& dr = m_.regions[m_.page_data_region];
      if (idx + (1ull << order) > dr.count) return error(ErrorKind::InvalidFree, "block extends past the modelled pages");
      return free_objects(dr, idx, 1ull << order, a[0]) ? Exec::Next : Exec::Error;
    }
    case Builtin::KasanSlabAlloc: {
      const Region* r = m_.find_region(a[1]);
      if (!r || r->kind != RegionKind::Slab) return error(ErrorKind::ModelError, "kasan_slab_alloc: not a slab object");
      mark(*r, (a[1] - r->base) / r->stride, kLive);
      return Exec::Next;
    }
    case Builtin::KasanSlabFree: {
      const Region* r = m_.find_region(a[1]);
      if (!r || r->kind != RegionKind::Slab) return error(ErrorKind::InvalidFree, "kasan_slab_free: not a slab object");
      return free_objects(*r, (a[1] - r->base) / r->stride, 1, a[1]) ? ret(0) : Exec::Error;
    }
    case Builtin::KasanUnpoisonPages:
    case Builtin::KasanPoisonPages: {
      uint64_t idx = 0;
      if (!page_index(a[0], idx)) return Exec::Error;
      const Region& dr = m_.regions[m_.page_data_region];
      uint64_t n = 1ull << std::min<uint64_t>(a[1], 10);
      if (idx + n > dr.count) return error(ErrorKind::ModelError, "block extends past the modelled pages");
      if (b == Builtin::KasanPoisonPages) return free_objects(dr, idx, n, a[0]) ? Exec::Next : Exec::Error;
      for (uint64_t j = idx; j < idx + n; ++j) mark(dr, j, kLive);
      return Exec::Next;
    }
    // Address arithmetic, exactly as the kernel's: no validity checks, so a
    // bogus page yields a bogus address that faults when used.
    case Builtin::PageAddress:
      return ret(m_.direct_map_base + (a[0] - m_.vmemmap_base) / m_.struct_page_size * m_.page_size);
    case Builtin::VirtToPage:
      return ret(m_.vmemmap_base + (a[0] - m_.direct_map_base) / m_.page_size * m_.struct_page_size);
    case Builtin::PageToPfn:
      return ret((a[0] - m_.vmemmap_base) / m_.struct_page_size);
    case Builtin::PfnToPage:
      return ret(m_.vmemmap_base + a[0] * m_.struct_page_size);
    case Builtin::SlabObject: {
      const Region* r = slab_region(a[0]);
      if (!r || a[1] >= r->count) return error(ErrorKind::ModelError, "slab_object: no such object");
      return ret(r->base + a[1] * r->stride);
    }
    case Builtin::FirstObject:
    case Builtin::NextObject: {
      const auto& list = m_.type_regions[in.c.off];
      bool started = b == Builtin::FirstObject;
      if (inv_reads_)  // the iteration reads the shadow bytes of every region of the type
        for (uint32_t ri : list)
          if (m_.regions[ri].shadow_off >= 0) note_inv_read(uint64_t(m_.regions[ri].shadow_off), m_.regions[ri].count);
      for (uint32_t ri : list) {
        const Region& r = m_.regions[ri];
        uint64_t i = 0;
        if (!started) {
          if (a[0] < r.base || a[0] >= r.end()) continue;
          i = (a[0] - r.base) / r.stride + 1;
          started = true;
        }
        for (; i < r.count; ++i)
          if (r.shadow_off < 0 || s[r.shadow_off + i] == kLive) return ret(r.base + i * r.stride);
      }
      return ret(0);
    }
    case Builtin::SpinLockInit: {
      uint8_t* p = lock_word(a[0], 4);
      if (!p) return Exec::Error;
      write_value(p, 4, 0);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], 4, 0);
      return Exec::Next;
    }
    case Builtin::SpinLock:
    case Builtin::SpinLockNested:
    case Builtin::SpinTrylock: {
      uint8_t* p = lock_word(a[0], 4);
      if (!p) return Exec::Error;
      if (read_value(p, 4, false) != 0) {
        if (b == Builtin::SpinTrylock) return ret(0);
        if (held(th, a[0])) {
          err_.addr = a[0];
          return error(ErrorKind::Deadlock, "spinlock recursion: the lock is already held by this context");
        }
        return Exec::Blocked;
      }
      // The qspinlock's locked byte: the word reads 1 while held.
      write_value(p, 4, 1);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], 4, 1);
      Exec e = push_held(a[0], kSpin, b == Builtin::SpinLockNested ? unsigned(a[1]) : 0, b == Builtin::SpinTrylock);
      if (e != Exec::Next) return e;
      return b == Builtin::SpinTrylock ? ret(1) : Exec::Next;
    }
    case Builtin::SpinUnlock: {
      if (!held(th, a[0])) {
        err_ = ErrorInfo{};
        err_.addr = a[0];
        return error(ErrorKind::BadUnlock, "spin_unlock of a lock this context does not hold");
      }
      uint8_t* p = lock_word(a[0], 4);
      if (!p) return Exec::Error;
      write_value(p, 4, 0);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], 4, 0);
      pop_held(a[0]);
      leave_read_section(s, t);
      return Exec::Next;
    }
    case Builtin::SpinIsLocked:
    case Builtin::AssertSpinLocked: {
      uint64_t v = 0;
      if (!load(s, t, a[0], 4, false, v)) return Exec::Error;
      if (b == Builtin::SpinIsLocked) return ret(v != 0);
      if (v == 0) return error(ErrorKind::Bug, "assert_spin_locked: the lock is not held");
      return Exec::Next;
    }
    case Builtin::LockdepAssertHeld:
      if (!held(th, a[0])) {
        err_ = ErrorInfo{};
        err_.addr = a[0];
        if (m_.warn_only) {
          if (rec_) rec_->on_print("WARNING: lockdep_assert_held: lock not held");
          return Exec::Next;
        }
        return error(ErrorKind::Warn, "lockdep_assert_held: this context does not hold the lock");
      }
      return Exec::Next;
    case Builtin::InitRwsem:
      return store(s, t, a[0], word, 0) ? Exec::Next : Exec::Error;
    case Builtin::DownRead:
    case Builtin::DownReadNested:
    case Builtin::DownWrite:
    case Builtin::DownReadTrylock:
    case Builtin::DownWriteTrylock: {
      const bool trylock = b == Builtin::DownReadTrylock || b == Builtin::DownWriteTrylock;
      if (!trylock && !might_sleep(builtin_info(b).name.data())) return Exec::Error;
      uint8_t* p = lock_word(a[0], word);
      if (!p) return Exec::Error;
      uint64_t v = read_value(p, word, false);
      bool writer = b == Builtin::DownWrite || b == Builtin::DownWriteTrylock;
      bool busy = writer ? v != 0 : v == all_ones(word);
      if (busy) {
        if (trylock) return ret(0);
        if (held(th, a[0])) return error(ErrorKind::Deadlock, "rwsem recursion: this context already holds it");
        return Exec::Blocked;
      }
      // The count word: readers add one, a writer sets all ones.
      uint64_t nv = writer ? all_ones(word) : v + 1;
      write_value(p, word, nv);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], word, nv);
      Exec e = push_held(a[0], writer ? kRwsemWrite : kRwsemRead, b == Builtin::DownReadNested ? unsigned(a[1]) : 0,
                         trylock);
      if (e != Exec::Next) return e;
      return trylock ? ret(1) : Exec::Next;
    }
    case Builtin::UpRead:
    case Builtin::UpWrite: {
      bool reader = false;
      if (!held(th, a[0], &reader) || reader != (b == Builtin::UpRead)) {
        err_ = ErrorInfo{};
        err_.addr = a[0];
        return error(ErrorKind::BadUnlock, "release of an rwsem this context does not hold in that mode");
      }
      uint8_t* p = lock_word(a[0], word);
      if (!p) return Exec::Error;
      uint64_t nv = b == Builtin::UpRead ? read_value(p, word, false) - 1 : 0;
      write_value(p, word, nv);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], word, nv);
      pop_held(a[0]);
      return Exec::Next;
    }
    case Builtin::MutexInit:
      return store(s, t, a[0], word, 0) ? Exec::Next : Exec::Error;
    case Builtin::MutexLock:
    case Builtin::MutexLockNested:
    case Builtin::MutexTrylock: {
      // struct mutex's owner word: 0 when free. The kernel stores the owning
      // task_struct pointer there; the model stores the context number + 1.
      if (b != Builtin::MutexTrylock && !might_sleep("mutex_lock")) return Exec::Error;
      uint8_t* p = lock_word(a[0], word);
      if (!p) return Exec::Error;
      if (read_value(p, word, false) != 0) {
        if (b == Builtin::MutexTrylock) return ret(0);
        if (held(th, a[0])) return error(ErrorKind::Deadlock, "mutex recursion: this context already holds it");
        return Exec::Blocked;
      }
      write_value(p, word, t + 1);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], word, t + 1);
      Exec e = push_held(a[0], kMutex, b == Builtin::MutexLockNested ? unsigned(a[1]) : 0, b == Builtin::MutexTrylock);
      if (e != Exec::Next) return e;
      return b == Builtin::MutexTrylock ? ret(1) : Exec::Next;
    }
    case Builtin::MutexUnlock: {
      if (!held(th, a[0])) {
        err_ = ErrorInfo{};
        err_.addr = a[0];
        return error(ErrorKind::BadUnlock, "mutex_unlock of a mutex this context does not hold");
      }
      uint8_t* p = lock_word(a[0], word);
      if (!p) return Exec::Error;
      write_value(p, word, 0);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], word, 0);
      pop_held(a[0]);
      return Exec::Next;
    }
    case Builtin::MutexIsLocked: {
      uint64_t v = 0;
      if (!load(s, t, a[0], word, false, v)) return Exec::Error;
      return ret(v != 0);
    }
    case Builtin::LocalIrqDisable:
      if (rec_ && !th.irq_off) rec_->on_acquire(t, kSiteIrqOff, chain());
      th.irq_off = 1;
      return Exec::Next;
    case Builtin::LocalIrqEnable:
      th.irq_off = 0;
      irqs_enabled_again(s, t);
      return Exec::Next;
    case Builtin::LocalIrqSave: {
      // The saved flags: 1 when interrupts were enabled (x86's EFLAGS.IF, an
      // arm64 DAIF mask or a powerpc MSR_EE reduced to one bit).
      uint64_t flags = th.irq_off ? 0 : 1;
      if (rec_ && !th.irq_off) rec_->on_acquire(t, kSiteIrqOff, chain());
      th.irq_off = 1;
      return ret(flags);
    }
    case Builtin::LocalIrqRestore:
      th.irq_off = a[0] ? 0 : 1;
      if (!th.irq_off) irqs_enabled_again(s, t);
      return Exec::Next;
    case Builtin::IrqsDisabled:
      return ret(th.irq_off);
    case Builtin::PreemptDisable:
      if (th.preempt == 255) return error(ErrorKind::ModelLimit, "preempt_disable nested 255 deep");
      if (rec_ && !th.preempt) rec_->on_acquire(t, kSitePreempt, chain());
      ++th.preempt;
      return Exec::Next;
    case Builtin::PreemptEnable:
      if (th.preempt == 0) return error(ErrorKind::Warn, "preempt_enable() with preempt_count 0 (preempt count underflow)");
      --th.preempt;
      leave_read_section(s, t);
      return Exec::Next;
    case Builtin::SmpCallFunction: {
      // smp_call_function(func, info, wait) (kernel/smp.c): an IPI to every
      // other CPU. A CPU with interrupts disabled takes it only when it enables
      // them, so with wait the caller blocks until then (the second,
      // blocking step). Simplification: func is not run; the model's IPI
      // handlers (tlb_remove_table_smp_sync) are empty.
      if (th.irq_off && a[2])
        return error(ErrorKind::Warn, "smp_call_function_many_cond: WARN_ON_ONCE(cpu_online(this_cpu) && irqs_disabled())");
      uint32_t waiting = 0;
      if (a[2])
        for (uint32_t c = 0; c < m_.contexts(); ++c)
          if (c != t && ts(s, c).irq_off) waiting |= 1u << c;
      th.ipi_wait = waiting;
      return Exec::Next;
    }
    case Builtin::SmpCallFunctionWait:
      return th.ipi_wait ? Exec::Blocked : Exec::Next;
    case Builtin::PrAlertBug:
      // pr_alert("BUG: ...") of a check that does not stop the kernel (check_mm()):
      // the model treats it as a violation, reported in the kernel's words.
      return error(ErrorKind::Alert, format_printk(m_.strings[in.c.off], argv_.data() + 1, argv_.size() - 1, m_));
    case Builtin::BadPage:
      // mm/page_alloc.c bad_page(): "BUG: Bad page state", the page dumped with the reason.
      err_ = ErrorInfo{};
      err_.value = a[0];
      return error(ErrorKind::BadPage, m_.strings[in.c.off]);
    case Builtin::RcuReadLock:
      if (th.rcu_depth == 255) return error(ErrorKind::ModelLimit, "rcu_read_lock nested 255 deep");
      if (rec_ && !th.rcu_depth) rec_->on_acquire(t, kSiteRcu, chain());
      ++th.rcu_depth;
      return Exec::Next;
    case Builtin::RcuReadUnlock:
      if (th.rcu_depth == 0) return error(ErrorKind::BadUnlock, "rcu_read_unlock without rcu_read_lock");
      if (--th.rcu_depth == 0) leave_read_section(s, t);
      return Exec::Next;
    case Builtin::CallRcu: {
      // __call_rcu_common(): head->func = func; head->next = NULL; then the
      // callback is linked after this CPU's last pending one (rcu_segcblist).
      uint64_t head = a[0];
      if (!store(s, t, head + word, word, a[1])) return Exec::Error;
      if (!store(s, t, head, word, 0)) return Exec::Error;
      RcuCallback* q = rcu_queue(s);
      uint32_t n = 0;
      int32_t last_same = -1;
      while (n < m_.rcu_capacity && q[n].used) {
        if (q[n].thread == t) last_same = static_cast<int32_t>(n);
        ++n;
      }
      if (n == m_.rcu_capacity)
        return error(ErrorKind::ModelLimit, fmt::format("more than {} RCU callbacks pending", m_.rcu_capacity));
      if (last_same >= 0 && !store(s, t, q[last_same].head, word, head)) return Exec::Error;
      uint32_t waiting = 0;
      for (uint32_t c = 0; c < m_.contexts(); ++c)
        if (in_rcu_reader(ts(s, c))) waiting |= 1u << c;
      q[n] = RcuCallback{head, waiting, static_cast<uint8_t>(t), 1, 0};
      mark_dirty(s, &q[n], sizeof q[n]);
      return Exec::Next;
    }
    case Builtin::SynchronizeRcu: {
      if (th.rcu_depth && !th.preempt && !th.irq_off && th.nheld == 0)
        return error(ErrorKind::Deadlock, "synchronize_rcu() inside an RCU read-side critical section");
      if (!might_sleep("synchronize_rcu")) return Exec::Error;
      uint32_t waiting = 0;
      for (uint32_t c = 0; c < m_.contexts(); ++c)
        if (c != t && in_rcu_reader(ts(s, c))) waiting |= 1u << c;
      th.gp_wait = waiting;
      return Exec::Next;
    }
    case Builtin::SynchronizeRcuWait:
      return th.gp_wait ? Exec::Blocked : Exec::Next;
    case Builtin::AtomicRead:
    case Builtin::AtomicLongRead: {
      uint32_t size = b == Builtin::AtomicRead ? 4 : word;
      uint64_t v = 0;
      if (!load(s, t, a[0], size, true, v)) return Exec::Error;
      return ret(v);
    }
    case Builtin::AtomicSet:
    case Builtin::AtomicLongSet:
      return store(s, t, a[0], b == Builtin::AtomicSet ? 4 : word, a[1]) ? Exec::Next : Exec::Error;
    case Builtin::AtomicInc: case Builtin::AtomicDec: case Builtin::AtomicAdd: case Builtin::AtomicSub:
    case Builtin::AtomicIncReturn: case Builtin::AtomicDecReturn: case Builtin::AtomicDecAndTest:
    case Builtin::AtomicIncNotZero: case Builtin::AtomicLongInc: case Builtin::AtomicLongDec:
    case Builtin::AtomicLongAdd: case Builtin::AtomicLongSub: {
      bool is_long = b == Builtin::AtomicLongInc || b == Builtin::AtomicLongDec || b == Builtin::AtomicLongAdd ||
                     b == Builtin::AtomicLongSub;
      uint32_t size = is_long ? word : 4;
      // atomic_add(i, v) and atomic_sub(i, v) take the counter second.
      bool counter_second = b == Builtin::AtomicAdd || b == Builtin::AtomicSub || b == Builtin::AtomicLongAdd ||
                            b == Builtin::AtomicLongSub;
      uint64_t addr = counter_second ? a[1] : a[0];
      uint64_t v = 0;
      if (!load(s, t, addr, size, true, v)) return Exec::Error;
      int64_t delta = 0;
      switch (b) {
        case Builtin::AtomicInc: case Builtin::AtomicIncReturn: case Builtin::AtomicLongInc: delta = 1; break;
        case Builtin::AtomicDec: case Builtin::AtomicDecReturn: case Builtin::AtomicDecAndTest:
        case Builtin::AtomicLongDec: delta = -1; break;
        case Builtin::AtomicAdd: case Builtin::AtomicLongAdd: delta = static_cast<int64_t>(a[0]); break;
        case Builtin::AtomicSub: case Builtin::AtomicLongSub: delta = -static_cast<int64_t>(a[0]); break;
        case Builtin::AtomicIncNotZero: delta = v != 0; break;
        default: break;
      }
      uint64_t nv = truncate_value(v + static_cast<uint64_t>(delta), size, true);
      if (delta && !store(s, t, addr, size, nv)) return Exec::Error;
      if (b == Builtin::AtomicDecAndTest) return ret(nv == 0);
      if (b == Builtin::AtomicIncNotZero) return ret(v != 0);
      return ret(nv);
    }
    case Builtin::Cmpxchg:
    case Builtin::Xchg: {
      uint32_t size = in.c.size ? in.c.size : word;
      uint64_t old = 0;
      if (!load(s, t, a[0], size, in.c.sign, old)) return Exec::Error;
      uint64_t nv = b == Builtin::Xchg ? a[1] : a[2];
      bool swap = b == Builtin::Xchg || old == truncate_value(a[1], size, in.c.sign);
      if (swap && !store(s, t, a[0], size, nv, static_cast<Order>(in.sub))) return Exec::Error;
      return ret(old);
    }
    case Builtin::Memset:
    case Builtin::Memcpy: {
      // One step for the whole range (the kernel's are not atomic; models that
      // care use a loop of stores).
      uint64_t n = a[2];
      if (n == 0) return ret(a[0]);
      if (n > (1u << 20)) return error(ErrorKind::ModelError, "memset/memcpy larger than 1 MiB");
      std::vector<uint8_t> src(n, static_cast<uint8_t>(a[1]));
      if (b == Builtin::Memcpy) {
        uint8_t* sp = translate(s, t, a[1], static_cast<uint32_t>(n), false);
        if (!sp) return Exec::Error;
        std::memcpy(src.data(), sp, n);
      }
      for (uint64_t o = 0; o < n; o += 8) {
        uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(8, n - o));
        if (!store(s, t, a[0] + o, chunk, read_value(src.data() + o, chunk, false))) return Exec::Error;
      }
      return ret(a[0]);
    }
    case Builtin::BugOn:
      if (a[0]) return error(ErrorKind::Bug, m_.strings[in.c.off]);
      return Exec::Next;
    case Builtin::Bug:
      return error(ErrorKind::Bug, "BUG()");
    case Builtin::VmBugOn:
    case Builtin::VmBugOnPage:
      if (m_.debug_vm && a[0]) {
        err_ = ErrorInfo{};
        if (b == Builtin::VmBugOnPage) err_.value = a[1];
        return error(ErrorKind::VmBug, m_.strings[in.c.off]);
      }
      return Exec::Next;
    case Builtin::VmWarnOn:
    case Builtin::WarnOn:
    case Builtin::WarnOnOnce: {
      bool on = a[0] && (b != Builtin::VmWarnOn || m_.debug_vm);
      if (on) {
        if (!m_.warn_only) return error(ErrorKind::Warn, m_.strings[in.c.off]);
        if (rec_) rec_->on_print("WARNING: " + m_.strings[in.c.off]);
      }
      return ret(a[0] != 0);
    }
    case Builtin::TraceNote:
      if (rec_) rec_->on_note(t, m_.strings[in.c.off], std::vector<uint64_t>(argv_.begin() + 1, argv_.end()), chain());
      return Exec::Next;
    case Builtin::Printk:
      if (rec_) rec_->on_print(format_printk(m_.strings[in.c.off], argv_.data() + 1, argv_.size() - 1, m_));
      return ret(0);
    case Builtin::Nondet:
      if (a[0] == 0) return error(ErrorKind::ModelError, "nondet(0): no value to choose");
      if (a[0] > kMaxNondetChoices)
        return error(ErrorKind::ModelLimit, fmt::format("nondet({}): at most {} choices (model limit)", a[0],
                                                        kMaxNondetChoices));
      return ret(choice);
    case Builtin::Likely:
    case Builtin::Unlikely:
      return ret(a[0]);
    case Builtin::Barrier:
      // barrier(): a compiler barrier. The model has no compiler reordering.
      return Exec::Next;
    case Builtin::SmpMb: case Builtin::SmpWmb: case Builtin::SmpRmb: case Builtin::SmpMbBeforeAtomic:
    case Builtin::SmpMbAfterAtomic: case Builtin::SmpMbAfterSpinlock:
      // Under sc every step is globally ordered: fences order nothing more.
      // A weak model handles them in exec_builtin_weak().
      return Exec::Next;
    case Builtin::AtomicRmw:
    case Builtin::AtomicLongRmw:
      return exec_atomic_rmw(s, t, in, a);
    case Builtin::SrcuReadLock:
    case Builtin::SrcuReadUnlock:
      return exec_srcu_read(s, t, in, a);
    case Builtin::SynchronizeSrcu: {
      uint64_t mask = 0;
      if (!load(s, t, a[0], 4, false, mask)) return Exec::Error;
      if (mask & (uint64_t{1} << t))
        return error(ErrorKind::Deadlock, "synchronize_srcu() inside a read-side section of the same srcu_struct");
      if (!might_sleep("synchronize_srcu")) return Exec::Error;
      th.srcu_wait = static_cast<uint32_t>(mask & ~(uint64_t{1} << t));
      return Exec::Next;
    }
    case Builtin::SynchronizeSrcuWait:
      return th.srcu_wait ? Exec::Blocked : Exec::Next;
    case Builtin::RcuBarrier:
      if (!might_sleep("rcu_barrier")) return Exec::Error;
      return Exec::Next;
    case Builtin::Assume:
      return exec_assume(s, t, a[0]);
    case Builtin::FinalWait:
      return Exec::Next;
    case Builtin::DowngradeWrite: {
      // kernel/locking/rwsem.c downgrade_write(): the writer becomes the one
      // reader with no window for another writer; waiting readers may enter.
      bool reader = false;
      if (!held(th, a[0], &reader) || reader) {
        err_ = ErrorInfo{};
        err_.addr = a[0];
        return error(ErrorKind::BadUnlock, "downgrade_write of an rwsem this context does not hold for write");
      }
      uint8_t* p = lock_word(a[0], word);
      if (!p) return Exec::Error;
      write_value(p, word, 1);
      if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, a[0], word, 1);
      for (uint32_t i = 0; i < th.nheld; ++i)
        if (th.held[i] == a[0]) {
          const unsigned sh = 2 * i;
          th.held_kind = static_cast<uint8_t>((th.held_kind & ~(3u << sh)) | (unsigned(kRwsemRead) << sh));
        }
      return Exec::Next;
    }
    case Builtin::Count:
      break;
  }
  return error(ErrorKind::ModelError, "unknown builtin");
}

}  // namespace ptcheck::vm
