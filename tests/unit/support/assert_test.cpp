// PT_ASSERT: checked in debug builds (an internal error naming the file, line
// and invariant), compiled out in release builds (the condition is not even
// evaluated).
#include <stdexcept>
#include <string>

#include "support/assert.h"

#include <CppUTest/TestHarness.h>

TEST_GROUP(PtAssert){};

TEST(PtAssert, DebugChecksReleaseDocuments) {
  int evaluated = 0;
  auto cond = [&](bool v) {
    ++evaluated;
    return v;
  };
  PT_ASSERT(cond(true), "holds");
#ifdef NDEBUG
  PT_ASSERT(cond(false), "never checked in release");
  LONGS_EQUAL(0, evaluated);
#else
  LONGS_EQUAL(1, evaluated);
  try {
    PT_ASSERT(cond(false), "the answer is 42");
    FAIL("no throw");
  } catch (const std::logic_error& e) {
    std::string m = e.what();
    CHECK(m.find("assert_test.cpp:") != std::string::npos);
    CHECK(m.find("invariant broken: the answer is 42 (cond(false))") != std::string::npos);
  }
#endif
}
