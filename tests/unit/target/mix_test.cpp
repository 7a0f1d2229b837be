// Numeric target parameters, thread arrays and the mix construct
// (checker/target/desugar.h): the desugaring is exact (same state space as
// the hand-written form), bounds override parameters, traces name the op and
// pool element chosen and replay with the bounds they were recorded under.
#include <string>

#include "driver/run.h"
#include "support/temp_project.h"
#include "target/desugar.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {

const std::string kCounters = std::string(test::kPrelude) + R"(
struct counter { spinlock_t lock; int val; };
struct counter ctr[2];
static void inc(struct counter *c) { int t; t = c->val; c->val = t + 1; }
)";

// The mix of the brief's example and its desugaring, written by hand.
const std::string kMixAndHand = kCounters + R"(
target as_mix {
  mix {
    threads 2;
    ops 2;
    pool struct counter *c = { &ctr[0], &ctr[1] };
    op bump(c) { inc(c); }
    op look(c) { int v; v = READ_ONCE(c->val); }
    op nothing() { }
  }
  expect pass;
}
target by_hand {
  thread mix[2] {
    int __op;
    for (__op = 0; __op < 2; __op++) {
      switch (nondet(3)) {
      case 0: { struct counter *c; switch (nondet(2)) { case 0: c = &ctr[0]; break; default: c = &ctr[1]; break; }
                { inc(c); } break; }
      case 1: { struct counter *c; switch (nondet(2)) { case 0: c = &ctr[0]; break; default: c = &ctr[1]; break; }
                { int v; v = READ_ONCE(c->val); } break; }
      default: { { } break; }
      }
    }
  }
  expect pass;
}
)";

}  // namespace

TEST_GROUP(Mix){};

TEST(Mix, DesugaringHasTheHandWrittenStateSpace) {
  TempProject tp(kMixAndHand);
  CheckResult a = tp.check("as_mix"), b = tp.check("by_hand");
  STRCMP_EQUAL("pass", ptcheck::to_string(a.verdict));
  CHECK(a.stats.states > 100);
  LONGS_EQUAL(b.stats.states, a.stats.states);
  LONGS_EQUAL(b.stats.transitions, a.stats.transitions);
  LONGS_EQUAL(b.stats.depth, a.stats.depth);
}

TEST(Mix, BoundsOverrideThreadsAndOps) {
  TempProject tp(kMixAndHand);
  CheckResult base = tp.check("as_mix");
  tp.project().set_bounds({{"ops", 1}});
  CheckResult fewer = tp.check("as_mix");
  tp.project().set_bounds({{"threads", 3}, {"ops", 1}});
  CheckResult wider = tp.check("as_mix");
  CHECK(fewer.stats.states < base.stats.states);
  CHECK(wider.stats.states > fewer.stats.states);
  // ops=1: each thread makes one op choice and at most one pool choice.
  auto inst = instantiate(tp.project(), *tp.project().find_target("as_mix"), "x86_64", {}, {{"threads", 3}});
  LONGS_EQUAL(3, inst->code.threads.size());
  STRCMP_EQUAL("mix_2", inst->code.threads[2].name.c_str());
}

TEST(Mix, UnknownBoundNamesTheTargetsParameters) {
  TempProject tp(kCounters + "target t { set OPS = 2; mix { ops OPS; op a() { } } expect pass; }\n");
  try {
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {{"opz", 1}});
    FAIL("accepted an unknown bound");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK_TEXT(m.find("spec/t.ptm:") != std::string::npos, m.c_str());
    CHECK_TEXT(m.find("no parameter 'opz' (its parameters: OPS, threads, ops)") != std::string::npos, m.c_str());
  }
}

TEST(Mix, TraceNamesTheOpAndPoolElementAndReplaysWithItsBounds) {
  TempProject tp(kCounters + R"(
target mix_bug {
  set LIMIT = 1;
  mix {
    threads 1;
    ops 1;
    pool struct counter *c = { &ctr[0], &ctr[1] };
    op quiet() { }
    op boom(c) { inc(c); BUG_ON(c == &ctr[1] && READ_ONCE(c->val) > LIMIT); }
  }
  expect violation bug;
}
)");
  CheckResult pass = tp.check("mix_bug");
  STRCMP_EQUAL("pass", ptcheck::to_string(pass.verdict));  // one op cannot raise val above 1
  tp.project().set_bounds({{"ops", 2}});
  CheckResult r = tp.check("mix_bug");
  STRCMP_EQUAL("bug", ptcheck::kind_text(r).c_str());
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  const auto& st = r.trace->steps;
  CHECK(st.size() >= 4);
  STRCMP_EQUAL("mix_0", st[0].thread.c_str());
  STRCMP_EQUAL("mix: op boom(c)", st[0].statement.c_str());
  LONGS_EQUAL(1, *st[0].choice);
  STRCMP_EQUAL("pool c = &ctr[1]", st[1].statement.c_str());
  LONGS_EQUAL(1, *st[1].choice);
  bool ops2 = false;
  for (const auto& [n, v] : r.trace->header.bounds) ops2 = ops2 || (n == "ops" && v == 2);
  CHECK(ops2);
  // The text form keeps the bounds, and replay uses them (with ops=1 the
  // second op would not exist).
  trace::Trace back = trace::parse_text("t.trace", trace::to_text(*r.trace));
  CHECK(back.header.bounds == r.trace->header.bounds);
  STRCMP_EQUAL("spec/t.ptm", back.header.spec.c_str());
  tp.project().set_bounds({});
  ReplayResult rr = replay_trace(tp.project(), back, {});
  CHECK_TEXT(rr.reproduced, rr.message.c_str());
}

TEST(Mix, OnePoolElementAndOneOpCostNoChoice) {
  TempProject tp(kCounters + R"(
target single { mix { threads 1; ops 1; pool struct counter *c = { &ctr[0] }; op bump(c) { inc(c); } } expect pass; }
)");
  CheckResult r = tp.check("single");
  STRCMP_EQUAL("pass", ptcheck::to_string(r.verdict));
  LONGS_EQUAL(3, r.stats.states);  // read, write, done: no choice steps
}

TEST(Mix, ThreadArraysAndParametersInCodeAndArraySizes) {
  TempProject tp(kCounters + R"(
target arr {
  set N = 3;
  thread W[N] { int a[N]; a[N - 1] = __thread_index + READ_ONCE(ctr[0].val); BUG_ON(a[N - 1] == 2); }
  expect violation bug;
}
)");
  auto inst = instantiate(tp.project(), *tp.project().find_target("arr"), "x86_64", {}, {});
  LONGS_EQUAL(3, inst->code.threads.size());
  STRCMP_EQUAL("W_0", inst->code.threads[0].name.c_str());
  CheckResult r = tp.check("arr");
  STRCMP_EQUAL("bug", ptcheck::kind_text(r).c_str());
  CHECK(r.trace.has_value());
  if (r.trace) {
    CHECK(!r.trace->steps.empty());
    if (!r.trace->steps.empty()) STRCMP_EQUAL("W_2", r.trace->steps.back().thread.c_str());
  }
  tp.project().set_bounds({{"N", 2}});
  STRCMP_EQUAL("pass", ptcheck::to_string(tp.check("arr").verdict));
}

TEST(Mix, MalformedMixesAreLocatedErrors) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"target t { mix { pool struct counter *p = { &ctr[0] }; op move(p, p) { } } expect pass; }",
       "t.ptm:8:67: error: op 'move' names pool 'p' twice: one binding per pool name"},
      {"target t { mix { op a(q) { } } expect pass; }", "t.ptm:8:23: error: op 'a' names no pool 'q' (the mix's pools: none)"},
      {"target t { mix { threads 2; } expect pass; }", "t.ptm:8:12: error: mix has no op"},
      {"target t { mix { threads X; op a() { } } expect pass; }",
       "t.ptm:8:26: error: the mix's thread count: expected a number or a target parameter"},
      {"target t { mix { threads 31; op a() { } } expect pass; }",
       "t.ptm:8:26: error: the mix's thread count is 31: expected 0 to 30"},
      {"target t { set threads = 2; mix { op a() { } } expect pass; }",
       "t.ptm:8:16: error: 'threads' is the unnamed mix's own parameter"},
      {"target t { mix { op a() { } } mix { op b() { } } expect pass; }",
       "t.ptm:8:31: error: duplicate unnamed 'mix' in target: expected at most one (name the others"},
      {"target t { mix m { op a() { } } mix m { op b() { } } expect pass; }",
       "t.ptm:8:37: error: mix 'm' is declared twice in target 't'"},
      {"target t { thread m { } mix m { op a() { } } expect pass; }",
       "t.ptm:8:25: error: target 't' has two threads named 'm'"},
      {"target t { thread w_1 { } thread w[2] { } expect pass; }",
       "t.ptm:8:27: error: target 't' has two threads named 'w_1'"},
      {"target t { mix m { ops OPS; op a() { } } expect pass; }",
       "t.ptm:8:24: error: the op count of mix 'm': expected a number or a target parameter"},
      {"target t { mix m { op a() { } after { } after { } } expect pass; }",
       "t.ptm:8:41: error: duplicate 'after' in mix: expected at most one"},
      {"target t { mix m { op a() { } after x; } expect pass; }", "t.ptm:8:37: error: expected '{' after 'after'"},
      {"target t { mix m { op a() { } } expect pass; }\ntarget u { mix m { op a(q) { } } expect pass; }",
       "t.ptm:9:25: error: op 'a' names no pool 'q' (the mix m's pools: none)"},
      {"target t { set N = 2; thread w { int N; } expect pass; }",
       "t.ptm:8:34: error: local 'N' hides the target parameter 'N'"},
      {"target t { thread w[] { } expect pass; }", "t.ptm:8:21: error: expected a thread count"},
      {"target t { set N = 1; set N = 2; thread w { } expect pass; }", "t.ptm:8:27: error: parameter 'N' is set twice"},
  };
  for (const auto& c : cases) {
    std::string msg = "(accepted)";
    try {
      TempProject tp(kCounters + c.text + "\n");
      instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
      if (tp.project().find_target("u")) instantiate(tp.project(), *tp.project().find_target("u"), "x86_64", {}, {});
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK_TEXT(msg.find(c.message) != std::string::npos, (std::string(c.text) + "\n  -> " + msg).c_str());
  }
}

TEST(Mix, HeapCountsMayBeParametersThatBoundsOverride) {
  const std::string text = std::string(test::kPrelude) + R"(
struct obj { long v; };
target t {
  set PAGES = 2;
  set BYTES = 32;
  set OBJS = 3;
  heap { pages PAGES; page_bytes BYTES; slab objs (struct obj) OBJS; }
  thread w { struct obj *o = kmem_cache_alloc(objs, GFP_KERNEL); kmem_cache_free(objs, o); }
  expect pass;
}
)";
  TempProject tp(text);
  auto count_of = [](const Instance& inst, vm::RegionKind k) -> int64_t {
    for (const auto& r : inst.model.regions)
      if (r.kind == k) return int64_t(r.count);
    return -1;
  };
  auto size_of = [](const Instance& inst, vm::RegionKind k) -> int64_t {
    for (const auto& r : inst.model.regions)
      if (r.kind == k) return int64_t(r.obj_size);
    return -1;
  };
  auto base = instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  CHECK_EQUAL(2, count_of(*base, vm::RegionKind::Pages));
  CHECK_EQUAL(32, size_of(*base, vm::RegionKind::PageData));
  CHECK_EQUAL(3, count_of(*base, vm::RegionKind::Slab));
  auto wider = instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {},
                           {{"PAGES", 5}, {"BYTES", 64}, {"OBJS", 4}});
  CHECK_EQUAL(5, count_of(*wider, vm::RegionKind::Pages));
  CHECK_EQUAL(64, size_of(*wider, vm::RegionKind::PageData));
  CHECK_EQUAL(4, count_of(*wider, vm::RegionKind::Slab));
  CHECK(wider->model.state_size > base->model.state_size);
  CHECK(tp.check("t").as_expected);

  // A name that is no parameter, and a negative count, are located errors.
  auto error_of = [&](const std::string& heap, std::vector<std::pair<std::string, int64_t>> bounds) {
    try {
      TempProject bad(std::string(test::kPrelude) + "struct obj { long v; };\ntarget t { set N = 2; heap { " + heap +
                      " } thread w { } expect pass; }\n");
      instantiate(bad.project(), *bad.project().find_target("t"), "x86_64", {}, bounds);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  std::string m = error_of("pages NOPE;", {});
  CHECK_TEXT(m.find("spec/t.ptm:5:") != std::string::npos &&
                 m.find("the heap's page count: 'NOPE' is not a parameter of target 't' (its parameters: N)") !=
                     std::string::npos,
             m.c_str());
  m = error_of("slab objs (struct obj) N;", {{"N", -1}});
  CHECK_TEXT(m.find("the slab's object count is parameter 'N' = -1: expected 0 or more") != std::string::npos, m.c_str());
}

// Named mixes, one kind of thread each, with an after block: the same state
// space as the hand-written threads, each sized by the target's own `ops`.
TEST(Mix, NamedMixesWithAfterBlocksHaveTheHandWrittenStateSpace) {
  TempProject tp(kCounters + R"(
int done;
target named {
  set ops = 2;
  mix task {
    threads 2;
    ops ops;
    pool struct counter *c = { &ctr[0], &ctr[1] };
    op bump(c) { inc(c); }
    op look() { int v; v = READ_ONCE(ctr[0].val); }
    after { WRITE_ONCE(done, READ_ONCE(done) + 1); }
  }
  mix remote {
    ops ops - 1;
    op bump() { inc(&ctr[1]); }
    op nothing() { }
  }
  expect pass;
}
target by_hand {
  thread task[2] {
    int __op;
    for (__op = 0; __op < 2; __op++) {
      switch (nondet(2)) {
      case 0: { struct counter *c; switch (nondet(2)) { case 0: c = &ctr[0]; break; default: c = &ctr[1]; break; }
                { inc(c); } break; }
      default: { { int v; v = READ_ONCE(ctr[0].val); } break; }
      }
    }
    { WRITE_ONCE(done, READ_ONCE(done) + 1); }
  }
  thread remote {
    int __op;
    for (__op = 0; __op < 1; __op++) {
      switch (nondet(2)) {
      case 0: { { inc(&ctr[1]); } break; }
      default: { { } break; }
      }
    }
  }
  expect pass;
}
)");
  auto inst = instantiate(tp.project(), *tp.project().find_target("named"), "x86_64", {}, {});
  LONGS_EQUAL(3, inst->code.threads.size());
  STRCMP_EQUAL("task_0", inst->code.threads[0].name.c_str());
  STRCMP_EQUAL("task_1", inst->code.threads[1].name.c_str());
  STRCMP_EQUAL("remote", inst->code.threads[2].name.c_str());
  auto counts = mix_counts(*tp.project().find_target("named")->def, tp.project().sources());
  LONGS_EQUAL(2, counts.size());
  CHECK(counts[0] == std::make_pair(int64_t(2), int64_t(2)));
  CHECK(counts[1] == std::make_pair(int64_t(1), int64_t(1)));
  CheckResult a = tp.check("named"), b = tp.check("by_hand");
  STRCMP_EQUAL("pass", ptcheck::to_string(a.verdict));
  CHECK(a.stats.states > 100);
  LONGS_EQUAL(b.stats.states, a.stats.states);
  LONGS_EQUAL(b.stats.transitions, a.stats.transitions);
  LONGS_EQUAL(b.stats.depth, a.stats.depth);
  // One bound sizes both mixes through the parameter.
  tp.project().set_bounds({{"ops", 3}});
  CheckResult wider = tp.check("named");
  CHECK(wider.stats.states > a.stats.states);
  tp.project().set_bounds({{"ops", 1}});
  CheckResult narrow = tp.check("named");
  CHECK(narrow.stats.states < a.stats.states);
}

// A named mix's trace names the mix with the op it drew.
TEST(Mix, NamedMixTraceNamesTheMixAndOp) {
  TempProject tp(kCounters + R"(
target named_bug {
  mix quiet { op nothing() { } op look() { int v; v = READ_ONCE(ctr[0].val); } }
  mix loud { threads 1; op boom() { inc(&ctr[0]); BUG_ON(READ_ONCE(ctr[0].val) == 1); } op calm() { } }
  expect violation bug;
}
)");
  CheckResult r = tp.check("named_bug");
  STRCMP_EQUAL("bug", ptcheck::kind_text(r).c_str());
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  bool named = false;
  for (const auto& st : r.trace->steps)
    named = named || (st.thread == "loud_0" && st.statement == "mix loud: op boom()");
  CHECK(named);
  trace::Trace back = trace::parse_text("t.trace", trace::to_text(*r.trace));
  ReplayResult rr = replay_trace(tp.project(), back, {});
  CHECK_TEXT(rr.reproduced, rr.message.c_str());
}

// `target NAME like BASE`: a variant of a target above it (a prefix switch, a
// bound, another expectation) shares its threads and mixes.
TEST(Mix, LikeTargetsShareTheirBasesThreadsAndOverrideItsSettings) {
  TempProject tp(kCounters + R"(
static int flag_on(void) { return IS_ENABLED(CONFIG_MODEL_FLAG); }
target base {
  description "two bumps";
  set LIMIT = 2;
  set CONFIG_MODEL_FLAG = n;
  mix bump { threads 2; op inc() { inc(&ctr[0]); BUG_ON(READ_ONCE(ctr[0].val) > LIMIT); } op nothing() { } }
  reach inc;
  expect pass;
}
target variant like base {
  description "a lower limit";
  set LIMIT = 1;
  set CONFIG_MODEL_FLAG = y;
  expect violation bug;
}
target same like base { }
)");
  const auto* base = tp.project().find_target("base");
  const auto* variant = tp.project().find_target("variant");
  CHECK(base && variant);
  if (!base || !variant) return;
  STRCMP_EQUAL("a lower limit", variant->def->description.c_str());
  LONGS_EQUAL(1, variant->def->mixes.size());
  LONGS_EQUAL(1, variant->def->params.size());
  LONGS_EQUAL(1, variant->def->params[0].value);
  LONGS_EQUAL(1, variant->def->sets.size());
  CHECK(variant->def->sets[0].second);
  CHECK(!base->def->sets[0].second);
  LONGS_EQUAL(1, variant->def->reach.size());
  CheckResult b = tp.check("base"), v = tp.check("variant"), s = tp.check("same");
  STRCMP_EQUAL("pass", ptcheck::to_string(b.verdict));
  STRCMP_EQUAL("bug", ptcheck::kind_text(v).c_str());
  CHECK(v.as_expected);
  LONGS_EQUAL(b.stats.states, s.stats.states);
  LONGS_EQUAL(b.stats.transitions, s.stats.transitions);

  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"target t like nowhere { }", "t.ptm:8:15: error: target 't' like 'nowhere': no target 'nowhere' above it in this file"},
      {"target b { thread w { } expect pass; }\ntarget t like b { thread x { } }",
       "t.ptm:9:19: error: target 't' is like 'b' and shares its threads"},
      {"target b { mix m { op a() { } } expect pass; }\ntarget t like b { mix n { op a() { } } }",
       "t.ptm:9:19: error: target 't' is like 'b' and shares its mixes"},
      {"target b { set N = 1; thread w { } expect pass; }\ntarget t like b { set N = 2; set N = 3; }",
       "t.ptm:9:34: error: parameter 'N' is set twice"},
      {"target b { thread w { } expect pass; }\ntarget t like b { expect pass; expect pass; }",
       "t.ptm:9:32: error: duplicate 'expect' in target"},
  };
  for (const auto& c : cases) {
    std::string msg = "(accepted)";
    try {
      TempProject bad(kCounters + c.text + "\n");
      instantiate(bad.project(), *bad.project().find_target("t"), "x86_64", {}, {});
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK_TEXT(msg.find(c.message) != std::string::npos, (std::string(c.text) + "\n  -> " + msg).c_str());
  }
}
