// Helpers the subcommands share (common.h).
#include "cli/common.h"

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "support/diag.h"
#include "target/project.h"
#include "support/version.h"

namespace fs = std::filesystem;

namespace ptcheck::cli {

std::atomic<bool> g_cancel{false};

namespace {
extern "C" void on_sigint(int) {
  if (g_cancel.exchange(true)) std::_Exit(130);  // a second ^C stops at once
}
}  // namespace

void install_sigint() { std::signal(SIGINT, on_sigint); }

std::string pick_root(const std::string& opt) {
  if (!opt.empty()) return opt;
  if (const char* env = std::getenv("PTCHECK_ROOT")) return env;
  std::error_code ec;
  if (fs::is_directory("spec", ec) && fs::is_directory("arch", ec)) return ".";
  return kDefaultRoot;
}

std::string project_path(const Project& p, const std::string& arg) {
  std::error_code ec;
  fs::path abs = fs::absolute(arg, ec).lexically_normal();
  fs::path root = fs::absolute(p.root(), ec).lexically_normal();
  fs::path rel = abs.lexically_relative(root);
  if (!rel.empty() && *rel.begin() != ".." && !rel.is_absolute()) return rel.string();
  return abs.string();
}

void load_spec_args(Project& p, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      p.load_spec_file(project_path(p, a));
      continue;
    }
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(a, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".ptm") files.push_back(project_path(p, it->path()));
    if (files.empty()) throw InputError(fmt::format("{}: error: --spec: a directory without *.ptm files", a));
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (!p.is_loaded_spec(f)) p.load_spec_file(f);
  }
}

bool positive_integer(const std::string& s, uint64_t max) {
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  uint64_t v = 0;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  return v >= 1 && v <= max;
}

bool positive_seconds(const std::string& s) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    return false;
  }
  return pos == s.size() && std::isfinite(v) && v > 0;
}

bool report_broken(const Project& p, const char* command) {
  for (const auto& b : p.broken_files())
    std::cerr << fmt::format("{}\nptcheck {}: error: {} did not load; its targets and properties are left out\n",
                             b.error, command, b.file);
  return !p.broken_files().empty();
}

std::string broken_hint(const Project& p) {
  if (p.broken_files().empty()) return "";
  std::string files;
  for (const auto& b : p.broken_files()) files += (files.empty() ? "" : ", ") + b.file;
  return fmt::format(" ({} file{} did not load: {}; it may be defined there)", p.broken_files().size(),
                     p.broken_files().size() == 1 ? "" : "s", files);
}

uint64_t parse_size(const std::string& option, const std::string& s) {
  size_t pos = 0;
  double v = -1;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  std::string unit = pos ? s.substr(pos) : "?";
  double mul = unit.empty() || unit == "B" ? 1 : unit == "K" || unit == "KiB" ? 1024.0
             : unit == "M" || unit == "MiB" ? 1048576.0 : unit == "G" || unit == "GiB" ? 1073741824.0 : -1;
  // NaN, infinities, 0 and anything past 2^63 bytes are not sizes.
  if (mul < 0 || !std::isfinite(v) || v * mul < 1 || v * mul >= 9.2e18)
    throw InputError(fmt::format("{}: error: expected a size of at least 1 byte like 512M or 8G, found '{}'", option, s));
  return static_cast<uint64_t>(v * mul);
}

}  // namespace ptcheck::cli
