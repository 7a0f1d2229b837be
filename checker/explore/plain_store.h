#pragma once
// The uncompressed store: every state's full bytes in chunks that never move,
// indexed by a hash of the whole vector. The reference the compressed stores
// are measured and tested against (`--store plain`).
#include <atomic>
#include <mutex>
#include <vector>

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
  uint8_t* state(StateId id) const {
    return dir_[id >> shift_].load(std::memory_order_acquire) + (id & mask_) * size_;
  }
  Found insert(const uint8_t* s, IdCursor& ids);

  uint32_t size_;
  unsigned shift_;
  uint64_t mask_;
  size_t chunk_bytes_;
  std::atomic<uint8_t*>* dir_;  // max_chunks_ slots (alloc_zeroed)
  uint64_t max_chunks_;
  std::mutex mu_;
  uint64_t chunk_total_ = 0;
  uint64_t chunks_end_ = 0;  // one past the highest chunk allocated (under mu_)
  ConcurrentIndex index_;
};

}  // namespace ptcheck::explore
