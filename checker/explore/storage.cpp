#include "explore/storage.h"

#include <stdexcept>

#include "explore/binio.h"
#include "explore/lossy_store.h"
#include "explore/plain_store.h"
#include "explore/tree_store.h"

namespace ptcheck::explore {

StateShape StateShape::uniform(uint32_t size, uint32_t piece) {
  StateShape s;
  s.size = size;
  for (uint32_t o = 0; o < size; o += piece) s.cuts.push_back(o);
  s.cuts.push_back(size);
  if (s.cuts.size() == 1) s.cuts = {0};
  return s;
}

std::vector<uint32_t> StateShape::layout() const {
  const size_t n = cuts.size() > 1 ? cuts.size() - 1 : 0;
  std::vector<uint32_t> l(n);
  if (order.empty()) {
    for (size_t i = 0; i < n; ++i) l[i] = static_cast<uint32_t>(i);
    return l;
  }
  std::vector<bool> seen(n);
  bool ok = order.size() == n;
  for (size_t k = 0; ok && k < n; ++k) {
    const uint32_t i = order[k];
    ok = i < n && !seen[i];
    if (ok) seen[i] = true;
  }
  if (!ok) throw std::invalid_argument("state shape: the piece order does not list every piece once");
  return order;
}

const char* to_string(StoreKind k) {
  switch (k) {
    case StoreKind::Tree: return "tree";
    case StoreKind::Plain: return "plain";
    case StoreKind::HashCompact: return "hc";
    case StoreKind::Bitstate: return "bitstate";
  }
  return "?";
}

void StateStorage::save_base(std::FILE* f, StateId keep) const {
  put<uint64_t>(f, keep, "parents");
  for (uint64_t id = 0; id < keep; ++id) put<StateId>(f, parents_[id], "parents");
  for (uint64_t id = 0; id < keep; ++id) put<Label>(f, labels_[id], "labels");
}

void StateStorage::load_base(std::FILE* f) {
  const uint64_t keep = get<uint64_t>(f, "parents");
  if (keep >= kUnusedParent) throw CheckpointError("the checkpoint is corrupt (parents)");
  if (keep && (!parents_.ensure(0, keep) || !labels_.ensure(0, keep)))
    throw CheckpointError("out of memory loading parents");
  // A state's parent is an earlier state (breadth-first layers take
  // consecutive ids), so every path back ends at the initial state, id 0.
  for (uint64_t id = 0; id < keep; ++id) {
    const StateId p = parents_[id] = get<StateId>(f, "parents");
    if (p != kUnusedParent && (p == kNoState ? id != 0 : p >= id)) throw CheckpointError("the checkpoint is corrupt (parents)");
  }
  for (uint64_t id = 0; id < keep; ++id) labels_[id] = get<Label>(f, "labels");
  ids_.set_next(keep);
}

std::unique_ptr<StateStorage> make_store(const StateShape& shape, const StoreOptions& opt, MemoryAccount& mem) {
  switch (opt.kind) {
    case StoreKind::Tree: return std::make_unique<TreeStore>(shape, mem);
    case StoreKind::Plain: return std::make_unique<PlainStore>(shape.size, mem);
    case StoreKind::HashCompact: return std::make_unique<HashCompactStore>(shape.size, mem);
    case StoreKind::Bitstate: {
      unsigned log2 = opt.bitstate_log2;
      if (!log2) {  // an eighth of the memory limit, at most 2^32 bits (512 MiB), at least 2^20
        uint64_t budget = mem.limit() ? mem.limit() / 8 : (uint64_t(1) << 29);
        log2 = 20;
        while (log2 < 32 && (uint64_t(1) << (log2 + 1)) / 8 <= budget) ++log2;
      }
      return std::make_unique<BitstateStore>(shape.size, log2, opt.bitstate_hashes, mem);
    }
  }
  throw std::logic_error("make_store: unknown kind");
}

}  // namespace ptcheck::explore
