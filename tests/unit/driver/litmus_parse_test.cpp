// The C litmus reader (driver/litmus.h) on the forms the kernel's own tests
// use: C comments outside the process bodies, an address of a location no
// process names (`p=y;`), the Result: verdicts DEADLOCK and Maybe, and the
// judgement of a run against them (RunResult::agrees, as judgelitmus.sh).
#include <string>

#include "driver/litmus.h"
#include "driver/litmus_run.h"
#include "support/diag.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using namespace ptcheck::litmus;

namespace {

const char* kCommented = R"(C MP+commented
(*
 * Result: Never
 *)
{
p=y;
}
P0(int *x, int **p) // the writer
{
	WRITE_ONCE(*x, 1);  // a comment inside
	rcu_assign_pointer(*p, x);
}
/* between the processes */
P1(int *x, int **p)
{
	int *r0;
	r0 = rcu_dereference(*p);
}
exists (1:r0=x) (* herd's comment *)
)";

const Location* find(const Test& t, const std::string& name) {
  for (const auto& l : t.locations)
    if (l.name == name) return &l;
  return nullptr;
}

}  // namespace

TEST_GROUP(LitmusParse){};

TEST(LitmusParse, CommentsOutsideBodiesAndImplicitLocation) {
  Test t = parse_litmus("c.litmus", kCommented);
  CHECK_EQUAL(2u, t.procs.size());
  CHECK_EQUAL(8u, t.procs[0].line);
  CHECK_EQUAL(14u, t.procs[1].line);
  STRCMP_EQUAL("Never", t.expected["lkmm"].c_str());
  const Location* p = find(t, "p");
  const Location* y = find(t, "y");
  CHECK(p != nullptr);
  STRCMP_EQUAL("&y", p->init.c_str());
  STRCMP_EQUAL("int *", p->type.c_str());
  // y is named only by p's initial value: an int location of its own.
  CHECK(y != nullptr);
  STRCMP_EQUAL("int", y->type.c_str());
  STRCMP_EQUAL("", y->init.c_str());
  STRCMP_EQUAL("(1:r0=x)", t.cond_text.c_str());  // herd's comment is not part of it
}

TEST(LitmusParse, DeadlockAndMaybeVerdicts) {
  std::string text = "C d\n(*\n * Result: DEADLOCK\n *)\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n}\nexists (x=1)\n";
  Test t = parse_litmus("d.litmus", text);
  STRCMP_EQUAL("DEADLOCK", t.expected["lkmm"].c_str());
  std::string maybe = text;
  maybe.replace(maybe.find("DEADLOCK"), 8, "Maybe");
  STRCMP_EQUAL("Maybe", parse_litmus("m.litmus", maybe).expected["lkmm"].c_str());
  // Only Result: (LKMM's verdict) may say DEADLOCK; a located error otherwise.
  std::string sc = text;
  sc.replace(sc.find("Result:"), 7, "SC-Result:");
  try {
    parse_litmus("s.litmus", sc);
    FAIL("SC-Result: DEADLOCK was accepted");
  } catch (const InputError& e) {
    std::string msg = e.what();
    CHECK(msg.find("s.litmus:3: error: SC-Result: expects Never, Sometimes or Always") != std::string::npos);
  }
}

TEST(LitmusParse, AgreementAsJudgelitmus) {
  RunResult r;
  r.observation = "Never";
  r.expected = "DEADLOCK";
  CHECK(r.agrees());  // no final state passed the filter: Never 0 0
  r.negative = 2;
  CHECK_FALSE(r.agrees());
  r.expected = "Never";
  CHECK(r.agrees());
  r.negative = 0;
  CHECK_FALSE(r.agrees());  // Never 0 0 agrees with DEADLOCK only
  r.expected = "Maybe";
  CHECK(r.agrees());
  r.observation = "Sometimes";
  r.positive = r.negative = 1;
  r.expected = "Never";
  CHECK_FALSE(r.agrees());
}
