// `ptcheck layout`: a struct's concrete layout on one arch and config.
#include <fmt/format.h>

#include <iostream>

#include "arch/arch.h"
#include "cli/commands.h"
#include "sema/layout_print.h"
#include "sema/type_env.h"
#include "target/instantiate.h"

namespace ptcheck {

CLI::App* add_layout_command(CLI::App& app, LayoutOptions& opt) {
  auto* cmd = app.add_subcommand("layout", "print a struct's layout word by word");
  cmd->add_option("struct", opt.structure, "struct tag, e.g. page or ptdesc")->required();
  cmd->add_option("--arch", opt.arch, "arch");
  cmd->add_option("--set", opt.sets, "override a Kconfig symbol: CONFIG_X=y or CONFIG_X=n");
  return cmd;
}

int run_layout(Project& project, const LayoutOptions& opt) {
      auto arch_info = load_arch(project.root(), opt.arch);
      Config cfg;
      for (const auto& [k, v] : arch_info.kconfig) cfg.set(k, v);
      for (const auto& s : opt.sets) {
        auto [k, v] = parse_set(s);
        cfg.set(k, v);
      }
      std::vector<std::string> files = arch_info.model_files;
      for (const auto& f : project.resolve_import("model", "", SourceLoc{})) files.push_back(f);
      files = project.closure(files);
      sema::TypeEnv env(arch_info, cfg, project.sources());
      for (const auto& f : files) env.add_unit(project.unit(f));
      std::string tag = opt.structure.rfind("struct ", 0) == 0 ? opt.structure.substr(7) : opt.structure;
      const sema::Type* t = env.record(tag);
      if (!t || !t->complete) {
        std::cerr << fmt::format("ptcheck: error: no struct or union '{}' in model/ for {}\n", tag, opt.arch);
        return 2;
      }
      std::cout << sema::layout_table(env, t);
      return 0;
    }

}  // namespace ptcheck
