#include <set>
#include <string>

#include "frontend/parser.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {
ast::TranslationUnit parse(SourceManager& sm, const std::string& src) {
  return frontend::parse_file(sm, sm.add_file("m.ptm", src));
}
std::string quote(const SourceManager& sm, SourceLoc a, SourceLoc b) {
  std::string_view line = sm.line_text(a.file, a.line);
  if (a.line != b.line) return std::string(line.substr(a.col - 1));
  return std::string(line.substr(a.col - 1, b.col - a.col));
}
}  // namespace

TEST_GROUP(Parser){};

TEST(Parser, TargetSyntax) {
  SourceManager sm;
  auto tu = parse(sm, R"(target lost_update {
    description "two increments race"  " and one is lost";
    cite "docs/kernel-model.md §14.9";
    arch x86_64, arm64;
    set CONFIG_MEMCG = y;
    set CONFIG_X = n;
    import "spec/toy/counter.ptm";
    heap { pages 4; page_bytes 64; slab counter_cache (struct counter) 2; }
    init { c = kmem_cache_alloc(counter_cache, GFP_KERNEL); }
    thread T1 { inc(c); }
    thread T2 { int i; for (i = 0; i < 2; i++) { if (nondet(2)) inc(c); else dec(c); } }
    invariant counter_in_range;
    warn_only;
    expect violation use-after-free;
}
)");
  LONGS_EQUAL(1, tu.decls.size());
  const auto& t = *tu.decls[0].target;
  STRCMP_EQUAL("lost_update", t.name.c_str());
  STRCMP_EQUAL("two increments race and one is lost", t.description.c_str());
  LONGS_EQUAL(1, t.cites.size());
  LONGS_EQUAL(2, t.arches.size());
  STRCMP_EQUAL("arm64", t.arches[1].c_str());
  LONGS_EQUAL(2, t.sets.size());
  CHECK(t.sets[0].second);
  CHECK(!t.sets[1].second);
  STRCMP_EQUAL("spec/toy/counter.ptm", t.imports[0].first.c_str());
  LONGS_EQUAL(4, *t.heap->pages);
  LONGS_EQUAL(64, *t.heap->page_bytes);
  STRCMP_EQUAL("counter_cache", t.heap->slabs[0].name.c_str());
  STRCMP_EQUAL("counter", t.heap->slabs[0].type->name.c_str());
  LONGS_EQUAL(2, t.heap->slabs[0].count);
  CHECK(t.init != nullptr);
  LONGS_EQUAL(2, t.threads.size());
  const auto& t2 = *t.threads[1].body;
  LONGS_EQUAL(2, t2.body.size());
  CHECK(t2.body[0]->kind == ast::Stmt::VarDecl);
  CHECK(t2.body[1]->kind == ast::Stmt::For);
  CHECK(t2.body[1]->s1->body[0]->kind == ast::Stmt::If);
  STRCMP_EQUAL("counter_in_range", t.invariants[0].first.c_str());
  CHECK(t.warn_only);
  CHECK(t.expect->violation);
  STRCMP_EQUAL("use-after-free", t.expect->kind.c_str());
  // statement source ranges
  STRCMP_EQUAL("inc(c);", quote(sm, t.threads[0].body->body[0]->loc, t.threads[0].body->body[0]->end).c_str());
  STRCMP_EQUAL("if (nondet(2)) inc(c); else dec(c);",
               quote(sm, t2.body[1]->s1->body[0]->loc, t2.body[1]->s1->body[0]->end).c_str());
}

TEST(Parser, ContextualKeywordsAreIdentifiers) {
  SourceManager sm;
  auto tu = parse(sm, "int arch; void init(int thread) { int heap = thread; atomic { heap++; } expect = 1; }\n"
                      "target t { expect pass; thread a { init(arch); } }");
  LONGS_EQUAL(3, tu.decls.size());
  STRCMP_EQUAL("init", tu.decls[1].func->name.c_str());
  CHECK(tu.decls[1].func->body->body[1]->kind == ast::Stmt::Atomic);
  CHECK(!tu.decls[2].target->expect->violation);
}

TEST(Parser, DeclarationsAndConditions) {
  SourceManager sm;
  auto tu = parse(sm, R"(
typedef unsigned long pgoff_t;
struct rcu_head { struct rcu_head *next; void (*func)(struct rcu_head *head); };
struct s {
	int a, *b;
#if IS_ENABLED(CONFIG_A) && !defined(CONFIG_B)
	pgoff_t idx;
#elif defined CONFIG_C
	long c;
#else
	char d[4];
#endif
	union { int x; struct { short y; }; };
} __aligned(16);
enum e { E0, E1 = 5, E2 };
#ifdef CONFIG_Z
int z;
#elif CONFIG_Y
int y;
#else
int w = { .a = 1, .b.c = x, [2] = y };
#endif
#define LIST_POISON1 ((void *) 0x100 + POISON_POINTER_DELTA)
#define SQ(a, b) ((a) * (b))
#include "linux/types.ptm"
import "x.ptm";
static inline __cold void f(int n, ...) { unsigned u = sizeof(struct s) + _Alignof(long) + offsetof(struct s, y);
  struct s *p = container_of(&n, struct s, a);
  switch (n) { case 1: n++; break; default: ; }
  do { n -= 1; } while (n > 0);
lbl:
  for (int i = 0, j = 1; i < n; i++) continue;
  goto lbl;
  return IS_ENABLED(CONFIG_A) ? 'c' : "s" "t"[0];
}
void (*fp)(int);
)");
  const auto& s = *tu.decls[2].record;
  LONGS_EQUAL(16, s.align_attr);
  LONGS_EQUAL(6, s.fields.size());
  CHECK(s.fields[0].cond == nullptr);
  STRCMP_EQUAL("b", s.fields[1].name.c_str());
  CHECK(s.fields[1].type->kind == ast::TypeSpec::Pointer);
  STRCMP_EQUAL("IS_ENABLED(CONFIG_A) && !IS_ENABLED(CONFIG_B)", ast::to_string(*s.fields[2].cond).c_str());
  STRCMP_EQUAL("!(IS_ENABLED(CONFIG_A) && !IS_ENABLED(CONFIG_B)) && IS_ENABLED(CONFIG_C)",
               ast::to_string(*s.fields[3].cond).c_str());
  STRCMP_EQUAL("!(IS_ENABLED(CONFIG_A) && !IS_ENABLED(CONFIG_B) || IS_ENABLED(CONFIG_C))",
               ast::to_string(*s.fields[4].cond).c_str());
  CHECK(s.fields[5].name.empty());
  const auto& rcu = *tu.decls[1].record;
  CHECK(rcu.fields[1].type->kind == ast::TypeSpec::Pointer);
  CHECK(rcu.fields[1].type->elem->kind == ast::TypeSpec::Function);
  CHECK(tu.decls[3].kind == ast::Decl::Enum);
  LONGS_EQUAL(3, tu.decls[3].enum_def->items.size());
  const auto& ic = tu.decls[4];
  CHECK(ic.kind == ast::Decl::IfConfig);
  LONGS_EQUAL(1, ic.else_decls.size());
  CHECK(ic.else_decls[0].kind == ast::Decl::IfConfig);
  const auto& init = *ic.else_decls[0].else_decls[0].var->init;
  CHECK(init.kind == ast::Expr::InitList);
  STRCMP_EQUAL(".b.c", init.inits[1].designator.c_str());
  STRCMP_EQUAL("[2]", init.inits[2].designator.c_str());
  CHECK(tu.decls[5].kind == ast::Decl::Macro);
  CHECK(tu.decls[6].macro->function_like);
  STRCMP_EQUAL("linux/types.ptm", tu.decls[7].import_path.c_str());
  STRCMP_EQUAL("x.ptm", tu.decls[8].import_path.c_str());
  const auto& f = *tu.decls[9].func;
  CHECK(f.is_static && f.is_inline && f.variadic);
  STRCMP_EQUAL("__cold", f.attrs[0].c_str());
  LONGS_EQUAL(7, f.body->body.size());
  CHECK(f.body->body[1]->e->kind == ast::Expr::ContainerOf);
  CHECK(tu.decls[10].var->type->kind == ast::TypeSpec::Pointer);
}

TEST(Parser, StatementIfConfig) {
  SourceManager sm;
  auto tu = parse(sm, "void f(void) {\n#if IS_ENABLED(CONFIG_A)\n a();\n#elif CONFIG_B\n b();\n#else\n c();\n#endif\n}\n");
  const auto& st = *tu.decls[0].func->body->body[0];
  CHECK(st.kind == ast::Stmt::IfConfig);
  STRCMP_EQUAL("CONFIG_A", st.cond->sym.c_str());
  LONGS_EQUAL(1, st.body.size());
  CHECK(st.else_body[0]->kind == ast::Stmt::IfConfig);
  LONGS_EQUAL(1, st.else_body[0]->else_body.size());
}
