#pragma once
// A compiled, instantiated target: code, memory regions at their synthetic kernel
// addresses, threads, and the layout of the fixed-size state vector.
//
// State vector layout (every offset a multiple of 8):
//   [ThreadState x (threads + 1)]   the threads, then the RCU callback context
//   [RcuCallback x rcu_capacity]    queued callbacks, oldest first
//   [region bytes]                  every non-scratch region's objects, packed
//   [shadow bytes]                  one ShadowStatus per tracked object
//   [memory-model bytes]            a weak model's own state (store buffers), per context
// Past state_size, in every working buffer but never in stored states: the
// invariant context's ThreadState and stack, scratch space for evaluating
// invariants (buffers are work_size bytes).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vm/memory_model.h"
#include "vm/program.h"

namespace ptcheck {
class SourceManager;
}

namespace ptcheck::vm {

enum class RegionKind : uint8_t { Pages, PageData, Slab, Global, Stack };

struct Region {
  RegionKind kind = RegionKind::Global;
  std::string name;        // how traces name its objects: "page", "data", a cache or global name
  uint64_t base = 0;       // object i lives at base + i * stride
  uint64_t stride = 0;
  uint64_t count = 0;
  uint64_t obj_size = 0;   // bytes of each object kept in the state (<= stride)
  uint32_t state_off = 0;  // object i's bytes at state_off + i * obj_size
  int32_t shadow_off = -1; // >= 0: object i's ShadowStatus at shadow_off + i
  const sema::Type* type = nullptr;  // object type (for iteration and field names)
  uint32_t thread = UINT32_MAX;      // Stack: the owning context
  // Pages: struct ptdesc, the overlay whose ptl names page-table locks (vm/lock_class.cpp).
  const sema::Type* overlay = nullptr;
  uint64_t end() const { return base + stride * count; }
};

enum ShadowStatus : uint8_t { kNeverAllocated = 0, kLive = 1, kFreed = 2 };

inline constexpr uint32_t kMaxHeld = 4;

// Per-context scheduling state, stored at the front of the state vector.
struct ThreadState {
  uint32_t func;     // current function id; UINT32_MAX when idle or finished
  uint32_t pc;
  uint32_t fp;       // frame offset (just past its header) inside the stack region
  uint8_t status;    // ThreadStatus
  uint8_t rcu_depth; // rcu_read_lock nesting
  uint8_t nheld;     // entries used in held[]
  uint8_t held_kind; // 2 bits per held[i]: its LockKind
  uint32_t gp_wait;  // synchronize_rcu: contexts still inside the read sections it waits for
  uint32_t ipi_wait; // smp_call_function(wait): contexts with interrupts off it still waits for
  uint8_t preempt;   // preempt_disable() nesting (held spinlocks are counted by held[])
  uint8_t irq_off;   // 1 while local interrupts are disabled
  uint16_t held_sub; // 4 bits per held[i]: the lockdep subclass it was taken with (*_nested)
  uint32_t srcu_wait; // synchronize_srcu: contexts still inside read sections of its srcu_struct
  uint64_t held[kMaxHeld];  // addresses of held locks, in acquisition order
};
static_assert(sizeof(ThreadState) == 64);

// What a held[] entry is: a spinlock disables preemption (so it is an RCU
// read-side section, as on a !PREEMPT_RT kernel); the others may sleep.
enum LockKind : uint8_t { kSpin = 0, kRwsemRead = 1, kRwsemWrite = 2, kMutex = 3 };
inline LockKind held_lock_kind(const ThreadState& th, uint32_t i) {
  return static_cast<LockKind>((th.held_kind >> (2 * i)) & 3);
}
inline unsigned held_subclass(const ThreadState& th, uint32_t i) { return (th.held_sub >> (4 * i)) & 15; }

// kDiscarded: the context's assume() failed; the state ends its path without a
// violation (vm/machine_final.cpp).
enum ThreadStatus : uint8_t { kRunning = 0, kDone = 1, kIdle = 2, kDiscarded = 3 };

struct RcuCallback {
  uint64_t head;     // address of the rcu_head (next at +0, func at +word)
  uint32_t waiting;  // contexts that were in a read-side section at queue time and have not left it
  uint8_t thread;    // the context that queued it (callbacks of one context run in order)
  uint8_t used;
  uint16_t pad;
};
static_assert(sizeof(RcuCallback) == 16);

struct ThreadSpec {
  std::string name;
  uint32_t entry = 0;        // function id of the thread body
  uint32_t stack_region = 0; // index into Model::regions
};

struct Model {
  // code
  std::vector<Function> funcs;
  std::vector<Location> locs;
  std::vector<std::vector<Operand>> arglists;
  std::vector<std::string> strings;  // string literals: printk formats, check conditions
  // first_object()/next_object(): region indices per element-type list (Insn.c.off).
  std::vector<std::vector<uint32_t>> type_regions;
  // memory
  std::vector<Region> regions;  // sorted by base
  uint64_t text_base = 0, func_stride = 64;
  uint64_t page_size = 4096, pfn_base = 0;
  uint64_t vmemmap_base = 0, direct_map_base = 0, struct_page_size = 64;
  uint32_t pages_region = UINT32_MAX, page_data_region = UINT32_MAX;
  unsigned word_size = 8;
  // contexts
  std::vector<ThreadSpec> threads;  // the RCU callback context is index threads.size()
  uint32_t rcu_stack_region = 0;
  uint32_t init_func = UINT32_MAX;
  std::vector<std::pair<std::string, uint32_t>> invariants;  // name, function id
  // always_eventually: liveness properties GF P under weak fairness
  // (explore/fair_cycle.h); name, function id (no parameters, a truth value).
  std::vector<std::pair<std::string, uint32_t>> progress;
  uint32_t invariant_stack_region = UINT32_MAX;
  std::vector<uint32_t> stack_of_context;  // region index of each context's stack
  std::vector<uint32_t> leak_regions;      // objects still live here at the end are leaks
  // state layout
  uint32_t state_size = 0, threads_off = 0, rcu_off = 0, rcu_capacity = 4;
  std::vector<uint8_t> initial_image;  // state bytes before init runs (global initializers)
  uint32_t work_size = 0;    // state_size plus the invariant scratch tail
  // Bytes of a working buffer for one state: work_size and one word of slack,
  // so a word access at the last bytes of the work area stays inside it.
  static constexpr uint32_t kBufferSlack = 8;
  uint32_t buffer_size() const { return work_size + kBufferSlack; }
  uint32_t inv_ts_off = 0;   // the invariant context's ThreadState (in the tail)
  // semantics switches
  bool debug_vm = true;     // CONFIG_DEBUG_VM: VM_BUG_ON* are checked
  bool warn_only = false;   // WARN_ON is reported but not a violation
  uint64_t gfp_zero = 0x100;
  // The memory model the target runs under (vm/memory_model.h) and where its
  // state lives: mm_bytes bytes at mm_off (0 for sc).
  MemoryModelKind memory_model = MemoryModelKind::Sc;
  uint32_t mm_off = 0, mm_bytes = 0;
  const SourceManager* sm = nullptr;

  // Schedulable contexts: the threads and the RCU callback context.
  uint32_t contexts() const { return static_cast<uint32_t>(threads.size()) + 1; }
  uint32_t rcu_context() const { return static_cast<uint32_t>(threads.size()); }
  uint32_t invariant_context() const { return static_cast<uint32_t>(threads.size()) + 1; }
  const std::string& context_name(uint32_t t) const;
  // The region holding addr, or nullptr.
  const Region* find_region(uint64_t addr) const;
  // The function whose text address is addr, or nullptr.
  const Function* function_at(uint64_t addr) const;
};

}  // namespace ptcheck::vm
