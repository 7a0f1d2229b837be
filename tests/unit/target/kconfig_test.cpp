// Target `set` lines and --set against the known symbols and the Kconfig rules:
// a typo is a located error with the nearest known symbol, an impossible
// combination a located error naming the rule; hypothetical_config opts out.
#include <string>

#include "support/temp_project.h"
#include "target/instantiate.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {
std::string error_of(const std::string& target_items, std::vector<std::pair<std::string, bool>> cli = {},
                     const std::string& arch = "x86_64") {
  try {
    TempProject tp(std::string(test::kPrelude) + "long x;\ntarget t { " + target_items +
                   " thread a { x = 1; } expect pass; }\n");
    instantiate(tp.project(), *tp.project().find_target("t"), arch, cli, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}
void expect(const std::string& got, const std::string& want) {
  CHECK_TEXT(got.find(want) != std::string::npos, ("want '" + want + "', got: " + got).c_str());
}
}  // namespace

TEST_GROUP(TargetKconfig){};

TEST(TargetKconfig, UnknownSymbolsAreTyposWithASuggestion) {
  expect(error_of("set CONFIG_MEMCGG = y;"),
         "spec/t.ptm:5:16: error: unknown Kconfig symbol 'CONFIG_MEMCGG': no model, arch or spec file mentions it "
         "(did you mean 'CONFIG_MEMCG'?)");
  expect(error_of("", {{"CONFIG_NOSUCH", true}}),
         "--set: error: unknown Kconfig symbol 'CONFIG_NOSUCH': no model, arch or spec file mentions it");
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_MEMCG = n; set CONFIG_PTDESC_RFC = y;").c_str());
}

TEST(TargetKconfig, ImpossibleCombinationsNameTheRule) {
  expect(error_of("set CONFIG_SPLIT_PTE_PTLOCKS = n;"),
         "spec/t.ptm:5:16: error: no x86_64 kernel config has CONFIG_ARCH_ENABLE_SPLIT_PMD_PTLOCK=y "
         "CONFIG_SPLIT_PMD_PTLOCKS=y CONFIG_SPLIT_PTE_PTLOCKS=n: CONFIG_SPLIT_PMD_PTLOCKS depends on "
         "CONFIG_SPLIT_PTE_PTLOCKS && CONFIG_ARCH_ENABLE_SPLIT_PMD_PTLOCK (arch/Kconfig.toml:");
  // Setting the dependents too makes it possible.
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_SPLIT_PTE_PTLOCKS = n; set CONFIG_SPLIT_PMD_PTLOCKS = n; "
                                      "set CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING = n;").c_str());
  expect(error_of("set CONFIG_DEBUG_LOCK_ALLOC = y;"),
         "error: no x86_64 kernel config has CONFIG_DEBUG_LOCK_ALLOC=y CONFIG_DEBUG_SPINLOCK=n: CONFIG_DEBUG_LOCK_ALLOC "
         "selects CONFIG_DEBUG_SPINLOCK");
  expect(error_of("", {{"CONFIG_MMU_GATHER_RCU_TABLE_FREE", false}}),
         "--set CONFIG_MMU_GATHER_RCU_TABLE_FREE=n: error: no x86_64 kernel config has "
         "CONFIG_MMU_GATHER_RCU_TABLE_FREE=n: arch x86_64 always has CONFIG_MMU_GATHER_RCU_TABLE_FREE");
  expect(error_of("set CONFIG_PT_RECLAIM = y;", {}, "powerpc64"),
         "CONFIG_PT_RECLAIM depends on CONFIG_MMU_GATHER_RCU_TABLE_FREE && !CONFIG_HAVE_ARCH_TLB_REMOVE_TABLE");
  // A target may explore such a config on purpose.
  STRCMP_EQUAL("(accepted)",
               error_of("set CONFIG_SPLIT_PTE_PTLOCKS = n; hypothetical_config \"what if\";").c_str());
}
