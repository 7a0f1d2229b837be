#pragma once
// Helpers the subcommands share: where the project root is, option values
// (sizes), the Ctrl-C flag a check run polls.
#include <atomic>
#include <cstdint>
#include <string>

namespace ptcheck::cli {

// --root, else $PTCHECK_ROOT, else the current directory when it holds spec/
// and arch/, else the root the build was configured with.
std::string pick_root(const std::string& opt);

// "512M", "8G", "1024": bytes. Throws InputError naming `option`.
uint64_t parse_size(const std::string& option, const std::string& s);

// Set by SIGINT once a check run installed the handler; a second ^C exits 130.
extern std::atomic<bool> g_cancel;
void install_sigint();

}  // namespace ptcheck::cli
