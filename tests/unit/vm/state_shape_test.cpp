// ModelSystem::shape() (vm/model_system.cpp): the pieces the tree store
// interns, and the layout order it places them in. Every piece is listed
// once; the shared pieces (globals, objects, the RCU queue) come first, then
// each context's own pieces side by side: its ThreadState, then its stack.
#include <string>

#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/model_system.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

const char* kModel = R"(
struct obj { long val; };
long x, y;

static void deep(long n) { long a = n, b = n + 1; x = a + b; }

target shape_two_threads {
	heap { slab cache (struct obj) 2; }
	thread A { long l = 1; deep(l); y = 1; }
	thread B { long m = 2; deep(m); x = 2; }
	expect pass;
}
)";

}  // namespace

TEST_GROUP(StateShape){};

TEST(StateShape, ContextsSitNextToTheirStacks) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  auto inst = instantiate(p.project(), *p.project().find_target("shape_two_threads"), "x86_64", {});
  const vm::Model& m = inst->model;
  vm::ModelSystem sys(m);
  const explore::StateShape sh = sys.shape();
  const std::vector<uint32_t> layout = sh.layout();  // throws unless a permutation
  LONGS_EQUAL(sh.cuts.size() - 1, layout.size());

  // Who owns each piece: 0 shared, t + 1 context t (its ThreadState or stack).
  auto owner = [&](uint32_t piece, bool& is_context) {
    const uint32_t at = sh.cuts[piece];
    is_context = false;
    for (uint32_t t = 0; t < m.contexts(); ++t)
      if (at >= m.threads_off + t * sizeof(vm::ThreadState) && at < m.threads_off + (t + 1) * sizeof(vm::ThreadState)) {
        is_context = true;
        return t + 1;
      }
    for (const vm::Region& r : m.regions)
      if (r.kind == vm::RegionKind::Stack && at >= r.state_off && at < r.state_off + r.count * r.obj_size)
        return r.thread + 1;
    return 0u;
  };
  // Shared pieces first (in memory order), then per context: its ThreadState,
  // then only its own stack pieces.
  uint32_t last_owner = 0, last_cut = 0, stacks_seen = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    bool is_context = false;
    const uint32_t o = owner(layout[i], is_context);
    CHECK_TEXT(o >= last_owner, "a shared piece after a context's pieces, or contexts out of order");
    if (o == 0) {
      CHECK_TEXT(i == 0 || sh.cuts[layout[i]] > last_cut, "shared pieces out of memory order");
      last_cut = sh.cuts[layout[i]];
    } else if (o != last_owner) {
      CHECK_TEXT(is_context, "a context's group does not start with its ThreadState");
    } else {
      CHECK_TEXT(!is_context, "two ThreadStates in one group");
      ++stacks_seen;
    }
    last_owner = o;
  }
  CHECK(last_owner >= 2);   // both threads' groups are there
  CHECK(stacks_seen >= 2);  // and they hold stack pieces
}

TEST(StateShape, LayoutRejectsAnOrderThatIsNoPermutation) {
  explore::StateShape sh = explore::StateShape::uniform(256);  // 4 pieces
  LONGS_EQUAL(4, sh.layout().size());
  sh.order = {3, 2, 1, 0};
  LONGS_EQUAL(3, sh.layout()[0]);
  sh.order = {0, 1, 1, 2};
  CHECK_THROWS(std::invalid_argument, sh.layout());
  sh.order = {0, 1, 2};
  CHECK_THROWS(std::invalid_argument, sh.layout());
  sh.order = {0, 1, 2, 4};
  CHECK_THROWS(std::invalid_argument, sh.layout());
}
