// Inputs that once crashed or hung the front end end in a located error, in
// little time: flat chains of 50,000 terms (every recursive walk is bounded by
// the tree depth), exponentially expanding macros, long macro chains, huge
// locals, deep call chains.
#include <chrono>
#include <string>

#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {

std::string chain(const char* op, int n, const char* term = "1") {
  std::string s = term;
  for (int i = 1; i < n; ++i) s += std::string(op) + term;
  return s;
}

// The error instantiating target `t` of `text` (spec/t.ptm, after a one-line
// prelude), or "(accepted)"; fails if it takes more than 30 seconds (sanitizer builds are slow).
std::string error_of(const std::string& text) {
  auto t0 = std::chrono::steady_clock::now();
  std::string msg = "(accepted)";
  try {
    TempProject tp("import \"model/include/linux/types.ptm\";\n" + text);
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  } catch (const InputError& e) {
    msg = e.what();
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_TEXT(s < 30, ("took " + std::to_string(s) + " s: " + msg).c_str());
  return msg;
}

void expect_error(const std::string& text, const std::string& want) {
  std::string msg = error_of(text);
  CHECK_TEXT(msg.find(want) != std::string::npos, ("want '" + want + "', got: " + msg.substr(0, 300)).c_str());
}

const char* kTooDeep = "nests too deeply: expected at most 400 levels";

}  // namespace

TEST_GROUP(Limits){};

TEST(Limits, FlatChainsAreLocatedErrorsAtTheExpression) {
  const int n = 50000;
  expect_error("long x;\ntarget t { thread a { x = " + chain("+", n) + "; } expect pass; }\n",
               std::string("spec/t.ptm:3:23: error: expression ") + kTooDeep);
  expect_error("long x;\ntarget t { thread a { x = " + chain("*", n) + "; } expect pass; }\n",
               std::string("spec/t.ptm:3:23: error: expression ") + kTooDeep);
  expect_error("long x;\ntarget t { thread a { x = (" + chain(",", n) + "); } expect pass; }\n",
               std::string("spec/t.ptm:3:23: error: expression ") + kTooDeep);
  expect_error("#define BIG (" + chain("+", n) + ")\nlong x;\ntarget t { thread a { x = BIG; } expect pass; }\n",
               std::string("spec/t.ptm:2:13: error: expression ") + kTooDeep);
  expect_error("long x;\nstatic long f(void) { return " + chain("+", n) + "; }\n"
               "target t { thread a { x = f(); } expect pass; }\n",
               std::string("spec/t.ptm:3:30: error: expression ") + kTooDeep);
  expect_error("long x = " + chain("+", n) + ";\ntarget t { thread a { x = 2; } expect pass; }\n",
               std::string("spec/t.ptm:2:10: error: expression ") + kTooDeep);
  expect_error("struct s { struct s *n; };\nstruct s g;\ntarget t { thread a { g" + chain("", n, ".n->n").substr(1) +
                   " = 0; } expect pass; }\n",
               std::string("spec/t.ptm:4:23: error: expression ") + kTooDeep);
  expect_error("int " + std::string(n, '*') + "p;\ntarget t { thread a { p = 0; } expect pass; }\n",
               std::string("error: type ") + kTooDeep);
  expect_error("#if " + chain(" && ", n, "IS_ENABLED(CONFIG_MMU)") + "\nlong x;\n#endif\n"
               "target t { thread a { x = 1; } expect pass; }\n",
               std::string("spec/t.ptm:2:1: error: #if condition ") + kTooDeep);
  // 2,000 terms: once "a context needs more than 16 KiB of kernel stack" at the target.
  expect_error("long x;\ntarget t { thread a { x = " + chain("+", 2000) + "; } expect pass; }\n",
               std::string("spec/t.ptm:3:23: error: expression ") + kTooDeep);
  // Just under the bound compiles.
  STRCMP_EQUAL("(accepted)", error_of("long x;\ntarget t { thread a { x = " + chain("+", 390, "x") +
                                      "; } expect pass; }\n").c_str());
}

TEST(Limits, ExponentialMacrosAreBoundedAtTheUse) {
  for (int levels : {22, 59}) {
    std::string m = "#define A0 1\n";
    for (int i = 1; i <= levels; ++i) m += "#define A" + std::to_string(i) + " (A" + std::to_string(i - 1) + "+A" +
                                          std::to_string(i - 1) + ")\n";
    std::string use = "A" + std::to_string(levels);
    // In code: the compiler's term budget; in a layout: constant evaluation
    // (object-like macros are evaluated once each, so this one is fine).
    expect_error(m + "long x;\ntarget t { thread a { x = " + use + "; } expect pass; }\n",
                 "error: macro '" + use + "' expands to more than 1000000 terms here");
    STRCMP_EQUAL("(accepted)",
                 error_of(m + "struct big { char c[(" + use + " & 7) + 1]; };\nstruct big g;\n"
                              "target t { thread a { g.c[0] = 1; } expect pass; }\n").c_str());
  }
  std::string f = "#define F0(a) (a+1)\n";
  for (int i = 1; i <= 39; ++i) f += "#define F" + std::to_string(i) + "(a) F" + std::to_string(i - 1) + "(F" +
                                    std::to_string(i - 1) + "(a))\n";
  expect_error(f + "long x;\ntarget t { thread a { x = F39(1); } expect pass; }\n",
               "error: macro 'F39' nests too deeply: expansion nests more than 64 levels (F39 -> ... -> F0)");
  expect_error(f + "struct big { char c[F39(1)]; };\nstruct big g;\ntarget t { thread a { g.c[0] = 1; } expect pass; }\n",
               "error: macro 'F39' expands to more than 1000000 terms here");
}

TEST(Limits, MacroChainsAndCyclesSayWhich) {
  std::string m = "#define M0 1\n";
  for (int i = 1; i < 5000; ++i) m += "#define M" + std::to_string(i) + " M" + std::to_string(i - 1) + "\n";
  expect_error(m + "long x;\ntarget t { thread a { x = M4999; } expect pass; }\n",
               "spec/t.ptm:5003:27: error: macro 'M4999' nests too deeply: expansion nests more than 64 levels");
  expect_error("#define A (B + 1)\n#define B (A + 1)\nlong x;\ntarget t { thread a { x = A; } expect pass; }\n",
               "spec/t.ptm:5:27: error: macro 'A' expands itself");
}

TEST(Limits, NestedTernariesCompileInLinearTime) {
  std::string e;
  for (int i = 0; i < 190; ++i) e += "x ? 1 : ";
  STRCMP_EQUAL("(accepted)", error_of("long x;\ntarget t { thread a { x = " + e + "2; } expect pass; }\n").c_str());
}

TEST(Limits, StackLimitsNameTheLocalOrTheThread) {
  expect_error("long x;\ntarget t { thread a { long arr[100000]; arr[1] = 1; x = arr[1]; } expect pass; }\n",
               "spec/t.ptm:3:23: error: local 'arr' takes 800000 bytes: more than a 16 KiB kernel stack");
  std::string fs = "long x;\nstatic void f0(void) { long a[100]; a[0] = 1; x = a[0]; }\n";
  for (int i = 1; i < 40; ++i) fs += "static void f" + std::to_string(i) + "(void) { long a[100]; a[0] = 1; f" +
                                    std::to_string(i - 1) + "(); }\n";
  expect_error(fs + "target t { thread a { f39(); } expect pass; }\n",
               "spec/t.ptm:43:12: error: thread 'a' needs ");
}

// An instruction addresses its frame with 16-bit offsets and 15-bit sizes
// (vm::InsnOperand): a bigger frame is refused at the function, never
// truncated; a frame just under the limit compiles.
TEST(Limits, FramesFitTheInstructionsOperands) {
  const std::string big = "long x;\nstatic void g(void) { long a[1800]; long b[1800]; long c[1800]; a[0] = 1; "
                          "b[0] = a[0]; c[0] = b[0]; x = c[0]; }\n"
                          "target t { thread a { g(); } expect pass; }\n";
  expect_error(big, "spec/t.ptm:3:13: error: function 'g' needs a ");
  expect_error(big, "-byte frame: more than ptcheck's instructions address (32767 bytes; a kernel stack is 16 KiB)");
  STRCMP_EQUAL("(accepted)", error_of("long x;\nstatic void g(void) { long a[1800]; a[0] = 1; x = a[0]; }\n"
                                      "target t { thread a { g(); } expect pass; }\n")
                                 .c_str());
}

TEST(Limits, NondetChoicesFitTheExplorersLabels) {
  expect_error("long x;\ntarget t { thread a { x = nondet(2000000); } expect pass; }\n",
               "spec/t.ptm:3:34: error: nondet(2000000): at most 1048576 choices (model limit)");
  STRCMP_EQUAL("(accepted)", error_of("long x;\ntarget t { thread a { x = nondet(1048576); } expect pass; }\n").c_str());
}

TEST(Limits, VoidPointersAreNotDereferenced) {
  expect_error("long x;\nvoid *vp;\ntarget t { thread a { x = *vp; } expect pass; }\n",
               "error: dereference of a void pointer");
  expect_error("long x;\nvoid *vp;\ntarget t { thread a { *vp = 1; } expect pass; }\n",
               "error: dereference of a void pointer");
  expect_error("long x;\nvoid *vp;\ntarget t { thread a { x = (long)vp[1]; } expect pass; }\n",
               "error: dereference of a void pointer");
}

TEST(Limits, AlignmentsArePowersOfTwo) {
  // sema/layout_rules.h rounds with (v + a - 1) & -a: both ways of writing an
  // alignment are checked where they enter.
  expect_error("struct s { long a; } __aligned(3);\nstruct s gs;\ntarget t { thread a { gs.a = 1; } expect pass; }\n",
               "alignment 3 is not a power of two");
  expect_error("struct s { long a; } __aligned(1 + 2);\nstruct s gs;\ntarget t { thread a { gs.a = 1; } expect pass; }\n",
               "alignment 3 is not a power of two");
}
