// The Z3 engine belongs to its project: two projects never share one (a
// function-static map keyed by address once handed a new project at a freed
// project's address the old project's engine, cache included).
#include <memory>

#include "target/project.h"
#include "z3/engine.h"
#include "z3/z3_check.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

TEST_GROUP(EngineOwner){};

TEST(EngineOwner, EachProjectHasItsOwnEngine) {
  Project a(PTCHECK_TEST_ROOT), b(PTCHECK_TEST_ROOT);
  ptcheck::z3::Engine& ea = project_engine(a);
  CHECK(&ea == &project_engine(a));
  CHECK(&ea != &project_engine(b));
  CHECK(a.engine_slot().get() == &ea);
  // A project made where a freed one lived starts without an engine.
  auto c = std::make_unique<Project>(PTCHECK_TEST_ROOT);
  project_engine(*c).options().timeout_ms = 1;
  c.reset();
  auto d = std::make_unique<Project>(PTCHECK_TEST_ROOT);
  CHECK(d->engine_slot() == nullptr);
  CHECK(project_engine(*d).options().timeout_ms != 1);
}
