// Z3 layouts and queries: hand-computed answers on small declarations, agreement
// with the concrete layouts (sema::TypeEnv) on every arch for a sample of configs,
// the value questions on each arch's constants, the unknown (timeout) path, the
// cache, and the property / hazard syntax.
#include <fmt/format.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/parser.h"
#include "sema/type_env.h"
#include "target/project.h"
#include "z3/engine.h"
#include "z3/query.h"
#include "z3/sym_layout.h"

// CppUTest last: its headers redefine operator new for leak tracking.
#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {

ArchInfo lp64(const std::string& name = "lp64", unsigned falign = 16) {
  ArchInfo a;
  a.name = name;
  a.poison_pointer_delta = 0xdead000000000000ull;
  a.function_align = falign;
  return a;
}

// A small model held in memory and registered with an Engine under one arch.
struct Small {
  SourceManager sm;
  std::vector<std::unique_ptr<ast::TranslationUnit>> units;
  std::set<std::string> typedefs;
  ptcheck::z3::Engine eng;
  explicit Small(const std::string& src, ArchInfo arch = lp64()) {
    units.push_back(std::make_unique<ast::TranslationUnit>(
        frontend::parse_file(sm, sm.add_file("small.ptm", src), &typedefs)));
    eng.add_arch(arch, {units.back().get()}, sm);
    arch_ = arch.name;
  }
  ptcheck::z3::Answer ask(const std::string& q, std::vector<std::pair<std::string, bool>> sets = {}) {
    auto err = ptcheck::z3::cli_errors();
    return eng.ask(*ptcheck::z3::parse_query(q, err), arch_, sets, err);
  }
  std::string arch_;
};

const char* kSmall =
    "struct list_head { struct list_head *next, *prev; };\n"
    "struct s {\n"
    "  char c;\n"
    "#if IS_ENABLED(CONFIG_A)\n"
    "  long l;\n"
    "#endif\n"
    "  int i;\n"
    "};\n"
    "struct p {\n"
    "  unsigned long flags;\n"
    "  union {\n"
    "    struct list_head lru;\n"
    "    struct {\n"
    "      unsigned long head;\n"
    "#if IS_ENABLED(CONFIG_RFC)\n"
    "      unsigned long memdesc;\n"
    "#endif\n"
    "    };\n"
    "  };\n"
    "  int tail;\n"
    "};\n"
    "struct q {\n"
    "  unsigned long q_flags;\n"
    "  struct list_head q_list;\n"
    "#if IS_ENABLED(CONFIG_BIG)\n"
    "  unsigned long more[4];\n"
    "#endif\n"
    "} __aligned(IS_ENABLED(CONFIG_AL) ? 32 : 8);\n";

std::string cfg(const std::vector<std::pair<std::string, bool>>& c) { return ptcheck::z3::config_text(c); }

std::string error_of(const std::string& q) {
  try {
    ptcheck::z3::parse_query(q, ptcheck::z3::cli_errors());
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_GROUP(Z3Layout){};

TEST(Z3Layout, OffsetDependsOnConfig) {
  Small m(kSmall);
  // char c @0; long l @8 if A; int i @4 (n) or @16 (y)
  auto a = m.ask("offset(s.i) == 16");
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(a.result));
  STRCMP_EQUAL("CONFIG_A=y", cfg(a.config).c_str());
  STRCMP_EQUAL("no", ptcheck::z3::to_string(a.holds));
  STRCMP_EQUAL("CONFIG_A=n", cfg(a.counter).c_str());
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("offset(s.i) == 8").result));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("CONFIG_A || offset(s.i) == 4").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("sizeof(s) == 8 || sizeof(s) == 24").holds));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("offset(s.i) == 4", {{"CONFIG_A", true}}).result));
}

TEST(Z3Layout, OverlapOnlyUnderTheSwitch) {
  Small m(kSmall);
  auto a = m.ask("overlap(p.lru, p.memdesc)");
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(a.result));
  STRCMP_EQUAL("CONFIG_RFC=y", cfg(a.config).c_str());
  STRCMP_EQUAL("p.lru bytes 8..23, p.memdesc bytes 16..23", ptcheck::z3::ranges_text(a.members).c_str());
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(m.ask("overlap(p.lru.prev, p.memdesc)").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("overlap(p.lru.next, p.memdesc)").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("overlap(p.flags, p.lru)").result));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("CONFIG_RFC -> overlap(p.lru.prev, p.memdesc)").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("(present(p.memdesc) -> CONFIG_RFC) && (CONFIG_RFC -> present(p.memdesc))").holds));
}

TEST(Z3Layout, EqualOffsetAndSizes) {
  Small m(kSmall);
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("equal_offset(p.flags, q.q_flags)").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("equal_offset(p.lru, q.q_list)").holds));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("equal_offset(p.tail, q.q_list)").result));
  // q: 24 bytes, or 56 with BIG; aligned to 32 with AL -> 32 or 64. p: 8 + 16 + 4 -> 32.
  auto a = m.ask("sizeof(q) <= sizeof(p)");
  STRCMP_EQUAL("no", ptcheck::z3::to_string(a.holds));
  STRCMP_EQUAL("CONFIG_BIG=y", cfg(a.counter).c_str());
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("sizeof(q) == 24 || sizeof(q) == 32 || sizeof(q) == 56 || sizeof(q) == 64").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("alignof(q) == 32 || !CONFIG_AL").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("end(p.memdesc) == 24 || !CONFIG_RFC").holds));
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m.ask("offset(q.more[3]) == 48 || !CONFIG_BIG").holds));
}

TEST(Z3Layout, AbsentMembersNeverCompare) {
  Small m(kSmall);
  auto a = m.ask("offset(p.memdesc) == 16");
  STRCMP_EQUAL("CONFIG_RFC=y", cfg(a.config).c_str());
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m.ask("present(s.l) && !CONFIG_A").result));
}

// An arch's own definition of a struct under its arch symbol, as the kernel's
// asm/ headers give one per arch: accepted when the arch's Kconfig facts make
// the branches exclusive (arch/Kconfig.toml: on x86_64, CONFIG_ARM64 is n), a
// located error when nothing excludes them.
TEST(Z3Layout, ArchTwinsNeedExclusiveArchSymbols) {
  const char* twins =
      "#if IS_ENABLED(CONFIG_ONE)\n"
      "struct batch { unsigned long mask; };\n"
      "#endif\n"
      "#if IS_ENABLED(CONFIG_TWO)\n"
      "struct batch {\n"
      "};\n"
      "#endif\n";
  auto fact = [](const char* sym, bool y) {
    KconfigRule r;
    r.kind = y ? KconfigRule::ArchY : KconfigRule::ArchN;
    r.symbol = sym;
    return r;
  };
  ArchInfo one = lp64("one");
  one.kconfig_rules.rules = {fact("CONFIG_ONE", true), fact("CONFIG_TWO", false)};
  Small m1(twins, one);
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m1.ask("sizeof(batch) == 8").holds));
  ArchInfo two = lp64("two");
  two.kconfig_rules.rules = {fact("CONFIG_ONE", false), fact("CONFIG_TWO", true)};
  Small m2(twins, two);
  STRCMP_EQUAL("yes", ptcheck::z3::to_string(m2.ask("sizeof(batch) == 0").holds));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(m2.ask("present(batch.mask)").result));
  try {
    Small m3(twins);
    m3.ask("sizeof(batch) == 8");
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_CONTAINS("small.ptm:5:1: error: redefinition of 'struct batch' (first at small.ptm:2:1): expected the "
                    "definitions under mutually exclusive #if branches",
                    e.what());
  }
}

TEST(Z3Layout, UnknownMembersAreLocatedErrors) {
  Small m(kSmall);
  try {
    m.ask("overlap(p.lru, p.nosuch)");
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_EQUAL("--query: error: no member 'nosuch' in struct p under any config on lp64 at column 16", e.what());
  }
  try {
    m.ask("present(nostruct.x)");
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_EQUAL("--query: error: no struct or union 'nostruct' in the model for lp64 at column 9", e.what());
  }
}

TEST_GROUP(Z3Query){};

TEST(Z3Query, ParseErrorsHaveColumns) {
  STRCMP_EQUAL("--query: error: expected ')' at column 17", error_of("offset(page.lru == 8)").c_str());
  STRCMP_EQUAL("--query: error: expected ',' at column 18", error_of("overlap(page.lru page.memdesc)").c_str());
  STRCMP_EQUAL("--query: error: expected ',' at column 22",
               error_of("decodes(LIST_POISON2 memdesc_type, 15)").c_str());
  STRCMP_EQUAL("--query: error: expected ')' at column 31", error_of("overlap(page.lru, page.memdesc").c_str());
  STRCMP_EQUAL("--query: error: unexpected character '$' at column 1", error_of("$").c_str());
  STRCMP_EQUAL("--query: error: expected a comparison (==, !=, <, <=, >, >=) after the term at column 17",
               error_of("offset(page.lru)").c_str());
  STRCMP_EQUAL("--query: error: unknown question 'overlaps': expected overlap, equal_offset, present, decodes, "
               "offset, end, sizeof or alignof at column 1",
               error_of("overlaps(a.b, c.d)").c_str());
  STRCMP_EQUAL("--query: error: alignment 3 is not a power of two at column 21",
               error_of("decodes(slab_object(3), memdesc_type, 15)").c_str());
  STRCMP_EQUAL("--query: error: expected end of query, found ')' at column 18", error_of("overlap(a.b, c.d))").c_str());
  STRCMP_EQUAL("--query: error: expected a decoder (memdesc_type, page_tail or mask(N)), found 'type' at column 23",
               error_of("decodes(LIST_POISON2, type, 15)").c_str());
}

TEST(Z3Query, CanonicalText) {
  auto q = ptcheck::z3::parse_query("CONFIG_MEMCG->equal_offset(struct page.memcg_data,ptdesc.pt_memcg_data)&&!false",
                           ptcheck::z3::cli_errors());
  STRCMP_EQUAL("(CONFIG_MEMCG -> (equal_offset(page.memcg_data, ptdesc.pt_memcg_data) && !false))",
               ptcheck::z3::to_string(*q).c_str());
  auto d = ptcheck::z3::parse_query("decodes(slab_object(16) + 15, memdesc_type, MEMDESC_TYPE_PAGE_TABLE)", ptcheck::z3::cli_errors());
  STRCMP_EQUAL("decodes(slab_object(16) + 0xf, memdesc_type, 15)", ptcheck::z3::to_string(*d).c_str());
}

TEST(Z3Query, CacheWithinARun) {
  Small m(kSmall);
  auto a = m.ask("overlap(p.lru, p.memdesc)");
  CHECK(!a.cached);
  auto b = m.ask("overlap( p.lru ,p.memdesc )");
  CHECK(b.cached);
  LONGS_EQUAL(1, m.eng.cache_hits());
  STRCMP_EQUAL(cfg(a.config).c_str(), cfg(b.config).c_str());
  auto c = m.ask("overlap(p.lru, p.memdesc)", {{"CONFIG_RFC", false}});
  CHECK(!c.cached);
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(c.result));
}

TEST(Z3Query, TimeoutGivesUnknownNeverAProof) {
  ptcheck::z3::Engine eng;
  eng.options().timeout_ms = 1;
  auto& c = eng.ctx();
  // factor a 64-bit semiprime (4294967291 * 4294967279): far beyond 1 ms of bit-blasting
  ::z3::expr x = c.bv_const("x", 64), y = c.bv_const("y", 64);
  ::z3::expr n = c.bv_val(static_cast<uint64_t>(4294967291ull * 4294967279ull), 64);
  ::z3::expr f = x * y == n && ::z3::ugt(x, c.bv_val(1, 64)) && ::z3::ugt(y, c.bv_val(1, 64)) &&
               ::z3::ult(x, c.bv_val(static_cast<uint64_t>(1ull << 32), 64)) && ::z3::ult(y, c.bv_val(static_cast<uint64_t>(1ull << 32), 64)) &&
               ::z3::bvmul_no_overflow(x, y, false);
  std::string why;
  STRCMP_EQUAL("unknown", ptcheck::z3::to_string(eng.solve(f, &why)));
  CHECK(!why.empty());
}

TEST_GROUP(Z3Values){};

TEST(Z3Values, PoisonFunctionAndSlabValuesPerArch) {
  Small x86(kSmall, lp64("x86_64", 16));
  auto p2 = x86.ask("decodes(LIST_POISON2, memdesc_type, 15)");
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(p2.result));
  LONGS_EQUAL(1, p2.values.size());
  LONGS_EQUAL(2, p2.values[0].decoded);  // 0xdead000000000122 & 15
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(x86.ask("decodes(LIST_POISON2, memdesc_type, 2)").result));
  auto p1 = x86.ask("decodes(LIST_POISON1, memdesc_type, 15)");
  LONGS_EQUAL(0, p1.values[0].decoded);
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(x86.ask("decodes(function_address, memdesc_type, 15)").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(x86.ask("decodes(function_address(16), memdesc_type, 15)").result));
  auto cold = x86.ask("decodes(function_address(1), memdesc_type, 15)");
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(cold.result));
  LONGS_EQUAL(15, *cold.values[0].witness & 15);
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(x86.ask("decodes(slab_object(16), memdesc_type, 15)").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(x86.ask("decodes(slab_object(16) + 15, memdesc_type, MEMDESC_TYPE_PAGE_TABLE)").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(x86.ask("decodes(0xdead000000000122, page_tail, 1)").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(x86.ask("decodes(any, mask(0xf0), 0x20)").result));

  // 4-byte function alignment (arm64, powerpc): still never 15; 2-byte: never odd.
  Small arm(kSmall, lp64("arm64", 4));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(arm.ask("decodes(function_address, memdesc_type, 15)").result));
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(arm.ask("decodes(function_address, memdesc_type, 12)").result));
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(arm.ask("decodes(function_address(2), page_tail, 1)").result));
  arm.eng.options().cold_unaligned = true;
  STRCMP_EQUAL("sat", ptcheck::z3::to_string(arm.ask("decodes(function_address, memdesc_type, 15)").result));

  // powerpc64's delta: 0x5deadbeef0000122 & 15 == 2 as well
  ArchInfo ppc = lp64("powerpc64", 4);
  ppc.poison_pointer_delta = 0x5deadbeef0000000ull;
  Small p(kSmall, ppc);
  auto pp = p.ask("decodes(LIST_POISON2, memdesc_type, 15)");
  STRCMP_EQUAL("unsat", ptcheck::z3::to_string(pp.result));
  LONGS_EQUAL(2, pp.values[0].decoded);
}

TEST(Z3Values, UnknownValueNameIsLocated) {
  Small m(kSmall);
  try {
    m.ask("decodes(LIST_POISON3, memdesc_type, 15)");
    FAIL("expected an error");
  } catch (const InputError& e) {
    std::string w = e.what();
    CHECK(w.rfind("--query: error: unknown value 'LIST_POISON3' on lp64", 0) == 0);
    CHECK(w.find("at column 9") != std::string::npos);
  }
}

// ---- agreement with the concrete layouts ---------------------------------------------

TEST_GROUP(Z3Agreement){};

TEST(Z3Agreement, EveryArchAndASampleOfConfigs) {
  Project project(PTCHECK_TEST_ROOT);
  auto arches = list_arches(project.root());
  CHECK(!arches.empty());
  for (const auto& an : arches) {
    ArchInfo arch = load_arch(project.root(), an);
    // the arch's files and the struct headers (model/ code files are others' work in progress)
    std::vector<std::string> files = arch.model_files;
    files.push_back("model/include/linux/mm_types.ptm");
    files = project.closure(files);
    ptcheck::z3::Engine eng;
    std::vector<const ast::TranslationUnit*> units;
    for (const auto& f : files) units.push_back(&project.unit(f));
    eng.add_arch(arch, units, project.sources());
    ptcheck::z3::SymLayout& L = eng.layout(an);
    std::vector<std::string> syms(L.symbols().begin(), L.symbols().end());
    std::vector<std::map<std::string, bool>> configs;
    std::map<std::string, bool> defaults(arch.kconfig.begin(), arch.kconfig.end());
    configs.push_back(defaults);
    configs.push_back({});
    std::map<std::string, bool> all_on;
    for (const auto& s : syms) all_on[s] = true;
    configs.push_back(all_on);
    std::mt19937 rng(12345);
    for (int k = 0; k < 24; ++k) {
      std::map<std::string, bool> c = defaults;
      for (const auto& s : syms) c[s] = (rng() & 1) != 0;
      configs.push_back(c);
    }
    size_t compared = 0;
    for (const auto& c : configs) {
      Config cc;
      for (const auto& [k, v] : c) cc.set(k, v);
      sema::TypeEnv env(arch, cc, project.sources());
      try {
        for (const auto& f : files) env.add_unit(project.unit(f));
      } catch (const InputError& e) {
        // the model does not compile under this config: the Z3 axioms exclude it too
        CHECK_TEXT(!ptcheck::z3::eval_bool_under(eng.ctx(), L.axioms(), c, L.symbols()), e.what());
        continue;
      }
      for (const auto& tag : L.record_tags()) {
        const sema::Type* t = env.record(tag);
        const ptcheck::z3::SymType* st = L.record(tag);
        if (!t || !t->complete) continue;
        std::string where = fmt::format("{} {} under {}", an, t->name, [&] {
          std::string s;
          for (const auto& [k, v] : c) if (v) s += k + " ";
          return s;
        }());
        LONGS_EQUAL_TEXT(t->size, ptcheck::z3::eval_under(eng.ctx(), st->size, c, L.symbols()), (where + " size").c_str());
        LONGS_EQUAL_TEXT(t->align, ptcheck::z3::eval_under(eng.ctx(), st->align, c, L.symbols()), (where + " align").c_str());
        for (const auto& path : L.leaf_paths(st)) {
          auto cm = env.member(t, path);
          auto sm = L.member(st, path);
          CHECK_TEXT(sm.has_value(), (where + " " + path).c_str());
          bool present = ptcheck::z3::eval_bool_under(eng.ctx(), sm->present, c, L.symbols());
          CHECK_EQUAL_TEXT(cm.has_value(), present, (where + " presence of " + path).c_str());
          if (cm) {
            LONGS_EQUAL_TEXT(cm->offset, ptcheck::z3::eval_under(eng.ctx(), sm->offset, c, L.symbols()),
                             (where + " offset of " + path).c_str());
            LONGS_EQUAL_TEXT(cm->type->size, ptcheck::z3::eval_under(eng.ctx(), sm->size, c, L.symbols()),
                             (where + " size of " + path).c_str());
          }
          ++compared;
        }
      }
    }
    CHECK_TEXT(compared > 100, an.c_str());
  }
}

// ---- spec syntax ------------------------------------------------------------------------

TEST_GROUP(Z3Spec){};

TEST(Z3Spec, PropertyAndHazardParse) {
  SourceManager sm;
  auto tu = frontend::parse_file(sm, sm.add_file("p.ptm",
      "property table_match_flags {\n"
      "    description \"TABLE_MATCH(flags, pt_flags)\";\n"
      "    arch all;\n"
      "    set CONFIG_PTDESC_RFC = n;\n"
      "    query \"equal_offset(page.flags, ptdesc.pt_flags)\";\n"
      "    expect holds;\n"
      "}\n"
      "target t {\n"
      "    hazard \"overlap(page.rcu_head.func, page.memdesc)\";\n"
      "    thread a { }\n"
      "}\n"));
  LONGS_EQUAL(2, tu.decls.size());
  CHECK(tu.decls[0].kind == ast::Decl::Property);
  const auto& p = *tu.decls[0].property;
  STRCMP_EQUAL("table_match_flags", p.name.c_str());
  STRCMP_EQUAL("all", p.arches.at(0).c_str());
  STRCMP_EQUAL("CONFIG_PTDESC_RFC", p.sets.at(0).first.c_str());
  CHECK(!p.sets.at(0).second);
  STRCMP_EQUAL("holds", p.expect.c_str());
  LONGS_EQUAL(5, p.query_loc.line);
  LONGS_EQUAL(11, p.query_loc.col);
  const auto& t = *tu.decls[1].target;
  STRCMP_EQUAL("overlap(page.rcu_head.func, page.memdesc)", t.hazards.at(0).first.c_str());
  // an error inside the query string points into the spec file
  try {
    ptcheck::z3::parse_query("equal_offset(page.flags ptdesc.pt_flags)", ptcheck::z3::source_errors(sm, p.query_loc));
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_EQUAL("p.ptm:5:36: error: expected ',' in query", e.what());
  }
}

TEST(Z3Spec, PropertyErrorsAreLocated) {
  SourceManager sm;
  try {
    frontend::parse_file(sm, sm.add_file("q.ptm", "property x {\n  expect maybe;\n}\n"));
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_EQUAL("q.ptm:2:10: error: expected 'holds', 'sat' or 'unsat' after 'expect', found 'maybe'", e.what());
  }
  try {
    frontend::parse_file(sm, sm.add_file("r.ptm", "property x {\n  expect sat;\n}\n"));
    FAIL("expected an error");
  } catch (const InputError& e) {
    STRCMP_EQUAL("r.ptm:1:1: error: property 'x' has no query: expected 'query \"...\";'", e.what());
  }
}

// ---- the project's own layout properties and hazard reach ----------------------------

#include "z3/z3_check.h"

TEST_GROUP(Z3Project){};

TEST(Z3Project, SpecLayoutPropertiesHoldOnEveryArch) {
  Project project(PTCHECK_TEST_ROOT);
  auto results = check_properties(project, {}, true, "", {});
  size_t arches = list_arches(project.root()).size();
  CHECK(results.size() >= 10 * arches);
  size_t table_match = 0;
  for (const auto& r : results) {
    CHECK_TEXT(r.as_expected, fmt::format("{} on {}: expected {}, got {} {} {}", r.property, r.arch, to_string(r.expected),
                                          to_string(r.verdict), r.witness, r.unknown_reason).c_str());
    if (r.property.rfind("table_match_", 0) == 0) {
      ++table_match;
      CHECK(r.verdict == PropertyVerdict::Holds);
    }
  }
  LONGS_EQUAL(9 * arches, table_match);
  // by name, on one arch; a target name is ignored
  auto one = check_properties(project, {"table_match_flags", "no_such_thing"}, false, "x86_64", {});
  LONGS_EQUAL(1, one.size());
  STRCMP_EQUAL("x86_64", one[0].arch.c_str());
  // with a fixed symbol from the command line the witness property has no witness left
  auto w = check_properties(project, {"rfc_memdesc_exists_only_with_rfc"}, false, "x86_64",
                            {{"CONFIG_PTDESC_RFC", false}});
  CHECK(w.at(0).verdict == PropertyVerdict::Unsat);
  STRCMP_EQUAL("unsat", to_string(w.at(0).verdict));
  CHECK(!w.at(0).as_expected);
  // ^C before the first question: every row is NotRun, none asked
  std::atomic<bool> cancelled{true};
  for (const auto& r : check_properties(project, {"table_match_flags"}, false, "x86_64", {}, &cancelled))
    CHECK(r.verdict == PropertyVerdict::NotRun && !r.as_expected);
}

TEST(Z3Project, HazardReachPerArch) {
  Project project(PTCHECK_TEST_ROOT);
  SourceManager& sm = project.sources();
  auto tu = frontend::parse_file(sm, sm.add_file("h.ptm",
      "target t {\n"
      "  hazard \"overlap(page.rcu_head.func, page.memdesc)\";\n"
      "  hazard \"overlap(page.lru, page.memdesc)\";\n"
      "  thread a { }\n"
      "}\n"));
  TargetEntry te{"t", "h.ptm", tu.decls.at(0).target.get()};
  auto lines = hazard_reach(project, te);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  CHECK_TEXT(all.find("hazard overlap(page.rcu_head.func, page.memdesc):") != std::string::npos, all.c_str());
  // Arch names are padded to the longest one in arch/: match the line's content.
  size_t x86 = all.find("x86_64:");
  CHECK_TEXT(x86 != std::string::npos &&
                 all.substr(x86, all.find('\n', x86) - x86).find("overlap when CONFIG_PTDESC_RFC=y") != std::string::npos,
             all.c_str());
  CHECK_TEXT(all.find("call_rcu() stores the callback in func: a function address (16-byte aligned): never decodes "
                      "as memdesc_type 15: caught by page_ptdesc") != std::string::npos, all.c_str());
  CHECK_TEXT(all.find("CAN decode as memdesc_type 15") != std::string::npos, all.c_str());
  CHECK_TEXT(all.find("list_del() writes LIST_POISON2 into prev: LIST_POISON2 = 0xdead000000000122: decodes as "
                      "memdesc_type 2, never 15: caught by page_ptdesc") != std::string::npos, all.c_str());
  CHECK_TEXT(all.find("LIST_POISON1") == std::string::npos, all.c_str());  // lru.next is word 1, not memdesc
}

// The constant arithmetic is sema/layout_rules.h's in both engines: C's
// promotions, conversions and wrapping (the Z3 side once computed everything
// in 64 bits), at the same answers.
TEST(Z3Agreement, ConstantArithmeticIsCsInBothEngines) {
  const std::vector<std::pair<const char*, uint64_t>> cases = {
      {"(1 << 31)", 0xffffffff80000000ull},        // int: INT_MIN, sign-extended
      {"(-1 < 0U)", 0},                            // -1 converts to unsigned int
      {"(-1L < 0U)", 1},                           // long holds every unsigned int
      {"((unsigned char)300 + 1)", 45},
      {"(0xffffffff + 1)", 0},                     // unsigned int wraps
      {"(-1 >> 1)", ~0ull},                        // arithmetic shift of a signed int
      {"(~0U >> 28)", 15},
      {"(7 / -2)", static_cast<uint64_t>(-3)},
      {"(7 % -2)", 1},
      {"((int)0x80000000 / 2)", static_cast<uint64_t>(-1073741824)},
      {"(sizeof(long) * 3 % 7)", 3},
      {"(1UL << 63 >> 63)", 1},
      {"(IS_ENABLED(CONFIG_A) ? 1 : 2)", 2},
      {"((short)-1 == 0xffff)", 0},                // short -1 promotes to int -1
  };
  std::string src;
  for (size_t i = 0; i < cases.size(); ++i) src += fmt::format("#define E{} {}\n", i, cases[i].first);
  SourceManager sm;
  std::set<std::string> typedefs;
  ast::TranslationUnit tu = frontend::parse_file(sm, sm.add_file("consts.ptm", src), &typedefs);
  ArchInfo arch = lp64();
  Config cfg;
  sema::TypeEnv env(arch, cfg, sm);
  env.add_unit(tu);
  ::z3::context ctx;
  ptcheck::z3::SymLayout L(ctx, arch, sm);
  L.add_unit(tu);
  for (size_t i = 0; i < cases.size(); ++i) {
    const ast::MacroDef* m = env.macro(fmt::format("E{}", i));
    CHECK(m && m->body);
    auto c = env.try_const(*m->body);
    CHECK_TEXT(c.has_value(), cases[i].first);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(cases[i].second, static_cast<uint64_t>(*c), cases[i].first);
    auto s = L.eval(*m->body);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(cases[i].second, ptcheck::z3::eval_under(ctx, s.v, {}, L.symbols()),
                                  cases[i].first);
  }
}

TEST(Z3Agreement, AlignUpIsOneRule) {
  const sema::rules::IntDomain d;
  UNSIGNED_LONGLONGS_EQUAL(0, sema::rules::align_up(0, 8));
  UNSIGNED_LONGLONGS_EQUAL(8, sema::rules::align_up(1, 8));
  UNSIGNED_LONGLONGS_EQUAL(64, sema::rules::align_up(64, 64));
  UNSIGNED_LONGLONGS_EQUAL(5, sema::rules::align_up(d, 5, 1));
  ::z3::context ctx;
  ptcheck::z3::Z3Domain z{ctx};
  for (uint64_t v : {0ull, 1ull, 7ull, 8ull, 9ull, 4095ull})
    for (uint64_t a : {1ull, 2ull, 8ull, 64ull, 4096ull})
      UNSIGNED_LONGLONGS_EQUAL(sema::rules::align_up(v, a),
                               sema::rules::align_up(z, z.lit(v), z.lit(a)).simplify().get_numeral_uint64());
}
