// The statement-start clears of the temporaries (sema/codegen.cpp finish()):
// removed wherever the dead-value zeroing at rest covers them
// (sema/liveness.h), kept where a path reads a temporary before writing it or
// an address points into the temporaries; removing instructions moves jump
// targets, labels and gotos with them.
#include <string>

#include "sema/liveness.h"
#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using vm::Insn;
using vm::Op;
using vm::Operand;

namespace {

Insn jump(Op op, uint32_t to, Operand cond = {}) { return Insn{op, 0, cond, {}, {}, to}; }
Insn konst(uint32_t off, int64_t v) { return Insn{Op::Const, 0, Operand{off, 8, false}, {}, {}, v}; }
Insn ret() { return Insn{Op::Ret, 0, {}, Operand{0, 0, false}}; }  // returns nothing
Insn add(uint32_t dst, uint32_t x, uint32_t y) {
  return Insn{Op::Bin, 0, Operand{dst, 8, false}, Operand{x, 8, false}, Operand{y, 8, false}};
}

const char* kModel = R"(
long x, y;

static long twice(long n)
{
	long a = n + 1;
	long b = a * 2;
	if (b > 4)
		goto big;
	x = b;
	return a;
big:
	;
	y = b + x;
	return b;
}

target clears { thread A { twice(1); } thread B { twice(3); } expect pass; }
)";

}  // namespace

TEST_GROUP(StatementClears){};

TEST(StatementClears, DropNopsMovesJumpsLabelsAndGotos) {
  vm::Function fn;
  fn.frame_size = 16;
  fn.code = {Insn{Op::Nop}, konst(0, 1), jump(Op::Jz, 0, Operand{0, 8, false}), Insn{Op::Nop},
             jump(Op::Jmp, 3), ret()};
  fn.labels = {{"top", 0}, {"mid", 3}};
  fn.gotos = {{"mid", 4}};
  sema::drop_nops(fn);
  LONGS_EQUAL(4, fn.code.size());
  CHECK(fn.code[0].op == Op::Const);
  CHECK(fn.code[1].op == Op::Jz);
  LONGS_EQUAL(0, fn.code[1].imm);  // a removed instruction's target: the one after it
  CHECK(fn.code[2].op == Op::Jmp);
  LONGS_EQUAL(2, fn.code[2].imm);
  CHECK(fn.code[3].op == Op::Ret);
  LONGS_EQUAL(0, fn.labels[0].second);
  LONGS_EQUAL(2, fn.labels[1].second);
  LONGS_EQUAL(2, fn.gotos[0].second);
}

TEST(StatementClears, LiveAtAnySeesAReadBeforeAWrite) {
  vm::Model m;
  vm::Function fn;
  fn.frame_size = 24;
  // Bytes 0..8 a local, 8..24 temporaries. Site 1: temp 8 is written (pc 2)
  // before it is read (pc 3); temp 16 is read at pc 3 and written nowhere.
  fn.code = {konst(0, 1), Insn{Op::Nop}, konst(8, 2), add(0, 8, 16), ret()};
  CHECK(!sema::live_at_any(fn, {1}, 8, 16, m));
  CHECK(sema::live_at_any(fn, {1}, 16, 24, m));
  CHECK(sema::live_at_any(fn, {1}, 8, 24, m));
  CHECK(!sema::live_at_any(fn, {4}, 0, 24, m));  // nothing is read after the return
}

TEST(StatementClears, AnAddressIntoTheTemporariesTurnsTheZeroingOff) {
  vm::Function fn;
  fn.frame_size = 24;
  const std::vector<std::pair<uint32_t, uint32_t>> locals{{0, 8}};
  fn.code = {Insn{Op::FrameAddr, 0, Operand{8, 8, false}, {}, {}, 0}, ret()};
  CHECK(sema::zeroes_dead_values(fn, locals));  // the address of the local
  fn.code[0].imm = 16;
  CHECK(!sema::zeroes_dead_values(fn, locals));  // the address of a temporary
  vm::Function empty;
  CHECK(!sema::zeroes_dead_values(empty, locals));
}

TEST(StatementClears, CompiledFunctionsKeepNoStatementClearsOrNops) {
  test::TempProject p(std::string(test::kPrelude) + kModel);
  auto inst = instantiate(p.project(), *p.project().find_target("clears"), "x86_64", {});
  const vm::Model& m = inst->model;
  const vm::Function* twice = nullptr;
  for (const vm::Function& f : m.funcs)
    if (f.name == "twice") twice = &f;
  CHECK(twice != nullptr);
  CHECK(!twice->dead_begin.empty());  // the zeroing at rest applies here
  uint32_t locals_end = 0;
  for (const auto& o : twice->frame_objects) locals_end = std::max(locals_end, o.off + o.size);
  for (const Insn& in : twice->code) {
    CHECK(in.op != Op::Nop);
    // Each declaration still starts its local from zero; no clear reaches
    // past the locals into the temporaries.
    if (in.op == Op::ClearTemps) CHECK(in.imm + in.aux <= locals_end);
  }
  // The label still names the statement after it, and the goto its jump.
  bool label = false, go = false;
  for (const auto& [name, pc] : twice->labels)
    if (name == "big") label = pc < twice->code.size() && twice->code[pc].op != Op::Ret;
  for (const auto& [name, pc] : twice->gotos)
    if (name == "big") go = pc < twice->code.size() && twice->code[pc].op == Op::Jmp;
  CHECK(label);
  CHECK(go);
}
