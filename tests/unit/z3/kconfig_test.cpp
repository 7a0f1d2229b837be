// The Kconfig rules of arch/Kconfig.toml as Z3 axioms: no answer is a config
// that no kernel build on the arch has, and every witness satisfies the rules.
#include <string>
#include <vector>

#include "arch/arch.h"
#include "target/project.h"
#include "z3/engine.h"
#include "z3/query.h"
#include "z3/z3_check.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {
ptcheck::z3::Answer ask(Project& p, const std::string& arch, const std::string& q) {
  ptcheck::z3::Engine& eng = project_engine(p);
  eng.load_project_arch(p, arch);
  auto err = ptcheck::z3::cli_errors();
  return eng.ask(*ptcheck::z3::parse_query(q, err), arch, {}, err);
}
}  // namespace

TEST_GROUP(Z3Kconfig){};

TEST(Z3Kconfig, ImpossibleConfigsAreNeverAnswered) {
  Project p(PTCHECK_TEST_ROOT);
  p.load_specs();
  for (const char* a : {"x86_64", "arm64", "powerpc64"}) {
    // depends on: SPLIT_PMD_PTLOCKS needs SPLIT_PTE_PTLOCKS (mm/Kconfig)
    STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, a, "CONFIG_SPLIT_PMD_PTLOCKS && !CONFIG_SPLIT_PTE_PTLOCKS").result));
    // select: MEMCG selects SLAB_OBJ_EXT (init/Kconfig)
    STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, a, "CONFIG_MEMCG && !CONFIG_SLAB_OBJ_EXT").result));
    // select: DEBUG_LOCK_ALLOC selects DEBUG_SPINLOCK (lib/Kconfig.debug)
    STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, a, "CONFIG_DEBUG_LOCK_ALLOC && !CONFIG_DEBUG_SPINLOCK").result));
    // Before the rules these were free symbols: every one was sat.
    STRCMP_EQUAL("sat", ptcheck::z3::to_string(ask(p, a, "CONFIG_SPLIT_PMD_PTLOCKS").result));
  }
  // Arch facts: powerpc selects HAVE_ARCH_TLB_REMOVE_TABLE, so no PT_RECLAIM;
  // no ARCH_WANT_HUGE_PMD_SHARE, so no PMD sharing; KMSAN is x86-only.
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "powerpc64", "CONFIG_PT_RECLAIM").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(ask(p, "x86_64", "CONFIG_PT_RECLAIM").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "powerpc64", "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "arm64", "CONFIG_KMSAN").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(ask(p, "x86_64", "CONFIG_KMSAN").result));
  // HVO: only x86_64 selects ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP in 7.1.3.
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "arm64", "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "powerpc64", "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(ask(p, "x86_64", "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP").result));
  // powerpc supports PAGE_TABLE_CHECK only without HUGETLB_PAGE.
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "powerpc64", "CONFIG_PAGE_TABLE_CHECK && CONFIG_HUGETLB_PAGE").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(ask(p, "powerpc64", "CONFIG_PAGE_TABLE_CHECK").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(ask(p, "arm64", "CONFIG_ZONE_DEVICE && !CONFIG_SPARSEMEM_VMEMMAP").result));
  // x86 always has MMU_GATHER_RCU_TABLE_FREE: it holds in every config.
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(ask(p, "x86_64", "CONFIG_MMU_GATHER_TABLE_FREE").holds));
}

TEST(Z3Kconfig, WitnessesSatisfyTheRules) {
  Project p(PTCHECK_TEST_ROOT);
  p.load_specs();
  for (const auto& a : list_arches(p.root())) {
    ArchInfo info = load_arch(p.root(), a);
    ptcheck::z3::Answer ans = ask(p, a, "CONFIG_SPLIT_PMD_PTLOCKS || CONFIG_PT_RECLAIM || CONFIG_KASAN");
    if (ans.result != ptcheck::z3::SatResult::Sat) continue;
    // The witness's values plus the arch defaults for the rest.
    std::map<std::string, bool> cfg(info.kconfig.begin(), info.kconfig.end());
    for (const auto& [k, v] : ans.config) cfg[k] = v;
    auto value = [&](const std::string& s) { return cfg.count(s) && cfg.at(s); };
    for (const auto& r : info.kconfig_rules.rules) CHECK_TEXT(r.holds(value), (a + ": " + r.text(a)).c_str());
  }
}
