// Loader for arch/<name>/arch.toml (schema: see the comment block below and
// arch/x86_64/arch.toml). Every problem becomes an InputError
// "arch/<name>/arch.toml:LINE:COL: error: ..." saying what was expected.
//
// Schema (all tables required, unknown keys and tables rejected):
//   [arch]      name (string, must equal the folder name), description (string)
//   [abi]       word_size (4|8), endian ("little"),
//               size_short align_short size_int align_int size_long align_long
//               size_long_long align_long_long size_pointer align_pointer align_bool,
//               function_align (CONFIG_FUNCTION_ALIGNMENT, power of two)
//   [memory]    vmemmap_base page_struct_size direct_map_base page_size pfn_base
//               text_base data_base stack_base slab_base   (unsigned 64-bit integers)
//   [constants] NAME = integer ...   (POISON_POINTER_DELTA, PAGE_SHIFT, PAGE_SIZE required)
//   [kconfig]   NAME = true|false ...
#include "arch/arch.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "support/diag.h"

namespace ptcheck {
namespace {

namespace fs = std::filesystem;
using Value = toml::value;

struct Ctx {
  std::string path;  // display path, relative to the root: arch/<name>/arch.toml
};

[[noreturn]] void fail_file(const Ctx& c, const std::string& msg) { input_error(c.path, 0, 0, msg); }

[[noreturn]] void fail_at(const Ctx& c, const Value& v, const std::string& msg) {
  toml::source_location loc = v.location();
  uint32_t line = static_cast<uint32_t>(loc.line());
  uint32_t col = static_cast<uint32_t>(loc.column());
  if (line == 0) fail_file(c, msg);
  input_error(c.path, line, col == 0 ? 1 : col, msg);
}

const char* type_name(const Value& v) {
  switch (v.type()) {
    case toml::value_t::empty: return "nothing";
    case toml::value_t::boolean: return "a boolean";
    case toml::value_t::integer: return "an integer";
    case toml::value_t::floating: return "a float";
    case toml::value_t::string: return "a string";
    case toml::value_t::offset_datetime:
    case toml::value_t::local_datetime:
    case toml::value_t::local_date:
    case toml::value_t::local_time: return "a date/time";
    case toml::value_t::array: return "an array";
    case toml::value_t::table: return "a table";
  }
  return "an unknown value";
}

// Parses a TOML integer literal (decimal, 0x, 0o, 0b, '_' separators) as an
// unsigned 64-bit value. toml11 stores integers as int64 and saturates larger
// literals, so kernel addresses (0xffffea0000000000) are re-read from the text.
bool parse_u64_literal(std::string tok, uint64_t& out) {
  tok.erase(std::remove(tok.begin(), tok.end(), '_'), tok.end());
  if (!tok.empty() && tok[0] == '+') tok.erase(0, 1);
  if (tok.empty() || tok[0] == '-') return false;
  unsigned base = 10;
  if (tok.size() > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b')) {
    base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
    tok.erase(0, 2);
  }
  if (tok.empty()) return false;
  uint64_t v = 0;
  for (char ch : tok) {
    unsigned d;
    if (ch >= '0' && ch <= '9') d = static_cast<unsigned>(ch - '0');
    else if (ch >= 'a' && ch <= 'f') d = static_cast<unsigned>(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F') d = static_cast<unsigned>(ch - 'A' + 10);
    else return false;
    if (d >= base) return false;
    if (v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

uint64_t get_u64(const Ctx& c, const Value& v, const std::string& what) {
  if (!v.is_integer())
    fail_at(c, v, fmt::format("{}: expected an unsigned integer, found {}", what, type_name(v)));
  toml::source_location loc = v.location();
  std::string line = loc.line_str();
  size_t col = loc.column();
  uint64_t out = 0;
  if (col >= 1 && col - 1 < line.size()) {
    std::string tok = line.substr(col - 1, loc.region());
    if (parse_u64_literal(tok, out)) return out;
    if (!tok.empty() && tok[0] == '-')
      fail_at(c, v, fmt::format("{}: expected an unsigned integer, found negative {}", what, tok));
    fail_at(c, v, fmt::format("{}: expected an unsigned 64-bit integer, '{}' is out of range", what, tok));
  }
  int64_t i = v.as_integer();
  if (i < 0) fail_at(c, v, fmt::format("{}: expected an unsigned integer, found {}", what, i));
  return static_cast<uint64_t>(i);
}

bool is_pow2(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

// A table of the file with key checking: every lookup marks the key as known;
// check_unknown() rejects the rest (in file order, so errors are deterministic).
class Table {
 public:
  Table(const Ctx& c, const Value& root, const std::string& name) : c_(c), name_(name) {
    const auto& t = root.as_table();
    auto it = t.find(name);
    if (it == t.end()) fail_file(c, fmt::format("missing table [{}]", name));
    if (!it->second.is_table())
      fail_at(c, it->second, fmt::format("[{}]: expected a table, found {}", name, type_name(it->second)));
    v_ = &it->second;
  }
  const Value& value() const { return *v_; }
  const Value& get(const std::string& key, const char* expected) {
    known_.insert(key);
    const auto& t = v_->as_table();
    auto it = t.find(key);
    if (it == t.end())
      fail_at(c_, *v_, fmt::format("[{}]: missing key '{}' (expected {})", name_, key, expected));
    return it->second;
  }
  std::string str(const std::string& key, const char* expected) {
    const Value& v = get(key, expected);
    if (!v.is_string())
      fail_at(c_, v, fmt::format("[{}] {}: expected {}, found {}", name_, key, expected, type_name(v)));
    return v.as_string().str;
  }
  uint64_t u64(const std::string& key, const char* expected) {
    const Value& v = get(key, expected);
    return get_u64(c_, v, fmt::format("[{}] {}", name_, key));
  }
  unsigned small(const std::string& key, const char* expected, uint64_t max = 4096) {
    const Value& v = get(key, expected);
    uint64_t x = get_u64(c_, v, fmt::format("[{}] {}", name_, key));
    if (x == 0 || x > max)
      fail_at(c_, v, fmt::format("[{}] {}: expected {} between 1 and {}, found {}", name_, key, expected, max, x));
    return static_cast<unsigned>(x);
  }
  unsigned pow2(const std::string& key, const char* expected, uint64_t max = 4096) {
    unsigned x = small(key, expected, max);
    if (!is_pow2(x))
      fail_at(c_, get(key, expected),
              fmt::format("[{}] {}: expected {} that is a power of two, found {}", name_, key, expected, x));
    return x;
  }
  void check_unknown(const std::string& expected_keys) const {
    const Value* first = nullptr;
    std::string first_key;
    for (const auto& [k, v] : v_->as_table()) {
      if (known_.count(k)) continue;
      if (!first || before(v, *first)) {
        first = &v;
        first_key = k;
      }
    }
    if (first)
      fail_at(c_, *first, fmt::format("[{}]: unknown key '{}' (expected one of: {})", name_, first_key,
                                      expected_keys));
  }
  static bool before(const Value& a, const Value& b) {
    auto la = a.location(), lb = b.location();
    return la.line() != lb.line() ? la.line() < lb.line() : la.column() < lb.column();
  }

 private:
  const Ctx& c_;
  std::string name_;
  const Value* v_ = nullptr;
  std::set<std::string> known_;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// toml11 reports a syntax error's location at the start of the line; the
// caret in its message marks the column. Returns (line, col, first message line).
void syntax_error_location(const toml::exception& e, uint32_t& line, uint32_t& col, std::string& msg) {
  line = static_cast<uint32_t>(e.location().line());
  col = static_cast<uint32_t>(e.location().column());
  std::istringstream in(e.what());
  std::string l, prev;
  bool first = true;
  size_t src_start = std::string::npos;
  while (std::getline(in, l)) {
    if (first) {
      msg = l.rfind("[error] ", 0) == 0 ? l.substr(8) : l;
      first = false;
      continue;
    }
    size_t bar = l.find(" | ");
    if (bar != std::string::npos && src_start == std::string::npos) {
      std::string num = l.substr(0, bar);
      num.erase(0, num.find_first_not_of(' '));
      if (!num.empty() && std::all_of(num.begin(), num.end(), ::isdigit)) {
        src_start = bar + 3;
        continue;
      }
    }
    if (src_start != std::string::npos) {
      size_t caret = l.find_first_of("^~", src_start > 0 ? src_start - 1 : 0);
      if (caret != std::string::npos && caret >= src_start) col = static_cast<uint32_t>(caret - src_start + 1);
      break;
    }
  }
  if (msg.empty()) msg = "malformed TOML";
}

ArchInfo parse(const Ctx& c, const Value& root, const std::string& name) {
  ArchInfo a;
  a.name = name;
  a.dir = "arch/" + name;
  a.toml_path = c.path;

  static const std::vector<std::string> kTables = {"arch", "abi", "memory", "constants", "kconfig"};
  {
    const Value* first = nullptr;
    std::string fk;
    for (const auto& [k, v] : root.as_table())
      if (std::find(kTables.begin(), kTables.end(), k) == kTables.end() && (!first || Table::before(v, *first))) {
        first = &v;
        fk = k;
      }
    if (first) fail_at(c, *first, fmt::format("unknown table or key '{}' (expected tables: {})", fk, join(kTables)));
  }

  {
    Table t(c, root, "arch");
    std::string n = t.str("name", "a string: the architecture name");
    if (n != name)
      fail_at(c, t.get("name", ""), fmt::format("[arch] name: expected \"{}\" (the folder name), found \"{}\"", name, n));
    a.description = t.str("description", "a string");
    // Optional: the model files that load into every program on this arch (its
    // <asm/...> headers). Absent: every *.ptm directly in arch/<name>/.
    if (t.value().as_table().count("headers")) {
      const Value& hv = t.get("headers", "an array of file names in arch/<name>/");
      if (!hv.is_array()) fail_at(c, hv, "[arch] headers: expected an array of file names in arch/" + name + "/");
      for (const auto& h : hv.as_array()) {
        if (!h.is_string()) fail_at(c, h, "[arch] headers: expected a file name (a string)");
        a.header_files.push_back((fs::path("arch") / name / h.as_string().str).generic_string());
      }
    }
    t.check_unknown("name, description, headers");
  }
  {
    Table t(c, root, "abi");
    const Value& ws = t.get("word_size", "an integer: sizeof(long) in bytes, 4 or 8");
    a.abi.word_size = t.small("word_size", "an integer: sizeof(long) in bytes, 4 or 8", 8);
    if (a.abi.word_size != 4 && a.abi.word_size != 8)
      fail_at(c, ws, fmt::format("[abi] word_size: expected 4 or 8, found {}", a.abi.word_size));
    std::string endian = t.str("endian", "\"little\" or \"big\"");
    if (endian == "little") a.abi.big_endian = false;
    else if (endian == "big") a.abi.big_endian = true;
    else fail_at(c, t.get("endian", ""), fmt::format("[abi] endian: expected \"little\" or \"big\", found \"{}\"", endian));
    if (a.abi.big_endian)
      fail_at(c, t.get("endian", ""), "[abi] endian: expected \"little\" (only little-endian is simulated)");
    const char* sz = "a size in bytes";
    const char* al = "an alignment in bytes";
    a.abi.size_short = t.small("size_short", sz, 64);
    a.abi.align_short = t.pow2("align_short", al, 64);
    a.abi.size_int = t.small("size_int", sz, 64);
    a.abi.align_int = t.pow2("align_int", al, 64);
    a.abi.size_long = t.small("size_long", sz, 64);
    a.abi.align_long = t.pow2("align_long", al, 64);
    a.abi.size_long_long = t.small("size_long_long", sz, 64);
    a.abi.align_long_long = t.pow2("align_long_long", al, 64);
    a.abi.size_pointer = t.small("size_pointer", sz, 64);
    a.abi.align_pointer = t.pow2("align_pointer", al, 64);
    a.abi.align_bool = t.pow2("align_bool", al, 64);
    if (a.abi.size_long != a.abi.word_size)
      fail_at(c, t.get("size_long", ""), fmt::format("[abi] size_long: expected word_size ({}), found {}",
                                                     a.abi.word_size, a.abi.size_long));
    if (a.abi.size_pointer != a.abi.word_size)
      fail_at(c, t.get("size_pointer", ""), fmt::format("[abi] size_pointer: expected word_size ({}), found {}",
                                                        a.abi.word_size, a.abi.size_pointer));
    a.function_align = t.pow2("function_align", "CONFIG_FUNCTION_ALIGNMENT in bytes", 4096);
    t.check_unknown(
        "word_size, endian, size_short, align_short, size_int, align_int, size_long, align_long, size_long_long, "
        "align_long_long, size_pointer, align_pointer, align_bool, function_align");
  }
  {
    Table t(c, root, "memory");
    const char* addr = "an address (unsigned 64-bit integer)";
    a.map.vmemmap_base = t.u64("vmemmap_base", addr);
    a.map.page_struct_size = t.small("page_struct_size", "sizeof(struct page) in bytes", 4096);
    a.map.direct_map_base = t.u64("direct_map_base", addr);
    a.map.page_size = t.pow2("page_size", "the page size in bytes", 1u << 20);
    a.map.pfn_base = t.u64("pfn_base", "a page frame number");
    a.map.text_base = t.u64("text_base", addr);
    a.map.data_base = t.u64("data_base", addr);
    a.map.stack_base = t.u64("stack_base", addr);
    a.map.slab_base = t.u64("slab_base", addr);
    if (a.map.page_struct_size % a.abi.word_size != 0)
      fail_at(c, t.get("page_struct_size", ""),
              fmt::format("[memory] page_struct_size: expected a multiple of word_size ({}), found {}",
                          a.abi.word_size, a.map.page_struct_size));
    const std::pair<const char*, uint64_t> bases[] = {
        {"vmemmap_base", a.map.vmemmap_base}, {"direct_map_base", a.map.direct_map_base},
        {"text_base", a.map.text_base},       {"data_base", a.map.data_base},
        {"stack_base", a.map.stack_base},     {"slab_base", a.map.slab_base}};
    for (const auto& [k, v] : bases)
      if (v == 0 || v % a.map.page_size != 0)
        fail_at(c, t.get(k, ""), fmt::format("[memory] {}: expected a non-zero address aligned to page_size "
                                             "({:#x}), found {:#x}", k, a.map.page_size, v));
    for (size_t i = 0; i < std::size(bases); ++i)
      for (size_t j = i + 1; j < std::size(bases); ++j)
        if (bases[i].second == bases[j].second)
          fail_at(c, t.get(bases[j].first, ""),
                  fmt::format("[memory] {}: expected a region distinct from {}, both are {:#x}", bases[j].first,
                              bases[i].first, bases[j].second));
    if (a.map.pfn_base > (UINT64_MAX - a.map.direct_map_base) / a.map.page_size)
      fail_at(c, t.get("pfn_base", ""), "[memory] pfn_base: expected a pfn whose direct-map address fits in 64 bits");
    uint64_t first_page = a.map.direct_map_base + a.map.pfn_base * a.map.page_size;
    if (a.map.slab_base <= first_page)
      fail_at(c, t.get("slab_base", ""),
              fmt::format("[memory] slab_base: expected an address in the direct map above the modelled pages "
                          "(> {:#x}), found {:#x}", first_page, a.map.slab_base));
    t.check_unknown(
        "vmemmap_base, page_struct_size, direct_map_base, page_size, pfn_base, text_base, data_base, stack_base, "
        "slab_base");
  }
  {
    Table t(c, root, "constants");
    for (const auto& [k, v] : t.value().as_table()) {
      if (!is_identifier(k))
        fail_at(c, v, fmt::format("[constants]: expected an identifier as constant name, found '{}'", k));
      a.constants[k] = get_u64(c, v, fmt::format("[constants] {}", k));
    }
    a.poison_pointer_delta = t.u64("POISON_POINTER_DELTA", "an integer: CONFIG_ILLEGAL_POINTER_VALUE or 0");
    uint64_t shift = t.u64("PAGE_SHIFT", "an integer: log2(PAGE_SIZE)");
    uint64_t psize = t.u64("PAGE_SIZE", "an integer: the page size in bytes");
    if (shift >= 32 || (uint64_t{1} << shift) != psize)
      fail_at(c, t.get("PAGE_SIZE", ""), fmt::format("[constants] PAGE_SIZE: expected 1 << PAGE_SHIFT ({}), found {}",
                                                     shift >= 32 ? 0 : uint64_t{1} << shift, psize));
    if (psize != a.map.page_size)
      fail_at(c, t.get("PAGE_SIZE", ""), fmt::format("[constants] PAGE_SIZE: expected [memory] page_size ({}), found {}",
                                                     a.map.page_size, psize));
  }
  {
    Table t(c, root, "kconfig");
    for (const auto& [k, v] : t.value().as_table()) {
      if (!is_identifier(k))
        fail_at(c, v, fmt::format("[kconfig]: expected a Kconfig symbol name, found '{}'", k));
      if (!v.is_boolean())
        fail_at(c, v, fmt::format("[kconfig] {}: expected true or false, found {}", k, type_name(v)));
      a.kconfig[k] = v.as_boolean();
    }
  }
  return a;
}

}  // namespace

ArchInfo load_arch(const std::string& root, const std::string& name) {
  Ctx c{"arch/" + name + "/arch.toml"};
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    input_error(c.path, 0, 0, fmt::format("invalid arch name '{}'", name));
  fs::path dir = fs::path(root) / "arch" / name;
  fs::path file = dir / "arch.toml";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    std::vector<std::string> known = list_arches(root);
    fail_file(c, fmt::format("cannot read file (unknown arch '{}'; known: {})", name,
                             known.empty() ? "none" : join(known)));
  }
  Value root_v;
  std::istringstream text(read_input_file(file.string()));
  try {
    root_v = toml::parse(text, c.path);
  } catch (const toml::syntax_error& e) {
    uint32_t line, col;
    std::string msg;
    syntax_error_location(e, line, col, msg);
    input_error(c.path, line, col ? col : 1, "TOML syntax: " + msg);
  } catch (const toml::exception& e) {
    uint32_t line, col;
    std::string msg;
    syntax_error_location(e, line, col, msg);
    input_error(c.path, line, col ? col : 1, "TOML: " + msg);
  } catch (const std::exception& e) {
    fail_file(c, fmt::format("cannot read file: {}", e.what()));
  }

  ArchInfo a;
  try {
    a = parse(c, root_v, name);
  } catch (const InputError&) {
    throw;
  } catch (const toml::exception& e) {
    uint32_t line, col;
    std::string msg;
    syntax_error_location(e, line, col, msg);
    input_error(c.path, line, col ? col : 1, msg);
  }

  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".ptm")
      a.model_files.push_back((fs::path("arch") / name / fs::relative(it->path(), dir)).generic_string());
  }
  if (ec) fail_file(c, fmt::format("cannot list {}: {}", a.dir, ec.message()));
  std::sort(a.model_files.begin(), a.model_files.end());
  for (const auto& h : a.header_files)
    if (std::find(a.model_files.begin(), a.model_files.end(), h) == a.model_files.end())
      fail_file(c, fmt::format("[arch] headers: no model file {}", h));
  if (a.header_files.empty())
    for (const auto& f : a.model_files)
      if (fs::path(f).parent_path() == fs::path("arch") / name) a.header_files.push_back(f);
  return a;
}

std::vector<std::string> list_arches(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path dir = fs::path(root) / "arch";
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code ec2;
    if (it->is_directory(ec2) && fs::is_regular_file(it->path() / "arch.toml", ec2))
      out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ptcheck
