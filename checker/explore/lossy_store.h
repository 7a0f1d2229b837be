#pragma once
// The lossy stores, for the depth-first search only and only when asked for:
// they keep no state bytes, so a state wrongly taken for visited (a hash
// collision) is silently not explored. Every result they take part in says
// so, with SPIN-style estimates of the chance that states were missed.
//   hc        hash compaction: a 64-bit fingerprint per state in an open
//             addressing table (Wolper and Leroy).
//   bitstate  Holzmann's supertrace: k bits set per state in a bit array of
//             2^log2 bits.
// Single-threaded: each depth-first worker owns its store.
#include <vector>

#include "explore/storage.h"

namespace ptcheck::explore {

class HashCompactStore final : public StateStorage {
 public:
  HashCompactStore(uint32_t size, MemoryAccount& mem);
  const char* name() const override { return "hc"; }
  bool lossless() const override { return false; }
  std::unique_ptr<StoreCursor> cursor() override;
  uint64_t bytes() const override { return table_.capacity() * sizeof(uint64_t); }
  double omission_probability(uint64_t stored) const override;
  std::string lossy_summary(uint64_t stored) const override;
  void save(std::FILE* f, StateId keep) const override;
  void load(std::FILE* f) override;
  // True when the fingerprint was not present (and is now).
  bool insert(const uint8_t* s, bool& full);

 private:
  bool ensure_states(uint64_t, uint64_t) override { return true; }
  bool grow();
  uint32_t size_;
  std::vector<uint64_t> table_;
  uint64_t count_ = 0;
};

class BitstateStore final : public StateStorage {
 public:
  BitstateStore(uint32_t size, unsigned log2_bits, unsigned hashes, MemoryAccount& mem);
  ~BitstateStore() override;
  const char* name() const override { return "bitstate"; }
  bool lossless() const override { return false; }
  std::unique_ptr<StoreCursor> cursor() override;
  uint64_t bytes() const override { return bits_.size() * sizeof(uint64_t); }
  double omission_probability(uint64_t stored) const override;
  std::string lossy_summary(uint64_t stored) const override;
  void save(std::FILE* f, StateId keep) const override;
  void load(std::FILE* f) override;
  bool insert(const uint8_t* s);

 private:
  bool ensure_states(uint64_t, uint64_t) override { return true; }
  // The expected number of states wrongly taken for visited over n insertions.
  double expected_omissions(uint64_t n) const;
  uint32_t size_;
  unsigned log2_;
  unsigned k_;
  std::vector<uint64_t> bits_;
};

}  // namespace ptcheck::explore
