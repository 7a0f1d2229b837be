#include "sema/liveness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "vm/builtins.h"

namespace ptcheck::sema {

namespace {

using vm::Insn;
using vm::Op;
using vm::Operand;

class Bits {
 public:
  explicit Bits(uint32_t n = 0) : w_((n + 63) / 64, 0) {}
  void set(uint32_t off, uint32_t size, uint32_t limit) {
    for (uint32_t i = off; i < off + size && i < limit; ++i) w_[i / 64] |= uint64_t(1) << (i % 64);
  }
  void clear(uint32_t off, uint32_t size, uint32_t limit) {
    for (uint32_t i = off; i < off + size && i < limit; ++i) w_[i / 64] &= ~(uint64_t(1) << (i % 64));
  }
  bool test(uint32_t i) const { return (w_[i / 64] >> (i % 64)) & 1; }
  bool merge(const Bits& o) {  // this |= o; true when it changed
    bool ch = false;
    for (size_t i = 0; i < w_.size(); ++i) {
      uint64_t n = w_[i] | o.w_[i];
      ch = ch || n != w_[i];
      w_[i] = n;
    }
    return ch;
  }
  bool operator==(const Bits& o) const { return w_ == o.w_; }

 private:
  std::vector<uint64_t> w_;
};

struct Effect {
  std::vector<Operand> reads, writes;
};

Effect effect(const Insn& in, const vm::Model& m) {
  Effect e;
  auto r = [&](const Operand& o) {
    if (o.size) e.reads.push_back(o);
  };
  auto w = [&](const Operand& o) {
    if (o.size) e.writes.push_back(o);
  };
  switch (in.op) {
    case Op::Const:
    case Op::FrameAddr:
      w(in.a);
      break;
    case Op::Mov:
      if (in.a.size > 8 || in.b.size > 8) {
        uint32_t n = std::min(in.a.size, in.b.size);
        r(Operand{in.b.off, n, false});
        w(Operand{in.a.off, n, false});
      } else {
        r(in.b);
        w(in.a);
      }
      break;
    case Op::Bin:
      r(in.b);
      r(in.c);
      w(in.a);
      break;
    case Op::Un:
    case Op::Ext:
    case Op::Load:
      r(in.b);
      w(in.a);
      break;
    case Op::Store:
      r(in.a);
      r(in.b);
      break;
    case Op::Jz:
    case Op::Jnz:
      r(in.a);
      break;
    case Op::Call:
    case Op::CallInd:
    case Op::Builtin:
      if (in.op == Op::CallInd) r(in.b);
      for (const Operand& o : m.arglists[in.aux]) r(o);
      // A builtin without a result writes nothing, whatever its a says.
      if (in.op != Op::Builtin || vm::builtin_info(static_cast<vm::Builtin>(in.imm)).ret != vm::BuiltinRet::Void)
        w(in.a);
      break;
    case Op::Ret:
      r(in.b);
      break;
    case Op::ClearTemps:
      w(Operand{static_cast<uint32_t>(in.imm), in.aux, false});
      break;
    case Op::Nop:
    case Op::Jmp:
    case Op::AtomicBegin:
    case Op::AtomicEnd:
      break;
  }
  return e;
}

bool may_rest(const Insn& in) {
  switch (in.op) {
    case Op::Load:
    case Op::Store:
    case Op::AtomicBegin:
      return true;
    case Op::Builtin:
      return vm::builtin_info(static_cast<vm::Builtin>(in.imm)).visible;
    default:
      return false;
  }
}

// Locals whose address is taken stay live throughout (set in `pinned`);
// false when an address points into the temporaries, where liveness cannot
// follow it.
bool pin_locals(const vm::Function& fn, const std::vector<std::pair<uint32_t, uint32_t>>& locals, Bits& pinned) {
  for (const Insn& in : fn.code) {
    if (in.op != Op::FrameAddr) continue;
    const auto at = static_cast<uint32_t>(in.imm);
    auto l = std::find_if(locals.begin(), locals.end(),
                          [&](const auto& x) { return at >= x.first && at < x.first + x.second; });
    if (l == locals.end()) return false;
    pinned.set(l->first, l->second, fn.frame_size);
  }
  return true;
}

// The backward data-flow: the bytes live on entry to each instruction (in)
// and on its exit (out).
void live_bytes(const vm::Function& fn, const vm::Model& m, std::vector<Bits>& in_live, std::vector<Bits>& out_live) {
  const uint32_t size = fn.frame_size;
  const size_t n = fn.code.size();
  std::vector<Effect> eff;
  eff.reserve(n);
  for (const Insn& in : fn.code) eff.push_back(effect(in, m));
  auto succs = [&](size_t pc, std::vector<size_t>& out) {
    out.clear();
    const Insn& in = fn.code[pc];
    switch (in.op) {
      case Op::Ret:
        return;
      case Op::Jmp:
        out.push_back(static_cast<size_t>(in.imm));
        return;
      case Op::Jz:
      case Op::Jnz:
        out.push_back(static_cast<size_t>(in.imm));
        [[fallthrough]];
      default:
        if (pc + 1 < n) out.push_back(pc + 1);
    }
  };
  in_live.assign(n, Bits(size));
  out_live.assign(n, Bits(size));
  std::vector<size_t> ss;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t pc = n; pc-- > 0;) {
      Bits out(size);
      succs(pc, ss);
      for (size_t s : ss)
        if (s < n) out.merge(in_live[s]);
      Bits in = out;
      for (const Operand& o : eff[pc].writes) in.clear(o.off, o.size, size);
      for (const Operand& o : eff[pc].reads) in.set(o.off, o.size, size);
      if (!(in == in_live[pc])) {
        in_live[pc] = std::move(in);
        changed = true;
      }
      out_live[pc] = std::move(out);
    }
  }
}

}  // namespace

bool zeroes_dead_values(const vm::Function& fn, const std::vector<std::pair<uint32_t, uint32_t>>& locals) {
  Bits pinned(fn.frame_size);
  return fn.frame_size != 0 && !fn.code.empty() && pin_locals(fn, locals, pinned);
}

bool live_at_any(const vm::Function& fn, const std::vector<uint32_t>& pcs, uint32_t lo, uint32_t hi,
                 const vm::Model& m) {
  if (fn.frame_size == 0 || fn.code.empty()) return false;
  std::vector<Bits> in_live, out_live;
  live_bytes(fn, m, in_live, out_live);
  for (uint32_t pc : pcs)
    for (uint32_t i = lo; pc < in_live.size() && i < hi && i < fn.frame_size; ++i)
      if (in_live[pc].test(i)) return true;
  return false;
}

void drop_nops(vm::Function& fn) {
  const size_t n = fn.code.size();
  std::vector<uint32_t> to(n + 1);
  uint32_t kept = 0;
  for (size_t pc = 0; pc < n; ++pc) {
    to[pc] = kept;
    if (fn.code[pc].op != Op::Nop) ++kept;
  }
  to[n] = kept;
  if (kept == n) return;
  auto moved = [&](uint64_t pc) { return pc <= n ? to[pc] : static_cast<uint32_t>(pc); };
  std::vector<Insn> code;
  code.reserve(kept);
  for (const Insn& in : fn.code) {
    if (in.op == Op::Nop) continue;
    code.push_back(in);
    if (in.op == Op::Jmp || in.op == Op::Jz || in.op == Op::Jnz) code.back().imm = moved(static_cast<uint64_t>(in.imm));
  }
  fn.code = std::move(code);
  for (auto& l : fn.labels) l.second = moved(l.second);
  for (auto& g : fn.gotos) g.second = moved(g.second);
}

void compute_dead_ranges(vm::Function& fn, const std::vector<std::pair<uint32_t, uint32_t>>& locals,
                         const vm::Model& m) {
  fn.dead_begin.clear();
  fn.call_dead_begin.clear();
  fn.dead_ranges.clear();
  const uint32_t size = fn.frame_size;
  const size_t n = fn.code.size();
  if (size == 0 || n == 0) return;
  Bits pinned(size);
  if (!pin_locals(fn, locals, pinned)) return;  // an address into temporaries: keep every byte (nothing is zeroed)
  std::vector<Bits> in_live, out_live;
  live_bytes(fn, m, in_live, out_live);
  // Dead = neither live nor pinned, as byte ranges.
  auto ranges_of = [&](const Bits& live, std::vector<Operand>& into) {
    uint32_t i = 0;
    while (i < size) {
      if (live.test(i) || pinned.test(i)) {
        ++i;
        continue;
      }
      uint32_t j = i;
      while (j < size && !live.test(j) && !pinned.test(j)) ++j;
      into.push_back(Operand{i, j - i, false});
      i = j;
    }
  };
  fn.dead_begin.assign(n + 1, 0);
  for (size_t pc = 0; pc < n; ++pc) {
    fn.dead_begin[pc] = static_cast<uint32_t>(fn.dead_ranges.size());
    if (may_rest(fn.code[pc])) ranges_of(in_live[pc], fn.dead_ranges);
  }
  fn.dead_begin[n] = static_cast<uint32_t>(fn.dead_ranges.size());
  fn.call_dead_begin.assign(n + 1, 0);
  for (size_t pc = 0; pc < n; ++pc) {
    fn.call_dead_begin[pc] = static_cast<uint32_t>(fn.dead_ranges.size());
    const Insn& in = fn.code[pc];
    if (in.op != Op::Call && in.op != Op::CallInd) continue;
    Bits keep = out_live[pc];
    if (in.a.size) keep.clear(in.a.off, in.a.size, size);  // the return value lands here
    ranges_of(keep, fn.dead_ranges);
  }
  fn.call_dead_begin[n] = static_cast<uint32_t>(fn.dead_ranges.size());
  if (std::getenv("PTCHECK_DUMP_LIVENESS")) {
    std::fprintf(stderr, "== %s frame %u\n", fn.name.c_str(), size);
    for (size_t pc = 0; pc < n; ++pc) {
      const Insn& in = fn.code[pc];
      std::fprintf(stderr, "%3zu op%d a=%u/%u b=%u/%u c=%u/%u imm=%lld aux=%u dead:", pc, int(in.op), in.a.off, in.a.size,
                   in.b.off, in.b.size, in.c.off, in.c.size, (long long)in.imm, in.aux);
      for (uint32_t i = fn.dead_begin[pc]; i < fn.dead_begin[pc + 1]; ++i)
        std::fprintf(stderr, " [%u,+%u)", fn.dead_ranges[i].off, fn.dead_ranges[i].size);
      std::fprintf(stderr, " call-dead:");
      for (uint32_t i = fn.call_dead_begin[pc]; i < fn.call_dead_begin[pc + 1]; ++i)
        std::fprintf(stderr, " [%u,+%u)", fn.dead_ranges[i].off, fn.dead_ranges[i].size);
      std::fprintf(stderr, "\n");
    }
  }
}

}  // namespace ptcheck::sema
