#pragma once
// Shared helpers for layout tests: hand-built ArchInfo objects and a loader that
// parses model files into a TypeEnv.
#include <memory>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/parser.h"
#include "sema/type_env.h"

namespace layout_test {

inline ptcheck::ArchInfo x86_64() {
  ptcheck::ArchInfo a;
  a.name = "x86_64";
  a.poison_pointer_delta = 0xdead000000000000ull;
  return a;  // Abi defaults are LP64
}

inline ptcheck::ArchInfo i386() {
  ptcheck::ArchInfo a;
  a.name = "i386";
  a.abi.word_size = 4;
  a.abi.size_long = a.abi.align_long = 4;
  a.abi.size_pointer = a.abi.align_pointer = 4;
  a.abi.size_long_long = 8;
  a.abi.align_long_long = 4;
  return a;
}

struct Env {
  ptcheck::SourceManager sm;
  ptcheck::ArchInfo arch;
  ptcheck::Config cfg;
  std::vector<ptcheck::ast::TranslationUnit> units;
  std::unique_ptr<ptcheck::sema::TypeEnv> env;

  Env(ptcheck::ArchInfo a, ptcheck::Config c) : arch(std::move(a)), cfg(std::move(c)) {
    env = std::make_unique<ptcheck::sema::TypeEnv>(arch, cfg, sm);
  }
  void text(const std::string& src, const std::string& name = "t.ptm") {
    units.push_back(ptcheck::frontend::parse_file(sm, sm.add_file(name, src), &env->typedef_names()));
    env->add_unit(units.back());
  }
  void file(const std::string& rel) {
    units.push_back(ptcheck::frontend::parse_path(sm, std::string(PTCHECK_TEST_ROOT) + "/" + rel,
                                                  &env->typedef_names()));
    env->add_unit(units.back());
  }
  // types, spinlock, the arch's pgtable types, mm_types, poison
  void kernel(const std::string& arch_dir) {
    units.reserve(16);
    file("model/include/linux/types.ptm");
    file("model/include/linux/spinlock_types.ptm");
    file("arch/" + arch_dir + "/pgtable_types.ptm");
    file("model/include/linux/mm_types.ptm");
    file("model/include/linux/poison.ptm");
  }
  uint64_t off(const char* rec, const char* path) {
    auto m = env->member(env->record(rec), path);
    if (!m) throw std::runtime_error(std::string("no member ") + rec + "." + path);
    return m->offset;
  }
  bool has(const char* rec, const char* path) { return env->member(env->record(rec), path).has_value(); }
};

}  // namespace layout_test
