#include "explore/lossy_store.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"

namespace ptcheck::explore {

namespace {
class LossyCursor final : public StoreCursor {
 public:
  template <class F>
  explicit LossyCursor(F&& insert) : insert_(std::forward<F>(insert)) {}
  const uint8_t* materialize(StateId) override {
    throw std::logic_error("a lossy store keeps no states to materialize");
  }
  Found find_or_insert(const uint8_t* s) override {
    Found f;
    f.is_new = insert_(s, f.full);
    f.id = f.is_new ? ++count_ : 0;
    return f;
  }
  void new_layer() override {}

 private:
  std::function<bool(const uint8_t*, bool&)> insert_;
  StateId count_ = 0;
};

// Expected colliding pairs among n uniformly random b-bit fingerprints.
double birthday(uint64_t n, unsigned b) { return double(n) * double(n - (n > 0)) / 2 / std::ldexp(1.0, int(b)); }
}  // namespace

// ---- hash compaction ------------------------------------------------------

HashCompactStore::HashCompactStore(uint32_t size, MemoryAccount& mem) : StateStorage(mem), size_(size) {
  table_.assign(uint64_t(1) << 16, 0);
  mem_.add(static_cast<int64_t>(table_.size() * 8));
}

bool HashCompactStore::grow() {
  const uint64_t n = table_.size() * 2;
  if (!mem_.try_add(n * 8)) return false;
  std::vector<uint64_t> g(n, 0);
  for (uint64_t v : table_) {
    if (!v) continue;
    uint64_t i = v & (n - 1);
    while (g[i]) i = (i + 1) & (n - 1);
    g[i] = v;
  }
  mem_.add(-static_cast<int64_t>(table_.size() * 8));
  table_.swap(g);
  return true;
}

bool HashCompactStore::insert(const uint8_t* s, bool& full) {
  uint64_t v = XXH3_64bits_withSeed(s, size_, 0x9e3779b9u);
  if (v == 0) v = 1;  // 0 marks an empty slot
  if ((count_ + 1) * 4 > table_.size() * 3 && !grow()) {
    full = true;
    return false;
  }
  const uint64_t mask = table_.size() - 1;
  uint64_t i = v & mask;
  while (table_[i]) {
    if (table_[i] == v) return false;
    i = (i + 1) & mask;
  }
  table_[i] = v;
  ++count_;
  return true;
}

std::unique_ptr<StoreCursor> HashCompactStore::cursor() {
  return std::make_unique<LossyCursor>([this](const uint8_t* s, bool& full) { return insert(s, full); });
}

double HashCompactStore::omission_probability(uint64_t stored) const {
  return -std::expm1(-birthday(stored, 64));
}

std::string HashCompactStore::lossy_summary(uint64_t stored) const {
  return fmt::format("hash compaction, 64-bit fingerprints: {:.3g} expected collisions among {} states; "
                     "P(some state missed) <= {:.3g}",
                     birthday(stored, 64), stored, omission_probability(stored));
}

void HashCompactStore::save(std::FILE*, StateId) const {
  throw CheckpointError("a lossy (depth-first) run cannot be checkpointed");
}
void HashCompactStore::load(std::FILE*) { throw CheckpointError("a lossy (depth-first) run cannot be resumed"); }

// ---- bitstate ---------------------------------------------------------------

BitstateStore::BitstateStore(uint32_t size, unsigned log2_bits, unsigned hashes, MemoryAccount& mem)
    : StateStorage(mem), size_(size), log2_(log2_bits), k_(hashes) {
  if (log2_ < 10 || log2_ > 40) throw std::invalid_argument("bitstate: 2^10 to 2^40 bits");
  if (k_ < 1 || k_ > 16) throw std::invalid_argument("bitstate: 1 to 16 hash functions");
  const uint64_t words = (uint64_t(1) << log2_) / 64 + 1;
  if (!mem_.try_add(words * 8)) throw std::length_error("bitstate: the bit array does not fit in --max-memory");
  bits_.assign(words, 0);
}

BitstateStore::~BitstateStore() { mem_.add(-static_cast<int64_t>(bits_.size() * 8)); }

bool BitstateStore::insert(const uint8_t* s) {
  XXH128_hash_t h = XXH3_128bits(s, size_);
  const uint64_t mask = (uint64_t(1) << log2_) - 1;
  bool fresh = false;
  for (unsigned i = 0; i < k_; ++i) {  // double hashing: h1 + i * h2
    uint64_t b = (h.low64 + i * (h.high64 | 1)) & mask;
    uint64_t& w = bits_[b >> 6];
    const uint64_t bit = uint64_t(1) << (b & 63);
    if (!(w & bit)) {
      fresh = true;
      w |= bit;
    }
  }
  return fresh;
}

std::unique_ptr<StoreCursor> BitstateStore::cursor() {
  return std::make_unique<LossyCursor>([this](const uint8_t* s, bool&) { return insert(s); });
}

double BitstateStore::expected_omissions(uint64_t n) const {
  // The i-th new state is missed when all its k bits are already set:
  // probability (1 - exp(-k i / m))^k. Summed (integrated) over i < n.
  const double m = std::ldexp(1.0, int(log2_));
  double sum = 0;
  const uint64_t steps = std::min<uint64_t>(n, 4096);
  for (uint64_t j = 0; j < steps; ++j) {
    double i = (double(j) + 0.5) * double(n) / double(steps);
    sum += std::pow(-std::expm1(-double(k_) * i / m), double(k_));
  }
  return sum * double(n) / double(std::max<uint64_t>(steps, 1));
}

double BitstateStore::omission_probability(uint64_t stored) const {
  return -std::expm1(-expected_omissions(stored));
}

std::string BitstateStore::lossy_summary(uint64_t stored) const {
  const double m = std::ldexp(1.0, int(log2_));
  return fmt::format("bitstate, 2^{} bits, {} hash functions, hash factor {:.3g}: {:.3g} states expected missed; "
                     "P(some state missed) ~ {:.3g}",
                     log2_, k_, stored ? m / double(stored) : m, expected_omissions(stored),
                     omission_probability(stored));
}

void BitstateStore::save(std::FILE*, StateId) const {
  throw CheckpointError("a lossy (depth-first) run cannot be checkpointed");
}
void BitstateStore::load(std::FILE*) { throw CheckpointError("a lossy (depth-first) run cannot be resumed"); }

}  // namespace ptcheck::explore
