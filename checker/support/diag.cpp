#include "support/diag.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace ptcheck {

uint32_t SourceManager::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: error: cannot read file", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("{}: error: cannot read file", path));
  return add_file(path, ss.str());
}

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
