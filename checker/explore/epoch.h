#pragma once
// Epoch-based reclamation for the lock-free lookups of the store's hash
// indexes: a table replaced by a bigger one may still be read by a thread
// that loaded it before the swap. A thread announces the current epoch before
// a batch of lookups (announce) and nothing between batches (quiesce); a table
// retired at epoch r is freed (try_reclaim) once every thread is quiescent or
// has announced a later epoch. One domain serves every index of a store.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace ptcheck::explore {

class EpochDomain {
 public:
  // ti < threads; threads may be re-set between runs of the explorer.
  void set_threads(unsigned n) {
    announce_ = std::make_unique<Slot[]>(n);
    threads_ = n;
  }
  unsigned threads() const { return threads_; }
  void announce(unsigned ti) {
    if (ti < threads_) announce_[ti].epoch.store(epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  }
  void quiesce(unsigned ti) {
    if (ti < threads_) announce_[ti].epoch.store(0, std::memory_order_release);
  }
  // Hands over a replaced allocation; `free` runs once no reader can hold it.
  void retire(std::function<void()> free) {
    uint64_t r = epoch_.fetch_add(1, std::memory_order_seq_cst);
    std::lock_guard<std::mutex> g(mu_);
    retired_.push_back({std::move(free), r});
  }
  void try_reclaim() {
    std::lock_guard<std::mutex> g(mu_);
    if (retired_.empty()) return;
    uint64_t oldest = ~uint64_t(0);
    for (unsigned i = 0; i < threads_; ++i) {
      uint64_t e = announce_[i].epoch.load(std::memory_order_seq_cst);
      if (e) oldest = std::min(oldest, e);
    }
    size_t kept = 0;
    for (auto& r : retired_) {
      if (r.epoch < oldest) r.free();
      else retired_[kept++] = std::move(r);
    }
    retired_.resize(kept);
  }
  // Frees everything retired. No lookup may be running.
  void reclaim() {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& r : retired_) r.free();
    retired_.clear();
  }
  ~EpochDomain() { reclaim(); }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> epoch{0};  // 0: quiescent
  };
  struct Retired {
    std::function<void()> free;
    uint64_t epoch;
  };
  std::atomic<uint64_t> epoch_{1};
  std::unique_ptr<Slot[]> announce_;
  unsigned threads_ = 0;
  std::mutex mu_;
  std::vector<Retired> retired_;
};

}  // namespace ptcheck::explore
