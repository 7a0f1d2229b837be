// Sleeping locks, interrupts, preemption and IPIs: mutexes and rwsem trylocks,
// might_sleep() in atomic context, spinlock and irq-off regions as RCU
// read-side sections, and smp_call_function(wait) blocking on CPUs with
// interrupts disabled (what GUP-fast's local_irq_save relies on).
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
struct mutex { long owner; };
struct rw_semaphore { long count; };
struct obj { long val; struct rcu_head rcu; };
struct mutex m;
struct rw_semaphore sem;
spinlock_t lock;
struct obj *o;
long seen, got, done_cb;

static void cb(struct rcu_head *h) { done_cb = 1; }

target mutex_excludes {
	thread A { mutex_lock(&m); seen = seen + 1; mutex_unlock(&m); }
	thread B { mutex_lock(&m); seen = seen + 1; mutex_unlock(&m); }
	invariant seen_small;
	expect pass;
}

target mutex_under_spinlock {
	thread A { spin_lock(&lock); mutex_lock(&m); mutex_unlock(&m); spin_unlock(&lock); }
	expect violation sleep-in-atomic;
}

target down_read_irqs_off {
	thread A { unsigned long flags; local_irq_save(flags); down_read(&sem); up_read(&sem); local_irq_restore(flags); }
	expect violation sleep-in-atomic;
}

target trylocks {
	thread A { got = mutex_trylock(&m); got = got + 2 * down_write_trylock(&sem); got = got + 4 * down_read_trylock(&sem);
		if (got & 1) mutex_unlock(&m); if (got & 2) up_write(&sem); if (got & 4) up_read(&sem); }
	expect pass;
}

target spin_section_is_reader {
	heap { slab cache (struct obj) 1; }
	init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread R { spin_lock_irq(&lock); seen = 1; spin_unlock_irq(&lock); }
	thread U { call_rcu(&o->rcu, cb); }
	expect pass;
}

target ipi_waits_for_irqs_off {
	thread W { unsigned long flags; local_irq_save(flags); seen = 1; seen = 2; local_irq_restore(flags); }
	thread S { smp_call_function(0, 0, 1); got = seen; }
	expect pass;
}

target ipi_deadlock {
	thread W { local_irq_disable(); spin_lock(&lock); spin_unlock(&lock); local_irq_enable(); }
	thread S { spin_lock(&lock); smp_call_function(0, 0, 1); spin_unlock(&lock); }
	expect violation deadlock;
}

target downgrade_keeps_writers_out {
	thread A { down_write(&sem); seen = 1; downgrade_write(&sem); seen = 2; up_read(&sem); }
	thread B { down_write(&sem); got = seen; up_write(&sem); }
	expect pass;
}

target downgrade_read_held {
	thread A { down_read(&sem); downgrade_write(&sem); up_read(&sem); }
	expect violation bad-unlock;
}

static bool seen_small(void) { return seen <= 2; }
)";

using Driver = test::StepDriver;

}  // namespace

TEST_GROUP(Sync){};

TEST(Sync, VerdictsOfTheSmallTargets) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  for (const char* t : {"mutex_excludes", "mutex_under_spinlock", "down_read_irqs_off", "trylocks",
                        "spin_section_is_reader", "ipi_waits_for_irqs_off", "ipi_deadlock",
                        "downgrade_keeps_writers_out", "downgrade_read_held"}) {
    CheckResult r = p.check(t);
    if (!r.as_expected) FAIL((std::string(t) + ": got " + got_text(r)).c_str());
  }
}

TEST(Sync, SleepInAtomicReportNamesTheSpinlock) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  CheckResult r = p.check("mutex_under_spinlock");
  CHECK(r.trace.has_value());
  CHECK(r.trace->violation.title.find("BUG: sleeping function called from invalid context") == 0);
}

TEST(Sync, TrylocksReturnOneWhenFree) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "trylocks");
  while (d.can(0)) d.step(0);
  // mutex and write lock succeed; the read trylock then fails on the writer.
  LONGS_EQUAL(3, d.global("got"));
}

TEST(Sync, SpinlockSectionHoldsBackTheGracePeriod) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "spin_section_is_reader");
  const uint32_t R = 0, U = 1, rcu = d.inst->model.rcu_context();
  d.step(R);  // local_irq_disable()
  d.step(R);  // spin_lock()
  d.step(U);  // load o
  d.step(U);  // call_rcu() while R holds a spinlock with interrupts off
  CHECK(!d.can(rcu));
  d.step(R);  // seen = 1
  d.step(R);  // spin_unlock(): interrupts are still off
  CHECK(!d.can(rcu));
  d.step(R);  // local_irq_enable()
  CHECK(d.can(rcu));
}

TEST(Sync, IpiWaitsUntilInterruptsComeBack) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "ipi_waits_for_irqs_off");
  const uint32_t W = 0, S = 1;
  d.step(W);  // local_irq_save()
  d.step(S);  // smp_call_function(): W has interrupts off
  CHECK(!d.can(S));
  d.step(W);
  d.step(W);
  CHECK(!d.can(S));
  d.step(W);  // local_irq_restore(flags): interrupts on, the IPI is taken
  CHECK(d.can(S));
}

TEST(Sync, DowngradeWriteAdmitsReadersNotWriters) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  Driver d(p, "downgrade_keeps_writers_out");
  const uint32_t A = 0, B = 1;
  d.step(A);  // down_write()
  CHECK(!d.can(B));
  d.step(A);  // seen = 1
  d.step(A);  // downgrade_write(): now one reader, no window for B
  CHECK(!d.can(B));
  d.step(A);  // seen = 2
  d.step(A);  // up_read()
  CHECK(d.can(B));
  while (d.can(B)) d.step(B);  // down_write(), got = seen, up_write()
  LONGS_EQUAL(2, d.global("got"));
}
