// arch/Kconfig.toml: the rules load, each arch's defaults satisfy them, the
// arch's conditional selects are applied, and malformed files are located errors.
#include <filesystem>
#include <fstream>
#include <string>

#include "arch/arch.h"
#include "arch/kconfig.h"
#include "support/diag.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

TEST_GROUP(KconfigRules){};

TEST(KconfigRules, EveryArchsDefaultsSatisfyTheRules) {
  for (const auto& a : list_arches(PTCHECK_TEST_ROOT)) {
    ArchInfo info = load_arch(PTCHECK_TEST_ROOT, a);
    CHECK(info.kconfig_rules.rules.size() > 20);
    auto value = [&](const std::string& s) { return info.kconfig.count(s) && info.kconfig.at(s); };
    for (const auto& r : info.kconfig_rules.rules) CHECK_TEXT(r.holds(value), (a + ": " + r.text(a)).c_str());
  }
  // arm64: select ARCH_WANT_HUGE_PMD_SHARE if ARM64_4K_PAGES (applied to the defaults).
  ArchInfo arm = load_arch(PTCHECK_TEST_ROOT, "arm64");
  CHECK(arm.kconfig.at("CONFIG_ARCH_WANT_HUGE_PMD_SHARE"));
}

TEST(KconfigRules, RulesSayWhatTheyAre) {
  ArchInfo x = load_arch(PTCHECK_TEST_ROOT, "x86_64");
  bool depends = false, selects = false, fixed = false;
  for (const auto& r : x.kconfig_rules.rules) {
    std::string t = r.text("x86_64");
    depends |= t == "CONFIG_SPLIT_PMD_PTLOCKS depends on CONFIG_SPLIT_PTE_PTLOCKS && CONFIG_ARCH_ENABLE_SPLIT_PMD_PTLOCK";
    selects |= t == "CONFIG_MEMCG selects CONFIG_SLAB_OBJ_EXT";
    fixed |= t == "arch x86_64 always has CONFIG_MMU_GATHER_RCU_TABLE_FREE";
    CHECK(r.where.rfind("arch/Kconfig.toml:", 0) == 0);
  }
  CHECK(depends && selects && fixed);
}

TEST(KconfigRules, MalformedFilesAreLocated) {
  char tmpl[] = "/tmp/ptcheck-kconfig-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::filesystem::create_directory(dir + "/arch");
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"[depends]\nCONFIG_A = \"CONFIG_B &&\"\n", "arch/Kconfig.toml:2:12: error: expected a symbol in \"CONFIG_B &&\""},
      {"[depends]\nCONFIG_A = 3\n", "arch/Kconfig.toml:2:12: error: [depends] CONFIG_A: expected a string expression"},
      {"[select]\nCONFIG_A = [\"lower\"]\n", "arch/Kconfig.toml:2:13: error: 'lower' is not a Kconfig symbol name"},
      {"[bogus]\n", "unknown table [bogus]"},
      {"[arch.x]\nmaybe = []\n", "[arch.x] maybe: expected y, n or select"},
  };
  for (const auto& c : cases) {
    std::ofstream(dir + "/arch/Kconfig.toml") << c.text;
    std::string msg = "(accepted)";
    try {
      load_kconfig_rules(dir, "x");
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK_TEXT(msg.find(c.error) != std::string::npos, msg.c_str());
  }
  std::filesystem::remove_all(dir);
}
