// Invariant memos (vm/invariant_memo.h): a run that skips invariants on states
// whose step wrote nothing they read must give exactly the verdict, counts and
// counterexample of a run that evaluates them on every new state, including
// when what an invariant reads depends on the values it reads (a branch) or
// on which objects are allocated (first_object/next_object), and the memo must
// skip real work when steps touch only what the invariants do not read.
#include <string>
#include <vector>

#include "explore/explorer.h"
#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/invariant_memo.h"
#include "vm/model_system.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

const char* kModel = R"(
struct obj { long val; };
long x, y, noise, other;
struct obj *p;

/* Reads x only once y is set: its read set depends on a value. */
static bool x_small_when_y(void) { if (y) return x < 5; return true; }

/* Reads the val of every allocated obj: its read set depends on the shadow. */
static bool objs_small(void)
{
	struct obj *o;

	for (o = first_object((struct obj *)NULL); o; o = next_object(o))
		if (o->val > 3)
			return false;
	return true;
}

target memo_branch_y_first {
	thread A { noise = 1; y = 1; noise = 2; }
	thread B { other = 1; x = 7; other = 2; }
	invariant x_small_when_y;
	expect violation invariant;
}

target memo_new_object {
	heap { slab cache (struct obj) 2; }
	thread A { noise = 1; p = kmem_cache_zalloc(cache, GFP_KERNEL); noise = 2; p->val = 9; }
	thread B { other = 1; other = 2; other = 3; }
	invariant objs_small;
	expect violation invariant;
}

/* Two invariants on different words: each runs only when its word changes. */
long z, w;
static bool x_not_big(void) { return x < 100; }
static bool z_zero(void) { return z == 0; }
static bool w_small(void) { return w < 5; }

target memo_two_pass {
	thread A { x = 1; x = 2; x = 3; }
	thread B { x = 4; x = 5; noise = 1; }
	invariant x_not_big;
	invariant z_zero;
	expect pass;
}

/* The second invariant fails on a state where the first is skipped. */
target memo_second_fails {
	thread A { x = 1; x = 2; w = 9; }
	thread B { noise = 1; noise = 2; }
	invariant x_not_big;
	invariant w_small;
	expect violation invariant;
}

target memo_pass {
	thread A { noise = 1; noise = 2; noise = 3; x = 1; }
	thread B { other = 1; other = 2; y = 1; }
	invariant x_small_when_y;
	expect pass;
}
)";

struct Run {
  explore::Result res;
  vm::ModelSystem::WorkerCounts counts;
};

Run run_target(test::TempProject& p, const char* target, bool memo, unsigned threads) {
  auto inst = instantiate(p.project(), *p.project().find_target(target), "x86_64", {});
  vm::ModelSystem sys(inst->model);
  sys.set_invariant_memo(memo);
  explore::Options opt;
  opt.threads = threads;
  Run r;
  r.res = explore::explore(sys, opt);
  r.counts = sys.worker_counts();
  return r;
}

}  // namespace

TEST_GROUP(InvariantMemo){};

TEST(InvariantMemo, SameResultsWithAndWithout) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  for (const char* t : {"memo_branch_y_first", "memo_new_object", "memo_pass", "memo_two_pass", "memo_second_fails"}) {
    for (unsigned threads : {1u, 2u}) {
      Run on = run_target(p, t, true, threads), off = run_target(p, t, false, threads);
      std::string what = std::string(t) + " at " + std::to_string(threads) + " threads";
      CHECK_TEXT(on.res.verdict == off.res.verdict, what.c_str());
      CHECK_TEXT(on.res.end == off.res.end, what.c_str());
      CHECK_EQUAL_TEXT(off.res.stats.states, on.res.stats.states, what.c_str());
      CHECK_EQUAL_TEXT(off.res.stats.transitions, on.res.stats.transitions, what.c_str());
      CHECK_EQUAL_TEXT(off.res.stats.depth, on.res.stats.depth, what.c_str());
      CHECK_TEXT(on.res.path == off.res.path, what.c_str());
      // Off: every new state is checked; on: some are skipped.
      CHECK_EQUAL_TEXT(0u, off.counts.skipped, what.c_str());
      CHECK_EQUAL_TEXT(0u, off.counts.invariants_skipped, what.c_str());
      CHECK_TEXT(on.counts.skipped > 0, what.c_str());
      CHECK_TEXT(on.counts.ran < off.counts.ran, what.c_str());
      // The skipped evaluations are instructions not interpreted.
      CHECK_TEXT(on.counts.instructions > 0, what.c_str());
      CHECK_TEXT(on.counts.instructions < off.counts.instructions, what.c_str());
      if (threads == 1) {  // (one thread: the same states store first, the same memos)
        Run again = run_target(p, t, true, threads);
        CHECK_EQUAL_TEXT(on.counts.instructions, again.counts.instructions, what.c_str());
      }
    }
  }
}

TEST(InvariantMemo, ViolationsAreFound) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  CHECK(run_target(p, "memo_branch_y_first", true, 1).res.verdict == explore::Verdict::Violation);
  CHECK(run_target(p, "memo_new_object", true, 1).res.verdict == explore::Verdict::Violation);
  CHECK(run_target(p, "memo_pass", true, 1).res.verdict == explore::Verdict::Pass);
  CHECK(run_target(p, "memo_second_fails", true, 1).res.verdict == explore::Verdict::Violation);
}

// Each invariant has its own memo: a step that writes x re-runs the
// invariant on x and not the one on z. Only the successors of the initial
// state (which carries no memo) run both; every other new state runs one.
TEST(InvariantMemo, EachInvariantIsSkippedOnItsOwn) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  for (unsigned threads : {1u, 2u}) {
    Run on = run_target(p, "memo_two_pass", true, threads), off = run_target(p, "memo_two_pass", false, threads);
    std::string what = "at " + std::to_string(threads) + " threads";
    const uint64_t fresh = off.res.stats.states - 1;  // the new states whose invariants are checked
    CHECK_EQUAL_TEXT(2 * fresh, off.counts.invariants_ran, what.c_str());
    CHECK_EQUAL_TEXT(2 * fresh, on.counts.invariants_ran + on.counts.invariants_skipped, what.c_str());
    // Two successors of the initial state run both; B's last step (noise)
    // writes neither word, so those states run none.
    CHECK_TEXT(on.counts.invariants_ran <= fresh + 2, what.c_str());
    CHECK_TEXT(on.counts.invariants_skipped >= fresh - 2, what.c_str());
    CHECK_TEXT(on.counts.skipped > 0, what.c_str());
  }
}

// A memo's portable form (the distributed search sends it from the rank that
// checked a state to the one that owns it): imported into another process's
// table it names a tuple of sets with the same bits, whatever ids that table
// gives them; an invariant with no set stays without one, and the form of no
// memo imports as none.
TEST(InvariantMemo, PortableFormNamesTheSameSets) {
  const uint32_t size = 200;  // 25 words: one word of bits per set
  vm::InvariantMemos here(size), there(size);
  CHECK_EQUAL(size_t(1), here.set_words());
  std::vector<uint64_t> a(1, 0x5), b(1, uint64_t(1) << 24), c(1, 0x3);
  const uint32_t ta = here.intern(a), tb = here.intern(b);
  const uint32_t memo = here.intern_tuple({tb, 0, ta});
  CHECK(memo != 0);
  std::vector<uint8_t> form(here.portable_bytes(3));
  CHECK_EQUAL(size_t(3 * 2 * 8), form.size());
  here.export_memo(memo, 3, form.data());

  (void)there.intern(c);  // other ids there
  const uint32_t got = there.import_memo(form.data(), 3);
  CHECK(got != 0);
  const uint32_t* t = there.tuple(got);
  CHECK(t[0] != 0 && t[2] != 0);
  CHECK_EQUAL(0u, t[1]);
  CHECK(t[0] != tb || t[2] != ta);  // ids differ; the sets' bits do not:
  CHECK_EQUAL(there.intern(b), t[0]);
  CHECK_EQUAL(there.intern(a), t[2]);
  // The same form again: the same memo.
  CHECK_EQUAL(got, there.import_memo(form.data(), 3));

  here.export_memo(0, 3, form.data());
  CHECK_EQUAL(0u, there.import_memo(form.data(), 3));
}
