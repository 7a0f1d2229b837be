// Checkpoint files (explore/checkpoint.h): a saved run loads back with its
// counts and frontier; a file of another version, a damaged file (any one
// byte changed) and a file cut short (at any length) are refused with a
// CheckpointError before the store reads anything.
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "explore/binio.h"
#include "explore/checkpoint.h"
#include "explore/tree_store.h"

// CppUTest last: its memory-leak macros clash with the standard headers.
#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

namespace {

const StateShape kShape = StateShape::uniform(4 * 16, 16);

struct TempPath {
  std::string path;
  TempPath() {
    char t[] = "/tmp/ptcheck_ckpt_XXXXXX";
    const int fd = mkstemp(t);
    if (fd >= 0) close(fd);
    path = t;
  }
  ~TempPath() {
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
  }
};

std::vector<uint8_t> read_all(const std::string& path) {
  std::vector<uint8_t> v;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return v;
  int c;
  while ((c = std::fgetc(f)) != EOF) v.push_back(uint8_t(c));
  std::fclose(f);
  return v;
}

void write_all(const std::string& path, const std::vector<uint8_t>& v, size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (n) std::fwrite(v.data(), 1, n, f);
  std::fclose(f);
}

// A store of a few states, saved with a frontier of the last two.
CheckpointHeader save_sample(const std::string& path) {
  MemoryAccount mem(0);
  TreeStore st(kShape, mem);
  auto c = st.cursor();
  std::vector<StateId> ids;
  for (uint8_t i = 0; i < 12; ++i) {
    std::vector<uint8_t> v(kShape.size, i);
    ids.push_back(c->find_or_insert(v.data()).id);
    st.parent(ids.back()) = i ? ids[i - 1u] : kNoState;
    st.label(ids.back()) = Label(i);
  }
  CheckpointHeader h;
  h.fingerprint = "target=sample arch=x86_64";
  h.depth = 11;
  h.states = 12;
  h.transitions = 30;
  h.layer_first = st.next_id();
  save_checkpoint(path, h, {ids[10], ids[11]}, {}, st);
  return h;
}

}  // namespace

TEST_GROUP(Checkpoint){};

TEST(Checkpoint, RoundTrip) {
  TempPath tp;
  const CheckpointHeader h = save_sample(tp.path);
  MemoryAccount mem(0);
  TreeStore st(kShape, mem);
  std::vector<StateId> frontier;
  std::vector<uint64_t> awake;
  CheckpointHeader g = load_checkpoint(tp.path, h.fingerprint, frontier, awake, st);
  LONGS_EQUAL(h.depth, g.depth);
  LONGS_EQUAL(h.states, g.states);
  LONGS_EQUAL(h.transitions, g.transitions);
  LONGS_EQUAL(2, frontier.size());
  auto c = st.cursor();
  std::vector<uint8_t> want(kShape.size, 11);
  MEMCMP_EQUAL(want.data(), c->materialize(frontier[1]), kShape.size);
}

// Writes the first n bytes of v as a checkpoint and expects it refused,
// before the store is loaded into.
void expect_refused(const std::vector<uint8_t>& v, size_t n, const CheckpointHeader& h, TreeStore& st) {
  TempPath bad;
  write_all(bad.path, v, n);
  std::vector<StateId> frontier;
  std::vector<uint64_t> awake;
  CHECK_THROWS(CheckpointError, load_checkpoint(bad.path, h.fingerprint, frontier, awake, st));
  LONGS_EQUAL(0, st.next_id());
}

TEST(Checkpoint, AnyChangedByteIsRefused) {
  TempPath tp;
  const CheckpointHeader h = save_sample(tp.path);
  const std::vector<uint8_t> image = read_all(tp.path);
  CHECK(image.size() > 100);
  MemoryAccount mem(0);
  TreeStore st(kShape, mem);
  for (size_t i = 0; i < image.size(); ++i) {
    std::vector<uint8_t> v = image;
    v[i] ^= 0x10;
    expect_refused(v, v.size(), h, st);
  }
}

TEST(Checkpoint, AFileCutShortIsRefused) {
  TempPath tp;
  const CheckpointHeader h = save_sample(tp.path);
  const std::vector<uint8_t> image = read_all(tp.path);
  MemoryAccount mem(0);
  TreeStore st(kShape, mem);
  for (size_t n = 0; n < image.size(); ++n) expect_refused(image, n, h, st);
}

TEST(Checkpoint, AnotherVersionIsNamed) {
  TempPath tp;
  const CheckpointHeader h = save_sample(tp.path);
  std::vector<uint8_t> image = read_all(tp.path);
  image[7] = '6';
  write_all(tp.path, image, image.size());
  MemoryAccount mem(0);
  TreeStore st(kShape, mem);
  std::vector<StateId> frontier;
  std::vector<uint64_t> awake;
  try {
    load_checkpoint(tp.path, h.fingerprint, frontier, awake, st);
    FAIL("a checkpoint of format 6 was read");
  } catch (const CheckpointError& e) {
    CHECK(std::string(e.what()).find("another ptcheck version (format 6") != std::string::npos);
  }
}
