// Errors that once came without a place now name the file, line and column:
// recursion through several functions, imports that cannot be found or are
// not model files.
#include <string>

#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {
std::string error_of(const std::string& text) {
  try {
    TempProject tp(text);
    instantiate(tp.project(), *tp.project().find_target("t"), "x86_64", {}, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}
void expect_error(const std::string& text, const std::string& want) {
  std::string msg = error_of(text);
  CHECK_TEXT(msg.find(want) != std::string::npos, ("want '" + want + "', got: " + msg).c_str());
}
const char* kPre = "import \"model/include/linux/types.ptm\";\nlong x;\n";
}  // namespace

TEST_GROUP(Errors){};

TEST(Errors, RecursionNamesTheFunctionsOnTheCycle) {
  expect_error(std::string(kPre) +
                   "static void b(void);\n"
                   "static void a(void) { x = 1; b(); }\n"
                   "static void b(void) { x = 2; a(); }\n"
                   "target t { thread w { a(); } expect pass; }\n",
               "spec/t.ptm:5:13: error: recursion is not supported (stack sizes come from the call graph): 'b' "
               "calls 'a' (spec/t.ptm:4:13), which calls 'b'");
  expect_error(std::string(kPre) + "static void a(void) { x = 1; a(); }\ntarget t { thread w { a(); } expect pass; }\n",
               "spec/t.ptm:3:13: error: recursion is not supported (stack sizes come from the call graph): 'a' calls itself");
  expect_error(std::string(kPre) +
                   "void (*fp)(void);\n"
                   "static void a(void) { x = 1; fp(); }\n"
                   "target t { init { fp = a; } thread w { a(); } expect pass; }\n",
               "spec/t.ptm:4:13: error: recursion is not supported (stack sizes come from the call graph): 'a' calls "
               "through a function pointer itself");
}

TEST(Errors, ImportsAreLocatedAndMustBeModelFiles) {
  expect_error(std::string(kPre) + "import \"model/no/such.ptm\";\ntarget t { thread w { x = 1; } expect pass; }\n",
               "spec/t.ptm:3:8: error: cannot find imported file 'model/no/such.ptm' (tried ");
  expect_error(std::string(kPre) + "\n#include \"nowhere.ptm\"\ntarget t { thread w { x = 1; } expect pass; }\n",
               "spec/t.ptm:4:10: error: cannot find imported file 'nowhere.ptm'");
  expect_error(std::string(kPre) + "import \"/dev/zero\";\ntarget t { thread w { x = 1; } expect pass; }\n",
               "spec/t.ptm:3:8: error: cannot import '/dev/zero': /dev/zero is not a regular file or a directory");
  expect_error(std::string(kPre) + "import \"/etc\";\ntarget t { thread w { x = 1; } expect pass; }\n",
               "spec/t.ptm:3:8: error: imported directory '/etc' (/etc) has no *.ptm files");
  // A target's own import line is located at the target item.
  expect_error(std::string(kPre) + "target t { import \"model/none.ptm\"; thread w { x = 1; } expect pass; }\n",
               "spec/t.ptm:3:12: error: cannot find imported file 'model/none.ptm'");
}

TEST(Errors, LivenessPropertiesAreLocated) {
  expect_error(std::string(kPre) + "target t { thread w { x = 1; } always_eventually nope; expect pass; }\n",
               "spec/t.ptm:3:50: error: liveness property 'nope' is not a defined function");
  expect_error(std::string(kPre) +
                   "static bool p(long a) { return a; }\n"
                   "target t { thread w { x = 1; } always_eventually p; expect pass; }\n",
               "spec/t.ptm:4:50: error: liveness property 'p' must take no parameters");
  expect_error(std::string(kPre) +
                   "static void p(void) { x = 2; }\n"
                   "target t { thread w { x = 1; } always_eventually p; expect pass; }\n",
               "liveness property 'p' must return a truth value");
  expect_error(std::string(kPre) +
                   "static bool p(void) { return x; }\n"
                   "target t { thread w { x = 1; } always_eventually p, p; expect pass; }\n",
               "spec/t.ptm:4:53: error: liveness property 'p' is named twice in always_eventually");
  expect_error(std::string(kPre) + "target t { thread w { x = 1; } always_eventually 3; expect pass; }\n",
               "spec/t.ptm:3:50: error: expected a liveness property's function name");
}
