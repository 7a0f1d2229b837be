#pragma once
// The compiled form of a model: functions lowered to a small register machine
// whose registers ("slots") live in the thread's stack frame, which itself lives
// in the state vector. Every access to shared memory, every lock and RCU
// operation is its own instruction, so the interpreter can end a step exactly
// where the concurrency semantics (docs/model-language.md "Concurrency") puts a
// step boundary.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/diag.h"

namespace ptcheck::sema {
struct Type;
}

namespace ptcheck::vm {

// A value in the current frame: `size` bytes at frame offset `off`, read with
// sign or zero extension to 64 bits. Struct values use their full size.
struct Operand {
  uint32_t off = 0;
  uint32_t size = 8;
  bool sign = false;
};

// An operand as an instruction holds it: 4 bytes, so that an Insn takes 32
// and a cache line holds two whole ones (at 56 bytes, the first read of an
// instruction was the interpreter loop's biggest stall on the kernel mixes:
// docs/benchmarks.md). Frame offsets stay below 64 KiB and values below 32
// KiB: codegen refuses a frame of more than kMaxFrame bytes (a 16 KiB kernel
// stack holds none that big), and checks the other uses of `off` (a string
// or type-list index) where it sets them.
struct InsnOperand {
  static constexpr uint32_t kMaxOff = 0xffff, kMaxSize = 0x7fff;
  uint16_t off = 0;
  uint16_t size : 15 = 8;
  uint16_t sign : 1 = 0;
  constexpr InsnOperand() = default;
  constexpr InsnOperand(const Operand& o)  // NOLINT: implicit, as codegen builds Operands
      : off(static_cast<uint16_t>(o.off)), size(static_cast<uint16_t>(o.size & kMaxSize)), sign(o.sign) {}
  constexpr operator Operand() const { return Operand{off, size, sign != 0}; }
};
static_assert(sizeof(InsnOperand) == 4);
// The largest frame (bytes after the header) codegen accepts: every operand
// of its code fits an InsnOperand.
inline constexpr uint32_t kMaxFrame = InsnOperand::kMaxSize;

enum class Op : uint8_t {
  Nop,
  Const,       // a := imm
  Mov,         // a := b (a.size bytes; structs copy whole)
  Bin,         // a := b <sub> c
  Un,          // a := <sub> b
  Ext,         // a := b truncated to imm bytes, sign-extended when sub != 0
  FrameAddr,   // a := address of frame offset imm (address of an address-taken local)
  Load,        // a := *(b) with a.size bytes (shared unless in this thread's stack)
  Store,       // *(a) := b with b.size bytes
  Jmp,         // pc := imm
  Jz,          // if a == 0: pc := imm
  Jnz,         // if a != 0: pc := imm
  Call,        // a := func[imm](args[aux])
  CallInd,     // a := (*b)(args[aux]); b must hold a function address
  Ret,         // return b (b.size == 0: void)
  Builtin,     // a := builtin[imm](args[aux])
  ClearTemps,  // zero frame bytes [imm, imm + aux): temporaries dead at a statement start
  AtomicBegin, // the following instructions up to AtomicEnd run in one step
  AtomicEnd,
};

enum class BinOp : uint8_t {
  Add, Sub, Mul, DivS, DivU, ModS, ModU, And, Or, Xor, Shl, ShrS, ShrU,
  Eq, Ne, LtS, LtU, LeS, LeU, GtS, GtU, GeS, GeU,
};
enum class UnOp : uint8_t { Neg, Not, LNot };

struct alignas(32) Insn {
  Insn(Op op_ = Op::Nop, uint8_t sub_ = 0, Operand a_ = {}, Operand b_ = {}, Operand c_ = {}, int64_t imm_ = 0)
      : op(op_), sub(sub_), a(a_), b(b_), c(c_), imm(imm_) {}
  Op op = Op::Nop;
  uint8_t sub = 0;    // BinOp / UnOp / extension signedness
  uint8_t watch = 0;  // 1: a reach point's instruction (vm/coverage.h, CoverageMode::Watched)
  InsnOperand a, b, c;  // Builtin: c carries static facts (a string or type-list index in
                        // c.off, the pointee's size and signedness in c.size/c.sign)
  uint32_t aux = 0;   // argument-list index, or a length
  uint32_t loc = 0;   // index into Model::locs: the statement this came from
  int64_t imm = 0;    // constant, jump target, function id, builtin id, byte count
};
static_assert(sizeof(Insn) == 32, "two instructions a cache line");

// A statement span, for traces ("file:line function | statement") and reports.
struct Location {
  SourceLoc loc;
  SourceLoc end;
  uint32_t func = 0;
};

struct Function {
  std::string name;
  uint32_t id = 0;
  uint64_t address = 0;         // its text address (what a function pointer holds)
  SourceLoc loc;
  std::vector<Insn> code;
  uint32_t frame_size = 0;      // bytes after the frame header
  std::vector<Operand> params;  // where each parameter lives in this function's frame
  Operand ret{0, 0, false};     // return value shape (size 0: void)
  bool has_body = false;
  std::string kernel_ref;       // "mm/memory.c pmd_install (v7.1.3)", from the comment above it
  // Dead frame bytes (sema/liveness.cpp), zeroed so that states differing
  // only in dead values merge: at pc, when the context comes to rest there,
  // dead_ranges[dead_begin[pc] .. dead_begin[pc+1]); at a call at pc, once
  // its arguments are copied, dead_ranges[call_dead_begin[pc] ..
  // call_dead_begin[pc+1]). Empty vectors: nothing is zeroed.
  std::vector<uint32_t> dead_begin, call_dead_begin;
  std::vector<Operand> dead_ranges;
  // The frame's objects (named parameters and locals) at their offsets from
  // the frame start, sorted by offset. An access through a pointer into a
  // frame must lie inside one of them: KASAN's stack redzones, checked per
  // object (vm/machine_stack.cpp) instead of being stored as shadow bytes, so
  // the state vector does not grow.
  struct FrameObject {
    uint32_t off = 0, size = 0;
    std::string name;
  };
  std::vector<FrameObject> frame_objects;
  // C labels (name, pc of the labelled statement) and gotos (label, pc of the
  // jump): what a target's reach points name (target/reach.h).
  std::vector<std::pair<std::string, uint32_t>> labels, gotos;
};

// Frame header, stored in stack memory just below each frame.
struct FrameHeader {
  uint32_t ret_func;   // caller function id (UINT32_MAX for a thread's entry frame)
  uint32_t ret_pc;     // caller pc to resume at
  uint32_t ret_fp;     // caller frame offset in the stack region
  uint32_t dst_off;    // caller operand receiving the return value
  uint32_t dst_size;
  uint32_t dst_sign;
};
inline constexpr uint32_t kFrameHeader = 24;

// THREAD_SIZE: each context's kernel stack (frames of its deepest call chain).
inline constexpr uint64_t kKernelStackSize = 0x4000;

}  // namespace ptcheck::vm
