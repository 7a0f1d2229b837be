// Every error kind the interpreter reports, each from a minimal model, with the
// kernel's words in the report.
#include <string>
#include <vector>

#include "support/temp_project.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using ptcheck::CheckResult;
using ptcheck::test::kPrelude;
using ptcheck::test::TempProject;

namespace {

const char* kModel = R"(
struct obj {
	spinlock_t lock;
	long val;
	struct rcu_head rcu;
};

struct obj *o;
spinlock_t a, b;
long g;

static void noop_cb(struct rcu_head *h) { }

target uaf { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { kmem_cache_free(cache, o); g = o->val; } expect violation use-after-free; }
target oob { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { g = ((long *)o)[7]; } expect violation out-of-bounds; }
target never_allocated { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { struct obj *p = slab_object(cache, 1); g = p->val; } expect violation out-of-bounds; }
target null_deref { thread T { struct obj *p = NULL; p->val = 1; } expect violation page-fault; }
target poison_deref { import "model/include/linux/poison.ptm"; thread T { struct list_head *l = LIST_POISON1; g = (long)l->next; } expect violation page-fault; }
target double_free { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { kmem_cache_free(cache, o); kmem_cache_free(cache, o); } expect violation double-free; }
target invalid_free { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { kmem_cache_free(cache, (char *)o + 8); } expect violation invalid-free; }
target held_lock_freed { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { spin_lock(&o->lock); kmem_cache_free(cache, o); } expect violation held-lock-freed; }
target lock_freed { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { kmem_cache_free(cache, o); spin_lock(&o->lock); } expect violation lock-freed-memory; }
target bad_unlock { thread T { spin_unlock(&a); } expect violation bad-unlock; }
target bad_call { thread T { void (*fp)(void) = (void *)0x1234; fp(); } expect violation bad-call; }
target bad_rcu_call { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { call_rcu(&o->rcu, noop_cb); WRITE_ONCE(o->rcu.func, (void *)0xdead000000000122); }
	expect violation bad-call; }
target rcu_call_ok { heap { slab cache (struct obj) 2; } init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { call_rcu(&o->rcu, noop_cb); } expect pass; }
target recursion { thread T { spin_lock(&a); spin_lock(&a); } expect violation deadlock; }
target abba { thread T1 { spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a); }
	thread T2 { spin_lock(&b); spin_lock(&a); spin_unlock(&a); spin_unlock(&b); } expect violation deadlock; }
target bug_on { thread T { g = 1; BUG_ON(g == 1); } expect violation bug; }
target vm_bug_page { heap { pages 2; } thread T { struct page *p = alloc_page(GFP_KERNEL); VM_BUG_ON_PAGE(p != NULL, p); }
	expect violation vm-bug; }
target vm_bug_off { set CONFIG_DEBUG_VM = n; thread T { VM_BUG_ON(1); } expect pass; }
target warn { thread T { WARN_ON(g == 0); } expect violation warn; }
target warn_only_passes { thread T { WARN_ON(g == 0); } warn_only; expect pass; }
bool g_small(void) { return g < 2; }
target invariant_broken { thread T { g = 1; g = 2; } invariant g_small; expect violation invariant; }
target invariant_holds { thread T { g = 1; } invariant g_small; expect pass; }
bool g_small_locked(void) { spin_lock(&a); return g < 2; }
target invariant_takes_lock { thread T { spin_lock(&a); g = 1; spin_unlock(&a); } invariant g_small_locked;
	expect violation model-error; }
bool allocates(void) { struct obj *p = kmem_cache_zalloc(cache, GFP_KERNEL); return p != NULL; }
target invariant_allocates { heap { slab cache (struct obj) 2; } thread T { g = 1; } invariant allocates;
	expect violation model-error; }
bool g_small_stored(void) { g = 0; return true; }
target invariant_stores { thread T { g = 1; } invariant g_small_stored; expect violation model-error; }
bool g_small_local(void) { long x[2]; x[1] = g; rcu_read_lock(); x[0] = x[1]; rcu_read_unlock(); return x[0] < 2; }
target invariant_local_ok { thread T { g = 1; } invariant g_small_local; expect pass; }
bool chooses(void) { return nondet(2) == 1; }
target invariant_chooses { thread T { g = 1; } invariant chooses; expect violation model-error; }
bool waits(void) { synchronize_rcu(); return g < 2; }
target invariant_waits { thread T { g = 1; } invariant waits; expect violation model-error; }
target too_many_locks { thread T { spinlock_t l[5]; int i; for (i = 0; i < 5; i++) spin_lock(&l[i]); }
	expect violation model-limit; }
target page_window { heap { pages 1; page_bytes 16; } thread T { struct page *p = alloc_page(GFP_KERNEL);
	long *d = page_address(p); d[4] = 1; } expect violation model-limit; }
target div_zero { thread T { long z = g; g = 10 / z; } expect violation model-error; }
target leak_slab { heap { slab cache (struct obj) 2; } thread T { o = kmem_cache_alloc(cache, GFP_KERNEL); o = NULL; }
	leak_check cache; expect violation leak; }
target leak_page { heap { pages 2; } thread T { alloc_page(GFP_KERNEL); } leak_check pages; expect violation leak; }
target alert_kind { thread T { g = 3; if (g) pr_alert_bug("BUG: non-zero pgtables_bytes on freeing mm: %ld", g); }
	expect violation alert; }
target nondet_computed { thread T { long n = 3000000 + g; g = nondet(n); } expect violation model-limit; }
target stack_oob_next { thread T { long loc[2]; long other = 7; loc[2] = 99; g = other; } expect violation out-of-bounds; }
target stack_oob_3 { thread T { long loc[2]; long other = 7; loc[3] = 99; g = other; } expect violation out-of-bounds; }
target stack_oob_5 { thread T { long loc[2]; long other = 7; g = loc[5]; g = other; } expect violation out-of-bounds; }
static void fill(long *p, int n) { int i; for (i = 0; i < n; i++) p[i] = i; }
target stack_oob_ptr { thread T { long loc[2]; long other = 7; fill(loc, 3); g = other; } expect violation out-of-bounds; }
target stack_in_bounds { thread T { long loc[2]; long other = 7; fill(loc, 2); fill(&other, 1); g = loc[1] + other; } expect pass; }
long *gp;
static void leave_pointer(void) { long mine = 1; gp = &mine; g = mine; }
target stack_dead_frame { thread A { leave_pointer(); } thread B { if (READ_ONCE(gp)) *gp = 5; } expect violation out-of-bounds; }
long garr[2];
long gnext;
target global_oob { thread T { long *p = garr; p[2] = 1; } expect violation out-of-bounds; }
target shift_too_far { thread T { long n = 64 + g; g = 1L << n; } expect violation model-error; }
target shift_negative { thread T { long n = g - 1; g = 1L >> n; } expect violation model-error; }
target shift_int_width { thread T { int n = 32 + g; int v = 1; g = v << n; } expect violation model-error; }
target shift_ok { thread T { long n = 63 + g; g = 1UL << n; } expect pass; }
target bad_page_state { heap { pages 2; } thread T { struct page *p = alloc_page(GFP_KERNEL); bad_page(p, "nonzero _refcount"); }
	expect violation bad-page; }
)";

struct Case {
  const char* target;
  const char* verdict;
  const char* kind;
  const char* title_part;  // must appear in the report's first line
};

const Case kCases[] = {
    {"uaf", "violation", "use-after-free", "BUG: KASAN: slab-use-after-free in T"},
    {"oob", "violation", "out-of-bounds", "BUG: KASAN: slab-out-of-bounds"},
    {"never_allocated", "violation", "out-of-bounds", "slab-out-of-bounds"},
    {"null_deref", "violation", "page-fault", "BUG: kernel NULL pointer dereference, address: 0000000000000008"},
    {"poison_deref", "violation", "page-fault", "general protection fault, probably for non-canonical address 0xdead000000000100"},
    {"double_free", "violation", "double-free", "BUG: KASAN: double-free in T"},
    {"invalid_free", "violation", "invalid-free", "BUG: KASAN: invalid-free"},
    {"held_lock_freed", "violation", "held-lock-freed", "BUG: held lock freed!"},
    {"lock_freed", "violation", "lock-freed-memory", "use-after-free"},
    {"bad_unlock", "violation", "bad-unlock", "WARNING: bad unlock balance detected!"},
    {"bad_call", "violation", "bad-call", "unable to handle page fault for address: 0000000000001234"},
    {"bad_rcu_call", "violation", "bad-call", "dead000000000122"},
    {"rcu_call_ok", "pass", "", ""},
    {"recursion", "violation", "deadlock", "BUG: spinlock recursion"},
    {"abba", "violation", "deadlock", "deadlock"},
    {"bug_on", "violation", "bug", "kernel BUG at spec/t.ptm:"},
    {"vm_bug_page", "violation", "vm-bug", "kernel BUG at"},
    {"vm_bug_off", "pass", "", ""},
    {"warn", "violation", "warn", "WARNING: CPU: 0 PID: T at spec/t.ptm:"},
    {"warn_only_passes", "pass", "", ""},
    {"invariant_broken", "violation", "invariant", "invariant g_small violated"},
    {"invariant_holds", "pass", "", ""},
    {"invariant_takes_lock", "violation", "model-error", "an invariant may not call spin_lock()"},
    {"invariant_allocates", "violation", "model-error", "an invariant may not call kmem_cache_zalloc()"},
    {"invariant_stores", "violation", "model-error", "an invariant may not write shared memory"},
    {"invariant_local_ok", "pass", "", ""},
    {"invariant_chooses", "violation", "model-error", "an invariant may not call nondet(): an invariant has one value"},
    {"invariant_waits", "violation", "model-error", "an invariant may not call synchronize_rcu(): an invariant cannot wait"},
    {"too_many_locks", "violation", "model-limit", "more than 4 locks"},
    {"page_window", "violation", "model-limit", "page_bytes"},
    {"div_zero", "violation", "model-error", "division by zero"},
    {"leak_slab", "violation", "leak", "kmemleak"},
    {"leak_page", "violation", "leak", "kmemleak"},
    {"bad_page_state", "violation", "bad-page", "BUG: Bad page state in process T  pfn:"},
    {"alert_kind", "violation", "alert", "BUG: non-zero pgtables_bytes on freeing mm: 3"},
    {"nondet_computed", "violation", "model-limit", "nondet(3000000): at most 1048576 choices (model limit)"},
    {"stack_oob_next", "violation", "out-of-bounds", "BUG: KASAN: stack-out-of-bounds in T"},
    {"stack_oob_3", "violation", "out-of-bounds", "BUG: KASAN: stack-out-of-bounds in T"},
    {"stack_oob_5", "violation", "out-of-bounds", "BUG: KASAN: stack-out-of-bounds in T"},
    {"stack_oob_ptr", "violation", "out-of-bounds", "BUG: KASAN: stack-out-of-bounds in fill"},
    {"stack_in_bounds", "pass", "", ""},
    {"stack_dead_frame", "violation", "out-of-bounds", "BUG: KASAN: stack-out-of-bounds in B"},
    {"global_oob", "violation", "out-of-bounds", "BUG: KASAN: global-out-of-bounds in T"},
    {"shift_too_far", "violation", "model-error", "UBSAN: shift-out-of-bounds in spec/t.ptm:"},
    {"shift_negative", "violation", "model-error", "UBSAN: shift-out-of-bounds in spec/t.ptm:"},
    {"shift_int_width", "violation", "model-error", "UBSAN: shift-out-of-bounds in spec/t.ptm:"},
    {"shift_ok", "pass", "", ""},
};

}  // namespace

TEST_GROUP(ErrorKinds){};

TEST(ErrorKinds, EachKindIsReportedInTheKernelsWords) {
  TempProject p(std::string(kPrelude) + kModel);
  for (const Case& c : kCases) {
    CheckResult r = p.check(c.target);
    std::string what = std::string(c.target) + ": got " + got_text(r) +
                       (r.trace ? " / " + r.trace->violation.title : "");
    STRCMP_EQUAL_TEXT(c.verdict, ptcheck::to_string(r.verdict), what.c_str());
    STRCMP_EQUAL_TEXT(c.kind, ptcheck::kind_text(r).c_str(), what.c_str());
    CHECK_TEXT(r.as_expected, what.c_str());
    if (r.trace) CHECK_TEXT(r.trace->violation.title.find(c.title_part) != std::string::npos, what.c_str());
  }
}

TEST(ErrorKinds, BadPageDumpsThePageWithTheReason) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("bad_page_state");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK(text.find("page dumped because: nonzero _refcount") != std::string::npos);
}

TEST(ErrorKinds, KasanReportNamesAllocAndFreeSites) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("uaf");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK(text.find("Read of size 8 at addr ffff888118000") != std::string::npos);
  CHECK(text.find("Allocated by task init") != std::string::npos);
  CHECK(text.find("Freed by task T (step 2)") != std::string::npos);
  CHECK(text.find("which belongs to the cache cache of size") != std::string::npos);
  CHECK(text.find("(struct obj field: val)") != std::string::npos);
}

TEST(ErrorKinds, StackOutOfBoundsDescribesTheFrame) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("stack_oob_next");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK_TEXT(text.find("Write of size 8 at addr") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find("The buggy address belongs to stack of task T") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find(" and is located at offset 16 in frame:") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find("This frame has 2 objects:") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find(" [0, 16) 'loc'") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find(" [48, 56) 'other'") != std::string::npos, text.c_str());
  r = p.check("stack_dead_frame");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  text = ptcheck::trace::to_text(*r.trace);
  CHECK_TEXT(text.find("The buggy address belongs to stack of task A") != std::string::npos, text.c_str());
  CHECK_TEXT(text.find("not inside any live frame") != std::string::npos, text.c_str());
}

TEST(ErrorKinds, ShiftsOutOfRangeAreUbsanReports) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("shift_too_far");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK_TEXT(text.find("shift exponent 64 is too large for 64-bit type 'long'") != std::string::npos, text.c_str());
  r = p.check("shift_negative");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  text = ptcheck::trace::to_text(*r.trace);
  CHECK_TEXT(text.find("shift exponent -1 is negative") != std::string::npos, text.c_str());
}

TEST(ErrorKinds, VmBugOnPageDumpsThePage) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("vm_bug_page");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK(text.find("page: refcount:") != std::string::npos);
  CHECK(text.find("raw: ") != std::string::npos);
  CHECK(text.find("page dumped because: VM_BUG_ON_PAGE(p != NULL)") != std::string::npos);
}

TEST(ErrorKinds, DeadlockNamesWhoHoldsWhat) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("abba");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  std::string text = ptcheck::trace::to_text(*r.trace);
  CHECK(text.find("T1: waiting in spin_lock(") != std::string::npos);
  CHECK(text.find("held by T2") != std::string::npos);
  CHECK(text.find("held by T1") != std::string::npos);
  LONGS_EQUAL(2, r.trace->steps.size());
}
