// C semantics and builtins: each target asserts its own results with BUG_ON and
// expects to pass, so a wrong lowering shows up as a kernel BUG at that line.
#include <string>

#include "support/temp_project.h"

#include <CppUTest/TestHarness.h>

using ptcheck::CheckResult;
using ptcheck::test::kPrelude;
using ptcheck::test::TempProject;

namespace {

const char* kModel = R"(
struct pair { int a; long b; };
union word { unsigned long w; unsigned int half[2]; unsigned char bytes[8]; };
struct node { long key; struct list_head link; };
struct obj { long val; atomic_t cnt; atomic_long_t lcnt; spinlock_t lock; long rw; };

#define SQUARE(x) ((x) * (x))
#define KEY 42
enum colour { RED, GREEN = 5, BLUE };

long g;
struct obj *o;
long side;

static long bump(void) { side++; return 1; }
static int add3(int a, int b, int c) { return a + b + c; }
static long (*fp)(void) = bump;

static void arith(void)
{
	int i = -7;
	unsigned int u = 0xffffffffu;
	long l;
	unsigned char c = 250;

	BUG_ON(i / 2 != -3);
	BUG_ON(i % 2 != -1);
	BUG_ON(i >> 1 != -4);
	BUG_ON((u >> 28) != 15);
	BUG_ON(u + 1 != 0);			/* unsigned int wraps at 32 bits */
	l = u;
	BUG_ON(l != 4294967295);		/* zero-extended */
	l = i;
	BUG_ON(l != -7);			/* sign-extended */
	c = c + 10;
	BUG_ON(c != 4);				/* stored back into a char */
	BUG_ON((int)-1 < (unsigned int)1 ? 1 : 0);	/* usual arithmetic conversions */
	BUG_ON(SQUARE(3) != 9 || KEY != 42);
	BUG_ON(GREEN != 5 || BLUE != 6 || RED != 0);
	BUG_ON(sizeof(struct pair) != 16 || offsetof(struct pair, b) != 8);
	BUG_ON(add3(1, 2, 3) != 6);
}

static void control(void)
{
	int i, n = 0;

	for (i = 0; i < 10; i++) {
		if (i == 2)
			continue;
		if (i == 5)
			break;
		n += i;
	}
	BUG_ON(n != 0 + 1 + 3 + 4);
	switch (n) {
	case 8:
		n = 100;
	case 9:				/* falls through, as in C */
		n++;
		break;
	default:
		n = -1;
	}
	BUG_ON(n != 101);
	i = 0;
again:
	i++;
	if (i < 3)
		goto again;
	BUG_ON(i != 3);
	do { i--; } while (i > 0);
	BUG_ON(i != 0);
	side = 0;
	if (0 && bump()) { }
	if (1 || bump()) { }
	BUG_ON(side != 0);		/* short-circuit */
	i = 5;
	BUG_ON(i++ != 5 || i != 6 || ++i != 7);
	i *= 3;
	i -= 1;
	i <<= 1;
	BUG_ON(i != 40);
	BUG_ON(fp() != 1 || side != 1);	/* call through a function pointer */
}

static void memory(void)
{
	struct pair p = { .a = 1, .b = 2 };
	struct pair q;
	union word w;
	long arr[4] = { 1, 2, 3, 4 };
	long *ap = arr;
	struct node n;
	struct list_head *lh = &n.link;

	q = p;				/* struct copy */
	BUG_ON(q.a != 1 || q.b != 2);
	w.w = 0x1122334455667788;
	BUG_ON(w.half[0] != 0x55667788 || w.half[1] != 0x11223344 || w.bytes[7] != 0x11);
	BUG_ON(*(ap + 2) != 3 || ap[3] != 4 || &arr[3] - &arr[1] != 2);
	n.key = 9;
	BUG_ON(container_of(lh, struct node, link)->key != 9);
	BUG_ON(IS_ENABLED(CONFIG_64BIT) != 1 || IS_ENABLED(CONFIG_NOT_A_SYMBOL) != 0);
}

static void builtins(void)
{
	long old;

	atomic_set(&o->cnt, 1);
	BUG_ON(atomic_inc_return(&o->cnt) != 2);
	BUG_ON(atomic_dec_and_test(&o->cnt));
	BUG_ON(!atomic_dec_and_test(&o->cnt));
	BUG_ON(atomic_inc_not_zero(&o->cnt));
	atomic_add(5, &o->cnt);
	atomic_sub(2, &o->cnt);
	BUG_ON(atomic_read(&o->cnt) != 3);
	atomic_long_set(&o->lcnt, -1);
	atomic_long_inc(&o->lcnt);
	BUG_ON(atomic_long_read(&o->lcnt) != 0);
	o->val = 10;
	old = cmpxchg(&o->val, 11, 12);
	BUG_ON(old != 10 || o->val != 10);	/* no swap */
	old = cmpxchg(&o->val, 10, 12);
	BUG_ON(old != 10 || o->val != 12);	/* swap */
	BUG_ON(xchg(&o->val, 3) != 12 || o->val != 3);
	spin_lock_init(&o->lock);
	BUG_ON(!spin_trylock(&o->lock));
	BUG_ON(spin_trylock(&o->lock));
	BUG_ON(!spin_is_locked(&o->lock));
	assert_spin_locked(&o->lock);
	lockdep_assert_held(&o->lock);
	spin_unlock(&o->lock);
	memset(o, 0, sizeof(*o));
	BUG_ON(o->val != 0);
	BUG_ON(likely(3) != 3);
}

static void pages(void)
{
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	struct page *q = alloc_page(GFP_KERNEL);
	long *d = page_address(p);

	BUG_ON(page_to_pfn(p) % 2 != 0);		/* order-1 blocks are buddy-aligned */
	BUG_ON(virt_to_page(d) != p || pfn_to_page(page_to_pfn(q)) != q);
	BUG_ON(d[0] != 0);
	d[1] = 77;
	__free_pages(p, 1);
	p = alloc_pages(GFP_KERNEL, 1);			/* same block, not zeroed */
	d = page_address(p);
	BUG_ON(d[1] != 77);
}

static void slab_reuse(void)
{
	struct obj *a = kmem_cache_alloc(cache, GFP_KERNEL);
	struct obj *b;

	a->val = 1234;
	kmem_cache_free(cache, a);
	b = kmem_cache_alloc(cache, GFP_KERNEL);
	BUG_ON(b != a || b->val != 1234);		/* SLUB hands back the old contents */
	kmem_cache_free(cache, b);
	b = kmem_cache_alloc(cache, GFP_KERNEL | __GFP_ZERO);
	BUG_ON(b->val != 0);
	kmem_cache_free(cache, b);
}

long count_live(void)
{
	struct obj *x;
	long n = 0;

	for (x = first_object(x); x; x = next_object(x))
		n++;
	return n;
}

static void more_builtins(void)
{
	struct obj *x = slab_object(cache, 2);	/* never handed out by kmem_cache_alloc */
	long buf[2] = { 5, 6 };
	long dst[2];
	struct page *p;

	kasan_slab_alloc(cache, x);		/* a model allocator hands it out itself */
	x->val = 9;
	BUG_ON(x->val != 9);
	kasan_slab_free(cache, x);
	memcpy(dst, buf, sizeof(buf));
	BUG_ON(dst[0] != 5 || dst[1] != 6);
	p = pfn_to_page(page_to_pfn(alloc_page(GFP_KERNEL)) + 1);	/* the next, still free page */
	kasan_unpoison_pages(p, 0);
	*(long *)page_address(p) = 3;
	kasan_poison_pages(p, 0);
	spin_lock_nested(&o->lock, 1);
	spin_unlock(&o->lock);
	init_rwsem((void *)&o->rw);
	down_read_nested((void *)&o->rw, 1);
	up_read((void *)&o->rw);
	atomic_set(&o->cnt, 3);
	BUG_ON(atomic_dec_return(&o->cnt) != 2);
	atomic_dec(&o->cnt);
	atomic_long_set(&o->lcnt, 10);
	atomic_long_add(5, &o->lcnt);
	atomic_long_sub(3, &o->lcnt);
	atomic_long_dec(&o->lcnt);
	BUG_ON(atomic_long_read(&o->lcnt) != 11);
	barrier();
	smp_wmb();
}

target kasan_shadow_builtins {
	heap { pages 4; slab cache (struct obj) 3; }
	init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { more_builtins(); }
	expect pass;
}

target kasan_poisoned_page_is_freed {
	heap { pages 2; }
	thread T { struct page *p = alloc_page(GFP_KERNEL); kasan_poison_pages(p, 0); *(long *)page_address(p) = 1; }
	expect violation use-after-free;
}

target semantics {
	heap { pages 4; slab cache (struct obj) 3; }
	init { o = kmem_cache_zalloc(cache, GFP_KERNEL); }
	thread T { arith(); control(); memory(); builtins(); pages(); slab_reuse(); BUG_ON(count_live() != 1); }
	expect pass;
}

target nondet_all_values {
	thread T { g = nondet(3); BUG_ON(g == 2); }
	expect violation bug;
}

target nondet_only_range {
	thread T { g = nondet(2); BUG_ON(g > 1); }
	expect pass;
}

target rwsem_readers_share {
	heap { slab cache (struct obj) 1; }
	init { o = kmem_cache_zalloc(cache, GFP_KERNEL); init_rwsem((void *)&o->rw); }
	thread R1 { down_read((void *)&o->rw); g = 1; up_read((void *)&o->rw); }
	thread R2 { down_read((void *)&o->rw); BUG_ON(READ_ONCE(o->rw) == 0); up_read((void *)&o->rw); }
	thread W { down_write((void *)&o->rw); g = 2; BUG_ON(READ_ONCE(o->rw) != -1); up_write((void *)&o->rw); }
	expect pass;
}

target printk_in_trace {
	thread T { g = 0x122; printk("memdesc %lx index %ld", g, -3L); BUG_ON(1); }
	expect violation bug;
}
)";

}  // namespace

TEST_GROUP(Semantics){};

TEST(Semantics, CSemanticsAndBuiltins) {
  TempProject p(std::string(kPrelude) + "import \"model/include/linux/list.ptm\";\n" + kModel);
  for (const char* t : {"semantics", "nondet_all_values", "nondet_only_range", "rwsem_readers_share",
                        "kasan_shadow_builtins", "kasan_poisoned_page_is_freed"}) {
    CheckResult r = p.check(t);
    std::string what = std::string(t) + ": " + got_text(r) +
                       (r.trace ? " / " + r.trace->violation.title : "");
    CHECK_TEXT(r.as_expected, what.c_str());
  }
}

TEST(Semantics, PrintkGoesIntoTheTrace) {
  TempProject p(std::string(kPrelude) + kModel);
  CheckResult r = p.check("printk_in_trace");
  CHECK(r.trace.has_value());
  if (!r.trace) return;
  bool found = false;
  for (const auto& st : r.trace->steps)
    for (const auto& o : st.output) found = found || o == "memdesc 122 index -3";
  CHECK(found);
}
