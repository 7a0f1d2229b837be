// Language features of docs/model-language.md that targets rely on: statement
// macros (do-while, statement lists, per-use locals), macros taking types,
// declarations under #if in bodies, #include under #if, printk's %s.
#include <fstream>
#include <string>

#include "support/temp_project.h"
#include "target/instantiate.h"
#include "driver/run.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {
const std::string kPre = std::string(test::kPrelude) + "struct obj { long a; long b; };\nstruct obj g;\nlong x;\n";

CheckResult check(const std::string& text, const std::string& target = "t") {
  TempProject tp(kPre + text);
  return tp.check(target);
}
std::string error_of(const std::string& text) {
  try {
    TempProject tp(kPre + text);
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}
#define CHECK_PASS(r) CHECK_TEXT((r).verdict == ptcheck::RowVerdict::Pass, (got_text((r))).c_str())
}  // namespace

TEST_GROUP(Language){};

TEST(Language, StatementMacros) {
  CheckResult r = check(R"(
#define SWAP(t, p, q) do { t tmp = p; p = q; q = tmp; } while (0)
#define SET_BOTH(o, v) (o)->a = (v); (o)->b = (v)
#define DECLARE_COUNTER(n) long n = 0
#define BUMP(v) { v = v + 1; }
target t {
  thread a {
    struct obj *o = &g, *p = 0;
    DECLARE_COUNTER(c);
    SET_BOTH(&g, 3);
    SWAP(long, g.a, x);
    SWAP(struct obj *, o, p);     /* the same macro, another type: its own local */
    BUMP(c);
    BUG_ON(x != 3 || g.a != 0 || g.b != 3 || c != 1 || o != 0 || p != &g);
  }
  expect pass;
}
)");
  CHECK_PASS(r);
  CHECK(r.stats.states > 3);  // the writes to g and x are steps
  std::string e = error_of("#define S(v) do { v = 1; } while (0)\ntarget t { thread a { x = S(x); } expect pass; }\n");
  CHECK_TEXT(e.find("spec/t.ptm:8:27: error: statement macro 'S' used as a value") != std::string::npos, e.c_str());
}

TEST(Language, MacrosTakingTypes) {
  CheckResult r = check(R"(
#define OBJ_OF(ptr, type, member) container_of(ptr, type, member)
#define SIZE_OF(t) (sizeof(t) + 0)
#define CAST(t, v) ((t)(v))
#define AS_PTR(t, v) ((t *)(v))
enum { OBJ_WORDS = SIZE_OF(struct obj) / sizeof(long) };
target t {
  thread a {
    long *pb = &g.b;
    long arr[SIZE_OF(long)];
    BUG_ON(OBJ_OF(pb, struct obj, b) != &g);
    BUG_ON(SIZE_OF(struct obj) != 16 || OBJ_WORDS != 2 || sizeof(arr) != 64);
    BUG_ON(CAST(unsigned char, 0x1ff) != 0xff);
    BUG_ON(AS_PTR(struct obj, pb) != (struct obj *)pb);
    x = 1;
  }
  expect pass;
}
)");
  CHECK_PASS(r);
  std::string e = error_of("static long f(long v) { return v; }\ntarget t { thread a { x = f(struct obj); } expect pass; }\n");
  CHECK_TEXT(e.find("error: a type is only allowed as the argument of a macro's type parameter") != std::string::npos,
             e.c_str());
}

TEST(Language, DeclarationsUnderIfInBodies) {
  const std::string text = R"(
static long f(void)
{
#if IS_ENABLED(CONFIG_MEMCG)
	long y = 2;
#else
	long y = 3;
#endif
	return y;
}
target t { thread a { x = f(); BUG_ON(x != 2); } expect pass; }
target t_nomemcg { set CONFIG_MEMCG = n; thread a { x = f(); BUG_ON(x != 3); } expect pass; }
)";
  CHECK_PASS(check(text, "t"));
  CHECK_PASS(check(text, "t_nomemcg"));
}

TEST(Language, IncludeUnderIf) {
  // Both files are found (relative to the including file); the config picks one.
  TempProject tp({{"t.ptm", kPre + R"(
#if IS_ENABLED(CONFIG_MEMCG)
#include "inc/yes.ptm"
#else
#include "inc/no.ptm"
#endif
target t { thread a { x = which(); BUG_ON(x != 1); } expect pass; }
target t_nomemcg { set CONFIG_MEMCG = n; thread a { x = which(); BUG_ON(x != 2); } expect pass; }
)"},
                  {"inc/yes.ptm", "static long which(void) { return 1; }\n"},
                  {"inc/no.ptm", "static long which(void) { return 2; }\n"}});
  CHECK_PASS(tp.check("t"));
  CHECK_PASS(tp.check("t_nomemcg"));
}

TEST(Language, PrintkStrings) {
  TempProject tp(kPre + R"(
#define WHO "walker"
static void f(void) { x = 2; printk("%s: %s %d%% of [%5s] [%-4s]\n", __func__, WHO, 3, "x%y", "ab"); x = 1; }
target t { thread a { f(); BUG_ON(x == 1); } expect violation bug; }
)");
  CheckResult r = tp.check("t");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  bool found = false;
  for (const auto& st : r.trace->steps)
    for (const auto& o : st.output) found = found || o == "f: walker 3% of [  x%y] [ab  ]";
  CHECK_TEXT(found, trace::to_text(*r.trace).c_str());
  std::string e = error_of("char buf[4];\ntarget t { thread a { x = 1; printk(\"%s\", buf); } expect pass; }\n");
  CHECK_TEXT(e.find("error: printk %s takes a string literal or __func__") != std::string::npos, e.c_str());
}

TEST(Language, AssumeDiscardsPaths) {
  const std::string text = R"(
long y;
struct robj { long v; };
target t {
  heap { slab robj_cache (struct robj) 1; }
  thread a { x = nondet(3); assume(x != 2); y = x; }
  thread b { BUG_ON(READ_ONCE(y) == 2); }
  expect pass;
}
target t_unpruned {
  thread a { x = nondet(3); y = x; }
  thread b { BUG_ON(READ_ONCE(y) == 2); }
  expect violation bug;
}
target t_no_leak {
  heap { slab robj_cache (struct robj) 1; }
  thread a { struct robj *p = kmem_cache_alloc(robj_cache, 0); x = 1; assume(p == 0); }
  leak_check robj_cache;
  expect pass;
}
target t_leak {
  heap { slab robj_cache (struct robj) 1; }
  thread a { struct robj *p = kmem_cache_alloc(robj_cache, 0); x = 1; assume(p != 0); }
  leak_check robj_cache;
  expect violation leak;
}
)";
  TempProject tp(kPre + text);
  CheckResult r = tp.check("t"), u = tp.check("t_unpruned");
  CHECK_PASS(r);
  STRCMP_EQUAL("bug", ptcheck::kind_text(u).c_str());
  CHECK(r.stats.states != u.stats.states);
  CHECK_PASS(tp.check("t_no_leak"));                       // a discarded path is no leak
  STRCMP_EQUAL("leak", ptcheck::kind_text(tp.check("t_leak")).c_str());  // a kept one is
  std::string e = error_of("target t { init { assume(x == 0); } thread a { x = 1; } expect pass; }\n");
  CHECK_TEXT(e.find("spec/t.ptm:7:19: error: assume() in init") != std::string::npos, e.c_str());
}

TEST(Language, FinalRunsAfterEveryThreadAndCallback) {
  const std::string text = R"(
long y, done;
struct robj { long v; struct rcu_head rcu; };
struct robj r;
static void cb(struct rcu_head *h) { WRITE_ONCE(done, 1); }
target t {
  thread a { x = 1; }
  thread b { y = 2; call_rcu(&r.rcu, cb); }
  final { BUG_ON(x + y != 3 || READ_ONCE(done) != 1); }
  expect pass;
}
target t_fails {
  thread a { x = 1; }
  thread b { y = 2; }
  final { BUG_ON(x + y == 3); }
  expect violation bug;
}
)";
  TempProject tp(kPre + text);
  CHECK_PASS(tp.check("t"));
  CheckResult f = tp.check("t_fails");
  STRCMP_EQUAL("bug", ptcheck::kind_text(f).c_str());
  CHECK(f.trace.has_value());
  if (!f.trace) return;
  const auto& st = f.trace->steps;
  CHECK(st.size() >= 3);
  STRCMP_EQUAL("final", st.back().thread.c_str());
  bool waited = false;
  for (const auto& s : st) waited = waited || (s.thread == "final" && s.statement == "final: every thread has finished");
  CHECK(waited);
  ReplayResult rr = replay_trace(tp.project(), *f.trace, {});
  CHECK_TEXT(rr.reproduced, rr.message.c_str());
}
