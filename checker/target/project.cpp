#include "target/project.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "frontend/parser.h"
#include "sema/config.h"

namespace fs = std::filesystem;

namespace ptcheck {

namespace {
struct ImportLine {
  std::string path;
  uint32_t line, col;  // of the opening quote
};

// Reads `path`, naming it `shown` in errors (root-relative paths are shown as
// written, with the path tried when it differs).
std::string read_input_file_as(const std::string& path, const std::string& shown) {
  try {
    return read_input_file(path);
  } catch (const InputError& e) {
    std::string m = e.what();
    if (path == shown || m.rfind(path + ": ", 0) != 0) throw;
    throw InputError(fmt::format("{}: {} (tried {})", shown, m.substr(path.size() + 2), path));
  }
}

// `import "path";` and `#include "path"` lines, found before parsing so that a
// file's dependencies are parsed (and their typedefs known) first.
std::vector<ImportLine> import_lines(const std::string& text) {
  std::vector<ImportLine> out;
  size_t pos = 0;
  uint32_t lineno = 0;
  while (pos < text.size()) {
    ++lineno;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    size_t line_start = pos;
    pos = end + 1;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos) continue;
    line.remove_prefix(i);
    if (line.rfind("import", 0) == 0) line.remove_prefix(6);
    else if (line.rfind("#", 0) == 0) {
      line.remove_prefix(1);
      size_t j = line.find_first_not_of(" \t");
      if (j == std::string_view::npos || line.substr(j).rfind("include", 0) != 0) continue;
      line.remove_prefix(j + 7);
    } else continue;
    size_t q1 = line.find('"');
    if (q1 == std::string_view::npos || line.find_first_not_of(" \t") != q1) continue;
    size_t q2 = line.find('"', q1 + 1);
    if (q2 == std::string_view::npos) continue;
    uint32_t col = static_cast<uint32_t>(line.data() + q1 - (text.data() + line_start)) + 1;
    out.push_back(ImportLine{std::string(line.substr(q1 + 1, q2 - q1 - 1)), lineno, col});
  }
  return out;
}
}  // namespace

Project::Project(std::string root) : root_(std::move(root)) {}

std::string Project::absolute(const std::string& rel) const {
  fs::path p(rel);
  return p.is_absolute() ? rel : (fs::path(root_) / p).string();
}

std::vector<std::string> Project::resolve_import(const std::string& path, const std::string& from, SourceLoc loc,
                                                 uint32_t line, uint32_t col) {
  auto fail = [&](const std::string& msg) {
    if (loc.valid()) sm_.error(loc, msg);
    if (line) input_error(from, line, col, msg);
    throw InputError(fmt::format("{}: error: {}", from.empty() ? "import" : from, msg));
  };
  std::vector<fs::path> candidates = {fs::path(path)};
  if (!from.empty() && !fs::path(path).is_absolute()) candidates.push_back(fs::path(from).parent_path() / path);
  for (const auto& c : candidates) {
    fs::path abs = fs::path(absolute(c.string()));
    std::error_code ec;
    auto st = fs::status(abs, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_regular_file(st)) return {c.lexically_normal().string()};
    if (fs::is_directory(st)) {
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(abs, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".ptm")
          files.push_back((c / fs::relative(it->path(), abs)).lexically_normal().string());
      if (files.empty()) fail(fmt::format("imported directory '{}' ({}) has no *.ptm files", path, abs.string()));
      std::sort(files.begin(), files.end());
      return files;
    }
    fail(fmt::format("cannot import '{}': {} is not a regular file or a directory", path, abs.string()));
  }
  std::string tried;
  for (const auto& c : candidates) tried += (tried.empty() ? "" : ", ") + absolute(c.string());
  fail(fmt::format("cannot find imported file '{}' (tried {})", path, tried));
  return {};
}

std::vector<std::string> Project::scan_imports(const std::string& file) {
  std::vector<std::string> out;
  for (const auto& imp : import_lines(read_input_file_as(absolute(file), file))) {
    // Found again by the parser; resolved here first for the order.
    for (auto& f : resolve_import(imp.path, file, SourceLoc{}, imp.line, imp.col)) out.push_back(std::move(f));
  }
  return out;
}

const ast::TranslationUnit& Project::unit(const std::string& path) {
  std::string key = fs::path(path).lexically_normal().string();
  auto it = units_.find(key);
  if (it != units_.end()) return *it->second;
  parsing_.insert(key);
  struct Done {  // a failed parse is not "being parsed" any more
    std::set<std::string>& s;
    const std::string& k;
    ~Done() { s.erase(k); }
  } done{parsing_, key};
  // Dependencies first. A file already being parsed further up is an import
  // cycle, which include guards make harmless in the kernel: skip it here.
  for (const auto& f : scan_imports(key))
    if (!parsing_.count(fs::path(f).lexically_normal().string())) unit(f);
  uint32_t id = sm_.add_file(key, read_input_file_as(absolute(key), key));
  auto tu = std::make_unique<ast::TranslationUnit>(frontend::parse_file(sm_, id, &typedef_names_, &type_macros_));
  ast::collect_typedef_names(tu->decls, typedef_names_);
  ast::collect_type_macros(tu->decls, type_macros_);
  parsing_.erase(key);
  auto& ref = *tu;
  units_[key] = std::move(tu);
  return ref;
}

bool Project::is_loaded_spec(const std::string& path) const {
  return spec_files_.count(fs::path(path).lexically_normal().string()) > 0;
}

void Project::load_spec_file(const std::string& path) {
  if (!spec_files_.insert(fs::path(path).lexically_normal().string()).second) return;
  const ast::TranslationUnit& tu = unit(path);
  std::vector<const ast::Decl*> stack;
  for (const auto& d : tu.decls) stack.push_back(&d);
  // Targets may sit under top-level #if; all of them are listed.
  for (size_t i = 0; i < stack.size(); ++i) {
    const ast::Decl* d = stack[i];
    if (d->kind == ast::Decl::IfConfig) {
      for (const auto& x : d->then_decls) stack.push_back(&x);
      for (const auto& x : d->else_decls) stack.push_back(&x);
      continue;
    }
    if (d->kind != ast::Decl::Target) continue;
    if (const TargetEntry* prev = find_target(d->target->name))
      sm_.error(d->target->loc, fmt::format("target '{}' is already defined in {}", d->target->name, prev->spec_file));
    targets_.push_back(TargetEntry{d->target->name, fs::path(path).lexically_normal().string(), d->target.get()});
  }
}

void Project::load_specs() {
  std::vector<std::string> files;
  std::error_code ec;
  fs::path spec = fs::path(root_) / "spec";
  if (!fs::is_directory(spec, ec)) throw InputError(fmt::format("{}: error: no spec/ folder here", root_));
  // Every arch's model files first: generic model files use the typedefs they
  // provide (pgtable_t, pmd_t) the way kernel headers use <asm/...> ones.
  for (auto it = fs::recursive_directory_iterator(fs::path(root_) / "arch", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".ptm") arch_files_.push_back(fs::relative(it->path(), root_).lexically_normal().string());
  std::sort(arch_files_.begin(), arch_files_.end());
  // A broken file costs only what depends on it: its error is kept, the
  // other files still load (an arch file's error comes back when a target
  // on that arch is instantiated).
  for (const auto& f : arch_files_) {
    try {
      unit(f);
    } catch (const InputError& e) {
      broken_.push_back(BrokenFile{f, e.what()});
    }
  }
  for (auto it = fs::recursive_directory_iterator(spec, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".ptm")
      files.push_back(fs::relative(it->path(), root_).lexically_normal().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    try {
      load_spec_file(f);
    } catch (const InputError& e) {
      broken_.push_back(BrokenFile{f, e.what()});
    }
  }
}

bool Project::is_broken(const std::string& file) const {
  for (const auto& b : broken_)
    if (b.file == file) return true;
  return false;
}

const TargetEntry* Project::find_target(const std::string& name) const {
  for (const auto& t : targets_)
    if (t.name == name) return &t;
  return nullptr;
}

void Project::collect(const std::string& file, std::vector<std::string>& out, std::set<std::string>& seen,
                      const Config* cfg) {
  if (seen.count(file)) return;
  seen.insert(file);
  const ast::TranslationUnit& tu = unit(file);
  // Imports under a top-level #if count when the condition holds (every
  // branch when there is no config: the layout tools read everything).
  std::vector<const ast::Decl*> work;
  for (auto it = tu.decls.rbegin(); it != tu.decls.rend(); ++it) work.push_back(&*it);
  while (!work.empty()) {
    const ast::Decl* d = work.back();
    work.pop_back();
    if (d->kind == ast::Decl::Import) {
      for (const auto& f : resolve_import(d->import_path, file, d->loc)) collect(f, out, seen, cfg);
    } else if (d->kind == ast::Decl::IfConfig) {
      bool then = !cfg || eval_cond(d->cond.get(), *cfg), other = !cfg || !then;
      std::vector<const ast::Decl*> branch;
      if (then)
        for (const auto& x : d->then_decls) branch.push_back(&x);
      if (other)
        for (const auto& x : d->else_decls) branch.push_back(&x);
      for (auto it = branch.rbegin(); it != branch.rend(); ++it) work.push_back(*it);
    }
  }
  out.push_back(file);
}

std::vector<std::string> Project::program_files(const TargetEntry& t, const std::vector<std::string>& arch_files,
                                                const Config* cfg) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& f : arch_files) collect(f, out, seen, cfg);
  for (const auto& [imp, loc] : t.def->imports)
    for (const auto& f : resolve_import(imp, t.spec_file, loc)) collect(f, out, seen, cfg);
  collect(t.spec_file, out, seen, cfg);
  return out;
}

}  // namespace ptcheck

namespace ptcheck {
std::vector<std::string> Project::closure(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& f : files) collect(f, out, seen, nullptr);
  return out;
}
}  // namespace ptcheck
