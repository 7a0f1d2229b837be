// The memory-model factory and names (memory_model.h).
#include "vm/memory_model.h"

#include "vm/memory_model_lkmm.h"
#include "vm/memory_model_tso.h"
#include "vm/model.h"

namespace ptcheck::vm {

std::optional<MemoryModelKind> parse_memory_model(std::string_view name) {
  if (name == "sc") return MemoryModelKind::Sc;
  if (name == "tso") return MemoryModelKind::Tso;
  if (name == "lkmm") return MemoryModelKind::Lkmm;
  return std::nullopt;
}

std::string_view memory_model_name(MemoryModelKind k) {
  switch (k) {
    case MemoryModelKind::Sc: return "sc";
    case MemoryModelKind::Tso: return "tso";
    case MemoryModelKind::Lkmm: return "lkmm";
  }
  return "?";
}

std::string_view order_name(Order o) {
  switch (o) {
    case Order::Plain: return "plain";
    case Order::Once: return "once";
    case Order::Acquire: return "acquire";
    case Order::Release: return "release";
    case Order::RelaxedRmw: return "relaxed-rmw";
    case Order::FullRmw: return "mb-rmw";
  }
  return "?";
}

uint32_t memory_model_state_bytes(MemoryModelKind k, uint32_t contexts) {
  switch (k) {
    case MemoryModelKind::Tso:
    case MemoryModelKind::Lkmm: return StoreBufferModel::state_bytes(contexts);
    default: return 0;
  }
}

std::unique_ptr<MemoryModel> make_memory_model(const Model& m) {
  switch (m.memory_model) {
    case MemoryModelKind::Sc: return nullptr;
    case MemoryModelKind::Tso: return std::make_unique<TsoModel>(m);
    case MemoryModelKind::Lkmm: return std::make_unique<LkmmModel>(m);
  }
  return nullptr;
}

}  // namespace ptcheck::vm
