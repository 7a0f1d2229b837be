// The stale-TLB-entry report (driver/report_tlb.cpp) on a toy TLB that tells
// the replay its fills, flushes and hits with __trace_note() as
// model/hw/tlb.ptm does: the title says "through a stale TLB entry", the lines
// name the entry, its fill and each flush of the mm since that did not cover
// it (too narrow, last level only, or none); an access that used no cached
// entry keeps KASAN's plain title; notes change no state count.
#include <regex>
#include <string>

#include "driver/run.h"
#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {

// One CPU (0) of mm 1 caches a walk-cache entry for the PMD range
// [0x200000, 0x400000) pointing at a table, and a leaf entry for 0x200000
// pointing at a page; the unmapper unhooks the table and frees it after a
// flush the target picks.
const std::string kToyTlb = std::string(test::kPrelude) + R"(
struct tbl { long pte[2]; };
struct tbl *pmd;	/* the PMD entry */
struct tbl *wc;		/* CPU 0's walk-cache entry */
struct tbl *leaf;	/* CPU 0's leaf entry (the page it maps) */
struct tbl *pg;		/* the page */

static void walk(void)
{
	atomic {
		wc = READ_ONCE(pmd);
		leaf = pg;
		__trace_note("tlb_fill", 0, 1, 0x200000, wc, leaf, 0x200000);
	}
}

/* A walk that ended at a PMD leaf: CPU 0 caches the PMD table of the PUD range
 * [0x40000000, 0x80000000), no leaf (model/hw/tlb.ptm's tlb_fill_pud). */
static void walk_pud(void)
{
	atomic {
		wc = READ_ONCE(pmd);
		__trace_note("tlb_fill_pud", 0, 1, 0x40000000, wc, 0x40000000);
	}
}

static void flush(unsigned long start, unsigned long end, bool walk_cache)
{
	atomic {
		__trace_note("tlb_flush", 1, start, end, walk_cache);
		if (start <= 0x200000 && end > 0x200000)
			leaf = NULL;
		if (walk_cache && start < 0x400000 && end > 0x200000)
			wc = NULL;
	}
}

static void use_walk_cache(void)
{
	long v;

	atomic {
		if (wc) {
			__trace_note("tlb_hit", 0, false);
			v = READ_ONCE(wc->pte[0]);
		}
	}
}

static void use_leaf(void)
{
	long v;

	atomic {
		if (leaf) {
			__trace_note("tlb_hit", 0, true);
			v = READ_ONCE(leaf->pte[1]);
		}
	}
}

static void unmap_table(int how)
{
	struct tbl *t = READ_ONCE(pmd);

	WRITE_ONCE(pmd, NULL);
	if (how == 1)
		flush(0x200000, 0x201000, false);	/* last level only */
	if (how == 2)
		flush(0x600000, 0x800000, true);	/* another range */
	if (how == 3)
		flush(0x200000, 0x400000, true);	/* the right flush */
	kmem_cache_free(tbl_cache, t);
}

static void toy_init(void)
{
	pmd = kmem_cache_zalloc(tbl_cache, GFP_KERNEL);
	pg = kmem_cache_zalloc(tbl_cache, GFP_KERNEL);
	walk();
}

target last_level_only {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { use_walk_cache(); }
	thread unmap { unmap_table(1); }
	expect violation use-after-free;
}
target other_range {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { use_walk_cache(); }
	thread unmap { unmap_table(2); }
	expect violation use-after-free;
}
target no_flush {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { use_walk_cache(); }
	thread unmap { unmap_table(0); }
	expect violation use-after-free;
}
target flushed {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { use_walk_cache(); }
	thread unmap { unmap_table(3); kmem_cache_free(tbl_cache, pg); }
	expect pass;
}
target leaf_page_freed {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { use_leaf(); }
	thread unmap { struct tbl *p = pg; flush(0x600000, 0x601000, true); kmem_cache_free(tbl_cache, p); }
	expect violation use-after-free;
}
target pud_level_entry {
	heap { slab tbl_cache (struct tbl) 2; }
	init { pmd = kmem_cache_zalloc(tbl_cache, GFP_KERNEL); walk_pud(); }
	thread user { use_walk_cache(); }
	thread unmap { struct tbl *t = READ_ONCE(pmd); WRITE_ONCE(pmd, NULL); flush(0x40000000, 0x40200000, false); kmem_cache_free(tbl_cache, t); }
	expect violation use-after-free;
}
target fresh_walk {
	heap { slab tbl_cache (struct tbl) 2; }
	init { toy_init(); }
	thread user { long v; struct tbl *t = READ_ONCE(pmd); if (t) v = READ_ONCE(t->pte[0]); }
	thread unmap { kmem_cache_free(tbl_cache, pmd); }
	expect violation use-after-free;
}
)";

std::string report_of(const CheckResult& r) {
  if (!r.trace) return "(no trace)";
  std::string out = r.trace->violation.title + "\n";
  for (const auto& l : r.trace->violation.report) out += l + "\n";
  return out;
}

void contains(const std::string& text, const std::string& part) {
  CHECK_TEXT(text.find(part) != std::string::npos, ("missing \"" + part + "\" in:\n" + text).c_str());
}

}  // namespace

TEST_GROUP(TlbReport){};

TEST(TlbReport, LastLevelFlushIsNamedWithItsCallSite) {
  TempProject tp(kToyTlb);
  CheckResult r = tp.check("last_level_only");
  CHECK_TEXT(r.as_expected, report_of(r).c_str());
  std::string rep = report_of(r);
  STRCMP_EQUAL("BUG: KASAN: slab-use-after-free through a stale TLB entry in use_walk_cache",
               r.trace->violation.title.c_str());
  contains(rep, "The access went through CPU 0's stale TLB walk-cache entry: mm 0000000000000001, PMD range "
                "[0000000000200000, 0000000000400000) -> PTE table ");
  contains(rep, "Filled by task init (step 0), walking address 0000000000200000:\n walk (spec/t.ptm:");
  contains(rep, "Flushes of this mm since the fill, none of which covered the entry before the table was freed at step ");
  contains(rep, ": [0000000000200000, 0000000000201000), last level only: the walk cache is kept\n"
                "  flush (spec/t.ptm:");
  contains(rep, "  unmap_table (spec/t.ptm:");
  contains(rep, " task unmap (step ");
}

TEST(TlbReport, FlushOfAnotherRangeIsNamed) {
  TempProject tp(kToyTlb);
  std::string rep = report_of(tp.check("other_range"));
  contains(rep, "use-after-free through a stale TLB entry in use_walk_cache");
  contains(rep, ": [0000000000600000, 0000000000800000): does not reach the PMD range [0000000000200000, "
                "0000000000400000)");
}

TEST(TlbReport, MissingFlushIsSaid) {
  TempProject tp(kToyTlb);
  std::string rep = report_of(tp.check("no_flush"));
  contains(rep, "use-after-free through a stale TLB entry in use_walk_cache");
  contains(rep, "No flush of this mm since the fill, nor since the table was freed at step ");
  contains(rep, ": the flush is missing");
}

TEST(TlbReport, CoveringFlushPasses) {
  TempProject tp(kToyTlb);
  CheckResult r = tp.check("flushed");
  CHECK_TEXT(r.as_expected, report_of(r).c_str());
}

TEST(TlbReport, LeafEntryIsNamed) {
  TempProject tp(kToyTlb);
  std::string rep = report_of(tp.check("leaf_page_freed"));
  contains(rep, "use-after-free through a stale TLB entry in use_leaf");
  contains(rep, "The access went through CPU 0's stale TLB leaf entry: mm 0000000000000001, address "
                "0000000000200000 -> page ");
  contains(rep, "before the page was freed at step ");
  contains(rep, ": [0000000000600000, 0000000000601000): does not include 0000000000200000");
}

TEST(TlbReport, PudLevelEntryNamesItsRangeAndTable) {
  TempProject tp(kToyTlb);
  std::string rep = report_of(tp.check("pud_level_entry"));
  contains(rep, "use-after-free through a stale TLB entry in use_walk_cache");
  contains(rep, "The access went through CPU 0's stale TLB walk-cache entry: mm 0000000000000001, PUD range "
                "[0000000040000000, 0000000080000000) -> PMD table ");
  contains(rep, "Filled by task init (step 0), walking address 0000000040000000:\n walk_pud (spec/t.ptm:");
  contains(rep, ": [0000000040000000, 0000000040200000), last level only: the walk cache is kept");
}

TEST(TlbReport, AccessWithoutACachedEntryKeepsKasansTitle) {
  TempProject tp(kToyTlb);
  CheckResult r = tp.check("fresh_walk");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  STRCMP_EQUAL("BUG: KASAN: slab-use-after-free in user", r.trace->violation.title.c_str());
  CHECK(report_of(r).find("stale TLB") == std::string::npos);
}

TEST(TlbReport, NotesChangeNoStateCount) {
  // The same toy with every __trace_note() removed explores the same space.
  const std::string quiet = std::regex_replace(kToyTlb, std::regex(R"(__trace_note\([^;]*\);)"), ";");
  CHECK(quiet.find("__trace_note") == std::string::npos);
  TempProject noted(kToyTlb), plain(quiet);
  for (const char* t : {"last_level_only", "flushed", "leaf_page_freed"}) {
    CheckResult a = noted.check(t), b = plain.check(t);
    CHECK(a.stats.states > 3);
    LONGS_EQUAL(b.stats.states, a.stats.states);
    LONGS_EQUAL(b.stats.transitions, a.stats.transitions);
    STRCMP_EQUAL(ptcheck::to_string(b.verdict), ptcheck::to_string(a.verdict));
  }
  // Without the notes the report is KASAN's plain one.
  CheckResult p = plain.check("last_level_only");
  CHECK(p.trace.has_value());
  if (p.trace) STRCMP_EQUAL("BUG: KASAN: slab-use-after-free in use_walk_cache", p.trace->violation.title.c_str());
}

TEST(TlbReport, NoteNameMustBeAStringLiteral) {
  const std::string bad = std::string(test::kPrelude) + R"(
int x;
target t { thread a { __trace_note(x, 1); } expect pass; }
)";
  std::string msg = "(accepted)";
  try {
    TempProject tp(bad);
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  } catch (const InputError& e) {
    msg = e.what();
  }
  CHECK_TEXT(msg.find("spec/t.ptm:6:36: error: __trace_note's first argument must be a string literal") !=
                 std::string::npos, msg.c_str());
}
