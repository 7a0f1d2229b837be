#pragma once
// A throwaway project for tests: a temp folder whose arch/ and model/ link to
// the real ones, and whose spec/ holds the test's own model text. Checks a
// target and returns what the CLI would report.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "driver/run.h"
#include "target/project.h"

namespace ptcheck::test {

class TempProject {
 public:
  explicit TempProject(const std::string& spec_text, const std::string& file = "t.ptm")
      : TempProject(std::vector<std::pair<std::string, std::string>>{{file, spec_text}}) {}
  // Several files under spec/: (name, text).
  explicit TempProject(const std::vector<std::pair<std::string, std::string>>& files) {
    char tmpl[] = "/tmp/ptcheck-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::filesystem::create_directory_symlink(std::string(PTCHECK_TEST_ROOT) + "/arch", dir_ + "/arch");
    std::filesystem::create_directory_symlink(std::string(PTCHECK_TEST_ROOT) + "/model", dir_ + "/model");
    std::filesystem::create_directory(dir_ + "/spec");
    for (const auto& [name, text] : files) {
      std::filesystem::create_directories(std::filesystem::path(dir_ + "/spec/" + name).parent_path());
      std::ofstream(dir_ + "/spec/" + name) << text;
    }
    project_ = std::make_unique<Project>(dir_);
    project_->load_specs();
    // A test's spec must load: its error is the test's result.
    if (!project_->broken_files().empty()) {
      std::string err = project_->broken_files().front().error;
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw InputError(err);
    }
  }
  ~TempProject() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Project& project() { return *project_; }
  const std::string& dir() const { return dir_; }

  CheckResult check(const std::string& target, unsigned threads = 1, const std::string& arch = "x86_64",
                    uint64_t max_states = 0) {
    const TargetEntry* t = project_->find_target(target);
    if (!t) throw std::runtime_error("no target " + target);
    CheckOptions opt;
    opt.explore.threads = threads;
    opt.explore.max_states = max_states;
    return check_target(*project_, *t, arch, opt);
  }

 private:
  std::string dir_;
  std::unique_ptr<Project> project_;
};

// The common header of test models.
inline const char* kPrelude =
    "import \"model/include/linux/types.ptm\";\n"
    "import \"model/include/linux/spinlock_types.ptm\";\n"
    "import \"model/include/linux/gfp_types.ptm\";\n";

}  // namespace ptcheck::test
