// ModelWorker (vm/model_system.cpp) hands each successor to the sink in a
// buffer it reuses: a small state is copied whole for every move, a big one
// (8 KB or more) once per expansion, each move's written blocks saved and
// copied back. Either way every successor must be byte for byte the parent
// stepped by its move on a fresh copy, in expand() and in expand_sleep(),
// emitted or asleep, and whatever the moves before it wrote. And a worker
// told which blocks of its next state changed since its previous expansion
// (Worker::since_last, as the explorer passes on the tree store's
// take_changed()) updates only those, and must still expand the state given.
#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/model_system.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

// `big` makes the state about 9.6 KB more than the rest; the small target
// has none. Each thread writes in a different block of it (and in the same
// word, x), through a frame of its own and one it calls into.
std::string model(bool big) {
  return std::string(test::kPrelude) + (big ? "long big[1200];\n" : "long big[4];\n") + R"(
long x;
static void put(long i, long v) { long w = v * 2; big[i] = w; x = v; }
target copies {
	thread A { long a = 1; put(0, a); put(1, a + 1); x = 3; }
	thread B { long b = 5; put(2, b); big[3] = b; }
	thread C { long c = 7; x = c; put(3, c); }
	expect pass;
}
)";
}

// Keeps every successor's bytes, by index.
class Recorder final : public explore::SuccessorSink {
 public:
  explicit Recorder(size_t size) : size_(size) {}
  explore::Seen emit(uint32_t index, explore::Label, const uint8_t* next, bool) override {
    got.emplace_back(index, std::vector<uint8_t>(next, next + size_));
    return explore::Seen::Old;
  }
  explore::Seen asleep(uint32_t index, explore::Label label, const uint8_t* next) override {
    return emit(index, label, next, false);
  }
  void violating_state() override {}
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> got;

 private:
  size_t size_;
};

// Explores up to `limit` states breadth-first by the reference (a fresh
// copy of the parent per move, stepped by its own Machine) and checks both
// of the worker's expansions against it on each.
void successors_match_fresh_copies(bool big) {
  test::TempProject p(model(big));
  auto inst = instantiate(p.project(), *p.project().find_target("copies"), "x86_64", {});
  const vm::Model& m = inst->model;
  CHECK_EQUAL(big, m.state_size >= 8192);  // the two copying paths
  vm::ModelSystem sys(m);
  auto worker = sys.make_worker();
  CHECK(worker->sleep_sets());
  auto hinted = sys.make_worker();
  vm::Machine ref(m);
  std::deque<std::vector<uint8_t>> queue;
  queue.emplace_back(m.buffer_size());
  sys.initial_state(queue.back().data());
  const std::vector<uint8_t> init = queue.back();
  std::vector<uint8_t> prev;  // the state hinted expanded last
  const uint32_t nblk = (m.state_size + 63) / 64;
  std::vector<uint64_t> blocks((nblk + 63) / 64);
  size_t checked = 0, hints = 0;
  while (!queue.empty() && checked < 200) {
    std::vector<uint8_t> s = std::move(queue.front());
    queue.pop_front();
    std::vector<vm::Move> moves;
    ref.moves(s.data(), moves);
    std::vector<std::vector<uint8_t>> want;
    for (const vm::Move& mv : moves) {
      std::vector<uint8_t> nx(s);
      ref.step(nx.data(), mv);
      want.emplace_back(nx.begin(), nx.begin() + m.state_size);
    }
    // expand(): every successor, in order.
    Recorder all(m.state_size);
    worker->expand(s.data(), all);
    LONGS_EQUAL(moves.size(), all.got.size());
    for (size_t i = 0; i < all.got.size(); ++i) {
      LONGS_EQUAL(i, all.got[i].first);
      CHECK_TEXT(all.got[i].second == want[i], "expand: a successor differs from its move on a fresh copy");
    }
    // expand_sleep(): with every context asleep, then none (the asleep
    // successors reach Recorder::asleep, the others emit).
    for (uint64_t sleep : {~uint64_t(0), uint64_t(0)}) {
      Recorder rec(m.state_size);
      worker->expand_sleep(s.data(), rec, sleep);
      LONGS_EQUAL(moves.size(), rec.got.size());
      for (const auto& [i, bytes] : rec.got) {
        CHECK(i < want.size());
        CHECK_TEXT(bytes == want[i], "expand_sleep: a successor differs from its move on a fresh copy");
      }
    }
    // The hinted worker: the blocks in which s differs from the state it
    // expanded last; between, calls on other states (which must leave the
    // copy it keeps alone).
    if (!prev.empty()) {
      std::fill(blocks.begin(), blocks.end(), 0);
      for (uint32_t b = 0; b < nblk; ++b) {
        const uint32_t at = b * 64, len = std::min<uint32_t>(64, m.state_size - at);
        if (std::memcmp(prev.data() + at, s.data() + at, len) != 0) blocks[b / 64] |= uint64_t(1) << (b % 64);
      }
      hinted->since_last(blocks.data());
      ++hints;
    }
    CHECK(!hinted->initial_violation(init.data()));
    Recorder h(m.state_size);
    if (checked % 2) hinted->expand(s.data(), h);
    else hinted->expand_sleep(s.data(), h, 0);
    LONGS_EQUAL(moves.size(), h.got.size());
    for (const auto& [i, bytes] : h.got) {
      CHECK(i < want.size());
      CHECK_TEXT(bytes == want[i], "since_last: a successor differs from its move on a fresh copy");
    }
    prev.assign(s.begin(), s.begin() + m.state_size);
    for (auto& w : want) {
      w.resize(m.buffer_size());
      queue.push_back(std::move(w));
    }
    ++checked;
  }
  CHECK(checked >= 50);
  CHECK(hints + 1 == checked);
}

}  // namespace

TEST_GROUP(SuccessorCopies){};

TEST(SuccessorCopies, BigStateSuccessorsAreTheirMovesOnFreshCopies) { successors_match_fresh_copies(true); }

TEST(SuccessorCopies, SmallStateSuccessorsAreTheirMovesOnFreshCopies) { successors_match_fresh_copies(false); }
