// The interpreter's read-only views of a state: end-of-run checks (kmemleak),
// invariants, why a context cannot move, and call chains for reports.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "vm/builtins.h"
#include "vm/machine.h"
#include "vm/value_io.h"

namespace ptcheck::vm {
bool Machine::check_invariants(uint8_t* s) {
  if (m_.invariants.empty() || discarded(s)) return true;
  // Under a weak model an invariant is a property of memory once every store
  // in flight has reached it: it is evaluated in quiescent states only (every
  // store buffer empty; under sc every state is). Each state reaches one by
  // propagation moves alone, with the same contexts' states, so no control
  // state goes unchecked; what is not checked is memory between two stores'
  // arrivals (docs/memory-model.md "Invariants").
  if (mm_ && !mm_->quiescent(s)) return true;
  for (size_t i = 0; i < m_.invariants.size(); ++i)
    if (!check_one(s, i)) return false;
  return true;
}

bool Machine::check_invariant(uint8_t* s, size_t i, InvariantReads* reads) {
  reads->bits.assign((m_.state_size / 8 + 64) / 64, 0);
  const bool gone = discarded(s);
  reads->opaque = mm_ != nullptr || gone;
  if (gone || (mm_ && !mm_->quiescent(s))) return true;  // as check_invariants(s)
  if (reads->opaque) return check_one(s, i);
  // (The invariant context's own record and stack lie past state_size.)
  inv_reads_ = reads;
  struct Reset {
    InvariantReads*& r;
    ~Reset() { r = nullptr; }
  } reset{inv_reads_};
  return check_one(s, i);
}

bool Machine::check_one(uint8_t* s, size_t i) {
  const auto& [name, fid] = m_.invariants[i];
  if (!evaluate(s, fid)) return false;
  if (last_ret_ == 0) {
    err_ = ErrorInfo{};
    cur_loc_ = m_.funcs[fid].code.empty() ? 0 : m_.funcs[fid].code.back().loc;
    return fail(ErrorKind::Invariant, m_.invariant_context(), name);
  }
  return true;
}

bool Machine::evaluate(uint8_t* s, uint32_t fid) {
  uint32_t t = m_.invariant_context();
  // A fresh scratch tail each time: a predicate that failed part-way must
  // not leave a frame behind for the next one.
  std::memset(s + m_.state_size, 0, m_.work_size - m_.state_size);
  ts(s, t).func = UINT32_MAX;
  ts(s, t).status = kIdle;
  in_invariant_ = true;
  cur_loc_ = m_.funcs[fid].code.empty() ? 0 : m_.funcs[fid].code[0].loc;
  last_ret_ = 0;
  budget_ = kStepBudget;
  bool ok = call(s, t, fid, nullptr, nullptr, Operand{0, 0, false}) && run(s, t, 0, false);
  insns_ += kStepBudget - budget_;
  in_invariant_ = false;
  return ok;
}

uint64_t Machine::progress(uint8_t* s) {
  // Read as memory stands (under a weak model, stores still buffered are not
  // seen yet; their propagation is a move like any other).
  // A discarded state (an assumption failed) is no run at all: nothing to show.
  if (discarded(s)) return ~uint64_t(0);
  uint64_t holds = 0;
  for (size_t i = 0; i < m_.progress.size(); ++i) {
    const auto& [name, fid] = m_.progress[i];
    if (!evaluate(s, fid))
      throw std::runtime_error(fmt::format("the liveness property '{}' failed while it was evaluated ({}: {})", name,
                                           kind_name(err_.kind), err_.detail));
    if (last_ret_ != 0) holds |= uint64_t(1) << i;
  }
  return holds;
}

bool Machine::check_leaks(const uint8_t* s) {
  if (m_.leak_regions.empty() || discarded(s)) return true;
  // kmemleak's scan: every aligned word of the roots (globals, the struct page
  // array, kernel stacks) and, transitively, of every object reached that way
  // is a potential pointer; a slab object no word points into is unreferenced.
  // Pages from the page allocator are not kmemleak objects: for them the check
  // is simply "still allocated when every context has finished".
  std::vector<std::vector<uint8_t>> reached(m_.regions.size());
  std::vector<std::pair<const uint8_t*, uint64_t>> work;
  for (uint32_t i = 0; i < m_.regions.size(); ++i) {
    const Region& r = m_.regions[i];
    reached[i].assign(r.count, 0);
    if (r.kind == RegionKind::Global || r.kind == RegionKind::Pages || r.kind == RegionKind::Stack)
      work.emplace_back(s + r.state_off, r.obj_size * r.count);
  }
  const unsigned w = m_.word_size;
  while (!work.empty()) {
    auto [p, n] = work.back();
    work.pop_back();
    for (uint64_t o = 0; o + w <= n; o += w) {
      uint64_t v = read_value(p + o, w, false);
      const Region* r = m_.find_region(v);
      if (!r || (r->kind != RegionKind::Slab && r->kind != RegionKind::PageData)) continue;
      uint32_t ri = static_cast<uint32_t>(r - m_.regions.data());
      uint64_t obj = (v - r->base) / r->stride;
      if (reached[ri][obj] || s[r->shadow_off + obj] != kLive) continue;
      reached[ri][obj] = 1;
      work.emplace_back(s + r->state_off + obj * r->obj_size, r->obj_size);
    }
  }
  for (uint32_t ri : m_.leak_regions) {
    const Region& r = m_.regions[ri];
    for (uint64_t i = 0; i < r.count; ++i) {
      if (s[r.shadow_off + i] != kLive) continue;
      if (r.kind == RegionKind::Slab && reached[ri][i]) continue;
      err_ = ErrorInfo{};
      err_.region = ri;
      err_.obj = i;
      err_.addr = r.base + i * r.stride;
      cur_loc_ = 0;
      return fail(ErrorKind::Leak, 0);
    }
  }
  return true;
}

uint32_t Machine::resting_loc(const uint8_t* s, uint32_t t) const {
  const ThreadState& th = ts(s, t);
  if (th.func == UINT32_MAX) return 0;
  return m_.funcs[th.func].code[th.pc].loc;
}

std::vector<uint32_t> Machine::call_chain(const uint8_t* s, uint32_t t) const {
  std::vector<uint32_t> chain;
  const ThreadState& th = ts(s, t);
  if (th.func == UINT32_MAX) return chain;
  const Region& stack = m_.regions[m_.stack_of_context[t]];
  const uint8_t* base = s + stack.state_off;
  uint32_t func = th.func, pc = th.pc, fp = th.fp;
  for (int depth = 0; depth < 64 && func != UINT32_MAX; ++depth) {
    const auto& code = m_.funcs[func].code;
    chain.push_back(code.empty() ? 0 : code[std::min<size_t>(pc, code.size() - 1)].loc);
    if (fp < kFrameHeader) break;
    FrameHeader h;
    std::memcpy(&h, base + fp - kFrameHeader, sizeof h);
    func = h.ret_func;
    pc = h.ret_pc ? h.ret_pc - 1 : 0;
    fp = h.ret_fp;
  }
  return chain;
}

std::string Machine::blocked_reason(const uint8_t* s, uint32_t t) const {
  const ThreadState& th = ts(s, t);
  if (th.func == UINT32_MAX) {
    if (t != m_.rcu_context()) return {};
    const RcuCallback* q = reinterpret_cast<const RcuCallback*>(s + m_.rcu_off);
    uint32_t pending = 0;
    for (uint32_t i = 0; i < m_.rcu_capacity; ++i) pending += q[i].used;
    return pending ? std::to_string(pending) + " callback(s) waiting for a grace period" : std::string();
  }
  const Insn& in = m_.funcs[th.func].code[th.pc];
  uint32_t choices = 1;
  if (can_run(s, t, in, choices)) return {};
  std::string where = m_.funcs[th.func].name;
  if (in.op != Op::Builtin) return "blocked in " + where;
  auto b = static_cast<Builtin>(in.imm);
  const uint8_t* f = const_cast<Machine*>(this)->frame(const_cast<uint8_t*>(s), t);
  const auto& args = m_.arglists[in.aux];
  uint64_t lock = args.empty() ? 0 : read_value(f + args[0].off, args[0].size, false);
  std::string holder;
  for (uint32_t c = 0; c < m_.contexts(); ++c)
    if (held(ts(s, c), lock)) holder += (holder.empty() ? "" : ", ") + m_.context_name(c);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(lock));
  switch (b) {
    case Builtin::SynchronizeRcuWait:
      return "waiting in synchronize_rcu() (in " + where + ") for readers to leave their read-side sections";
    case Builtin::SynchronizeSrcuWait:
      return "waiting in synchronize_srcu() (in " + where + ") for readers of the srcu_struct to leave their sections";
    case Builtin::RcuBarrier:
      return "waiting in rcu_barrier() (in " + where + ") for every pending RCU callback to run";
    case Builtin::SmpCallFunctionWait:
      return "waiting in smp_call_function() (in " + where + ") for CPUs with interrupts disabled to take the IPI";
    default:
      return std::string("waiting in ") + std::string(builtin_info(b).name) + "(" + buf + ") in " + where +
             (holder.empty() ? ", held by nobody still running" : ", held by " + holder);
  }
}

std::vector<uint32_t> Machine::waits_for(const uint8_t* s, uint32_t t) const {
  const ThreadState& th = ts(s, t);
  if (th.func == UINT32_MAX) return {};
  const Insn& in = m_.funcs[th.func].code[th.pc];
  uint32_t choices = 1;
  if (in.op != Op::Builtin || can_run(s, t, in, choices)) return {};
  const auto& args = m_.arglists[in.aux];
  if (args.empty()) return {};
  const uint8_t* f = const_cast<Machine*>(this)->frame(const_cast<uint8_t*>(s), t);
  uint64_t lock = read_value(f + args[0].off, args[0].size, false);
  std::vector<uint32_t> holders;
  for (uint32_t c = 0; c < m_.contexts(); ++c)
    if (c != t && held(ts(s, c), lock)) holders.push_back(c);
  return holders;
}

std::vector<uint32_t> Machine::deadlock_cycle(const uint8_t* s) const {
  const uint32_t n = m_.contexts();
  std::vector<std::vector<uint32_t>> next(n);
  for (uint32_t c = 0; c < n; ++c) next[c] = waits_for(s, c);
  // From each context, follow the first holder until a context repeats.
  for (uint32_t start = 0; start < n; ++start) {
    std::vector<uint32_t> path;
    std::vector<int> at(n, -1);
    for (uint32_t c = start; !next[c].empty(); c = next[c][0]) {
      if (at[c] >= 0) {
        std::vector<uint32_t> cyc(path.begin() + at[c], path.end());
        std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
        return cyc;
      }
      at[c] = int(path.size());
      path.push_back(c);
    }
  }
  return {};
}

}  // namespace ptcheck::vm
