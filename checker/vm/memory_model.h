#pragma once
// The memory-model seam (docs/memory-model.md). Every shared-memory access of
// the interpreter goes through one path (Machine::read_mem / write_mem); a
// weak model plugs in there. The model keeps its own state (store buffers) in
// the state vector at Model::mm_off, so exploration stays explicit-state and
// deterministic, and adds its own transitions (a buffered store reaching
// memory) to the moves of a state.
//
// Shape after GenMC's ConsistencyChecker factory and CBMC's memory_model_sc /
// memory_model_tso: one class per model (memory_model_<name>.{h,cpp}), made by
// make_memory_model(). Sequential consistency (the default) is the absence of
// a model object: the interpreter's hot path tests one pointer per shared
// access and makes no virtual call under sc.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ptcheck::vm {

struct Model;

enum class MemoryModelKind : uint8_t { Sc, Tso, Lkmm };
std::optional<MemoryModelKind> parse_memory_model(std::string_view name);
std::string_view memory_model_name(MemoryModelKind k);

// The ordering an access carries: Insn::sub of a Load or Store, and of an
// atomic read-modify-write builtin (LKMM's names: tools/memory-model/linux-kernel.def).
enum class Order : uint8_t {
  Plain,       // a C access: no ordering, may tear (the model does not tear)
  Once,        // READ_ONCE / WRITE_ONCE, rcu_dereference, atomic_read / atomic_set
  Acquire,     // smp_load_acquire, *_acquire RMWs
  Release,     // smp_store_release, rcu_assign_pointer, *_release RMWs
  RelaxedRmw,  // xchg_relaxed, atomic_fetch_add_relaxed, ...
  FullRmw,     // xchg, cmpxchg, atomic_*_return: fully ordered
};
std::string_view order_name(Order o);

// The fences of tools/memory-model/linux-kernel.def.
enum class Fence : uint8_t { Mb, Wmb, Rmb, BeforeAtomic, AfterAtomic, AfterSpinlock };

// What a model needs from the interpreter: commit bytes to memory (translate,
// KASAN checks, the recorder), as the context that issued the store.
class MemoryPort {
 public:
  virtual ~MemoryPort() = default;
  // loc: the Model::locs index of the store (for errors and traces).
  virtual bool commit(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, const uint8_t* bytes, uint32_t loc) = 0;
  // A model-limit error: context t's store finds its buffer full.
  virtual bool limit(uint32_t t, uint32_t entries) = 0;
};

// A weak memory model. Called only for accesses outside the issuing context's
// own stack, and only when the target runs under that model.
class MemoryModel {
 public:
  virtual ~MemoryModel() = default;
  virtual MemoryModelKind kind() const = 0;
  // A store of `size` bytes (at most 8) by context t: buffered, or committed.
  virtual bool store(MemoryPort& port, uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t value,
                     Order o, uint32_t loc) = 0;
  // A load by t: `bytes` holds memory's [addr, addr+size); the model overlays
  // what t itself has not yet made visible (store forwarding).
  virtual void forward(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* bytes) const = 0;
  // A fence by t (or the implicit one of a locked instruction: Fence::Mb).
  virtual bool fence(MemoryPort& port, uint8_t* s, uint32_t t, Fence f) = 0;
  // The model's own transitions in s: (context, index) of each buffered
  // store that may reach memory now, contexts ascending.
  virtual void pending(const uint8_t* s, std::vector<std::pair<uint32_t, uint32_t>>& out) const = 0;
  // Performs one: store `index` of context t reaches memory.
  virtual bool propagate(MemoryPort& port, uint8_t* s, uint32_t t, uint32_t index) = 0;
  // The source location of that store.
  virtual uint32_t pending_loc(const uint8_t* s, uint32_t t, uint32_t index) const = 0;
  // Context t has a store to some byte of [addr, addr+size) not yet in memory.
  virtual bool buffered(const uint8_t* s, uint32_t t, uint64_t addr, uint32_t size) const = 0;
  // Lock acquisitions and read-modify-writes are full fences (x86's locked
  // instructions); false: they are ordered as their Order says (lkmm).
  virtual bool rmw_is_fence() const = 0;
  // Nothing is pending in s (every store has reached memory).
  virtual bool quiescent(const uint8_t* s) const = 0;
  // Context t has nothing pending.
  virtual bool quiescent(const uint8_t* s, uint32_t t) const = 0;
  // A line for every result under this model: what it does not produce.
  virtual std::string_view limits() const = 0;
};

// Bytes of state a model keeps for `contexts` schedulable contexts (0 for sc).
uint32_t memory_model_state_bytes(MemoryModelKind k, uint32_t contexts);
// The model object for m (nullptr for sc).
std::unique_ptr<MemoryModel> make_memory_model(const Model& m);

// The move choices that name a model transition (Machine::moves): store
// `index` of the context reaches memory, choice kPropagateChoice + index;
// above any nondet() choice and any RCU callback slot, inside 24 bits.
inline constexpr uint32_t kPropagateChoice = 0xffff00;
inline constexpr bool is_propagate(uint32_t choice) { return choice >= kPropagateChoice && choice <= 0xffffff; }

}  // namespace ptcheck::vm
