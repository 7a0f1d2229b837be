// Helpers the subcommands share (common.h).
#include <unistd.h>
#include "cli/common.h"

#include <fmt/format.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <csignal>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "support/diag.h"
#include "target/project.h"
#include "support/version.h"

extern char** environ;

namespace fs = std::filesystem;

namespace ptcheck::cli {

uint64_t default_max_memory() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return uint64_t(8) << 30;
  return static_cast<uint64_t>(double(pages) * double(size) * 0.85);
}

std::atomic<bool> g_cancel{false};

namespace {
extern "C" void on_sigint(int) {
  if (g_cancel.exchange(true)) std::_Exit(130);  // a second ^C stops at once
}
}  // namespace

// SIGUSR1 too: under mpirun the ranks do not see the terminal's ^C (mpirun
// would end them at once); scripts/ptcheck-mpirun turns a ^C into SIGUSR1,
// which mpirun forwards to every rank, so the ranks stop together at the end
// of a round and rank 0 prints the incomplete table, as one process does.
//
// SIGTERM (kill, timeout(1), a batch scheduler's time limit) and SIGHUP (the
// terminal went away) stop a run the same way, so that the results so far
// and a --checkpoint are not lost; under mpirun SIGTERM keeps its meaning
// there (end the rank now, distributed/mpi_transport.cpp), and a SIGHUP
// ignored by nohup stays ignored.
void install_sigint(bool under_mpirun) {
  std::signal(SIGINT, on_sigint);
  std::signal(SIGUSR1, on_sigint);
  if (!under_mpirun) std::signal(SIGTERM, on_sigint);
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) == 0 && hup.sa_handler != SIG_IGN) std::signal(SIGHUP, on_sigint);
}

std::string pick_root(const std::string& opt) {
  if (!opt.empty()) return opt;
  if (const char* env = std::getenv("PTCHECK_ROOT")) return env;
  std::error_code ec;
  if (fs::is_directory("spec", ec) && fs::is_directory("arch", ec)) return ".";
  // Installed (cmake --install, the .deb): <prefix>/bin/ptcheck finds its data
  // in <prefix>/share/ptcheck, wherever the prefix is.
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path data = exe.parent_path().parent_path() / "share" / "ptcheck";
    if (fs::is_directory(data / "spec", ec) && fs::is_directory(data / "arch", ec)) return data.string();
  }
  return kDefaultRoot;  // the source tree the build was configured from
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

bool integer_in(const std::string& s, uint64_t min, uint64_t max) {
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  uint64_t v = 0;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  return v >= min && v <= max;
}

CLI::Validator integer_option(const std::string& what, uint64_t min, uint64_t max, const std::string& shown) {
  const bool open = max == UINT64_MAX && min > 0;
  const std::string range = open ? fmt::format("at least {}", min) : fmt::format("from {} to {}", min, max);
  return CLI::Validator(
      [=](std::string& s) {
        return integer_in(s, min, max) ? std::string() : fmt::format("expected {} {}, found '{}'", what, open ? "of " + range : range, s);
      },
      !shown.empty() ? shown : open ? fmt::format("N>={}", min) : fmt::format("{}..{}", min, max));
}

bool seconds_in(const std::string& s, bool zero_ok) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    return false;
  }
  return pos == s.size() && std::isfinite(v) && (v > 0 || (zero_ok && v == 0));
}

CLI::Validator seconds_option(bool zero_ok) {
  return CLI::Validator(
      [=](std::string& s) {
        return seconds_in(s, zero_ok) ? std::string()
                                      : fmt::format("expected a number of seconds {}, found '{}'",
                                                    zero_ok ? "of at least 0" : "greater than 0", s);
      },
      zero_ok ? "SECONDS>=0" : "SECONDS>0");
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

int run_with_input(const std::vector<std::string>& argv, const std::string& input, std::string& error) {
  int fds[2];
  if (::pipe(fds) != 0) {
    error = std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    error = fmt::format("cannot run {}: {}", argv[0], std::strerror(rc));
    return -1;
  }
  // A child that stops reading must not kill us with SIGPIPE.
  auto old = std::signal(SIGPIPE, SIG_IGN);
  size_t done = 0;
  while (done < input.size()) {
    ssize_t n = ::write(fds[1], input.data() + done, input.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fds[1]);
  std::signal(SIGPIPE, old);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
