#pragma once
// The error kinds the interpreter detects, with the names users write in
// `expect violation KIND;`, and the raw facts of one error. Reports in the
// kernel's words are produced from these facts by driver/report.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptcheck::vm {

enum class ErrorKind : uint8_t {
  UseAfterFree,    // KASAN use-after-free
  OutOfBounds,     // KASAN out-of-bounds (slab, global, stack, unallocated object)
  PageFault,       // NULL or wild pointer, non-canonical address
  DoubleFree,      // KASAN double-free
  InvalidFree,     // freeing a pointer that is not the start of an allocated object
  HeldLockFreed,   // lockdep: held lock freed
  LockFreedMemory, // locking a lock inside freed memory
  BadUnlock,       // lockdep: bad unlock balance
  BadCall,         // call through a word that is not a function address
  Deadlock,        // no context can move, or a lock taken recursively
  Bug,             // BUG_ON / BUG
  VmBug,           // VM_BUG_ON / VM_BUG_ON_PAGE (CONFIG_DEBUG_VM)
  Warn,            // WARN_ON / VM_WARN_ON (a violation unless the target says warn_only)
  Invariant,       // a target invariant returned false
  Leak,            // an object still allocated when every context has finished (kmemleak)
  SleepInAtomic,   // a sleeping primitive with preemption or interrupts off, a spinlock or RCU held
  ModelLimit,      // a bound of the target was exceeded (lock depth, RCU queue, page window)
  ModelError,      // the model itself misbehaved (division by zero, unbounded local loop)
  BadPage,         // bad_page(): a page freed in a state the allocator rejects ("BUG: Bad page state")
  Alert,           // pr_alert_bug(): a consistency check printed "BUG: ..." and carried on (check_mm)
  Livelock,        // a reachable state from which no context that has not finished can ever finish
  LockHeldAtExit,  // lockdep_sys_exit(): a context finished holding a spinlock, rwsem or mutex
  RcuHeldAtExit,   // a context finished inside rcu_read_lock() (lockdep lists rcu_read_lock as held)
  AtomicAtExit,    // do_exit(): a context finished with interrupts or preemption disabled
  CircularLocking, // lockdep: two lock classes taken in both orders somewhere in the explored space
  RecursiveLocking,// lockdep: a lock taken while a lock of the same class and subclass is held
  Liveness,        // an always_eventually property fails on a weakly fair run (a lasso, or a run's end)
  Count
};

std::string_view kind_name(ErrorKind k);
std::optional<ErrorKind> kind_from_name(std::string_view name);
std::vector<std::string_view> all_kind_names();

struct ErrorInfo {
  ErrorKind kind = ErrorKind::ModelError;
  uint32_t context = 0;   // which thread (or the RCU context)
  uint32_t loc = 0;       // Program location where it fired
  uint64_t addr = 0;      // faulting / freed / lock address
  uint32_t size = 0;      // access size
  bool write = false;
  uint64_t value = 0;     // extra value (e.g. the page for VM_BUG_ON_PAGE, a non-function word)
  uint32_t region = UINT32_MAX;  // the object involved, when there is one
  uint64_t obj = 0;
  // A stack access outside every object: the function whose frame holds the
  // address (UINT32_MAX: no live frame does) and the offset from its start.
  uint32_t frame_func = UINT32_MAX;
  uint32_t frame_off = 0;
  const char* ubsan = nullptr;  // a ModelError that UBSAN reports: its check ("shift-out-of-bounds")
  std::string detail;     // condition text or a short explanation
};

}  // namespace ptcheck::vm
