#include <algorithm>

#include "layout_helpers.h"
#include "sema/layout_print.h"

// CppUTest last: its headers redefine operator new for leak tracking.
#include <CppUTest/TestHarness.h>

using layout_test::Env;
using ptcheck::Config;

namespace {
Config cfg(std::initializer_list<const char*> on) {
  Config c;
  for (const char* s : on) c.set(s, true);
  return c;
}
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_GROUP(Layout){};

TEST(Layout, StructPaddingAndTrailingPadding) {
  Env e(layout_test::x86_64(), {});
  e.text("struct a { char c; long l; short s; };\n"
         "struct b { int i; char c; };\n"
         "struct c { char x; struct b inner; char y[3]; };\n");
  const auto* a = e.env->record("a");
  LONGS_EQUAL(24, a->size);
  LONGS_EQUAL(8, a->align);
  LONGS_EQUAL(8, e.off("a", "l"));
  LONGS_EQUAL(16, e.off("a", "s"));
  LONGS_EQUAL(8, e.env->record("b")->size);
  LONGS_EQUAL(4, e.off("c", "inner"));
  LONGS_EQUAL(8, e.off("c", "inner.c"));
  LONGS_EQUAL(12, e.off("c", "y"));
  LONGS_EQUAL(13, e.env->member(e.env->record("c"), "y[1]")->offset);
  LONGS_EQUAL(16, e.env->record("c")->size);
}

TEST(Layout, UnionsAndAnonymousMembers) {
  Env e(layout_test::x86_64(), {});
  e.text("struct list_head { struct list_head *next, *prev; };\n"
         "struct s { int a; union { struct list_head l; struct { long x; int y; }; char z; }; int tail; };\n"
         "union u { char c; int i[3]; long l; };\n");
  LONGS_EQUAL(8, e.off("s", "l"));
  LONGS_EQUAL(16, e.off("s", "l.prev"));
  LONGS_EQUAL(8, e.off("s", "x"));
  LONGS_EQUAL(16, e.off("s", "y"));
  LONGS_EQUAL(8, e.off("s", "z"));
  LONGS_EQUAL(24, e.off("s", "tail"));
  LONGS_EQUAL(32, e.env->record("s")->size);
  const auto* u = e.env->record("u");
  CHECK(u->is_union);
  LONGS_EQUAL(16, u->size);  // 12 rounded up to align 8
  LONGS_EQUAL(0, e.off("u", "l"));
  auto at16 = e.env->fields_at(e.env->record("s"), 16, 8);
  CHECK(contains(at16, "l.prev"));
  CHECK(contains(at16, "y"));
  CHECK(!contains(at16, "tail"));
}

TEST(Layout, ConditionalFieldsAlignedAndPacked) {
  const char* src =
      "struct c { long a;\n#if IS_ENABLED(CONFIG_X)\n long b;\n#elif defined(CONFIG_Y)\n int y;\n"
      "#else\n char n;\n#endif\n int end; };\n"
      "struct al { int x; } __aligned(16);\n"
      "struct __attribute__((packed)) pk { char c; int i; };\n"
      "struct pk2 { char c; long l; } __packed;\n";
  {
    Env e(layout_test::x86_64(), cfg({"CONFIG_X", "CONFIG_Y"}));
    e.text(src);
    CHECK(e.has("c", "b"));
    CHECK(!e.has("c", "y"));
    CHECK(!e.has("c", "n"));
    LONGS_EQUAL(16, e.off("c", "end"));
    LONGS_EQUAL(16, e.env->record("al")->size);
    LONGS_EQUAL(16, e.env->record("al")->align);
    LONGS_EQUAL(5, e.env->record("pk")->size);
    LONGS_EQUAL(1, e.off("pk", "i"));
    LONGS_EQUAL(9, e.env->record("pk2")->size);
  }
  {
    Env e(layout_test::x86_64(), cfg({"CONFIG_Y"}));
    e.text(src);
    CHECK(!e.has("c", "b"));
    LONGS_EQUAL(8, e.off("c", "y"));
    LONGS_EQUAL(12, e.off("c", "end"));
    LONGS_EQUAL(16, e.env->record("c")->size);
  }
  {
    Env e(layout_test::x86_64(), {});
    e.text(src);
    LONGS_EQUAL(8, e.off("c", "n"));
    LONGS_EQUAL(12, e.off("c", "end"));
  }
}

TEST(Layout, ArraysConstantsAndSizeof) {
  Env e(layout_test::x86_64(), cfg({"CONFIG_A"}));
  e.text("enum { ONE = 1, TWO, TEN = 10 };\n#define N (TWO * 2 + IS_ENABLED(CONFIG_A))\n"
         "#define SQ(x) ((x) * (x))\n"
         "struct arr { int v[N]; char c[SQ(3)]; long w[sizeof(int)]; };\n");
  LONGS_EQUAL(20, e.off("arr", "c"));
  LONGS_EQUAL(32, e.off("arr", "w"));
  LONGS_EQUAL(64, e.env->record("arr")->size);
  LONGS_EQUAL(5, e.env->record("arr")->fields[0].type->count);
}

TEST(Layout, ThirtyTwoBitAbi) {
  Env e(layout_test::i386(), {});
  e.text("struct t { char c; long long ll; long l; void *p; short s; };\n");
  LONGS_EQUAL(4, e.off("t", "ll"));  // long long aligned to 4 on i386
  LONGS_EQUAL(12, e.off("t", "l"));
  LONGS_EQUAL(16, e.off("t", "p"));
  LONGS_EQUAL(20, e.off("t", "s"));
  LONGS_EQUAL(24, e.env->record("t")->size);
  LONGS_EQUAL(4, e.env->record("t")->align);
}

TEST(Layout, ErrorsAreLocated) {
  Env e(layout_test::x86_64(), {});
  try {
    e.text("struct a { struct nope n; };\n");
    FAIL("no throw");
  } catch (const ptcheck::InputError& ex) {
    STRCMP_CONTAINS("t.ptm:1:24: error: member 'n' has incomplete type 'struct nope'", ex.what());
  }
  Env e2(layout_test::x86_64(), {});
  try {
    e2.text("struct a { foo_t *x; };\n");
    FAIL("no throw");
  } catch (const ptcheck::InputError& ex) {
    // foo_t is not a type name, so the parser sees an expression where a type belongs
    STRCMP_CONTAINS("t.ptm:1:12: error: expected a type, found 'foo_t'", ex.what());
  }
  Env e3(layout_test::x86_64(), {});
  try {
    e3.text("struct a { int v[x]; };\n");
    FAIL("no throw");
  } catch (const ptcheck::InputError& ex) {
    STRCMP_EQUAL("t.ptm:1:18: error: expected an integer constant expression", ex.what());
  }
}

// ---- struct page / struct ptdesc (docs/kernel-model.md §1) ---------------------------------

TEST_GROUP(PageLayout){};

TEST(PageLayout, X86_64WithMemcg) {
  Env e(layout_test::x86_64(), cfg({"CONFIG_MEMCG", "CONFIG_HAVE_ALIGNED_STRUCT_PAGE"}));
  e.kernel("x86_64");
  const auto* page = e.env->record("page");
  LONGS_EQUAL(64, page->size);
  // §1.1 word map
  LONGS_EQUAL(0, e.off("page", "flags"));
  for (const char* p : {"lru.next", "buddy_list.next", "pcp_list.next", "pcp_llist.next", "compound_info",
                        "rcu_head.next", "pp_magic", "_unused_pgmap_compound_info", "lru"})
    LONGS_EQUAL(8, e.off("page", p));
  for (const char* p : {"lru.prev", "buddy_list.prev", "pcp_list.prev", "rcu_head.func", "pp",
                        "zone_device_data"})
    LONGS_EQUAL(16, e.off("page", p));
  // 7.1.3: the unevictable mlock_count slot is in struct folio only
  CHECK(!e.has("page", "mlock_count"));
  CHECK(!e.has("page", "__filler"));
  LONGS_EQUAL(24, e.off("page", "mapping"));
  LONGS_EQUAL(24, e.off("page", "_pp_mapping_pad"));
  LONGS_EQUAL(32, e.off("page", "__folio_index"));
  LONGS_EQUAL(32, e.off("page", "share"));
  LONGS_EQUAL(32, e.off("page", "dma_addr"));
  LONGS_EQUAL(40, e.off("page", "private"));
  LONGS_EQUAL(40, e.off("page", "pp_ref_count"));
  LONGS_EQUAL(48, e.off("page", "page_type"));
  LONGS_EQUAL(48, e.off("page", "_mapcount"));
  LONGS_EQUAL(52, e.off("page", "_refcount"));
  LONGS_EQUAL(56, e.off("page", "memcg_data"));
  CHECK(!e.has("page", "_unused_slab_obj_exts"));

  auto w2 = e.env->fields_at(page, 16, 8);
  CHECK(contains(w2, "lru.prev"));
  CHECK(contains(w2, "rcu_head.func"));
  CHECK(contains(w2, "buddy_list.prev"));
  CHECK(contains(w2, "pp"));

  // ptdesc (§1.1 right column) and the TABLE_MATCH pairs of §1.2
  const auto* pt = e.env->record("ptdesc");
  CHECK(pt->size <= page->size);
  LONGS_EQUAL(64, pt->size);
  const char* pairs[][2] = {{"flags", "pt_flags"},          {"compound_info", "pt_list"},
                            {"compound_info", "_pt_pad_1"}, {"mapping", "__page_mapping"},
                            {"__folio_index", "pt_index"},  {"rcu_head", "pt_rcu_head"},
                            {"page_type", "__page_type"},   {"_refcount", "__page_refcount"},
                            {"memcg_data", "pt_memcg_data"}};
  for (auto& p : pairs) LONGS_EQUAL(e.off("page", p[0]), e.off("ptdesc", p[1]));
  LONGS_EQUAL(16, e.off("ptdesc", "pmd_huge_pte"));
  LONGS_EQUAL(16, e.off("ptdesc", "pt_list.prev"));
  LONGS_EQUAL(16, e.off("ptdesc", "pt_rcu_head.func"));
  LONGS_EQUAL(32, e.off("ptdesc", "pt_mm"));
  LONGS_EQUAL(32, e.off("ptdesc", "pt_frag_refcount"));
  CHECK(!e.has("ptdesc", "pt_share_count"));
  LONGS_EQUAL(40, e.off("ptdesc", "ptl"));
  LONGS_EQUAL(4, e.env->member(pt, "ptl")->type->size);  // embedded qspinlock
  LONGS_EQUAL(40, e.off("ptdesc", "_pt_pad_2"));
  // word 2 aliasing across the two views
  auto pw2 = e.env->fields_at(pt, 16, 8);
  CHECK(contains(pw2, "pt_list.prev"));
  CHECK(contains(pw2, "pt_rcu_head.func"));
  CHECK(contains(pw2, "pmd_huge_pte"));

  std::string table = ptcheck::sema::layout_table(*e.env, page);
  STRCMP_CONTAINS("lru.prev", table.c_str());
  STRCMP_CONTAINS("page_type@48+4", table.c_str());
}

TEST(PageLayout, X86_64WithoutMemcg) {
  {
    Env e(layout_test::x86_64(), {});
    e.kernel("x86_64");
    LONGS_EQUAL(56, e.env->record("page")->size);
    CHECK(!e.has("page", "memcg_data"));
    CHECK(!e.has("ptdesc", "pt_memcg_data"));
    LONGS_EQUAL(56, e.env->record("ptdesc")->size);
  }
  {
    Env e(layout_test::x86_64(), cfg({"CONFIG_SLAB_OBJ_EXT"}));
    e.kernel("x86_64");
    LONGS_EQUAL(64, e.env->record("page")->size);
    LONGS_EQUAL(56, e.off("page", "_unused_slab_obj_exts"));
  }
  {  // _struct_page_alignment = 2 * sizeof(long) rounds 56 up to 64
    Env e(layout_test::x86_64(), cfg({"CONFIG_HAVE_ALIGNED_STRUCT_PAGE"}));
    e.kernel("x86_64");
    LONGS_EQUAL(64, e.env->record("page")->size);
    LONGS_EQUAL(16, e.env->record("page")->align);
  }
}

TEST(PageLayout, SpinlockDebugAndSplitPtlocks) {
  {
    Env e(layout_test::x86_64(), {});
    e.kernel("x86_64");
    LONGS_EQUAL(4, e.env->typedef_type("spinlock_t")->size);
  }
  {
    Env e(layout_test::x86_64(), cfg({"CONFIG_DEBUG_SPINLOCK", "ALLOC_SPLIT_PTLOCKS",
                                      "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING"}));
    e.kernel("x86_64");
    CHECK(e.env->typedef_type("spinlock_t")->size > 8);
    LONGS_EQUAL(24, e.env->typedef_type("spinlock_t")->size);
    const auto* ptl = e.env->member(e.env->record("ptdesc"), "ptl")->type;
    CHECK(ptl->kind == ptcheck::sema::TypeKind::Pointer);
    LONGS_EQUAL(32, e.off("ptdesc", "pt_share_count"));
  }
  {
    Env e(layout_test::x86_64(), cfg({"CONFIG_DEBUG_SPINLOCK", "CONFIG_DEBUG_LOCK_ALLOC"}));
    e.kernel("x86_64");
    const auto* sl = e.env->typedef_type("spinlock_t");
    LONGS_EQUAL(24, e.off("spinlock", "dep_map"));
    LONGS_EQUAL(24 + 40, sl->size);  // lockdep_map: key, class_cache[2], name, 3 x u8 -> 40
  }
}

TEST(PageLayout, ThirtyTwoBit) {
  Env e(layout_test::i386(), cfg({"CONFIG_MEMCG"}));
  e.kernel("x86_64");  // the x86 pgtable types use unsigned long, 4 bytes here
  LONGS_EQUAL(0, e.off("page", "flags"));
  LONGS_EQUAL(4, e.off("page", "lru.next"));
  LONGS_EQUAL(8, e.off("page", "lru.prev"));
  LONGS_EQUAL(8, e.off("page", "rcu_head.func"));
  LONGS_EQUAL(4, e.off("ptdesc", "pt_list"));
  LONGS_EQUAL(8, e.off("ptdesc", "pmd_huge_pte"));
  LONGS_EQUAL(12, e.off("page", "mapping"));
  LONGS_EQUAL(12, e.off("ptdesc", "__page_mapping"));
  LONGS_EQUAL(16, e.off("page", "__folio_index"));
  LONGS_EQUAL(16, e.off("ptdesc", "pt_index"));
  LONGS_EQUAL(4, e.env->member(e.env->record("ptdesc"), "pt_index")->type->size);
  LONGS_EQUAL(20, e.off("page", "private"));
  LONGS_EQUAL(20, e.off("ptdesc", "ptl"));
  LONGS_EQUAL(24, e.off("page", "page_type"));
  LONGS_EQUAL(28, e.off("page", "_refcount"));
  LONGS_EQUAL(28, e.off("ptdesc", "__page_refcount"));
  LONGS_EQUAL(32, e.off("page", "memcg_data"));
  LONGS_EQUAL(36, e.env->record("page")->size);
}

TEST(PageLayout, PoisonConstants) {
  Env e(layout_test::x86_64(), {});
  e.kernel("x86_64");
  auto m = e.env->macro("LIST_POISON2");
  CHECK(m != nullptr);
  CHECK(e.env->try_const(*m->body).has_value());
  LONGS_EQUAL(0xdead000000000122ull, static_cast<uint64_t>(*e.env->try_const(*m->body)));
  auto m1 = e.env->macro("LIST_POISON1");
  LONGS_EQUAL(0xdead000000000100ull, static_cast<uint64_t>(*e.env->try_const(*m1->body)));
}

TEST(PageLayout, Arm64AndListFile) {
  Env e(layout_test::x86_64(), cfg({"CONFIG_MEMCG"}));
  e.kernel("arm64");
  e.file("model/include/linux/list.ptm");
  LONGS_EQUAL(8, e.env->typedef_type("pmd_t")->size);
  STRCMP_EQUAL("pmd_t", e.env->typedef_type("pmd_t")->name.c_str());
  LONGS_EQUAL(64, e.env->record("page")->size);
  size_t funcs = 0;
  for (const auto* d : e.env->code_decls()) funcs += d->kind == ptcheck::ast::Decl::Func;
  LONGS_EQUAL(8, funcs);
}
