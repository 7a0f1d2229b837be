// ptcheck mutate's operators on a small AST: which mutants each operator
// makes, that applying one edits the parsed program and that it is put back
// exactly, so the next mutant and later runs see the unmutated model.
#include <map>
#include <string>

#include "driver/mutate.h"
#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using ptcheck::test::kPrelude;
using ptcheck::test::TempProject;

namespace {

const char* kModel = R"(spinlock_t l;
long a, b, n;
static void f(void)
{
	int i;

	spin_lock(&l);
	WRITE_ONCE(a, 1);
	WRITE_ONCE(b, 1);
	n++;
	for (i = 0; i < 2; i++)
		n += 2;
	spin_unlock(&l);
}
target t { thread A { f(); } thread B { f(); } final { BUG_ON(READ_ONCE(n) != 10); } expect pass; }
)";

const ast::FuncDef* find_f(TempProject& p) {
  auto inst = instantiate(p.project(), *p.project().find_target("t"), "x86_64", {});
  for (const ast::Decl* d : inst->env->code_decls())
    if (d->kind == ast::Decl::Func && d->func->name == "f" && d->func->body) return d->func.get();
  return nullptr;
}

size_t code_size(TempProject& p) {
  auto inst = instantiate(p.project(), *p.project().find_target("t"), "x86_64", {});
  for (const auto& fn : inst->model.funcs)
    if (fn.name == "f") return fn.code.size();
  return 0;
}

}  // namespace

TEST_GROUP(Mutate){};

TEST(Mutate, OperatorsFindTheirSites) {
  TempProject p(std::string(kPrelude) + kModel);
  const ast::FuncDef* f = find_f(p);
  CHECK(f != nullptr);
  std::vector<Mutant> ms = function_mutants(*f, p.project().sources(), {});
  std::map<std::string, int> by_op;
  for (const auto& m : ms) by_op[mut_op_name(m.op)]++;
  LONGS_EQUAL(1, by_op["drop-lock-pair"]);
  LONGS_EQUAL(1, by_op["swap-accesses"]);
  LONGS_EQUAL(2, by_op["drop-inc-dec"]);  // n++ and n += 2
  LONGS_EQUAL(1, by_op["loop-bound"]);
  for (const auto& m : ms) STRCMP_EQUAL("spec/t.ptm", m.file.c_str());
  // Named by operator and line: the lock pair starts at spin_lock (line 10).
  for (const auto& m : ms)
    if (m.op == MutOp::DropLockPair) STRCMP_EQUAL("drop-lock-pair@spec/t.ptm:10", m.name().c_str());
}

TEST(Mutate, ApplyingEditsTheProgramAndUndoingRestoresIt) {
  TempProject p(std::string(kPrelude) + kModel);
  const size_t before = code_size(p);
  const ast::FuncDef* f = find_f(p);
  std::vector<Mutant> ms = function_mutants(*f, p.project().sources(), {MutOp::DropLockPair});
  LONGS_EQUAL(1, ms.size());
  const ast::Stmt* first = f->body->body[1].get();  // spin_lock(&l);
  {
    MutantApplied on(ms[0]);
    CHECK(f->body->body[1]->kind == ast::Stmt::Empty);
    CHECK(code_size(p) < before);
    CheckResult r = p.check("t");
    STRCMP_EQUAL("violation", ptcheck::to_string(r.verdict));  // the lost update without the lock
  }
  POINTERS_EQUAL(first, f->body->body[1].get());
  LONGS_EQUAL(before, code_size(p));
  CheckResult r = p.check("t");
  STRCMP_EQUAL("pass", ptcheck::to_string(r.verdict));
}

TEST(Mutate, SwapExchangesAndRestoresBothStatements) {
  TempProject p(std::string(kPrelude) + kModel);
  const ast::FuncDef* f = find_f(p);
  std::vector<Mutant> ms = function_mutants(*f, p.project().sources(), {MutOp::SwapAccesses});
  LONGS_EQUAL(1, ms.size());
  const ast::Stmt* wa = f->body->body[2].get();
  const ast::Stmt* wb = f->body->body[3].get();
  {
    MutantApplied on(ms[0]);
    POINTERS_EQUAL(wb, f->body->body[2].get());
    POINTERS_EQUAL(wa, f->body->body[3].get());
  }
  POINTERS_EQUAL(wa, f->body->body[2].get());
  POINTERS_EQUAL(wb, f->body->body[3].get());
}
