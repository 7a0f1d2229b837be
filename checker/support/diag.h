#pragma once
// Source files and located errors. Every input the tool reads (model, arch, target
// and trace files) reports problems as "file:line:col: error: message", which the
// CLI turns into exit status 2.
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ptcheck {

// A position in a loaded source file. line and col are 1-based; 0 means unknown.
struct SourceLoc {
  uint32_t file = UINT32_MAX;
  uint32_t line = 0;
  uint32_t col = 0;
  bool valid() const { return file != UINT32_MAX; }
};

// Bad input from the user: its what() is the full "file:line:col: error: ..." text.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Owns the text of every file read, so locations can be printed and statements
// quoted in traces. Stable references: files are never removed.
class SourceManager {
 public:
  // Reads a file; throws InputError("path: error: cannot read ...") on failure.
  uint32_t load_file(const std::string& path);
  // Registers in-memory text under a display path (tests, generated sources).
  uint32_t add_file(std::string path, std::string text);

  const std::string& path(uint32_t id) const { return files_.at(id).path; }
  const std::string& text(uint32_t id) const { return files_.at(id).text; }
  size_t file_count() const { return files_.size(); }
  // The text of a 1-based line without its newline ("" when out of range).
  std::string_view line_text(uint32_t id, uint32_t line) const;
  // "path:line:col" (or "path:line" when col is 0).
  std::string where(SourceLoc loc) const;
  // Throws InputError with "path:line:col: error: msg".
  [[noreturn]] void error(SourceLoc loc, const std::string& msg) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> line_starts;
  };
  std::deque<File> files_;
};

// Every file the tool reads is at most this large: model, arch, spec and trace
// files are text of a few hundred KiB at most.
inline constexpr uint64_t kMaxInputBytes = uint64_t{64} << 20;

// Reads a whole input file. Throws InputError "path: error: ..." when it is
// not a regular file (a directory, a device, a pipe: said which), cannot be
// opened or read (the system's reason), or is larger than kMaxInputBytes.
std::string read_input_file(const std::string& path);

// "path:line:col: error: msg" for inputs not held by a SourceManager (TOML, JSON).
[[noreturn]] void input_error(const std::string& path, uint32_t line, uint32_t col,
                              const std::string& msg);

}  // namespace ptcheck
