// Malformed-input corpus: truncations and single-byte mutations of every model file
// must either parse or raise InputError (never crash, hang or throw anything else).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/parser.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const char* dir : {"model", "arch", "spec"}) {
    fs::path root = fs::path(PTCHECK_TEST_ROOT) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file() && e.path().extension() == ".ptm") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
// Typedef names of the whole tree: files use typedefs of the files they import,
// so parse to a fixpoint, each round with every name found so far.
std::set<std::string> all_typedefs() {
  std::set<std::string> names;
  for (bool grew = true; grew;) {
    size_t before = names.size();
    for (const auto& f : corpus()) {
      SourceManager sm;
      try {
        ast::collect_typedef_names(frontend::parse_path(sm, f, &names).decls, names);
      } catch (const InputError&) {
      }
    }
    grew = names.size() != before;
  }
  return names;
}
const std::set<std::string>& known_names() {
  static const std::set<std::string> names = all_typedefs();
  return names;
}
// 0: parsed, 1: InputError
int try_parse(const std::string& text) {
  SourceManager sm;
  try {
    frontend::parse_file(sm, sm.add_file("fuzz.ptm", text), &known_names());
  } catch (const InputError& e) {
    std::string w = e.what();
    if (w.rfind("fuzz.ptm:", 0) != 0 || w.find(": error: ") == std::string::npos)
      FAIL(("badly formatted error: " + w).c_str());
    return 1;
  }
  return 0;
}
}  // namespace

TEST_GROUP(Fuzz){};

TEST(Fuzz, ModelFilesParse) {
  auto files = corpus();
  CHECK(files.size() >= 7);
  for (const auto& f : files) {
    SourceManager sm;
    try {
      frontend::parse_path(sm, f, &known_names());
    } catch (const InputError& e) {
      FAIL(e.what());
    }
  }
}

TEST(Fuzz, TruncationsAndMutations) {
  const char mutations[] = {'\0', '{', '}', '(', ')', ';', '#', '"', '\'', '/', '*', '\\', '\n', 'x', '0', ',', '@'};
  size_t errors = 0, runs = 0;
  for (const auto& f : corpus()) {
    std::string text = slurp(f);
    size_t step = std::max<size_t>(1, text.size() / 300);
    for (size_t i = 0; i <= text.size(); i += step) {
      errors += try_parse(text.substr(0, i));
      ++runs;
    }
    size_t mstep = std::max<size_t>(1, text.size() / 150);
    for (size_t i = 0; i < text.size(); i += mstep) {
      char m = mutations[(i / mstep) % sizeof(mutations)];
      std::string t = text;
      t[i] = m;
      errors += try_parse(t);
      ++runs;
      t = text;
      t.erase(i, 1);
      errors += try_parse(t);
      ++runs;
    }
  }
  CHECK(runs > 1000);
  CHECK(errors > 0);
}
