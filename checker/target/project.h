#pragma once
// The project tree a run works in: arch/, model/ and spec/ below a root. Parses
// spec files and the model files they import (each file once, dependencies
// first, so typedef names are known where they are used) and lists targets.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diag.h"
#include "vm/memory_model.h"

namespace ptcheck {

struct Config;
namespace z3 {
class Engine;
}

struct TargetEntry {
  std::string name;
  std::string spec_file;  // relative to the root
  const ast::TargetDef* def = nullptr;
};

class Project {
 public:
  explicit Project(std::string root);
  ~Project();
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;
  const std::string& root() const { return root_; }
  SourceManager& sources() { return sm_; }

  // Parses every arch/**/*.ptm and spec/**/*.ptm (and what they import). A file
  // that does not parse (or defines a target twice) is kept in broken_files()
  // with its error; the others still load. Throws InputError without spec/.
  void load_specs();
  struct BrokenFile {
    std::string file;   // root-relative
    std::string error;  // the located error
  };
  const std::vector<BrokenFile>& broken_files() const { return broken_; }
  bool is_broken(const std::string& file) const;
  // Parses one extra spec file given on the command line (root-relative or
  // absolute); a file already loaded is not loaded again.
  void load_spec_file(const std::string& path);
  bool is_loaded_spec(const std::string& path) const;
  const std::vector<TargetEntry>& targets() const { return targets_; }
  const TargetEntry* find_target(const std::string& name) const;

  // The parsed unit of a file (root-relative or absolute path), parsing it and
  // its imports on first use.
  const ast::TranslationUnit& unit(const std::string& path);
  // Files a target's program consists of, dependencies first: the arch's model
  // files, the spec file's and the target's imports (transitively), the spec file.
  // An `#include` under a top-level #if counts when `cfg` satisfies it (every
  // branch when cfg is nullptr).
  std::vector<std::string> program_files(const TargetEntry& t, const std::vector<std::string>& arch_files,
                                         const Config* cfg = nullptr);
  // `files` and everything they import, dependencies first, each once.
  std::vector<std::string> closure(const std::vector<std::string>& files);
  // Resolves an import path (root-relative, else relative to the importing
  // file) to root-relative file paths (a directory yields its *.ptm, sorted).
  // Errors are located at `loc`, else at line:col of `from` (not yet parsed).
  std::vector<std::string> resolve_import(const std::string& path, const std::string& from, SourceLoc loc,
                                          uint32_t line = 0, uint32_t col = 0);
  std::string absolute(const std::string& rel) const;

  // The Z3 layout engine of this project (z3/z3_check.h project_engine()
  // creates it on first use; answers are cached in it for the project's life).
  std::unique_ptr<z3::Engine>& engine_slot() { return engine_; }

  // Spec files loaded so far (spec/ and --spec), root-relative or absolute.
  const std::set<std::string>& loaded_specs() const { return spec_files_; }
  // Every Kconfig symbol the project mentions (target/kconfig_check.cpp fills it).
  std::optional<std::set<std::string>> known_symbols_;

  // --bound NAME=V of this run: each target takes those naming its parameters.
  void set_bounds(std::vector<std::pair<std::string, int64_t>> b) { bounds_ = std::move(b); }
  const std::vector<std::pair<std::string, int64_t>>& bounds() const { return bounds_; }
  // `ptcheck mutate`: a reach point the (mutated) program lacks is never
  // reached (the target comes out vacuous) instead of a load error.
  void set_lenient_reach(bool on) { lenient_reach_ = on; }
  bool lenient_reach() const { return lenient_reach_; }
  // --memory-model of this run: overrides every target's `set memory_model`.
  void set_memory_model(std::optional<vm::MemoryModelKind> k) { memory_model_ = k; }
  std::optional<vm::MemoryModelKind> memory_model() const { return memory_model_; }

 private:
  void collect(const std::string& file, std::vector<std::string>& out, std::set<std::string>& seen,
               const Config* cfg);
  std::vector<std::string> scan_imports(const std::string& file);  // resolved, in order

  std::string root_;
  SourceManager sm_;
  std::map<std::string, std::unique_ptr<ast::TranslationUnit>> units_;
  std::set<std::string> parsing_;
  std::set<std::string> typedef_names_;
  ast::TypeMacros type_macros_;
  std::vector<TargetEntry> targets_;
  std::vector<std::string> arch_files_;
  std::vector<std::pair<std::string, int64_t>> bounds_;
  bool lenient_reach_ = false;
  std::optional<vm::MemoryModelKind> memory_model_;
  std::set<std::string> spec_files_;
  std::vector<BrokenFile> broken_;
  std::unique_ptr<z3::Engine> engine_;  // spec files loaded (root-relative or absolute, normalized)
};

}  // namespace ptcheck
