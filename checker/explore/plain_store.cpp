#include "explore/plain_store.h"

#include <algorithm>
#include <cstring>
#include <new>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"
#include "explore/huge_alloc.h"

namespace ptcheck::explore {

PlainStore::PlainStore(uint32_t size, MemoryAccount& mem)
    : StateStorage(mem), size_(size), chunks_(mem, ((uint64_t(1) << 32) >> shift_) + 1), index_(mem, epochs_) {}

PlainStore::~PlainStore() = default;

uint64_t PlainStore::bytes() const { return base_bytes() + chunks_.bytes() + index_.bytes(); }

bool PlainStore::ensure_states(uint64_t first, uint64_t n) {
  for (uint64_t c = first >> shift_; c <= (first + n - 1) >> shift_; ++c)
    if (!chunks_.ensure(c, chunk_bytes_)) return false;
  return true;
}

Found PlainStore::insert(const uint8_t* s, IdCursor& ids) {
  const uint64_t h = XXH3_64bits(s, size_);
  auto eq = [&](uint32_t id) { return std::memcmp(state(id), s, size_) == 0; };
  auto make = [&]() -> uint32_t {
    StateId id = take_state_id(ids);
    if (id != kNoState && size_) std::memcpy(state(id), s, size_);
    return id;
  };
  // A new id block outside the index's lock, as the tree store takes it.
  auto prepare = [&] {
    if (ids.empty()) (void)refill_state_ids(ids);
  };
  Found f;
  auto o = index_.find_or_insert(h, eq, make, prepare, f.id);
  f.is_new = o == ConcurrentIndex::Outcome::New;
  f.full = o == ConcurrentIndex::Outcome::Full;
  return f;
}

class PlainCursor final : public StoreCursor {
 public:
  explicit PlainCursor(PlainStore& st) : st_(st) {}
  const uint8_t* materialize(StateId id) override { return st_.state(id); }
  Found find_or_insert(const uint8_t* s) override { return st_.insert(s, ids_); }
  void new_layer() override { ids_.drop(); }

 private:
  PlainStore& st_;
  IdCursor ids_;
};

std::unique_ptr<StoreCursor> PlainStore::cursor() { return std::make_unique<PlainCursor>(*this); }

void PlainStore::save(std::FILE* f, StateId keep) const {
  put<uint32_t>(f, size_, "plain header");
  put<uint64_t>(f, keep, "states");
  for (uint64_t id = 0; id < keep; ++id) put_bytes(f, state(static_cast<StateId>(id)), size_, "states");
  save_base(f, keep);
}

void PlainStore::load(std::FILE* f) {
  if (get<uint32_t>(f, "plain header") != size_) throw CheckpointError("the checkpoint was written for a different state layout");
  const uint64_t keep = get<uint64_t>(f, "states");
  if (keep >= kNoState) throw CheckpointError("the checkpoint is corrupt (states)");
  if (keep && !ensure_states(0, keep)) throw CheckpointError("out of memory loading states");
  // Unused ids (block tails) were saved as zeros; they are told apart by the
  // parent array (load_base) only, so every saved vector is indexed once.
  for (uint64_t id = 0; id < keep; ++id) get_bytes(f, state(static_cast<StateId>(id)), size_, "states");
  load_base(f);
  if (next_id() != keep) throw CheckpointError("the checkpoint is corrupt (state count)");
  for (uint64_t id = 0; id < keep; ++id) {
    if (parent(static_cast<StateId>(id)) == kUnusedParent) continue;  // an unused id
    const uint8_t* s = state(static_cast<StateId>(id));
    uint32_t found = index_.find(XXH3_64bits(s, size_), [&](uint32_t o) { return std::memcmp(state(o), s, size_) == 0; });
    if (found == kNoId && !index_.insert_unique(XXH3_64bits(s, size_), static_cast<uint32_t>(id)))
      throw CheckpointError("out of memory indexing states");
  }
}

}  // namespace ptcheck::explore
