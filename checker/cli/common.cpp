// Helpers the subcommands share (common.h).
#include "cli/common.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "support/diag.h"
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
  if (mul < 0 || v < 0)
    throw InputError(fmt::format("{}: error: expected a size like 512M or 8G, found '{}'", option, s));
  return static_cast<uint64_t>(v * mul);
}

}  // namespace ptcheck::cli
