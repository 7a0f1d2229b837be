// The interpreter's core: the memory access path (translate, read_mem,
// write_mem, load, store), one instruction (exec) and the step loop
// (run_loop). One file, longer than most: without link-time optimization the
// compiler inlines the access path and the frame-only instructions into
// exec() and run_loop() only when they are in the same file. The Machine's
// set-up, the moves of a state and a step are in machine_moves.cpp; the
// builtins, the weak-memory seam, the stack bounds and the read-only views
// in the other machine_*.cpp files.
#include "vm/machine.h"

#include <cstring>

#include <fmt/format.h>

#include "vm/builtins.h"
#include "vm/value_io.h"

namespace ptcheck::vm {

bool Machine::fail(ErrorKind k, uint32_t t, const std::string& detail) {
  err_.kind = k;
  err_.context = t;
  err_.ubsan = nullptr;
  err_.loc = cur_loc_;
  err_.detail = detail;
  return false;
}

bool Machine::own_stack(uint32_t t, uint64_t addr) const {
  const StackHot& st = stacks_[t];
  return addr >= st.base && addr < st.base + st.size;
}

uint8_t* Machine::shadow(uint8_t* s, const Region& r, uint64_t obj) const {
  return r.shadow_off < 0 ? nullptr : s + r.shadow_off + obj;
}

const Region* Machine::region_of(uint64_t addr) {
  const Region* r = last_region_;
  if (r && addr >= r->base && addr < r->base + r->stride * r->count) return r;
  r = m_.find_region(addr);
  if (r) last_region_ = r;
  return r;
}

uint8_t* Machine::translate(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, bool write) {
  // The access's facts are recorded for the caller (reports, the recorder)
  // as plain integers; the error's text is only touched when it fails.
  err_.addr = addr;
  err_.size = size;
  err_.write = write;
  if (fp_rec_) note_access(addr, size, write);
  const Region* r = region_of(addr);
  if (!r) {
    err_.value = 0;
    err_.region = UINT32_MAX;
    fail(ErrorKind::PageFault, t);
    return nullptr;
  }
  const uint32_t ri = static_cast<uint32_t>(r - m_.regions.data());
  const uint64_t rel = addr - r->base;
  const uint8_t sh = stride_log2_[ri];
  const uint64_t obj = sh != 0xff ? rel >> sh : rel / r->stride;
  const uint64_t off = sh != 0xff ? rel & (r->stride - 1) : rel % r->stride;
  err_.region = ri;
  err_.obj = obj;
  if (off + size > r->obj_size) {
    err_.value = 0;
    err_.frame_func = UINT32_MAX;
    if (r->kind == RegionKind::PageData && off + size <= r->stride)
      // Two readings the machine cannot tell apart: the model keeps only part
      // of a real page (then page_bytes is too small), or the code sized this
      // access from page_bytes itself, as mmu_gather's MAX_TABLE_BATCH is
      // (then the kernel would run past the end of the page).
      fail(ErrorKind::ModelLimit, t,
           fmt::format("access at byte {} of a page of which the target keeps {} (page_bytes): raise page_bytes in "
                       "its heap if the model keeps too little of this page; if the code sized the access from "
                       "page_bytes, it runs past the end of the page",
                       off, r->obj_size));
    else
      fail(ErrorKind::OutOfBounds, t);
    return nullptr;
  }
  if (inv_reads_) [[unlikely]] {
    if (r->shadow_off >= 0) note_inv_read(uint64_t(r->shadow_off) + obj, 1);
    if (r->kind == RegionKind::Stack && r->state_off < m_.state_size) inv_reads_->opaque = true;
    else note_inv_read(r->state_off + obj * r->obj_size + off, size);
  }
  if (r->shadow_off >= 0) {
    uint8_t st = s[r->shadow_off + obj];
    if (st != kLive) {
      err_.value = 0;
      if (st == kFreed || r->kind == RegionKind::PageData)
        fail(ErrorKind::UseAfterFree, t);
      else
        fail(ErrorKind::OutOfBounds, t, "access to an object that was never allocated");
      return nullptr;
    }
  }
  if (r->kind == RegionKind::Stack && !stack_object_ok(s, *r, off, size)) {
    err_.value = 0;
    fail(ErrorKind::OutOfBounds, t);
    return nullptr;
  }
  const uint64_t at = r->state_off + obj * r->obj_size + off;
  if (write) mark_dirty(at, size);
  return s + at;
}

bool Machine::read_mem(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint8_t* out) {
  uint8_t* p = translate(s, t, addr, size, false);
  if (!p) return false;
  std::memmove(out, p, size);
  // An invariant reads memory only: its context has no store buffer.
  if (mm_ && !in_invariant_) mm_->forward(s, t, addr, size, out);
  if (rec_ && !in_invariant_ && !own_stack(t, addr))
    for (uint32_t o = 0; o < size; o += 8)
      rec_->on_read(m_.regions[err_.region], err_.obj, addr + o, std::min(8u, size - o),
                    read_value(out + o, std::min(8u, size - o), false));
  return true;
}

bool Machine::write_mem(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, const uint8_t* bytes, Order o) {
  if (in_invariant_ && !own_stack(t, addr))
    return fail(ErrorKind::ModelError, t, "an invariant may not write shared memory");
  uint8_t* p = translate(s, t, addr, size, true);
  if (!p) return false;
  if (mm_ && !direct_ && !own_stack(t, addr)) {
    // A store wider than a word (a struct assignment) is a memcpy(): like
    // the engine's memcpy it is a full fence whose bytes reach memory at once
    // (docs/memory-model.md "Primitives that are fences"). A word store: the
    // model decides when it reaches memory (commit() checks the memory again
    // then; the store's own faults were reported above).
    if (size <= 8) return mm_->store(*this, s, t, addr, size, read_value(bytes, size, false), o, cur_loc_);
    if (!mm_->fence(*this, s, t, Fence::Mb)) return false;
  }
  if (size <= 8) write_value(p, size, read_value(bytes, size, false));
  else std::memmove(p, bytes, size);
  if (rec_ && !own_stack(t, addr))
    for (uint32_t k = 0; k < size; k += 8)
      rec_->on_write(m_.regions[err_.region], err_.obj, addr + k, std::min(8u, size - k),
                     read_value(p + k, std::min(8u, size - k), false));
  return true;
}

bool Machine::commit(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, const uint8_t* bytes, uint32_t loc) {
  // A buffered store reaching memory: faults found now (the object was freed
  // meanwhile) are the store's, at its statement.
  const uint32_t saved = cur_loc_;
  cur_loc_ = loc;
  uint8_t* p = translate(s, t, addr, size, true);
  if (!p) return false;
  cur_loc_ = saved;
  std::memmove(p, bytes, size);
  if (rec_) rec_->on_write(m_.regions[err_.region], err_.obj, addr, size, read_value(p, size, false));
  return true;
}

bool Machine::limit(uint32_t t, uint32_t entries) {
  return fail(ErrorKind::ModelLimit, t,
              fmt::format("store buffer full: more than {} stores not yet visible to other CPUs under {} "
                          "(add a fence, or check this target under sc)",
                          entries, memory_model_name(m_.memory_model)));
}

bool Machine::load(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, bool sign, uint64_t& out) {
  uint8_t b[8];
  if (!read_mem(s, t, addr, size, b)) return false;
  out = read_value(b, size, sign);
  return true;
}

bool Machine::store(uint8_t* s, uint32_t t, uint64_t addr, uint32_t size, uint64_t v, Order o) {
  if (mm_) {
    uint8_t b[8];
    write_value(b, size, v);
    return write_mem(s, t, addr, size, b, o);
  }
  // sc: write_mem's path for one word, without the bytes round trip (the
  // interpreter's hottest store).
  if (in_invariant_ && !own_stack(t, addr))
    return fail(ErrorKind::ModelError, t, "an invariant may not write shared memory");
  uint8_t* p = translate(s, t, addr, size, true);
  if (!p) return false;
  write_value(p, size, v);
  if (rec_ && !own_stack(t, addr)) rec_->on_write(m_.regions[err_.region], err_.obj, addr, size, v);
  return true;
}

bool Machine::is_visible(const uint8_t* s, uint32_t t, const Insn& in) const {
  switch (in.op) {
    case Op::Load: {
      const uint8_t* f = const_cast<Machine*>(this)->frame(const_cast<uint8_t*>(s), t);
      return !own_stack(t, read_value(f + in.b.off, in.b.size, false));
    }
    case Op::Store: {
      const uint8_t* f = const_cast<Machine*>(this)->frame(const_cast<uint8_t*>(s), t);
      return !own_stack(t, read_value(f + in.a.off, in.a.size, false));
    }
    case Op::Builtin:
      return builtin_info(static_cast<Builtin>(in.imm)).visible;
    case Op::AtomicBegin:
      return true;
    default:
      return false;
  }
}

void Machine::clear_dead(uint8_t* f, const FuncHot& fn, uint32_t pc) const {
  // Locals and temporaries no later instruction reads are zeroed where the
  // context comes to rest, so states that differ only in dead values are one
  // state (the liveness pass in sema/liveness.cpp).
  if (!fn.dead_begin) return;
  for (uint32_t i = fn.dead_begin[pc], e = fn.dead_begin[pc + 1]; i < e; ++i)
    std::memset(f + fn.dead_ranges[i].off, 0, fn.dead_ranges[i].size);
}

bool Machine::call(uint8_t* s, uint32_t t, uint32_t func, const std::vector<Operand>* args,
                   const uint64_t* arg_values, Operand dst) {
  const FuncHot& f = hot_[func];
  if (!f.has_body) return fail(ErrorKind::ModelError, t, "call to " + m_.funcs[func].name + ", which has no body");
  ThreadState& th = ts(s, t);
  const StackHot& stack = stacks_[t];
  uint32_t new_fp;
  FrameHeader h{};
  if (th.func == UINT32_MAX) {
    new_fp = kFrameHeader;
    h.ret_func = UINT32_MAX;
  } else {
    new_fp = th.fp + hot_[th.func].frame_size + kFrameHeader;
    h.ret_func = th.func;
    h.ret_pc = th.pc + 1;
    h.ret_fp = th.fp;
    h.dst_off = dst.off;
    h.dst_size = dst.size;
    h.dst_sign = dst.sign;
  }
  if (new_fp + f.frame_size > stack.size)
    return fail(ErrorKind::ModelError, t, "kernel stack overflow calling " + m_.funcs[func].name);
  uint8_t* base = s + stack.state_off;
  std::memcpy(base + new_fp - kFrameHeader, &h, sizeof h);
  uint8_t* nf = base + new_fp;
  if (args) {
    const uint8_t* cf = th.func == UINT32_MAX ? nullptr : base + th.fp;
    for (size_t i = 0; i < args->size() && i < f.n_params; ++i) {
      const Operand& src = (*args)[i];
      const Operand& p = f.params[i];
      if (p.size > 8 || src.size > 8)
        std::memcpy(nf + p.off, cf + src.off, std::min(p.size, src.size));
      else
        write_value(nf + p.off, p.size, read_value(cf + src.off, src.size, src.sign));
    }
  } else if (arg_values) {
    for (size_t i = 0; i < f.n_params; ++i) write_value(nf + f.params[i].off, f.params[i].size, arg_values[i]);
  }
  // The caller's values dead after the call (its arguments among them) go now.
  if (th.func != UINT32_MAX) clear_call_dead(base + th.fp, hot_[th.func], th.pc);
  th.func = func;
  th.pc = 0;
  th.fp = new_fp;
  return true;
}

void Machine::clear_call_dead(uint8_t* f, const FuncHot& fn, uint32_t pc) const {
  if (!fn.call_dead_begin) return;
  for (uint32_t i = fn.call_dead_begin[pc], e = fn.call_dead_begin[pc + 1]; i < e; ++i)
    std::memset(f + fn.dead_ranges[i].off, 0, fn.dead_ranges[i].size);
}

namespace {
// Instructions on the frame alone, run by exec() and inline by run_loop().
inline void exec_const(uint8_t* f, const Insn& in) {
  write_value(f + in.a.off, in.a.size, static_cast<uint64_t>(in.imm));
}
inline void exec_mov(uint8_t* f, const Insn& in) {
  if (in.a.size > 8 || in.b.size > 8)
    std::memmove(f + in.a.off, f + in.b.off, std::min(in.a.size, in.b.size));
  else
    write_value(f + in.a.off, in.a.size, read_value(f + in.b.off, in.b.size, in.b.sign));
}
// Whether a Jz or Jnz jumps.
inline bool jump_taken(const uint8_t* f, const Insn& in) {
  return (read_value(f + in.a.off, in.a.size, in.a.sign) == 0) == (in.op == Op::Jz);
}
}  // namespace

Machine::Exec Machine::exec(uint8_t* s, uint32_t t, ThreadState& th, uint8_t* f, const Insn& in, uint32_t choice) {
  auto rd = [&](const Operand& o) { return read_value(f + o.off, o.size, o.sign); };
  auto wr = [&](const Operand& o, uint64_t v) { write_value(f + o.off, o.size, v); };
  switch (in.op) {
    case Op::Nop:
    case Op::AtomicBegin:
    case Op::AtomicEnd:
      return Exec::Next;
    case Op::Const:
      exec_const(f, in);
      return Exec::Next;
    case Op::Mov:
      exec_mov(f, in);
      return Exec::Next;
    case Op::Bin: {
      uint64_t x = rd(in.b), y = rd(in.c), r = 0;
      auto sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
      switch (static_cast<BinOp>(in.sub)) {
        case BinOp::Add: r = x + y; break;
        case BinOp::Sub: r = x - y; break;
        case BinOp::Mul: r = x * y; break;
        case BinOp::DivS:
        case BinOp::ModS:
          if (y == 0) return fail(ErrorKind::ModelError, t, "division by zero"), Exec::Error;
          if (sx == INT64_MIN && sy == -1) r = static_cast<BinOp>(in.sub) == BinOp::DivS ? x : 0;
          else r = static_cast<BinOp>(in.sub) == BinOp::DivS ? static_cast<uint64_t>(sx / sy)
                                                              : static_cast<uint64_t>(sx % sy);
          break;
        case BinOp::DivU:
        case BinOp::ModU:
          if (y == 0) return fail(ErrorKind::ModelError, t, "division by zero"), Exec::Error;
          r = static_cast<BinOp>(in.sub) == BinOp::DivU ? x / y : x % y;
          break;
        case BinOp::And: r = x & y; break;
        case BinOp::Or: r = x | y; break;
        case BinOp::Xor: r = x ^ y; break;
        case BinOp::Shl:
        case BinOp::ShrS:
        case BinOp::ShrU: {
          // lib/ubsan.c __ubsan_handle_shift_out_of_bounds() (v7.1.3): an
          // exponent that is negative or not below the shifted type's width.
          const uint64_t width = 8ull * in.a.size;
          if ((in.c.sign && sy < 0) || y >= width) {
            fail(ErrorKind::ModelError, t,
                 in.c.sign && sy < 0 ? fmt::format("shift exponent {} is negative", sy)
                                     : fmt::format("shift exponent {} is too large for {}-bit type '{}'", y, width,
                                                   m_.strings.at(static_cast<size_t>(in.imm))));
            err_.ubsan = "shift-out-of-bounds";
            return Exec::Error;
          }
          const auto o = static_cast<BinOp>(in.sub);
          r = o == BinOp::Shl ? x << y : o == BinOp::ShrS ? static_cast<uint64_t>(sx >> y) : x >> y;
          break;
        }
        case BinOp::Eq: r = x == y; break;
        case BinOp::Ne: r = x != y; break;
        case BinOp::LtS: r = sx < sy; break;
        case BinOp::LtU: r = x < y; break;
        case BinOp::LeS: r = sx <= sy; break;
        case BinOp::LeU: r = x <= y; break;
        case BinOp::GtS: r = sx > sy; break;
        case BinOp::GtU: r = x > y; break;
        case BinOp::GeS: r = sx >= sy; break;
        case BinOp::GeU: r = x >= y; break;
      }
      wr(in.a, r);
      return Exec::Next;
    }
    case Op::Un: {
      uint64_t x = rd(in.b);
      switch (static_cast<UnOp>(in.sub)) {
        case UnOp::Neg: x = ~x + 1; break;
        case UnOp::Not: x = ~x; break;
        case UnOp::LNot: x = x == 0; break;
      }
      wr(in.a, x);
      return Exec::Next;
    }
    case Op::Ext: {
      uint64_t x = truncate_value(rd(in.b), static_cast<uint32_t>(in.imm), in.sub != 0);
      wr(in.a, x);
      return Exec::Next;
    }
    case Op::FrameAddr: {
      wr(in.a, stacks_[t].base + th.fp + static_cast<uint64_t>(in.imm));
      return Exec::Next;
    }
    case Op::Load: {
      const uint64_t addr = rd(in.b);
      if (own_stack(t, addr)) {
        const Region& sr = m_.regions[m_.stack_of_context[t]];
        err_.frame_func = UINT32_MAX;
        if (addr + in.a.size > sr.base + sr.obj_size || !stack_object_ok(s, sr, addr - sr.base, in.a.size)) {
          err_.addr = addr;
          err_.size = in.a.size;
          err_.write = false;
          err_.region = static_cast<uint32_t>(&sr - m_.regions.data());
          err_.obj = 0;
          err_.value = 0;
          return fail(ErrorKind::OutOfBounds, t), Exec::Error;
        }
        std::memmove(f + in.a.off, s + sr.state_off + (addr - sr.base), in.a.size);
        return Exec::Next;
      }
      return read_mem(s, t, addr, in.a.size, f + in.a.off) ? Exec::Next : Exec::Error;
    }
    case Op::Store: {
      const uint64_t addr = rd(in.a);
      const auto o = static_cast<Order>(in.sub);
      if (in.b.size > 8) return write_mem(s, t, addr, in.b.size, f + in.b.off, o) ? Exec::Next : Exec::Error;
      return store(s, t, addr, in.b.size, rd(in.b), o) ? Exec::Next : Exec::Error;
    }
    case Op::Jmp:
      th.pc = static_cast<uint32_t>(in.imm);
      return Exec::Jumped;
    case Op::Jz:
    case Op::Jnz:
      if (!jump_taken(f, in)) return Exec::Next;
      th.pc = static_cast<uint32_t>(in.imm);
      return Exec::Jumped;
    case Op::Call:
      return call(s, t, static_cast<uint32_t>(in.imm), &m_.arglists[in.aux], nullptr, in.a) ? Exec::NewFrame
                                                                                            : Exec::Error;
    case Op::CallInd: {
      uint64_t target = rd(in.b);
      const Function* fn = m_.function_at(target);
      if (!fn) {
        err_ = ErrorInfo{};
        err_.value = target;
        err_.addr = target;
        return fail(ErrorKind::BadCall, t), Exec::Error;
      }
      return call(s, t, fn->id, &m_.arglists[in.aux], nullptr, in.a) ? Exec::NewFrame : Exec::Error;
    }
    case Op::Ret: {
      uint8_t* base = s + stacks_[t].state_off;
      FrameHeader h;
      std::memcpy(&h, base + th.fp - kFrameHeader, sizeof h);
      uint32_t fsize = hot_[th.func].frame_size;
      if (h.ret_func == UINT32_MAX) {
        if (!check_exit(s, t)) return Exec::Error;
        last_ret_ = in.b.size ? rd(in.b) : 0;
        std::memset(base + th.fp - kFrameHeader, 0, kFrameHeader + fsize);
        th.func = UINT32_MAX;
        th.pc = 0;
        th.fp = 0;
        th.status = t == m_.rcu_context() || t == m_.invariant_context() ? kIdle : kDone;
        return Exec::Done;
      }
      if (h.dst_size) {
        uint8_t* dst = base + h.ret_fp + h.dst_off;
        if (h.dst_size > 8 || in.b.size > 8)
          std::memmove(dst, f + in.b.off, std::min<uint32_t>(h.dst_size, in.b.size));
        else
          write_value(dst, h.dst_size, in.b.size ? rd(in.b) : 0);
      }
      std::memset(base + th.fp - kFrameHeader, 0, kFrameHeader + fsize);
      th.func = h.ret_func;
      th.pc = h.ret_pc;
      th.fp = h.ret_fp;
      return Exec::NewFrame;
    }
    case Op::Builtin:
      if (mm_) return exec_builtin_weak(s, t, in, choice);
      return exec_builtin(s, t, in, choice);
    case Op::ClearTemps:
      std::memset(f + in.imm, 0, in.aux);
      return Exec::Next;
  }
  return fail(ErrorKind::ModelError, t, "bad instruction"), Exec::Error;
}

bool Machine::run(uint8_t* s, uint32_t t, uint32_t choice, bool start_visible) {
  switch (cov_mode_) {
    case CoverageMode::Off: break;
    case CoverageMode::Watched: return run_loop<CoverageMode::Watched>(s, t, choice, start_visible);
    case CoverageMode::All: return run_loop<CoverageMode::All>(s, t, choice, start_visible);
  }
  return run_loop<CoverageMode::Off>(s, t, choice, start_visible);
}

void Machine::cover(const Insn& in, uint32_t func, uint32_t pc, Exec e) { mark(cov_->marks[func][pc], in, e); }

template <CoverageMode kCov>
bool Machine::run_loop(uint8_t* s, uint32_t t, uint32_t choice, bool start_visible) {
  // start_visible: a scheduled step (execute the resting visible instruction,
  // then run to the next one). Otherwise advance to the first visible instruction.
  budget_ = kStepBudget;
  int atomic = 0;
  bool visible_done = false;
  ThreadState& th = ts(s, t);
  const StackHot& stack = stacks_[t];
  uint8_t* const sbase = s + stack.state_off;
  const uint64_t stack_lo = stack.base, stack_hi = stack.base + stack.size;
  const bool check_visible = !in_invariant_;
  // The footprint stays "not plain" unless the step's visible instruction is
  // a Load or Store and the step ends at rest (see Footprint).
  fp_.plain = false;
  fp_.n = 0;
  fp_.stack_lo = stack_lo;
  fp_.stack_hi = stack_hi;
  bool plain = false;
  // Under a weak model an atomic { } section is a full fence at both ends:
  // what the context buffered before it reaches memory first, and its own
  // stores commit at once, so other contexts see the section as one step
  // (docs/memory-model.md "The seam"). direct_ is restored however
  // the step ends.
  struct AtomicDirect {
    bool& d;
    bool saved = false, on = false;
    ~AtomicDirect() {
      if (on) d = saved;
    }
  } atomic_direct{direct_};
  for (;;) {  // one frame at a time: code and frame pointer stay put until a call or return
    if (th.func == UINT32_MAX) return true;
    const FuncHot& fn = hot_[th.func];
    const Insn* const code = fn.code;
    uint8_t* const f = sbase + th.fp;
    // Everything the step writes in a frame, it writes in the frame it is in
    // or in one it enters next (call() fills the callee's, a return the
    // caller's result): marking each frame on entry covers them.
    mark_dirty(stack.state_off + th.fp - kFrameHeader, kFrameHeader + fn.frame_size);
    // This frame's coverage marks, loaded once per frame (not per instruction).
    uint8_t* const marks = kCov != CoverageMode::Off ? cov_->marks[th.func].data() : nullptr;
    // The pc lives in a register: th.pc is written after each instruction
    // (exec's calls read it) but never read back, so the next instruction's
    // fetch does not wait on a store to the state and its reload.
    uint32_t pc = th.pc;
    for (;;) {
      const Insn& in = code[pc];
      cur_loc_ = in.loc;
      if (atomic == 0 && check_visible) {
        bool visible;
        switch (in.op) {
          case Op::Load: {
            uint64_t a = read_value(f + in.b.off, in.b.size, false);
            visible = a < stack_lo || a >= stack_hi;
            break;
          }
          case Op::Store: {
            uint64_t a = read_value(f + in.a.off, in.a.size, false);
            visible = a < stack_lo || a >= stack_hi;
            break;
          }
          case Op::Builtin: visible = builtin_visible_[static_cast<size_t>(in.imm)]; break;
          case Op::AtomicBegin: visible = true; break;
          default: visible = false;
        }
        if (visible) {
          if (!start_visible || visible_done) {
            clear_dead(f, fn, pc);
            fp_.plain = plain && fp_.n <= Footprint::kMaxRanges;
            return true;
          }
          visible_done = true;
          plain = in.op == Op::Load || in.op == Op::Store ||
                  (in.op == Op::Builtin && fp_builtin_[static_cast<size_t>(in.imm)]);
          fp_rec_ = plain;
        }
      }
      if (--budget_ == 0)
        return fail(ErrorKind::ModelError, t,
                    "a step ran 1000000 instructions without touching shared memory (unbounded loop?)");
      if (in.op == Op::AtomicBegin) {
        if (atomic++ == 0 && mm_ && !in_invariant_) {
          if (!mm_->fence(*this, s, t, Fence::Mb)) return false;
          atomic_direct.saved = direct_;
          atomic_direct.on = true;
          direct_ = true;
        }
      } else if (in.op == Op::AtomicEnd) {
        if (--atomic == 0 && atomic_direct.on) {
          direct_ = atomic_direct.saved;
          atomic_direct.on = false;
        }
      }
      // exec()'s jumps, constants and scalar moves (with the statement
      // clears gone, half the instructions a kernel mix runs), here: no
      // call, and a jump's target goes straight into pc.
      Exec e;
      uint32_t next = pc + 1;
      switch (in.op) {
        case Op::Const:
          exec_const(f, in);
          e = Exec::Next;
          break;
        case Op::Mov:
          exec_mov(f, in);
          e = Exec::Next;
          break;
        case Op::Jmp:
          next = static_cast<uint32_t>(in.imm);
          e = Exec::Jumped;
          break;
        case Op::Jz:
        case Op::Jnz:
          e = Exec::Next;
          if (jump_taken(f, in)) {
            next = static_cast<uint32_t>(in.imm);
            e = Exec::Jumped;
          }
          break;
        default:
          e = exec(s, t, th, f, in, choice);
          if (e == Exec::Jumped) next = th.pc;
          fp_rec_ = false;
      }
      if constexpr (kCov == CoverageMode::All) mark(marks[pc], in, e);
      if constexpr (kCov == CoverageMode::Watched)
        if (in.watch) [[unlikely]] mark(marks[pc], in, e);
      choice = 0;
      if (e == Exec::Next || e == Exec::Jumped) {
        th.pc = pc = next;
        continue;
      }
      if (e == Exec::NewFrame) break;
      if (e == Exec::Done) return true;
      if (e == Exec::Error) return false;
      return fail(ErrorKind::Deadlock, t,
                  atomic ? "blocked inside an atomic section: nothing else can run to release it"
                         : "blocked where no other context can run");
    }
  }
}

}  // namespace ptcheck::vm
