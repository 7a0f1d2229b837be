// The memory account every big allocation of the explorer goes through
// (explore/memory.h): the limit, the side bytes of the recorded graph, the
// peaks, and the scoped charges of the checks after the search.
#include "explore/memory.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

TEST_GROUP(MemoryAccount){};

TEST(MemoryAccount, TryAddRefusesPastTheLimitTakesNothingAndMarksItExceeded) {
  MemoryAccount mem(1000);
  CHECK(mem.try_add(1000));  // up to the limit itself
  CHECK(!mem.exceeded());
  CHECK(!mem.try_add(1));
  CHECK_EQUAL(1000u, mem.bytes());
  CHECK(mem.exceeded());  // the search is told to stop
  mem.add(-1000);
  CHECK_EQUAL(0u, mem.bytes());
  CHECK_EQUAL(1000u, mem.peak());
}

TEST(MemoryAccount, NoLimitNeverRefuses) {
  MemoryAccount mem(0);
  CHECK(mem.try_add(uint64_t(1) << 50));
  CHECK(mem.fits(uint64_t(1) << 50));
  CHECK(mem.try_add_side(uint64_t(1) << 50));
  CHECK(!mem.exceeded());
  CHECK_EQUAL(uint64_t(1) << 51, mem.bytes());
}

TEST(MemoryAccount, FitsAsksWithoutTakingOrRaisingThePeak) {
  MemoryAccount mem(1000);
  mem.add(400);
  CHECK(mem.fits(600));
  CHECK_EQUAL(400u, mem.bytes());
  CHECK_EQUAL(400u, mem.peak());
  CHECK(!mem.fits(601));
  CHECK(mem.exceeded());
  mem.add(-400);
}

TEST(MemoryAccount, SideBytesCountAgainstTheLimitButNotTheCorePeak) {
  MemoryAccount mem(1000);
  mem.add(300);  // the store's
  CHECK(mem.try_add_side(500));
  CHECK_EQUAL(800u, mem.bytes());
  CHECK_EQUAL(800u, mem.peak());
  CHECK_EQUAL(300u, mem.core_peak());
  CHECK(!mem.try_add_side(300));  // refused: the caller does without it
  CHECK(!mem.exceeded());         // and the search goes on
  CHECK(!mem.try_add(300));       // ordinary bytes are limited by the side bytes too
  mem.release_side(500);
  CHECK_EQUAL(300u, mem.bytes());
  CHECK(mem.try_add(300));
  CHECK_EQUAL(600u, mem.core_peak());
  mem.add(-600);
}

TEST(MemoryAccount, AScopedChargeRefusesPastTheLimitAndGivesItsBytesBack) {
  MemoryAccount mem(1000);
  mem.add(100);
  {
    ScopedCharge charge(mem);
    CHECK(charge.try_add(600));
    CHECK(!charge.try_add(600));  // 1300 > 1000: refused, nothing taken
    CHECK(charge.try_add(300));
    CHECK_EQUAL(900u, charge.bytes());
    CHECK_EQUAL(1000u, mem.bytes());
  }
  CHECK_EQUAL(100u, mem.bytes());
  CHECK_EQUAL(1000u, mem.peak());
  mem.add(-100);
}
