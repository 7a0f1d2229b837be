// ModelSystem::observations / restore_observations (vm/model_system.cpp):
// the lock-order edges and coverage marks a search gathered travel with a
// checkpoint, and a system given them back reports them as its own (a resumed
// run once missed a lock inversion taken before the checkpoint). Bytes that
// are not what observations() wrote are refused, and so are lock edges that
// name no lock class of the model.
#include <stdexcept>
#include <string>
#include <vector>

#include "explore/explorer.h"
#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/model_system.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

const char* kModel = R"(
spinlock_t lock_a, lock_b;
long done;

static void a_then_b(void) { spin_lock(&lock_a); spin_lock(&lock_b); spin_unlock(&lock_b); spin_unlock(&lock_a); }
static void b_then_a(void) { spin_lock(&lock_b); spin_lock(&lock_a); spin_unlock(&lock_a); spin_unlock(&lock_b); }

target observed_abba {
	thread T1 { a_then_b(); WRITE_ONCE(done, 1); }
	thread T2 { while (!READ_ONCE(done)) ; b_then_a(); }
	expect violation circular-locking;
}
)";

bool same(const vm::Coverage& a, const vm::Coverage& b) { return a.marks == b.marks; }

// The target's model, and the observations of a whole search of it with
// every instruction's coverage recorded.
struct Searched {
  test::TempProject p{std::string(test::kPrelude) + kModel};
  std::unique_ptr<Instance> inst = instantiate(p.project(), *p.project().find_target("observed_abba"), "x86_64", {});
  vm::ModelSystem sys{inst->model, std::nullopt, vm::CoverageMode::All};
  Searched() {
    explore::Options opt;
    opt.threads = 1;
    explore::explore(sys, opt);
  }
};

}  // namespace

TEST_GROUP(Observations){};

TEST(Observations, RoundTripIntoAFreshSystem) {
  Searched run;
  const vm::ModelSystem& searched = run.sys;
  const auto& inst = run.inst;
  LONGS_EQUAL(2, searched.lock_edges().size());  // a -> b and b -> a

  const std::vector<uint8_t> bytes = searched.observations();
  vm::ModelSystem fresh(inst->model, std::nullopt, vm::CoverageMode::All);
  CHECK(fresh.lock_edges().empty());
  fresh.restore_observations(bytes);
  CHECK(fresh.lock_edges() == searched.lock_edges());
  CHECK(same(fresh.coverage(), searched.coverage()));
  // Given twice (a run resumed from a checkpoint of a resumed run): the same sets.
  fresh.restore_observations(bytes);
  CHECK(fresh.lock_edges() == searched.lock_edges());
  CHECK(same(fresh.coverage(), searched.coverage()));
}

TEST(Observations, OtherBytesAreRefused) {
  Searched run;
  const vm::ModelSystem& searched = run.sys;
  const auto& inst = run.inst;
  const std::vector<uint8_t> bytes = searched.observations();
  vm::ModelSystem fresh(inst->model, std::nullopt, vm::CoverageMode::All);
  for (size_t n = 0; n < bytes.size(); ++n) {  // every length cut short
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS(std::invalid_argument, fresh.restore_observations(cut));
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  CHECK_THROWS(std::invalid_argument, fresh.restore_observations(longer));
  // A lock edge naming a region this model does not have, or an offset past
  // its objects.
  for (uint64_t bad : {uint64_t(inst->model.regions.size()) << 36, uint64_t(0xffffffffu) << 4}) {
    std::vector<uint8_t> forged = bytes;
    for (int i = 0; i < 8; ++i) forged[8 + i] = uint8_t(bad >> (8 * i));  // the first edge's `from`
    CHECK_THROWS(std::invalid_argument, fresh.restore_observations(forged));
  }
  // Coverage marks for a system that records none.
  vm::ModelSystem uncovered(inst->model);
  CHECK_THROWS(std::invalid_argument, uncovered.restore_observations(bytes));
  CHECK(fresh.lock_edges().empty());  // nothing refused was added
}
