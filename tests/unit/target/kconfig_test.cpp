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

// The rules of the symbols the model reads for layouts and checks (7.1.3 Kconfig):
// arm64 and powerpc have no HVO (only x86_64 selects
// ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP), PAGE_TABLE_CHECK needs the arch's support
// (powerpc: only without HUGETLB_PAGE), ZONE_DEVICE needs SPARSEMEM_VMEMMAP.
TEST(TargetKconfig, MemmapAndDebugSymbolsFollowTheirRules) {
  expect(error_of("set CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP = y;", {}, "arm64"),
         "spec/t.ptm:5:16: error: no arm64 kernel config has CONFIG_ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP=n "
         "CONFIG_HUGETLB_PAGE=y CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP=y CONFIG_SPARSEMEM_VMEMMAP=y: "
         "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP depends on CONFIG_HUGETLB_PAGE && "
         "CONFIG_ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP && CONFIG_SPARSEMEM_VMEMMAP (arch/Kconfig.toml:");
  expect(error_of("", {{"CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP", true}}, "powerpc64"),
         "--set CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP=y: error: no powerpc64 kernel config has");
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP = y;").c_str());
  // HVO follows HUGETLB_PAGE (def_bool, no prompt): hugetlb off with HVO on is refused.
  expect(error_of("set CONFIG_HUGETLB_PAGE = n; set CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING = n;"),
         "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP depends on");
  expect(error_of("set CONFIG_PAGE_TABLE_CHECK = y;", {}, "powerpc64"),
         "CONFIG_PAGE_TABLE_CHECK depends on CONFIG_ARCH_SUPPORTS_PAGE_TABLE_CHECK");
  // Without hugetlb the arch selects the support (a select is not applied for you).
  expect(error_of("set CONFIG_HUGETLB_PAGE = n;", {}, "powerpc64"),
         "arch powerpc64 selects CONFIG_ARCH_SUPPORTS_PAGE_TABLE_CHECK if !CONFIG_HUGETLB_PAGE");
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_PAGE_TABLE_CHECK = y; set CONFIG_HUGETLB_PAGE = n; "
                                      "set CONFIG_ARCH_SUPPORTS_PAGE_TABLE_CHECK = y;", {}, "powerpc64")
                                 .c_str());
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_PAGE_TABLE_CHECK = y;", {}, "arm64").c_str());
  expect(error_of("set CONFIG_SPARSEMEM_VMEMMAP = n;", {}, "arm64"),
         "CONFIG_ZONE_DEVICE depends on CONFIG_SPARSEMEM_VMEMMAP");
  expect(error_of("set CONFIG_MEMORY_FAILURE = y;", {}, "powerpc64"),
         "CONFIG_MEMORY_FAILURE depends on CONFIG_MMU && CONFIG_ARCH_SUPPORTS_MEMORY_FAILURE");
  STRCMP_EQUAL("(accepted)", error_of("set CONFIG_MEMORY_FAILURE = y; set CONFIG_PPC64_SUPPORTS_MEMORY_FAILURE = y; "
                                      "set CONFIG_ARCH_SUPPORTS_MEMORY_FAILURE = y;",
                                      {}, "powerpc64")
                                 .c_str());
  expect(error_of("set CONFIG_WANT_PAGE_VIRTUAL = y;", {}, "x86_64"),
         "arch x86_64 never has CONFIG_WANT_PAGE_VIRTUAL");
}
