#include "driver/report.h"

#include <fmt/format.h>

#include "vm/value_io.h"

namespace ptcheck {

using vm::ErrorKind;
using vm::Region;
using vm::RegionKind;

std::string loc_file(const vm::Model& m, uint32_t loc) {
  if (loc >= m.locs.size() || !m.locs[loc].loc.valid()) return "?";
  return m.sm->path(m.locs[loc].loc.file);
}
unsigned loc_line(const vm::Model& m, uint32_t loc) {
  return loc < m.locs.size() ? m.locs[loc].loc.line : 0;
}
std::string loc_function(const vm::Model& m, uint32_t loc) {
  return loc < m.locs.size() && m.locs[loc].func < m.funcs.size() ? m.funcs[m.locs[loc].func].name : "?";
}

std::string loc_statement(const vm::Model& m, uint32_t loc) {
  if (loc >= m.locs.size()) return "";
  const vm::Location& l = m.locs[loc];
  if (!l.loc.valid()) return "";
  std::string out;
  SourceLoc end = l.end.valid() && l.end.line >= l.loc.line ? l.end : l.loc;
  for (uint32_t line = l.loc.line; line <= end.line && line < l.loc.line + 8; ++line) {
    std::string_view t = m.sm->line_text(l.loc.file, line);
    size_t from = line == l.loc.line && l.loc.col ? std::min<size_t>(l.loc.col - 1, t.size()) : 0;
    size_t to = t.size();
    if (line == end.line && end.col && (end.line != l.loc.line || end.col > l.loc.col))
      to = std::min<size_t>(end.col - 1, t.size());
    // For `if (...)`/`while (...)` the span ends at the condition: take the ')'.
    while (line == end.line && to < t.size() && (t[to] == ')' || t[to] == ' ' || t[to] == ';')) {
      bool stop = t[to] == ';';
      ++to;
      if (stop) break;
    }
    if (to > from) {
      if (!out.empty()) out += ' ';
      out.append(t.substr(from, to - from));
    }
  }
  std::string folded;
  for (char c : out) {
    if (c == '\t') c = ' ';
    if (c == ' ' && (folded.empty() || folded.back() == ' ')) continue;
    folded += c;
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  if (folded.size() > 160) folded = folded.substr(0, 157) + "...";
  return folded;
}

namespace {

std::string frame_line(const vm::Model& m, uint32_t loc) {
  return fmt::format(" {} ({}:{})", loc_function(m, loc), loc_file(m, loc), loc_line(m, loc));
}

void call_trace(std::vector<std::string>& out, const vm::Model& m, const std::vector<uint32_t>& chain,
                uint32_t context) {
  out.push_back("Call Trace:");
  for (uint32_t l : chain) out.push_back(frame_line(m, l));
  if (context == m.rcu_context()) {
    out.push_back(" rcu_do_batch (kernel/rcu/tree.c)");
    out.push_back(" <SOFTIRQ>");
  }
}

std::string object_desc(const Region& r) {
  switch (r.kind) {
    case RegionKind::Slab: return fmt::format("the cache {} of size {}", r.name, r.obj_size);
    case RegionKind::PageData: return "a page";
    case RegionKind::Pages: return "the vmemmap (struct page array)";
    case RegionKind::Global: return fmt::format("the variable {}", r.name);
    case RegionKind::Stack: return fmt::format("the kernel stack of {}", r.name.substr(6));
  }
  return r.name;
}

void sites(std::vector<std::string>& out, const vm::Model& m, const ObjectHistory& h, uint32_t region, uint64_t obj) {
  for (auto [what, map] : {std::pair{"Allocated", &h.allocated}, std::pair{"Freed", &h.freed}}) {
    auto it = map->find({region, obj});
    if (it == map->end()) continue;
    const ObjectHistory::Site& site = it->second;
    out.push_back("");
    out.push_back(fmt::format("{} by task {} (step {}):", what, site.step ? m.context_name(site.context) : "init",
                              site.step));
    for (uint32_t l : site.chain) out.push_back(frame_line(m, l));
  }
}

// dump_page(): the header line and the raw words, as mm/debug.c prints them.
void dump_page(std::vector<std::string>& out, const vm::Model& m, const sema::TypeEnv& env, const uint8_t* s,
               uint64_t page, const std::string& reason) {
  const Region* r = m.find_region(page);
  if (!r || (page - r->base) % r->stride) {
    out.push_back(fmt::format("page:{:016x} is not a modelled struct page", page));
    return;
  }
  uint64_t obj = (page - r->base) / r->stride;
  const uint8_t* p = s + r->state_off + obj * r->obj_size;
  auto field = [&](const char* name, uint64_t& v) {
    if (!r->type) return false;
    auto mr = env.member(r->type, name);
    if (!mr) return false;
    v = vm::read_value(p + mr->offset, static_cast<uint32_t>(mr->type->size), mr->type->is_signed);
    return true;
  };
  uint64_t refcount = 0, mapcount = 0, mapping = 0, index = 0, flags = 0;
  field("_refcount", refcount);
  bool has_map = field("_mapcount", mapcount);
  field("mapping", mapping);
  field("__folio_index", index);
  field("flags", flags);
  uint64_t pfn = (page - m.vmemmap_base) / m.struct_page_size;
  // page_mapcount(): a typed page (page_type in the top byte, PGTY_*) shares
  // the word with _mapcount and reports mapcount 0; __dump_page() then prints
  // the type on a line of its own.
  int32_t mc = has_map ? static_cast<int32_t>(mapcount) + 1 : 0;
  bool typed = has_map && static_cast<int32_t>(mapcount) < static_cast<int32_t>(0xff000000u);  // page_type_has_type()
  out.push_back(fmt::format("page: refcount:{} mapcount:{} mapping:{:016x} index:{:#x} pfn:{:#x}",
                            static_cast<int32_t>(refcount), typed ? 0 : mc, mapping, index, pfn));
  out.push_back(fmt::format("flags: {:#x}", flags));
  if (typed) {
    uint32_t ty = static_cast<uint32_t>(mapcount) >> 24;
    static const char* names[] = {"buddy", "offline", "table", "guard", "hugetlb", "slab", "zsmalloc", "unaccepted"};
    out.push_back(fmt::format("page_type: {:#x}({})", static_cast<uint32_t>(mapcount),
                              ty - 0xf0 < 8 ? names[ty - 0xf0] : "unknown"));
  }
  for (uint64_t w = 0; w < r->obj_size; w += 32) {
    std::string line = "raw:";
    for (uint64_t k = w; k < w + 32 && k < r->obj_size; k += 8)
      line += fmt::format(" {:016x}", vm::read_value(p + k, 8, false));
    out.push_back(line);
  }
  out.push_back("page dumped because: " + reason);
}

}  // namespace

trace::Violation render_violation(const vm::Model& m, const sema::TypeEnv& env, const vm::ErrorInfo& e,
                                  const std::vector<uint32_t>& chain, const uint8_t* s, const ObjectHistory& hist,
                                  vm::Machine& mach) {
  trace::Violation v;
  v.kind = std::string(vm::kind_name(e.kind));
  auto& out = v.report;
  std::string fn = loc_function(m, e.loc);
  std::string where = fmt::format("{}:{}", loc_file(m, e.loc), loc_line(m, e.loc));
  std::string task = m.context_name(e.context);
  const Region* r = e.region < m.regions.size() ? &m.regions[e.region] : nullptr;
  auto buggy_object = [&]() {
    if (!r) return;
    if (r->kind == RegionKind::Stack) {
      // mm/kasan/report_generic.c kasan_print_address_stack_frame() and
      // print_decoded_frame_descr() (v7.1.3): the frame and its objects, with
      // offsets from the frame's start (here: after ptcheck's frame header).
      out.push_back("");
      out.push_back(fmt::format("The buggy address belongs to stack of task {}", m.context_name(r->thread)));
      if (e.frame_func >= m.funcs.size()) {
        out.push_back(" and is not inside any live frame (a frame that has returned, or beyond the innermost one)");
        return;
      }
      const vm::Function& f = m.funcs[e.frame_func];
      out.push_back(fmt::format(" and is located at offset {} in frame:", e.frame_off));
      out.push_back(fmt::format(" {}", f.name));
      out.push_back("");
      out.push_back(fmt::format("This frame has {} object{}:", f.frame_objects.size(),
                                f.frame_objects.size() == 1 ? "" : "s"));
      for (const auto& o : f.frame_objects) out.push_back(fmt::format(" [{}, {}) '{}'", o.off, o.off + o.size, o.name));
      return;
    }
    uint64_t base = r->base + e.obj * r->stride;
    out.push_back("");
    out.push_back(fmt::format("The buggy address belongs to the object at {:016x}", base));
    out.push_back(fmt::format(" which belongs to {}", object_desc(*r)));
    uint64_t off = e.addr - base;
    out.push_back(fmt::format("The buggy address is located {} bytes inside of", off));
    out.push_back(fmt::format(" {}-byte region [{:016x}, {:016x})", r->obj_size, base, base + r->obj_size));
    if (r->type && r->type->kind == sema::TypeKind::Record && off < r->obj_size) {
      auto fields = env.fields_at(r->type, off, std::max<uint32_t>(e.size, 1));
      if (!fields.empty()) {
        std::string list;
        for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
        out.push_back(fmt::format(" ({} field{}: {})", r->type->name, fields.size() == 1 ? "" : "s", list));
      }
    }
  };
  // What every KASAN report ends with: the call trace, the object's alloc and
  // free sites, and where the address lies in it.
  // The engine checks every access as KASAN would, whatever the config says;
  // the kernel flags printed follow the config (CONFIG_KASAN=n: no "KASAN").
  const bool kasan = env.config().enabled("CONFIG_KASAN");
  const std::string flags = kasan ? "SMP KASAN" : "SMP";
  auto kasan_tail = [&]() {
    if (!kasan)
      out.push_back("(ptcheck checks memory as KASAN does; with CONFIG_KASAN=n, as here, the kernel itself would "
                    "not report this, but the bug is the same)");
    if (!e.detail.empty()) out.push_back(e.detail);
    out.push_back("");
    call_trace(out, m, chain, e.context);
    if (r) sites(out, m, hist, e.region, e.obj);
    buggy_object();
  };
  switch (e.kind) {
    case ErrorKind::UseAfterFree:
    case ErrorKind::OutOfBounds:
    case ErrorKind::LockFreedMemory: {
      std::string prefix = r && r->kind == RegionKind::Slab ? "slab-"
                         : r && r->kind == RegionKind::Global ? "global-"
                         : r && r->kind == RegionKind::Stack ? "stack-" : "";
      std::string what = e.kind == ErrorKind::OutOfBounds ? "out-of-bounds" : "use-after-free";
      v.title = fmt::format("BUG: KASAN: {}{} in {}", prefix, what, fn);
      out.push_back(fmt::format("{} of size {} at addr {:016x} by task {}",
                                e.kind == ErrorKind::LockFreedMemory ? "Lock" : e.write ? "Write" : "Read", e.size,
                                e.addr, task));
      kasan_tail();
      render_tlb_stale_entry(v, m, e, hist);  // an access through a cached TLB entry: name it
      break;
    }
    case ErrorKind::DoubleFree:
    case ErrorKind::InvalidFree:
      v.title = fmt::format("BUG: KASAN: {} in {}", e.kind == ErrorKind::DoubleFree ? "double-free" : "invalid-free", fn);
      out.push_back(fmt::format("Free of addr {:016x} by task {}", e.addr, task));
      kasan_tail();
      break;
    case ErrorKind::PageFault: {
      uint64_t a = e.addr;
      bool canonical = (a >> 47) == 0 || (a >> 47) == 0x1ffff;
      if (a < 0x1000) v.title = fmt::format("BUG: kernel NULL pointer dereference, address: {:016x}", a);
      else if (!canonical && m.word_size == 8)
        v.title = fmt::format("general protection fault, probably for non-canonical address {:#018x}: 0000 [#1] {}", a,
                              flags);
      else v.title = fmt::format("BUG: unable to handle page fault for address: {:016x}", a);
      out.push_back(fmt::format("#PF: supervisor {} access in kernel mode", e.write ? "write" : "read"));
      out.push_back(fmt::format("RIP: {} ({})", fn, where));
      call_trace(out, m, chain, e.context);
      break;
    }
    case ErrorKind::BadCall:
      v.title = fmt::format("BUG: unable to handle page fault for address: {:016x}", e.value);
      out.push_back("#PF: supervisor instruction fetch in kernel mode");
      out.push_back(fmt::format("RIP: 0010:{:#x}", e.value));
      out.push_back(fmt::format("the word called through holds {:016x}, which is not a function address", e.value));
      if (!e.detail.empty()) out.push_back(fmt::format("{} at {:016x}", e.detail, e.addr));
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::HeldLockFreed:
      v.title = "BUG: held lock freed!";
      out.push_back(fmt::format("{} is freeing memory with a lock still held there: lock {:016x}, held by {}", task,
                                e.addr, m.context_name(static_cast<uint32_t>(e.value))));
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::BadUnlock:
      v.title = "WARNING: bad unlock balance detected!";
      out.push_back(fmt::format("{} is trying to release lock ({:016x}) at:", task, e.addr));
      out.push_back(frame_line(m, e.loc));
      out.push_back("but there are no more locks to release!");
      if (!e.detail.empty()) out.push_back(e.detail);
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::Deadlock:
      if (e.detail.rfind("spinlock recursion", 0) == 0) {
        v.title = fmt::format("BUG: spinlock recursion on CPU#{}, {}", e.context, task);
        out.push_back(fmt::format(" lock: {:016x}", e.addr));
        call_trace(out, m, chain, e.context);
      } else {
        // A wait cycle while other contexts keep moving (driver/run.cpp
        // livelock_violation) is the same deadlock, masked.
        const bool masked = e.detail.find("the deadlock is masked") != std::string::npos;
        v.title = masked ? "INFO: task hung: contexts wait for each other forever (deadlock, masked by contexts that "
                           "keep moving)"
                         : "INFO: task hung: no context can make progress (deadlock)";
        if (!e.detail.empty()) out.push_back(e.detail);
        for (uint32_t c = 0; c < m.contexts(); ++c) {
          std::string why = mach.blocked_reason(s, c);
          if (!why.empty()) out.push_back(fmt::format("{}: {}", m.context_name(c), why));
          else if (masked && reinterpret_cast<const vm::ThreadState*>(s + m.threads_off)[c].func != UINT32_MAX)
            out.push_back(fmt::format("{}: busy-waits, at{}", m.context_name(c), frame_line(m, mach.resting_loc(s, c))));
        }
      }
      break;
    case ErrorKind::Livelock:
      // The kernel's nearest words: the soft-lockup watchdog (kernel/watchdog.c)
      // reports a CPU that loops in the kernel without ever getting anywhere.
      v.title = fmt::format("watchdog: BUG: soft lockup - CPU#{} stuck forever! [{}] (livelock: no context that "
                            "has not finished can ever finish)", e.context, task);
      out.push_back(e.detail);
      // Who loops and who waits: a context blocked while another busy-waits
      // is a deadlock the busy-waiter hides (SPIN: an invalid end state).
      for (uint32_t c = 0; c < m.contexts(); ++c)
        if (reinterpret_cast<const vm::ThreadState*>(s + m.threads_off)[c].func != UINT32_MAX) {
          std::string why = mach.blocked_reason(s, c);
          out.push_back(why.empty() ? fmt::format("{}: busy-waits, at{}", m.context_name(c), frame_line(m, mach.resting_loc(s, c)))
                                    : fmt::format("{}: blocked: {}", m.context_name(c), why));
        }
      out.push_back("so the end of the run (final blocks, kmemleak) is never reached from here");
      break;
    case ErrorKind::Liveness:
      // No kernel report says this; the nearest are the RCU stall and hung
      // task warnings, which fire after a timeout on a run that may still
      // finish. The lines after the title (driver/liveness_trace.cpp) say
      // why this run never gets there.
      v.title = fmt::format("ptcheck: liveness property '{}' violated: on a weakly fair run it never holds again", e.detail);
      break;
    case ErrorKind::Bug:
    case ErrorKind::VmBug: {
      v.title = fmt::format("kernel BUG at {}!", where);
      if (e.kind == ErrorKind::VmBug && e.value) dump_page(out, m, env, s, e.value, e.detail);
      else if (!e.detail.empty()) out.push_back(e.detail);
      out.push_back("Oops: invalid opcode: 0000 [#1] " + flags);
      out.push_back(fmt::format("CPU: {} Comm: {}", e.context, task));
      out.push_back(fmt::format("RIP: {} ({})", fn, where));
      call_trace(out, m, chain, e.context);
      break;
    }
    case ErrorKind::Warn:
      v.title = fmt::format("WARNING: CPU: {} PID: {} at {} {}", e.context, task, where, fn);
      if (!e.detail.empty()) out.push_back(e.detail);
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::Invariant:
      v.title = fmt::format("ptcheck: invariant {} violated", e.detail);
      out.push_back(fmt::format("{} returned false at {}", e.detail, where));
      break;
    case ErrorKind::Leak: {
      v.title = "kmemleak: 1 new suspected memory leaks";
      if (r) {
        out.push_back(fmt::format("unreferenced object {:#x} (size {}):", e.addr, r->obj_size));
        out.push_back(r->kind == RegionKind::Slab
                          ? fmt::format("  in {}: no word of the globals, the struct pages, the stacks or any object "
                                        "reachable from them points into it", object_desc(*r))
                          : "  a page still allocated when every context has finished");
        auto a = hist.allocated.find({e.region, e.obj});
        if (a != hist.allocated.end()) {
          out.push_back(fmt::format("  comm \"{}\", step {}", a->second.step ? m.context_name(a->second.context) : "init",
                                    a->second.step));
          out.push_back("  backtrace:");
          for (uint32_t l : a->second.chain) out.push_back("   " + frame_line(m, l));
        }
      }
      break;
    }
    case ErrorKind::SleepInAtomic:
      v.title = fmt::format("BUG: sleeping function called from invalid context at {}", where);
      out.push_back(fmt::format("in_atomic(): 1, pid: {}, name: {}", e.context, task));
      if (!e.detail.empty()) out.push_back(e.detail);
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::BadPage: {
      // mm/page_alloc.c bad_page(): pr_alert + dump_page(page, reason) + dump_stack.
      uint64_t pfn = e.value >= m.vmemmap_base ? (e.value - m.vmemmap_base) / m.struct_page_size : 0;
      v.title = fmt::format("BUG: Bad page state in process {}  pfn:{:05x}", task, pfn);
      dump_page(out, m, env, s, e.value, e.detail);
      out.push_back(fmt::format("CPU: {} Comm: {}", e.context, task));
      call_trace(out, m, chain, e.context);
      break;
    }
    case ErrorKind::Alert:
      v.title = e.detail;
      out.push_back(fmt::format("CPU: {} Comm: {}", e.context, task));
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::LockHeldAtExit:
    case ErrorKind::RcuHeldAtExit:
    case ErrorKind::AtomicAtExit:
      render_exit_violation(v, m, e, chain, s, hist);
      break;
    case ErrorKind::CircularLocking:
    case ErrorKind::RecursiveLocking:
      render_lockdep_violation(v, m, e, chain, hist);
      break;
    case ErrorKind::ModelLimit:
      v.title = fmt::format("ptcheck: model limit reached at {}: {}", where, e.detail);
      call_trace(out, m, chain, e.context);
      break;
    case ErrorKind::ModelError:
      if (e.ubsan) {
        // lib/ubsan.c ubsan_prologue(): "UBSAN: <check> in <file>:<line>:<col>".
        v.title = fmt::format("UBSAN: {} in {}", e.ubsan, where);
        out.push_back(e.detail);
        out.push_back(fmt::format("CPU: {} Comm: {}", e.context, task));
        call_trace(out, m, chain, e.context);
        break;
      }
      [[fallthrough]];
    case ErrorKind::Count:
      v.title = fmt::format("ptcheck: model error at {}: {}", where, e.detail);
      call_trace(out, m, chain, e.context);
      break;
  }
  return v;
}

}  // namespace ptcheck
