// lockdep at thread exit and across the explored space: locks, RCU, interrupts
// and preemption held when a context finishes; recursive locking of a class
// and its nesting annotation; the lock-order graph, its cycles (reported with
// every chain, replayable) and its independence of the thread count.
#include <string>

#include "driver/lock_graph.h"
#include "support/temp_project.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using ptcheck::test::kPrelude;
using ptcheck::test::TempProject;

namespace {

const char* kModel = R"(
struct obj { spinlock_t lock; long val; struct rcu_head rcu; };
struct mutex { long owner; };
struct rw_semaphore { long count; };
spinlock_t a, b, c;
struct mutex m;
struct rw_semaphore sem;
struct obj *o1, *o2;
long g, done;

static void take_a(void) { spin_lock(&a); }
static void leaks_lock(struct rcu_head *h) { spin_lock(&c); }

target held_spin { thread T { g = 1; take_a(); g = 2; } expect violation lock-held-at-exit; }
target held_mutex { thread T { mutex_lock(&m); } expect violation lock-held-at-exit; }
target held_rwsem { thread T { down_read(&sem); } expect violation lock-held-at-exit; }
target held_rcu { thread T { rcu_read_lock(); g = 1; } expect violation rcu-held-at-exit; }
target held_rcu_and_lock { thread T { rcu_read_lock(); spin_lock(&a); } expect violation lock-held-at-exit; }
target irqs_off { thread T { local_irq_disable(); g = 1; } expect violation atomic-at-exit; }
target preempt_off { thread T { preempt_disable(); preempt_disable(); preempt_enable(); } expect violation atomic-at-exit; }
target callback_holds { heap { slab cache (struct obj) 1; } init { o1 = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { call_rcu(&o1->rcu, leaks_lock); } expect violation lock-held-at-exit; }
target final_holds { thread T { g = 1; } final { spin_lock(&a); } expect violation lock-held-at-exit; }
target all_released { thread T { unsigned long f; rcu_read_lock(); local_irq_save(f); spin_lock(&a); mutex_trylock(&m);
	spin_unlock(&a); local_irq_restore(f); rcu_read_unlock(); mutex_unlock(&m); } expect pass; }

target abba_sequential { thread T1 { spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a); WRITE_ONCE(done, 1); }
	thread T2 { while (!READ_ONCE(done)) ; spin_lock(&b); spin_lock(&a); spin_unlock(&a); spin_unlock(&b); }
	expect violation circular-locking; }
target abc_cycle { thread T1 { spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a); WRITE_ONCE(done, 1); }
	thread T2 { while (READ_ONCE(done) != 1) ; spin_lock(&b); spin_lock(&c); spin_unlock(&c); spin_unlock(&b); WRITE_ONCE(done, 2); }
	thread T3 { while (READ_ONCE(done) != 2) ; spin_lock(&c); spin_lock(&a); spin_unlock(&a); spin_unlock(&c); }
	expect violation circular-locking; }
target trylock_no_edge { thread T1 { spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a); WRITE_ONCE(done, 1); }
	thread T2 { while (!READ_ONCE(done)) ; spin_lock(&b); if (spin_trylock(&a)) spin_unlock(&a); spin_unlock(&b); }
	expect pass; }
target same_class { heap { slab cache (struct obj) 2; }
	init { o1 = kmem_cache_zalloc(cache, GFP_KERNEL); o2 = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { spin_lock(&o1->lock); spin_lock(&o2->lock); spin_unlock(&o2->lock); spin_unlock(&o1->lock); }
	expect violation recursive-locking; }
target same_class_nested { heap { slab cache (struct obj) 2; }
	init { o1 = kmem_cache_zalloc(cache, GFP_KERNEL); o2 = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { spin_lock(&o1->lock); spin_lock_nested(&o2->lock, SINGLE_DEPTH_NESTING); spin_unlock(&o2->lock); spin_unlock(&o1->lock); }
	thread U { spin_lock(&a); spin_lock(&o1->lock); spin_unlock(&o1->lock); spin_unlock(&a); }
	expect pass; }
)";

std::string text_of(const CheckResult& r) { return r.trace ? trace::to_text(*r.trace) : std::string(); }
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_GROUP(Lockdep){};

TEST(Lockdep, EachTargetMeetsItsExpectation) {
  TempProject p(std::string(kPrelude) + kModel);
  for (const char* t : {"held_spin", "held_mutex", "held_rwsem", "held_rcu", "held_rcu_and_lock", "irqs_off",
                        "preempt_off", "callback_holds", "final_holds", "all_released", "abba_sequential",
                        "abc_cycle", "trylock_no_edge", "same_class", "same_class_nested"}) {
    CheckResult r = p.check(t);
    std::string what = std::string(t) + ": got " + got_text(r);
    CHECK_TEXT(r.as_expected, what.c_str());
  }
}

TEST(Lockdep, HeldLockNamesClassAndAcquisitionSite) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("held_spin");
  std::string text = text_of(r);
  STRCMP_EQUAL("WARNING: lock held when returning to user space!", r.trace->violation.title.c_str());
  CHECK_TEXT(has(text, "T/0 is leaving the kernel with locks still held!"), text.c_str());
  CHECK_TEXT(has(text, "1 lock held by T/0:"), text.c_str());
  CHECK_TEXT(has(text, "(a), at: take_a (spec/t.ptm:"), text.c_str());
  CHECK_TEXT(has(text, "called from T (spec/t.ptm:"), text.c_str());
}

TEST(Lockdep, RcuAndLockListedInAcquisitionOrder) {
  TempProject p(std::string(kPrelude) + kModel);
  std::string text = text_of(p.check("held_rcu_and_lock"));
  size_t rcu = text.find("#0: (rcu_read_lock){nesting 1}"), lock = text.find("#1: ");
  CHECK_TEXT(rcu != std::string::npos && lock != std::string::npos && rcu < lock, text.c_str());
  CHECK_TEXT(has(text, "rcu_read_lock() held at exit (nesting 1)"), text.c_str());
  std::string only = text_of(p.check("held_rcu"));
  CHECK_TEXT(has(only, "rcu_read_lock() held at exit"), only.c_str());
}

TEST(Lockdep, IrqsAndPreemptionUseDoExitsWords) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult irq = p.check("irqs_off");
  STRCMP_EQUAL("note: T[0] exited with irqs disabled", irq.trace->violation.title.c_str());
  CHECK(has(text_of(irq), "interrupts disabled, at: T (spec/t.ptm:"));
  CheckResult pre = p.check("preempt_off");
  STRCMP_EQUAL("note: T[0] exited with preempt_count 1", pre.trace->violation.title.c_str());
}

TEST(Lockdep, RecursiveLockingOfAClass) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("same_class");
  STRCMP_EQUAL("WARNING: possible recursive locking detected", r.trace->violation.title.c_str());
  std::string text = text_of(r);
  CHECK_TEXT(has(text, "(obj.lock), at: T (spec/t.ptm:"), text.c_str());
  CHECK_TEXT(has(text, "missing lock nesting notation"), text.c_str());
}

TEST(Lockdep, CircularDependencyWithoutADeadlockState) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("abba_sequential");
  CHECK(r.trace.has_value());
  STRCMP_EQUAL("WARNING: possible circular locking dependency detected", r.trace->violation.title.c_str());
  std::string text = text_of(r);
  CHECK_TEXT(has(text, "closing dependency: b -> a"), text.c_str());
  CHECK_TEXT(has(text, "-> #1 (a -> b): first taken on a path of"), text.c_str());
  CHECK_TEXT(has(text, "T1 spec/t.ptm:"), text.c_str());  // the other chain's steps
  // The stored trace replays: its last step takes the closing dependency.
  trace::Trace back = trace::parse_text("t.trace", text);
  ReplayResult rr = replay_trace(p.project(), back, {});
  CHECK_TEXT(rr.reproduced, rr.message.c_str());
  CheckResult three = p.check("abc_cycle");
  CHECK(has(text_of(three), "-> #2"));
}

TEST(Lockdep, GraphIsTheSameForAnyThreadCount) {
  TempProject p(std::string(kPrelude) + kModel);
  for (const char* t : {"same_class_nested", "abba_sequential", "trylock_no_edge"}) {
    CheckResult one = p.check(t, 1), two = p.check(t, 2);
    CHECK(!one.lock_edges.empty());
    CHECK(one.lock_edges == two.lock_edges);
    CHECK(one.verdict == two.verdict);
    if (one.trace && two.trace) CHECK(trace::to_text(*one.trace) == trace::to_text(*two.trace));
  }
  CheckResult n = p.check("same_class_nested");
  bool nested = false;
  for (const auto& [x, y] : n.lock_edges) nested = nested || (x == "obj.lock" && y == "obj.lock/1");
  CHECK(nested);
  std::string dot = lock_graph_dot({n});
  CHECK_TEXT(has(dot, "digraph lock_order") && has(dot, "label=\"obj.lock/1\"") && has(dot, "->"), dot.c_str());
}
