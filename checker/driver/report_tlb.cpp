// The stale-TLB-entry part of a KASAN use-after-free report: which CPU's
// entry (walk cache or leaf) the access went through, when and where it was
// filled, and the flushes of its mm since then that did not cover it, each
// with its range, its level and its call site (or that there was none).
// The facts come from model/hw/tlb.ptm's __trace_note()s, which only the
// replay records (TlbHistory, filled by driver/run.cpp's recorder).
#include <fmt/format.h>

#include "driver/report.h"

namespace ptcheck {

namespace {

uint64_t arg(const std::vector<uint64_t>& a, size_t i) { return i < a.size() ? a[i] : 0; }

std::string who(const vm::Model& m, const HistorySite& s) {
  return fmt::format("task {} (step {})", s.step ? m.context_name(s.context) : "init", s.step);
}

void stack(std::vector<std::string>& out, const vm::Model& m, const HistorySite& s, const char* indent) {
  for (uint32_t l : s.chain)
    out.push_back(fmt::format("{}{} ({}:{})", indent, loc_function(m, l), loc_file(m, l), loc_line(m, l)));
}

// The mm's address, and the variable that holds it when it is a global.
std::string mm_name(const vm::Model& m, uint64_t mm) {
  const vm::Region* r = m.find_region(mm);
  if (r && r->kind == vm::RegionKind::Global && mm == r->base) return fmt::format("{:016x} ({})", mm, r->name);
  return fmt::format("{:016x}", mm);
}

// Why a flush of the entry's mm left it in place.
std::string why_kept(const TlbHistory::Flush& f, const TlbHistory::Fill& fill, bool leaf) {
  std::string range = f.end == ~uint64_t{0} && f.start == 0 ? "the whole address space"
                                                            : fmt::format("[{:016x}, {:016x})", f.start, f.end);
  if (leaf)
    return fmt::format("{}: does not include {:016x}", range, fill.vaddr);
  const uint64_t base = fill.table_vaddr & ~(fill.pmd_size - 1);
  if (!f.walk_cache) return fmt::format("{}, last level only: the walk cache is kept", range);
  if (!(base < f.end && base + fill.pmd_size > f.start))
    return fmt::format("{}: does not reach the {} range [{:016x}, {:016x})", range, fill.level == 2 ? "PUD" : "PMD",
                       base, base + fill.pmd_size);
  return range;  // not reached: such a flush drops the entry
}

}  // namespace

void TlbHistory::note(uint32_t context, const std::string& what, const std::vector<uint64_t>& a,
                      const std::vector<uint32_t>& chain, unsigned step) {
  HistorySite site{context, chain, step};
  if (what == "tlb_fill" || what == "tlb_fill_pud") {
    // tlb_fill (cpu, mm, vaddr, table, page, PMD_SIZE): a PTE table for a PMD
    // range and a leaf; tlb_fill_pud (cpu, mm, vaddr, table, PUD_SIZE): a PMD
    // table for a PUD range, no leaf (a walk that ended at a PMD leaf)
    const bool pud = what == "tlb_fill_pud";
    const uint64_t cpu = arg(a, 0);
    Fill f;
    f.mm = arg(a, 1), f.vaddr = arg(a, 2), f.table = arg(a, 3);
    f.page = pud ? 0 : arg(a, 4), f.pmd_size = arg(a, pud ? 4 : 5);
    f.level = pud ? 2 : 1;
    f.leaf_site = f.table_site = site;
    f.leaf_flushes = f.table_flushes = flushes.size();
    f.table_vaddr = f.vaddr;
    auto old = fills.find(cpu);
    if (hit && !hit->leaf && hit->cpu == cpu && old != fills.end() && old->second.mm == f.mm &&
        old->second.table == f.table) {
      // refilled through the walk cache: the table entry is the old one
      f.table_site = old->second.table_site;
      f.table_flushes = old->second.table_flushes;
      f.table_vaddr = old->second.table_vaddr;
    }
    fills[cpu] = std::move(f);
  } else if (what == "tlb_flush") {
    // (mm, start, end, walk_cache)
    flushes.push_back(Flush{site, arg(a, 0), arg(a, 1), arg(a, 2), arg(a, 3) != 0});
  } else if (what == "tlb_hit") {
    // (cpu, leaf)
    hit = Hit{context, arg(a, 0), arg(a, 1) != 0};
  }
}

bool render_tlb_stale_entry(trace::Violation& v, const vm::Model& m, const vm::ErrorInfo& e,
                            const ObjectHistory& hist) {
  const TlbHistory& t = hist.tlb;
  if (e.kind != vm::ErrorKind::UseAfterFree || !t.hit || t.hit->context != e.context) return false;
  auto fit = t.fills.find(t.hit->cpu);
  if (fit == t.fills.end()) return false;
  const TlbHistory::Fill& fill = fit->second;
  const bool leaf = t.hit->leaf;
  // KASAN's shape, with what the access went through.
  const std::string uaf = "use-after-free in ";
  if (size_t at = v.title.find(uaf); at != std::string::npos)
    v.title.replace(at, uaf.size(), "use-after-free through a stale TLB entry in ");
  auto& out = v.report;
  out.push_back("");
  const uint64_t base = fill.table_vaddr & ~(fill.pmd_size - 1);
  if (leaf)
    out.push_back(fmt::format("The access went through CPU {}'s stale TLB leaf entry: mm {}, address {:016x} "
                              "-> page {:016x}", t.hit->cpu, mm_name(m, fill.mm), fill.vaddr, fill.page));
  else
    out.push_back(fmt::format("The access went through CPU {}'s stale TLB walk-cache entry: mm {}, {} range "
                              "[{:016x}, {:016x}) -> {} table {:016x}", t.hit->cpu, mm_name(m, fill.mm),
                              fill.level == 2 ? "PUD" : "PMD", base, base + fill.pmd_size,
                              fill.level == 2 ? "PMD" : "PTE", fill.table));
  const HistorySite& filled = leaf ? fill.leaf_site : fill.table_site;
  out.push_back(fmt::format("Filled by {}, walking address {:016x}:", who(m, filled),
                            leaf ? fill.vaddr : fill.table_vaddr));
  stack(out, m, filled, " ");
  // What was freed: the page or the table the entry points to, or (through a
  // cached table that is still allocated) a page one of its PTEs maps.
  const vm::Region* r = e.region < m.regions.size() ? &m.regions[e.region] : nullptr;
  const bool table_freed = !leaf && r && r->base + e.obj * r->stride == fill.table;
  const char* object = leaf ? "page" : table_freed ? "table" : "page its PTE maps";
  auto freed = hist.freed.find({e.region, e.obj});
  const std::string free_step = freed != hist.freed.end() ? fmt::format(" at step {}", freed->second.step) : "";
  std::vector<const TlbHistory::Flush*> kept;
  for (size_t i = leaf ? fill.leaf_flushes : fill.table_flushes; i < t.flushes.size(); ++i)
    if (!t.flushes[i].mm || t.flushes[i].mm == fill.mm) kept.push_back(&t.flushes[i]);
  out.push_back("");
  if (kept.empty()) {
    out.push_back(fmt::format("No flush of this mm since the fill, nor since the {} was freed{}: the flush is "
                              "missing", object, free_step));
    return true;
  }
  out.push_back(fmt::format("Flushes of this mm since the fill, none of which covered the entry before the {} was "
                            "freed{}:", object, free_step));
  for (const TlbHistory::Flush* f : kept) {
    out.push_back(fmt::format(" {}: {}{}", who(m, f->site), why_kept(*f, fill, leaf),
                              f->mm ? "" : " (every mm)"));
    stack(out, m, f->site, "  ");
  }
  return true;
}

}  // namespace ptcheck
