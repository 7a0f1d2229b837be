#pragma once
// Helpers the subcommands share: where the project root is, option values
// (sizes), the Ctrl-C flag a check run polls.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace ptcheck {
class Project;
}

namespace ptcheck::cli {

// --root, else $PTCHECK_ROOT, else the current directory when it holds spec/
// and arch/, else <prefix>/share/ptcheck beside an installed <prefix>/bin/ptcheck,
// else the source tree the build was configured from.
std::string pick_root(const std::string& opt);

// The most explorer threads a run may ask for.
inline constexpr unsigned kMaxThreads = 1024;
// A decimal integer from min to max, nothing else around it (no sign: a
// negative number is refused, not wrapped).
bool integer_in(const std::string& s, uint64_t min, uint64_t max);
// The check of an integer option: integer_in(min, max), else "expected
// <what> from <min> to <max>, found '<s>'" ("of at least <min>" when max is
// UINT64_MAX and min is not 0). `what` names one value: "a thread count".
// (CLI11's own checks would read "-5" into an unsigned option as 2^64 - 5,
// or answer "Value 0 not in range".) `shown` is the range --help prints
// (default "min..max", or "N>=min").
CLI::Validator integer_option(const std::string& what, uint64_t min, uint64_t max, const std::string& shown = "");
// A finite number of seconds, greater than 0 (or, with zero_ok, at least 0).
bool seconds_in(const std::string& s, bool zero_ok);
// The check of a seconds option: seconds_in(zero_ok), else "expected a
// number of seconds greater than 0, found '<s>'" (or "of at least 0").
CLI::Validator seconds_option(bool zero_ok);

// "512M", "8G", "1024": bytes, at least 1. Throws InputError naming `option`.
uint64_t parse_size(const std::string& option, const std::string& s);

// The default --max-memory: 85% of physical memory, so a run past it ends
// "incomplete (max-memory)" with its results instead of being killed.
uint64_t default_max_memory();

// A file named on the command line, relative to the current directory: as the
// project names it (root-relative when under the root, else absolute).
std::string project_path(const Project& p, const std::string& arg);

// Loads the spec files of --spec arguments: a file, or every *.ptm under a
// directory (an error when it has none).
void load_spec_args(Project& p, const std::vector<std::string>& args);

// Prints the files load_specs() could not load, one located error each, to
// stderr; returns whether there were any.
bool report_broken(const Project& p, const char* command);
// " (N files did not load: a, b; ...)" for a target that was not found.
std::string broken_hint(const Project& p);

// Runs argv[0] (searched in PATH) with `input` on its stdin; returns its exit
// status, or -1 with `error` set when it cannot be started.
int run_with_input(const std::vector<std::string>& argv, const std::string& input, std::string& error);

// Set by SIGINT once a check run installed the handler; a second ^C exits 130.
extern std::atomic<bool> g_cancel;
// SIGINT, SIGUSR1, SIGHUP (unless ignored) and, outside mpirun, SIGTERM: the
// first asks the run to stop (incomplete), a second ends it.
void install_sigint(bool under_mpirun);

}  // namespace ptcheck::cli
