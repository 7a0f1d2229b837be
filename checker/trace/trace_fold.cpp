// Folding bookkeeping and repeated memory lines of a trace (trace_fold.h).
#include "trace/trace_fold.h"

#include <map>
#include <string>
#include <utility>

namespace ptcheck::trace {

namespace {

// Allocator bookkeeping: zone state, and the buddy links and order a free
// page carries. A page's flags, refcount and page_type stay visible.
bool bookkeeping_write(const MemWrite& w) {
  if (w.object != "page") return true;
  return w.field.find("buddy_list") != std::string::npos || w.field.rfind("private", 0) == 0;
}

// Keeps the first and last of a run of >= 8 accesses of one value to
// consecutive words of one object (a memset or a zeroed page).
std::vector<MemWrite> fold_runs(const std::vector<MemWrite>& in, unsigned& folded) {
  std::vector<MemWrite> out;
  size_t i = 0;
  while (i < in.size()) {
    size_t j = i + 1;
    while (j < in.size() && in[j].object_addr == in[i].object_addr && in[j].value == in[i].value &&
           in[j].size == in[i].size && in[j].offset == in[j - 1].offset + in[j - 1].size)
      ++j;
    if (j - i >= 8) {
      out.push_back(in[i]);
      out.push_back(in[j - 1]);
      folded += static_cast<unsigned>(j - i - 2);
    } else {
      for (size_t k = i; k < j; ++k) out.push_back(in[k]);
    }
    i = j;
  }
  return out;
}

}  // namespace

bool is_allocator_step(const Step& s) {
  const std::string tail = "mm/page_alloc.ptm";
  return s.file.size() >= tail.size() && s.file.compare(s.file.size() - tail.size(), tail.size(), tail) == 0;
}

Step fold_step(const Step& s) {
  if (s.folded_reads || s.folded_writes) return s;
  Step f = s;
  f.reads.clear();
  f.writes.clear();
  if (is_allocator_step(s)) {
    f.folded_reads = static_cast<unsigned>(s.reads.size());
    // The last write of each word that is not bookkeeping, in order.
    std::map<std::pair<uint64_t, uint64_t>, size_t> last;
    for (size_t i = 0; i < s.writes.size(); ++i) last[{s.writes[i].object_addr, s.writes[i].offset}] = i;
    for (size_t i = 0; i < s.writes.size(); ++i) {
      const MemWrite& w = s.writes[i];
      if (bookkeeping_write(w) || last[{w.object_addr, w.offset}] != i) ++f.folded_writes;
      else f.writes.push_back(w);
    }
  } else {
    f.reads = fold_runs(s.reads, f.folded_reads);
    f.writes = fold_runs(s.writes, f.folded_writes);
  }
  return f;
}

bool writes_match(const Step& recorded, const Step& now) {
  auto same = [](const MemWrite& a, const MemWrite& b) {
    return a.object_addr + a.offset == b.object_addr + b.offset && a.value == b.value && a.size == b.size;
  };
  if (!recorded.folded_writes) {
    if (recorded.writes.size() != now.writes.size()) return false;
    for (size_t k = 0; k < now.writes.size(); ++k)
      if (!same(recorded.writes[k], now.writes[k])) return false;
    return true;
  }
  if (recorded.writes.size() + recorded.folded_writes != now.writes.size()) return false;
  size_t k = 0;
  for (const MemWrite& w : now.writes)
    if (k < recorded.writes.size() && same(recorded.writes[k], w)) ++k;
  return k == recorded.writes.size();
}

}  // namespace ptcheck::trace
