// libFuzzer target: the checkpoint reader (explore/checkpoint.cpp, and the
// tree and plain stores' load) behind its checksum. The input is a checkpoint
// without its 8-byte trailer; the harness appends the right XXH3-64 checksum,
// so every input gets past it to the header, frontier, sleep sets,
// observations and store, which the checksum alone keeps from accidents only.
// Bad input must end in CheckpointError, within the memory limit. Whatever
// loads must be usable: every stored state materializes, is found again
// under an id with the same bytes, a new state can be stored, and the store
// saved again loads back to the same states.
//
// A crafted file may still load states twice (a node-table slot that its
// hash does not lead to; corpus/checkpoint/regress_state_loaded_twice): the
// reader defends against damage, not forgery (docs/search.md), so a second
// id for the same bytes is allowed here, other bytes under an id are not.
//
// The seeds (tests/fuzz/corpus/checkpoint/) are real checkpoints of both
// stores, written by this harness:
//   PTCHECK_FUZZ_WRITE_SEEDS=DIR build/fuzz/tests/fuzz/fuzz_checkpoint
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "explore/binio.h"
#include "explore/checkpoint.h"
#include "explore/storage.h"

using namespace ptcheck::explore;

namespace {

const char* const kFingerprint = "target=fuzz arch=x86_64 threads=2";
constexpr uint64_t kMemoryLimit = uint64_t(256) << 20;

// Pieces of several lengths, laid out out of memory order, as a model's
// regions are (contexts, stacks, globals).
StateShape shape() {
  StateShape s;
  s.size = 200;
  s.cuts = {0, 8, 24, 64, 72, 136, 200};
  s.order = {2, 0, 1, 4, 3, 5};
  return s;
}

std::string temp_path(const char* what) {
  return std::string("/tmp/ptcheck-fuzz-ckpt-") + what + "-" + std::to_string(getpid());
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::vector<uint8_t> v;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return v;
  uint8_t buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) v.insert(v.end(), buf, buf + n);
  std::fclose(f);
  return v;
}

void write_all(const std::string& path, const uint8_t* p, size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (n && std::fwrite(p, 1, n, f) != n) std::abort();
  std::fclose(f);
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_checkpoint: %s\n", what);
    std::abort();
  }
}

// A state id with a state (not an unused tail of an id block).
bool stored(const StateStorage& st, StateId id) { return st.parent(id) != StateStorage::kUnusedParent; }

// A store of `kind` over the harness's shape, with its own memory account.
struct Store {
  MemoryAccount mem{kMemoryLimit};
  std::unique_ptr<StateStorage> st;
  explicit Store(StoreKind kind) {
    StoreOptions opt;
    opt.kind = kind;
    st = make_store(shape(), opt, mem);
  }
};

// The loaded store is usable: each state materializes and is found again,
// a changed state can be stored, and a second save loads back to the same
// bytes.
void exercise(StateStorage& st, const CheckpointHeader& h, const std::vector<StateId>& frontier) {
  const StateShape sh = shape();
  check(st.next_id() == h.layer_first, "the state count was not checked");
  for (StateId id : frontier) check(id < st.next_id() && stored(st, id), "a frontier id names no state");
  const StateId loaded = st.next_id();  // (a state found again may still take a new id: see above)
  std::vector<std::vector<uint8_t>> states(loaded);
  {
    auto c = st.cursor();
    for (StateId id = 0; id < loaded; ++id) {
      if (!stored(st, id)) continue;
      const uint8_t* s = c->materialize(id);
      states[id].assign(s, s + sh.size);
    }
    for (StateId id = 0; id < loaded; ++id) {
      if (states[id].empty()) continue;
      const Found f = c->find_or_insert(states[id].data());
      if (f.full) return;
      check(f.id != kNoState, "find_or_insert gave no id");
      check(std::memcmp(c->materialize(f.id), states[id].data(), sh.size) == 0, "a state was found under other bytes");
    }
    // A state that was not stored: the first one's bytes changed in every piece.
    if (!states.empty() && !states[0].empty()) {
      std::vector<uint8_t> s = states[0];
      for (size_t k = 0; k + 1 < sh.cuts.size(); ++k) s[sh.cuts[k]] ^= 0xA5;
      c->new_layer();
      const Found f = c->find_or_insert(s.data());
      if (!f.full) {
        check(f.id != kNoState, "a new state got no id");
        if (f.is_new) st.parent(f.id) = 0;
        check(std::memcmp(c->materialize(f.id), s.data(), sh.size) == 0, "a new state reads back changed");
      }
    }
  }
  // Saved again (the loaded states only), it loads back the same.
  const std::string again = temp_path("again");
  CheckpointHeader h2 = h;
  save_checkpoint(again, h2, frontier, {}, st);
  Store again_store(std::string(st.name()) == "tree" ? StoreKind::Tree : StoreKind::Plain);
  StateStorage* st2 = again_store.st.get();
  std::vector<StateId> frontier2;
  std::vector<uint64_t> awake2;
  const CheckpointHeader g = load_checkpoint(again, kFingerprint, frontier2, awake2, *st2);
  std::remove(again.c_str());
  check(g.layer_first == h.layer_first && frontier2 == frontier, "a second save read back other counts");
  auto c2 = st2->cursor();
  for (StateId id = 0; id < h.layer_first; ++id) {
    check(stored(*st2, id) == !states[id].empty(), "a second save lost or added a state");
    if (!states[id].empty())
      check(std::memcmp(c2->materialize(id), states[id].data(), sh.size) == 0, "a second save changed a state");
  }
}

// Seeds: a run of `n` states (each a few bytes away from its parent) in a
// store of `kind`, saved keeping the first `keep`, with a frontier, sleep
// sets and observations.
void write_seed(const std::string& dir, StoreKind kind, unsigned n, unsigned keep) {
  const StateShape sh = shape();
  Store store(kind);
  StateStorage* st = store.st.get();
  auto c = st->cursor();
  std::vector<uint8_t> s(sh.size, 0);
  std::vector<StateId> ids;
  uint32_t x = 12345;
  for (unsigned i = 0; i < n; ++i) {
    const Found f = c->find_or_insert(s.data());
    if (f.is_new) {
      st->parent(f.id) = ids.empty() ? kNoState : ids.back();
      st->label(f.id) = Label(i % 5);
      ids.push_back(f.id);
    }
    x = x * 1103515245u + 12345u;
    s[(x >> 8) % sh.size] ^= uint8_t(1u << ((x >> 4) % 8));
  }
  if (keep > ids.size()) keep = static_cast<unsigned>(ids.size());
  CheckpointHeader h;
  h.fingerprint = kFingerprint;
  h.depth = keep;
  h.states = keep;
  h.transitions = 3u * keep;
  h.layer_first = keep ? ids[keep - 1] + 1 : 0;
  h.observations = {1, 0, 0, 0, 7, 3, 9, 0, 0, 0, 2, 4};
  std::vector<StateId> frontier;
  std::vector<uint64_t> awake;
  for (unsigned i = keep > 3 ? keep - 3 : 0; i < keep; ++i) {
    frontier.push_back(ids[i]);
    awake.push_back(0x5 << i % 3);
  }
  const std::string name = dir + "/seed_" + to_string(kind) + "_" + std::to_string(n) + "_" + std::to_string(keep);
  save_checkpoint(name, h, frontier, awake, *st);
  std::vector<uint8_t> file = read_all(name);
  check(file.size() > 8, "a seed was not written");
  write_all(name, file.data(), file.size() - 8);  // the harness appends the checksum
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("PTCHECK_FUZZ_WRITE_SEEDS")) {
    for (StoreKind k : {StoreKind::Tree, StoreKind::Plain}) {
      write_seed(dir, k, 40, 40);
      write_seed(dir, k, 200, 150);
    }
    write_seed(dir, StoreKind::Tree, 1, 1);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> file(data, data + size);
  const uint64_t sum = XXH3_64bits(data, size);
  file.resize(size + sizeof sum);
  std::memcpy(file.data() + size, &sum, sizeof sum);
  const std::string path = temp_path("in");
  write_all(path, file.data(), file.size());
  // The tree store first; the plain store when the file names it.
  for (StoreKind kind : {StoreKind::Tree, StoreKind::Plain}) {
    Store store(kind);
    StateStorage* st = store.st.get();
    std::vector<StateId> frontier;
    std::vector<uint64_t> awake;
    CheckpointHeader h;
    try {
      h = load_checkpoint(path, kFingerprint, frontier, awake, *st);
    } catch (const CheckpointError& e) {
      if (std::strstr(e.what(), "written with --store plain")) continue;
      break;
    }
    check(awake.empty() || awake.size() == frontier.size(), "sleep sets of another frontier");
    exercise(*st, h, frontier);
    break;
  }
  std::remove(path.c_str());
  return 0;
}
