// Shared CppUTest runner for every tests/unit/<folder> executable.
// CppUTest's new/delete overloads are turned off: ASan does the leak and misuse
// checking in the sanitizer build, and TBB/Z3 keep process-lifetime allocations
// that CppUTest would misreport as per-test leaks.
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

int main(int argc, char** argv) {
  MemoryLeakWarningPlugin::turnOffNewDeleteOverloads();
  return CommandLineTestRunner::RunAllTests(argc, argv);
}
