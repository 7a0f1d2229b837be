// libFuzzer target: model-language text through the lexer, parser, tree depth
// check and TypeEnv (layouts, constant evaluation, macros) on x86_64, and,
// when it declares targets, through instantiation (code generation, heap and
// state layout) in a scratch project. Bad input must end in InputError.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "arch/arch.h"
#include "frontend/parser.h"
#include "sema/type_env.h"
#include "support/diag.h"
#include "target/instantiate.h"
#include "target/project.h"

namespace fs = std::filesystem;
using namespace ptcheck;

namespace {
// A project root whose arch/ and model/ are the real ones, spec/ the input;
// removed when the fuzzer exits (remove_all deletes the links, not what they
// point to).
struct ScratchRoot {
  std::string dir;
  ScratchRoot() {
    char tmpl[] = "/tmp/ptcheck-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("fuzz_frontend: mkdtemp failed");
    dir = tmpl;
    fs::create_directory_symlink(std::string(PTCHECK_SOURCE_ROOT) + "/arch", dir + "/arch");
    fs::create_directory_symlink(std::string(PTCHECK_SOURCE_ROOT) + "/model", dir + "/model");
    fs::create_directory(dir + "/spec");
  }
  ~ScratchRoot() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
const std::string& scratch_root() {
  static ScratchRoot root;
  return root.dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  static const ArchInfo arch = load_arch(PTCHECK_SOURCE_ROOT, "x86_64");
  bool targets = false;
  try {
    SourceManager sm;
    ast::TranslationUnit tu = frontend::parse_file(sm, sm.add_file("fuzz.ptm", text));
    Config cfg;
    for (const auto& [k, v] : arch.kconfig) cfg.set(k, v);
    sema::TypeEnv env(arch, cfg, sm);
    env.add_unit(tu);
    for (const auto& d : tu.decls) targets = targets || d.kind == ast::Decl::Target;
  } catch (const InputError&) {
    return 0;
  }
  if (!targets) return 0;
  std::ofstream(scratch_root() + "/spec/fuzz.ptm", std::ios::trunc) << text;
  try {
    Project p(scratch_root());
    p.load_specs();
    for (const auto& t : p.targets()) instantiate(p, t, "x86_64", {}, {});
  } catch (const InputError&) {
  }
  return 0;
}
