// Reports agree with the config they came from: the kernel flags of an Oops
// say KASAN only with CONFIG_KASAN=y, and a KASAN-style report of a config
// without it says the engine found what the kernel would not.
#include <string>

#include "support/temp_project.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;
using test::TempProject;

namespace {
const std::string kText = std::string(test::kPrelude) + R"(
struct obj { long v; };
struct obj *gp;
long x;
target uaf { heap { slab c (struct obj) 1; } init { gp = kmem_cache_alloc(c, 0); }
  thread a { kmem_cache_free(c, gp); } thread b { x = READ_ONCE(gp->v); } expect violation use-after-free; }
target uaf_kasan { set CONFIG_KASAN = y; heap { slab c (struct obj) 1; } init { gp = kmem_cache_alloc(c, 0); }
  thread a { kmem_cache_free(c, gp); } thread b { x = READ_ONCE(gp->v); } expect violation use-after-free; }
target bug { thread a { x = 1; BUG_ON(x == 1); } expect violation bug; }
target bug_kasan { set CONFIG_KASAN = y; thread a { x = 1; BUG_ON(x == 1); } expect violation bug; }
)";
bool has_line(const trace::Trace& t, const std::string& part) {
  for (const auto& l : t.violation.report)
    if (l.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_GROUP(ReportConfig){};

TEST(ReportConfig, KasanFlagsFollowTheConfig) {
  TempProject tp(kText);
  CheckResult u = tp.check("uaf"), uk = tp.check("uaf_kasan"), b = tp.check("bug"), bk = tp.check("bug_kasan");
  CHECK(u.trace && uk.trace && b.trace && bk.trace);
  if (!u.trace || !uk.trace || !b.trace || !bk.trace) return;
  CHECK(has_line(*u.trace, "with CONFIG_KASAN=n, as here, the kernel itself would not report this"));
  CHECK(!has_line(*uk.trace, "CONFIG_KASAN=n"));
  CHECK(has_line(*b.trace, "Oops: invalid opcode: 0000 [#1] SMP"));
  CHECK(!has_line(*b.trace, "SMP KASAN"));
  CHECK(has_line(*bk.trace, "Oops: invalid opcode: 0000 [#1] SMP KASAN"));
  // The header says which.
  std::string text = trace::to_text(*b.trace);
  CHECK(text.find("CONFIG_KASAN=n") != std::string::npos);
}
