#pragma once
// The uncompressed store: every state's full bytes in chunks that never move,
// indexed by a hash of the whole vector. The reference the compressed stores
// are measured and tested against (`--store plain`).
#include <algorithm>
#include <vector>

#include "explore/chunk_dir.h"
#include "explore/storage.h"

namespace ptcheck::explore {

class PlainStore final : public StateStorage {
 public:
  PlainStore(uint32_t size, MemoryAccount& mem);
  ~PlainStore() override;
  const char* name() const override { return "plain"; }
  std::unique_ptr<StoreCursor> cursor() override;
  uint64_t bytes() const override;
  void save(std::FILE* f, StateId keep) const override;
  void load(std::FILE* f) override;

 private:
  friend class PlainCursor;
  bool ensure_states(uint64_t first, uint64_t n) override;
  uint8_t* state(StateId id) const { return chunks_.get(id >> shift_) + (id & mask_) * size_; }
  Found insert(const uint8_t* s, IdCursor& ids);

  uint32_t size_;
  // About 1 MiB a chunk, a power of two of states, at least one block of ids.
  unsigned shift_ = chunk_shift(size_);
  uint64_t mask_ = (uint64_t(1) << shift_) - 1;
  size_t chunk_bytes_ = (uint64_t(1) << shift_) * std::max<uint32_t>(size_, 1);
  ChunkDir chunks_;  // a slot for every chunk that 32-bit ids can reach
  ConcurrentIndex index_;
  static unsigned chunk_shift(uint32_t size) {
    unsigned s = 8;
    while ((uint64_t(1) << (s + 1)) * std::max<uint32_t>(size, 1) <= (uint64_t(1) << 20)) ++s;
    return s;
  }
};

}  // namespace ptcheck::explore
