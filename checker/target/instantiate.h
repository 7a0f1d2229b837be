#pragma once
// Turns a target on one arch into a runnable vm::Model: Kconfig from the arch,
// the target and the command line; the program's files laid out and compiled;
// the heap, globals and stacks placed at synthetic kernel addresses; the state
// vector laid out.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "sema/config.h"
#include "sema/type_env.h"
#include "target/desugar.h"
#include "target/project.h"
#include "target/reach.h"
#include "vm/errors.h"
#include "vm/model.h"

namespace ptcheck {

struct Expected {
  bool violation = false;
  vm::ErrorKind kind = vm::ErrorKind::ModelError;
};

struct Instance {
  const TargetEntry* target = nullptr;
  std::unique_ptr<ArchInfo> arch;
  Config cfg;
  std::unique_ptr<sema::TypeEnv> env;
  vm::Model model;
  Expected expected;
  std::vector<std::string> files;  // the program's model files, root-relative
  std::vector<std::pair<std::string, bool>> overrides;  // target `set` lines and --set, in order
  TargetCode code;  // init and threads with parameters applied, arrays and the mix expanded
  std::vector<ReachPoint> reach;  // the target's reach points, resolved (target/reach.h)
};

// --set CONFIG_X=y|n parsing; throws InputError on malformed text.
std::pair<std::string, bool> parse_set(const std::string& text);

// `bounds` override the target's parameters (an unknown name is an error).
std::unique_ptr<Instance> instantiate(Project& project, const TargetEntry& target, const std::string& arch,
                                      const std::vector<std::pair<std::string, bool>>& cli_sets,
                                      const std::vector<std::pair<std::string, int64_t>>& bounds);
// As above with the run's --bound values (Project::bounds()) that name a
// parameter of this target.
std::unique_ptr<Instance> instantiate(Project& project, const TargetEntry& target, const std::string& arch,
                                      const std::vector<std::pair<std::string, bool>>& cli_sets);

// The arches a target runs on: its own list, else the default arch.
std::vector<std::string> target_arches(const TargetEntry& t, const std::string& default_arch);

}  // namespace ptcheck
