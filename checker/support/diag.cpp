#include "support/diag.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ptcheck {

namespace {
const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a pipe";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}
}  // namespace

std::string read_input_file(const std::string& path) {
  auto fail = [&](const std::string& why) -> std::string {
    throw InputError(fmt::format("{}: error: {}", path, why));
  };
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fail(fmt::format("cannot read file: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return fail(fmt::format("cannot read file: it is {}, not a regular file", file_kind(st.st_mode)));
  if (static_cast<uint64_t>(st.st_size) > kMaxInputBytes)
    return fail(fmt::format("cannot read file: {} bytes, more than the {} MiB an input may have", st.st_size,
                            kMaxInputBytes >> 20));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(fmt::format("cannot read file: {}", std::strerror(errno)));
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return fail(fmt::format("cannot read file: {}", std::strerror(e)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    // A regular file may still grow while it is read (/proc, a log being written).
    if (out.size() > kMaxInputBytes) {
      ::close(fd);
      return fail(fmt::format("cannot read file: more than the {} MiB an input may have", kMaxInputBytes >> 20));
    }
  }
  ::close(fd);
  return out;
}

uint32_t SourceManager::load_file(const std::string& path) { return add_file(path, read_input_file(path)); }

uint32_t SourceManager::add_file(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

std::string_view SourceManager::line_text(uint32_t id, uint32_t line) const {
  if (id >= files_.size()) return {};
  const File& f = files_[id];
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t start = f.line_starts[line - 1];
  if (start > f.text.size()) return {};
  size_t end = f.text.find('\n', start);
  if (end == std::string::npos) end = f.text.size();
  std::string_view v(f.text.data() + start, end - start);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  return v;
}

std::string SourceManager::where(SourceLoc loc) const {
  if (!loc.valid() || loc.file >= files_.size()) return "<unknown>";
  if (loc.col == 0) return fmt::format("{}:{}", files_[loc.file].path, loc.line);
  return fmt::format("{}:{}:{}", files_[loc.file].path, loc.line, loc.col);
}

void SourceManager::error(SourceLoc loc, const std::string& msg) const {
  throw InputError(fmt::format("{}: error: {}", where(loc), msg));
}

void input_error(const std::string& path, uint32_t line, uint32_t col, const std::string& msg) {
  if (line == 0) throw InputError(fmt::format("{}: error: {}", path, msg));
  throw InputError(fmt::format("{}:{}:{}: error: {}", path, line, col, msg));
}

}  // namespace ptcheck
