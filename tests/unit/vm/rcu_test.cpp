// RCU semantics, driven step by step: a callback never runs while a reader
// that was inside its read-side section when the callback was queued is still
// inside it, and may run once that reader leaves; synchronize_rcu() blocks the
// same way.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "support/step_driver.h"
#include "support/temp_project.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

const char* kModel = R"(
struct obj { long val; struct rcu_head rcu; };
struct obj *o;
long seen, done_cb;

static void cb(struct rcu_head *h) { done_cb = 1; }

target rcu_order {
	heap { slab cache (struct obj) 1; }
	init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread R { rcu_read_lock(); seen = 1; seen = 2; rcu_read_unlock(); }
	thread U { call_rcu(&o->rcu, cb); }
	expect pass;
}

target sync_order {
	thread R { rcu_read_lock(); seen = 1; seen = 2; rcu_read_unlock(); }
	thread U { synchronize_rcu(); done_cb = 1; }
	expect pass;
}
)";

using Driver = test::StepDriver;

}  // namespace

TEST_GROUP(Rcu){};

TEST(Rcu, CallbackWaitsForPreexistingReader) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "rcu_order");
  const uint32_t R = 0, U = 1, rcu = d.inst->model.rcu_context();
  d.step(R);  // rcu_read_lock()
  d.step(U);  // load o
  d.step(U);  // call_rcu(): queued while R is inside its read-side section
  CHECK(!d.can(rcu));
  d.step(R);  // seen = 1
  CHECK(!d.can(rcu));
  d.step(R);  // seen = 2
  CHECK(!d.can(rcu));
  d.step(R);  // rcu_read_unlock(): the grace period may now end
  CHECK(d.can(rcu));
  LONGS_EQUAL(0, d.global("done_cb"));
  d.step(rcu, 0);  // rcu_do_batch starts cb: advances to its first shared access
  d.step(rcu);     // done_cb = 1
  LONGS_EQUAL(1, d.global("done_cb"));
  CHECK(d.m->all_done(d.s.data()));
}

TEST(Rcu, CallbackQueuedOutsideReadersRunsAtOnce) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "rcu_order");
  const uint32_t U = 1, rcu = d.inst->model.rcu_context();
  d.step(U);
  d.step(U);  // call_rcu() with no reader inside a section
  CHECK(d.can(rcu));
}

TEST(Rcu, CallRcuWritesFuncAndNextIntoTheHead) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "rcu_order");
  d.step(1);
  d.step(1);
  const auto& m = d.inst->model;
  const vm::Region* slab = nullptr;
  for (const auto& r : m.regions)
    if (r.kind == vm::RegionKind::Slab) slab = &r;
  CHECK(slab != nullptr);
  uint64_t next = 1, func = 0;
  std::memcpy(&next, d.s.data() + slab->state_off + 8, 8);   // rcu.next at +8
  std::memcpy(&func, d.s.data() + slab->state_off + 16, 8);  // rcu.func at +16
  LONGS_EQUAL(0, next);
  const vm::Function* f = m.function_at(func);
  CHECK(f != nullptr);
  STRCMP_EQUAL("cb", f->name.c_str());
}

TEST(Rcu, SynchronizeRcuBlocksUntilReaderLeaves) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "sync_order");
  const uint32_t R = 0, U = 1;
  d.step(R);  // rcu_read_lock()
  d.step(U);  // synchronize_rcu() starts: R is a reader it must wait for
  CHECK(!d.can(U));
  d.step(R);
  d.step(R);
  CHECK(!d.can(U));
  d.step(R);  // rcu_read_unlock()
  CHECK(d.can(U));
}

TEST(Rcu, ExplorationOfBothOrdersPasses) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  CHECK(p.check("rcu_order").as_expected);
  CHECK(p.check("sync_order").as_expected);
}
