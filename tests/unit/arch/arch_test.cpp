// Standard headers first: CppUTest's TestHarness.h must come after them.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "support/diag.h"

#include <CppUTest/TestHarness.h>

namespace fs = std::filesystem;
using ptcheck::ArchInfo;
using ptcheck::InputError;

TEST_GROUP(ArchFiles){};

TEST(ArchFiles, ListArches) {
  auto v = ptcheck::list_arches(PTCHECK_TEST_ROOT);
  CHECK(v.size() >= 2);
  CHECK(std::find(v.begin(), v.end(), "x86_64") != v.end());
  CHECK(std::find(v.begin(), v.end(), "arm64") != v.end());
  CHECK(std::is_sorted(v.begin(), v.end()));
}

TEST(ArchFiles, X86_64) {
  ArchInfo a = ptcheck::load_arch(PTCHECK_TEST_ROOT, "x86_64");
  STRCMP_EQUAL("x86_64", a.name.c_str());
  STRCMP_EQUAL("arch/x86_64", a.dir.c_str());
  STRCMP_EQUAL("arch/x86_64/arch.toml", a.toml_path.c_str());
  UNSIGNED_LONGS_EQUAL(8, a.abi.word_size);
  UNSIGNED_LONGS_EQUAL(8, a.abi.align_long);
  UNSIGNED_LONGS_EQUAL(4, a.abi.size_int);
  UNSIGNED_LONGS_EQUAL(1, a.abi.align_bool);
  CHECK_FALSE(a.abi.big_endian);
  UNSIGNED_LONGS_EQUAL(16, a.function_align);
  CHECK(a.poison_pointer_delta == 0xdead000000000000ULL);
  CHECK(a.list_poison1() == 0xdead000000000100ULL);
  CHECK(a.list_poison2() == 0xdead000000000122ULL);
  CHECK(a.map.vmemmap_base == 0xffffea0000000000ULL);
  CHECK(a.map.direct_map_base == 0xffff888000000000ULL);
  CHECK(a.map.text_base == 0xffffffff81000000ULL);
  CHECK(a.map.page_struct_size == 64);
  CHECK(a.map.page_size == 4096);
  CHECK(a.map.slab_base > a.map.direct_map_base + a.map.pfn_base * a.map.page_size);
  CHECK(a.constants.at("PAGE_SHIFT") == 12);
  CHECK(a.constants.at("PTRS_PER_PMD") == 512);
  CHECK(a.kconfig.at("CONFIG_MEMCG"));
  CHECK(a.kconfig.at("CONFIG_MMU_GATHER_RCU_TABLE_FREE"));
  CHECK(a.kconfig.at("CONFIG_ARCH_ENABLE_SPLIT_PMD_PTLOCK"));
  CHECK_FALSE(a.kconfig.at("ALLOC_SPLIT_PTLOCKS"));
  CHECK_FALSE(a.kconfig.at("CONFIG_DEBUG_SPINLOCK"));
  CHECK(std::is_sorted(a.model_files.begin(), a.model_files.end()));
  for (const auto& f : a.model_files) {
    CHECK(f.rfind("arch/x86_64/", 0) == 0);
    CHECK(f.size() > 4 && f.substr(f.size() - 4) == ".ptm");
    CHECK(fs::exists(fs::path(PTCHECK_TEST_ROOT) / f));
  }
}

TEST(ArchFiles, Arm64) {
  ArchInfo a = ptcheck::load_arch(PTCHECK_TEST_ROOT, "arm64");
  UNSIGNED_LONGS_EQUAL(8, a.abi.word_size);
  UNSIGNED_LONGS_EQUAL(4, a.function_align);
  CHECK(a.list_poison2() == 0xdead000000000122ULL);
  CHECK(a.map.vmemmap_base == 0xfffffdffc0000000ULL);
  CHECK(a.map.direct_map_base == 0xffff000000000000ULL);
  CHECK(a.map.text_base == 0xffff800080000000ULL);
  CHECK(a.kconfig.at("CONFIG_ARCH_ENABLE_SPLIT_PMD_PTLOCK"));
}

// ---- malformed files ------------------------------------------------------

namespace {

struct TempRoot {
  fs::path root;
  TempRoot() {
    char tmpl[] = "/tmp/ptcheck_arch_XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
};

const char* kGood = R"([arch]
name = "toy"
description = "toy arch"

[abi]
word_size = 8
endian = "little"
size_short = 2
align_short = 2
size_int = 4
align_int = 4
size_long = 8
align_long = 8
size_long_long = 8
align_long_long = 8
size_pointer = 8
align_pointer = 8
align_bool = 1
function_align = 16

[memory]
vmemmap_base = 0xffffea0000000000
page_struct_size = 64
direct_map_base = 0xffff888000000000
page_size = 4096
pfn_base = 0x100000
text_base = 0xffffffff81000000
data_base = 0xffffffff82000000
stack_base = 0xffffc90000000000
slab_base = 0xffff888118000000

[constants]
POISON_POINTER_DELTA = 0xdead000000000000
PAGE_SHIFT = 12
PAGE_SIZE = 4096

[kconfig]
CONFIG_MEMCG = true
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  if (p == std::string::npos) throw std::logic_error("test bug: " + from);
  return s.replace(p, from.size(), to);
}

// Loads `text` as arch "toy" and returns the error message ("" if it loaded).
std::string load_error(const std::string& text) {
  TempRoot t;
  t.write("arch/toy/arch.toml", text);
  try {
    ptcheck::load_arch(t.root.string(), "toy");
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

void expect_error(const std::string& text, const std::string& prefix, const std::string& needle) {
  std::string e = load_error(text);
  if (e.rfind(prefix, 0) != 0 || e.find(needle) == std::string::npos)
    FAIL(("unexpected error: '" + e + "', wanted prefix '" + prefix + "' and '" + needle + "'").c_str());
}

}  // namespace

TEST_GROUP(ArchErrors){};

TEST(ArchErrors, GoodFileLoadsWithModelFiles) {
  TempRoot t;
  t.write("arch/toy/arch.toml", kGood);
  t.write("arch/toy/z.ptm", "");
  t.write("arch/toy/sub/a.ptm", "");
  t.write("arch/toy/notes.txt", "");
  ArchInfo a = ptcheck::load_arch(t.root.string(), "toy");
  UNSIGNED_LONGS_EQUAL(2, a.model_files.size());
  STRCMP_EQUAL("arch/toy/sub/a.ptm", a.model_files[0].c_str());
  STRCMP_EQUAL("arch/toy/z.ptm", a.model_files[1].c_str());
  CHECK(a.map.vmemmap_base == 0xffffea0000000000ULL);
  CHECK(a.constants.at("POISON_POINTER_DELTA") == 0xdead000000000000ULL);
  auto l = ptcheck::list_arches(t.root.string());
  UNSIGNED_LONGS_EQUAL(1, l.size());
}

TEST(ArchErrors, SyntaxError) {
  expect_error(replace(kGood, "page_size = 4096", "page_size = = 4096"), "arch/toy/arch.toml:25:13: error:", "TOML syntax");
}

TEST(ArchErrors, MissingKey) {
  expect_error(replace(kGood, "word_size = 8\n", ""), "arch/toy/arch.toml:5:1: error:", "missing key 'word_size'");
}

TEST(ArchErrors, MissingTable) {
  expect_error(replace(kGood, "[kconfig]\nCONFIG_MEMCG = true\n", ""), "arch/toy/arch.toml: error:",
               "missing table [kconfig]");
}

TEST(ArchErrors, WrongType) {
  expect_error(replace(kGood, "size_int = 4", "size_int = \"4\""), "arch/toy/arch.toml:10:12: error:",
               "expected an unsigned integer, found a string");
  expect_error(replace(kGood, "CONFIG_MEMCG = true", "CONFIG_MEMCG = 1"), "arch/toy/arch.toml:38:16: error:",
               "expected true or false");
  expect_error(replace(kGood, "name = \"toy\"", "name = 3"), "arch/toy/arch.toml:2:8: error:", "expected a string");
}

TEST(ArchErrors, UnknownKey) {
  expect_error(replace(kGood, "align_bool = 1", "align_bool = 1\nfunction_alignment = 16"),
               "arch/toy/arch.toml:19:22: error:", "unknown key 'function_alignment'");
  expect_error(kGood + std::string("[extra]\nx = 1\n"), "arch/toy/arch.toml:", "unknown table or key 'extra'");
}

TEST(ArchErrors, BadValues) {
  expect_error(replace(kGood, "align_int = 4", "align_int = 3"), "arch/toy/arch.toml:11:13: error:", "power of two");
  expect_error(replace(kGood, "function_align = 16", "function_align = 12"), "arch/toy/arch.toml:19:", "power of two");
  expect_error(replace(kGood, "word_size = 8", "word_size = 6"), "arch/toy/arch.toml:6:13: error:", "4 or 8");
  expect_error(replace(kGood, "word_size = 8", "word_size = -8"), "arch/toy/arch.toml:6:13: error:", "negative");
  expect_error(replace(kGood, "pfn_base = 0x100000", "pfn_base = 0x1ffffffffffffffff"), "arch/toy/arch.toml:26:12: error:",
               "out of range");
  expect_error(replace(kGood, "PAGE_SIZE = 4096", "PAGE_SIZE = 8192"), "arch/toy/arch.toml:", "PAGE_SIZE");
  expect_error(replace(kGood, "name = \"toy\"", "name = \"other\""), "arch/toy/arch.toml:2:8: error:",
               "folder name");
  expect_error(replace(kGood, "slab_base = 0xffff888118000000", "slab_base = 0xffff888000000000"),
               "arch/toy/arch.toml:", "distinct");
}

TEST(ArchErrors, MissingFile) {
  TempRoot t;
  try {
    ptcheck::load_arch(t.root.string(), "nosuch");
    FAIL("no throw");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK(m.rfind("arch/nosuch/arch.toml: error: cannot read file", 0) == 0);
  }
}
