#include "explore/checkpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"

namespace ptcheck::explore {

namespace {
// 4: final states; 5: node tables of any size; 6: tree leaf layout; 7: the
// checksum and the system's observations
constexpr char kMagic[8] = {'P', 'T', 'C', 'H', 'K', 'P', 'T', '7'};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// XXH3-64 of the file's first n bytes, read from its start.
uint64_t hash_prefix(std::FILE* f, uint64_t n, const char* what) {
  if (std::fseek(f, 0, SEEK_SET) != 0) throw CheckpointError(std::string("cannot read the checkpoint's ") + what);
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> st(XXH3_createState(), &XXH3_freeState);
  if (!st) throw std::bad_alloc();
  XXH3_64bits_reset(st.get());
  std::vector<char> buf(static_cast<size_t>(std::clamp<uint64_t>(n, 1, uint64_t(1) << 20)));
  while (n > 0) {
    const size_t k = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
    get_bytes(f, buf.data(), k, what);
    XXH3_64bits_update(st.get(), buf.data(), k);
    n -= k;
  }
  return XXH3_64bits_digest(st.get());
}

void put_string(std::FILE* f, const std::string& s, const char* what) {
  put<uint64_t>(f, s.size(), what);
  put_bytes(f, s.data(), s.size(), what);
}
std::string get_string(std::FILE* f, const char* what) {
  uint64_t n = get<uint64_t>(f, what);
  if (n > (uint64_t(1) << 24)) throw CheckpointError(std::string("the checkpoint is corrupt (") + what + ")");
  std::string s(n, '\0');
  get_bytes(f, s.data(), n, what);
  return s;
}
// "written for another run: then target=a, now target=b; ..." naming the
// first few fields (space-separated key=value or file:hash) that differ.
std::string fingerprint_difference(const std::string& then, const std::string& now) {
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    size_t i = 0;
    while (i < s.size()) {
      size_t j = s.find(' ', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) v.push_back(s.substr(i, j - i));
      i = j + 1;
    }
    return v;
  };
  auto key = [](const std::string& f) {
    size_t e = f.find('=');
    if (e == std::string::npos) e = f.find(':');
    return f.substr(0, e);
  };
  std::vector<std::string> a = split(then), b = split(now), diffs;
  for (const auto& x : a) {
    auto it = std::find_if(b.begin(), b.end(), [&](const std::string& y) { return key(y) == key(x); });
    if (it == b.end()) diffs.push_back(key(x) + " is gone");
    else if (*it != x) diffs.push_back("then " + x + ", now " + *it);
  }
  for (const auto& y : b)
    if (std::none_of(a.begin(), a.end(), [&](const std::string& x) { return key(x) == key(y); }))
      diffs.push_back(key(y) + " is new");
  std::string out = "written for a different run: ";
  for (size_t i = 0; i < diffs.size() && i < 4; ++i) out += (i ? "; " : "") + diffs[i];
  if (diffs.size() > 4) out += fmt::format("; and {} more differences", diffs.size() - 4);
  return out;
}
}  // namespace

void save_checkpoint(const std::string& path, const CheckpointHeader& h, const std::vector<StateId>& frontier,
                     const std::vector<uint64_t>& awake, const StateStorage& store) {
  const std::string tmp = path + ".tmp";
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(tmp.c_str(), "w+b"));
  if (!f) throw CheckpointError(tmp + ": " + std::strerror(errno));
  put_bytes(f.get(), kMagic, sizeof kMagic, "header");
  put_string(f.get(), h.fingerprint, "fingerprint");
  put_string(f.get(), store.name(), "store");
  put<uint32_t>(f.get(), h.depth, "counts");
  put<uint64_t>(f.get(), h.states, "counts");
  put<uint64_t>(f.get(), h.transitions, "counts");
  put<uint64_t>(f.get(), h.asleep, "counts");
  put<uint64_t>(f.get(), h.final_states, "counts");
  put<uint64_t>(f.get(), h.final_digest, "counts");
  put<StateId>(f.get(), h.layer_first, "counts");
  put_vec(f.get(), frontier, "frontier");
  put_vec(f.get(), awake, "sleep sets");
  put_vec(f.get(), h.observations, "observations");
  store.save(f.get(), h.layer_first);
  // The trailer: a checksum of everything before it, read back from the
  // file, so that a resume refuses a file damaged since (or cut short)
  // instead of searching on from wrong states.
  if (std::fflush(f.get()) != 0) throw CheckpointError(tmp + ": " + std::strerror(errno));
  const long end = std::ftell(f.get());
  if (end < 0) throw CheckpointError(tmp + ": " + std::strerror(errno));
  const uint64_t sum = hash_prefix(f.get(), static_cast<uint64_t>(end), "checksum");
  if (std::fseek(f.get(), end, SEEK_SET) != 0) throw CheckpointError(tmp + ": " + std::strerror(errno));
  put<uint64_t>(f.get(), sum, "checksum");
  if (std::fflush(f.get()) != 0) throw CheckpointError(tmp + ": " + std::strerror(errno));
  f.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw CheckpointError(path + ": " + std::strerror(errno));
}

namespace {
CheckpointHeader read_checkpoint(const std::string& path, const std::string& fingerprint,
                                 std::vector<StateId>& frontier, std::vector<uint64_t>& awake,
                                 StateStorage& store) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw CheckpointError(path + ": " + std::strerror(errno));
  char magic[sizeof kMagic];
  get_bytes(f.get(), magic, sizeof magic, "header");
  if (std::memcmp(magic, kMagic, sizeof kMagic - 1) == 0 && magic[7] != kMagic[7])
    throw CheckpointError(path + ": a checkpoint of another ptcheck version (format " + std::string(1, magic[7]) +
                          ", this one reads " + std::string(1, kMagic[7]) + "): rerun from the start");
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw CheckpointError(path + ": not a ptcheck checkpoint");
  // The checksum first: nothing of a damaged file is believed.
  if (std::fseek(f.get(), 0, SEEK_END) != 0) throw CheckpointError(path + ": " + std::strerror(errno));
  const long size = std::ftell(f.get());
  if (size < 0) throw CheckpointError(path + ": " + std::strerror(errno));
  if (size < static_cast<long>(sizeof kMagic + sizeof(uint64_t)))
    throw CheckpointError(path + ": the checkpoint is truncated or unreadable (checksum)");
  const uint64_t body = static_cast<uint64_t>(size) - sizeof(uint64_t);
  const uint64_t sum = hash_prefix(f.get(), body, "checksum");
  if (get<uint64_t>(f.get(), "checksum") != sum)
    throw CheckpointError(path + ": the checkpoint is damaged or cut short (its checksum does not match): rerun from the start");
  if (std::fseek(f.get(), sizeof kMagic, SEEK_SET) != 0) throw CheckpointError(path + ": " + std::strerror(errno));
  CheckpointHeader h;
  h.fingerprint = get_string(f.get(), "fingerprint");
  if (h.fingerprint != fingerprint) throw CheckpointError(path + ": " + fingerprint_difference(h.fingerprint, fingerprint));
  std::string st = get_string(f.get(), "store");
  if (st != store.name()) throw CheckpointError(path + ": written with --store " + st + ", not " + store.name());
  h.depth = get<uint32_t>(f.get(), "counts");
  h.states = get<uint64_t>(f.get(), "counts");
  h.transitions = get<uint64_t>(f.get(), "counts");
  h.asleep = get<uint64_t>(f.get(), "counts");
  h.final_states = get<uint64_t>(f.get(), "counts");
  h.final_digest = get<uint64_t>(f.get(), "counts");
  h.layer_first = get<StateId>(f.get(), "counts");
  frontier = get_vec<StateId>(f.get(), "frontier");
  for (StateId id : frontier)
    if (id >= h.layer_first) throw CheckpointError(path + ": the checkpoint is corrupt (frontier)");
  awake = get_vec<uint64_t>(f.get(), "sleep sets");
  if (!awake.empty() && awake.size() != frontier.size())
    throw CheckpointError(path + ": the checkpoint is corrupt (sleep sets)");
  h.observations = get_vec<uint8_t>(f.get(), "observations", uint64_t(1) << 32);
  store.load(f.get());
  if (store.next_id() != h.layer_first) throw CheckpointError(path + ": the checkpoint is corrupt (state count)");
  for (StateId id : frontier)
    if (store.parent(id) == StateStorage::kUnusedParent) throw CheckpointError(path + ": the checkpoint is corrupt (frontier)");
  const long at = std::ftell(f.get());
  if (at < 0 || static_cast<uint64_t>(at) != body) throw CheckpointError(path + ": the checkpoint is corrupt (length)");
  return h;
}
}  // namespace

CheckpointHeader load_checkpoint(const std::string& path, const std::string& fingerprint,
                                 std::vector<StateId>& frontier, std::vector<uint64_t>& awake,
                                 StateStorage& store) {
  try {
    return read_checkpoint(path, fingerprint, frontier, awake, store);
  } catch (const CheckpointError& e) {
    // Every message names the file (the stores' and binio.h's do not).
    const std::string m = e.what();
    if (m.rfind(path + ": ", 0) == 0) throw;
    throw CheckpointError(path + ": " + m);
  }
}

}  // namespace ptcheck::explore
