#include "explore/checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "explore/binio.h"

namespace ptcheck::explore {

namespace {
constexpr char kMagic[8] = {'P', 'T', 'C', 'H', 'K', 'P', 'T', '2'};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

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
}  // namespace

void save_checkpoint(const std::string& path, const CheckpointHeader& h, const std::vector<StateId>& frontier,
                     const StateStorage& store) {
  const std::string tmp = path + ".tmp";
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
  if (!f) throw CheckpointError(tmp + ": " + std::strerror(errno));
  put_bytes(f.get(), kMagic, sizeof kMagic, "header");
  put_string(f.get(), h.fingerprint, "fingerprint");
  put_string(f.get(), store.name(), "store");
  put<uint32_t>(f.get(), h.depth, "counts");
  put<uint64_t>(f.get(), h.states, "counts");
  put<uint64_t>(f.get(), h.transitions, "counts");
  put<StateId>(f.get(), h.layer_first, "counts");
  put_vec(f.get(), frontier, "frontier");
  store.save(f.get(), h.layer_first);
  if (std::fflush(f.get()) != 0) throw CheckpointError(tmp + ": " + std::strerror(errno));
  f.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw CheckpointError(path + ": " + std::strerror(errno));
}

CheckpointHeader load_checkpoint(const std::string& path, const std::string& fingerprint,
                                 std::vector<StateId>& frontier, StateStorage& store) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw CheckpointError(path + ": " + std::strerror(errno));
  char magic[sizeof kMagic];
  get_bytes(f.get(), magic, sizeof magic, "header");
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw CheckpointError(path + ": not a ptcheck checkpoint");
  CheckpointHeader h;
  h.fingerprint = get_string(f.get(), "fingerprint");
  if (h.fingerprint != fingerprint)
    throw CheckpointError(path + ": written for a different run (target, arch, configs, model files or options "
                                 "differ):\n  then: " + h.fingerprint + "\n  now:  " + fingerprint);
  std::string st = get_string(f.get(), "store");
  if (st != store.name()) throw CheckpointError(path + ": written with --store " + st + ", not " + store.name());
  h.depth = get<uint32_t>(f.get(), "counts");
  h.states = get<uint64_t>(f.get(), "counts");
  h.transitions = get<uint64_t>(f.get(), "counts");
  h.layer_first = get<StateId>(f.get(), "counts");
  frontier = get_vec<StateId>(f.get(), "frontier");
  for (StateId id : frontier)
    if (id >= h.layer_first) throw CheckpointError(path + ": the checkpoint is corrupt (frontier)");
  store.load(f.get());
  if (store.next_id() != h.layer_first) throw CheckpointError(path + ": the checkpoint is corrupt (state count)");
  return h;
}

}  // namespace ptcheck::explore
