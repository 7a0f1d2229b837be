#include "explore/state_store.h"

#include <cstdlib>
#include <new>

#include "explore/huge_alloc.h"

namespace ptcheck::explore {

namespace {
constexpr uint64_t kMaxChunks = uint64_t(1) << 16;
constexpr size_t kTargetChunkBytes = size_t(4) << 20;
}  // namespace

StateStore::StateStore(size_t state_size, MemoryAccount& mem) : size_(state_size), mem_(mem) {
  size_t entry = state_size + sizeof(uint64_t) + sizeof(Label);
  shift_ = 12;  // at least 4096 states a chunk (a multiple of kBlock)
  while ((size_t(1) << shift_) * entry < kTargetChunkBytes) ++shift_;
  uint64_t per_chunk = uint64_t(1) << shift_;
  mask_ = per_chunk - 1;
  // per_chunk is a multiple of 8, so both arrays below stay aligned.
  parents_off_ = per_chunk * state_size;
  labels_off_ = parents_off_ + per_chunk * sizeof(uint64_t);
  chunk_bytes_ = labels_off_ + per_chunk * sizeof(Label);
  max_chunks_ = kMaxChunks;
  dir_ = std::make_unique<std::atomic<uint8_t*>[]>(max_chunks_);
  for (uint64_t i = 0; i < max_chunks_; ++i) dir_[i].store(nullptr, std::memory_order_relaxed);
  uint64_t dir_bytes = max_chunks_ * sizeof(std::atomic<uint8_t*>);
  bytes_.store(dir_bytes, std::memory_order_relaxed);
  mem_.add(static_cast<int64_t>(dir_bytes));
}

StateStore::~StateStore() {
  for (uint64_t i = 0; i < max_chunks_; ++i) free_zeroed(dir_[i].load(std::memory_order_relaxed), chunk_bytes_);
}

uint64_t StateStore::reserve_block() {
  uint64_t first = next_.fetch_add(kBlock, std::memory_order_relaxed);
  uint64_t c = first >> shift_;
  if (c >= max_chunks_) {
    mem_.mark_exceeded();
    return kNoId;
  }
  if (dir_[c].load(std::memory_order_acquire) == nullptr) {
    std::lock_guard<std::mutex> g(alloc_mu_);
    if (dir_[c].load(std::memory_order_relaxed) == nullptr) {
      if (!mem_.try_add(chunk_bytes_)) return kNoId;
      auto* p = static_cast<uint8_t*>(alloc_zeroed(chunk_bytes_));
      if (!p) {
        mem_.mark_exceeded();
        return kNoId;
      }
      bytes_.fetch_add(chunk_bytes_, std::memory_order_relaxed);
      dir_[c].store(p, std::memory_order_release);
    }
  }
  return first;
}

}  // namespace ptcheck::explore
