// The mutation operators of `ptcheck mutate` over a function's AST: which
// nodes each operator edits and with what (mutate.h).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "driver/mutate.h"

namespace ptcheck {

namespace {

using ast::Expr;
using ast::ExprPtr;
using ast::Stmt;
using ast::StmtPtr;

const std::pair<MutOp, const char*> kNames[] = {
    {MutOp::DropLockPair, "drop-lock-pair"},         {MutOp::RcuFreeImmediate, "rcu-free-immediate"},
    {MutOp::DropGracePeriod, "drop-grace-period"},   {MutOp::RecheckAlways, "recheck-always"},
    {MutOp::DropRcuReadSection, "drop-rcu-read-lock"}, {MutOp::SwapAccesses, "swap-accesses"},
    {MutOp::DropIncDec, "drop-inc-dec"},             {MutOp::ShiftLoopBound, "loop-bound"},
    {MutOp::ListDelEntry, "list-del-entry"},
};

// lock -> unlock, for drop-lock-pair. The unlock must name the same lock (its
// first argument, as written).
const std::map<std::string, std::string> kLockPairs = {
    {"spin_lock", "spin_unlock"},          {"spin_lock_nested", "spin_unlock"},
    {"spin_lock_irq", "spin_unlock_irq"},  {"spin_lock_irqsave", "spin_unlock_irqrestore"},
    {"spin_lock_bh", "spin_unlock_bh"},    {"raw_spin_lock", "raw_spin_unlock"},
    {"mutex_lock", "mutex_unlock"},        {"down_read", "up_read"},
    {"down_write", "up_write"},            {"mmap_read_lock", "mmap_read_unlock"},
    {"mmap_write_lock", "mmap_write_unlock"}, {"i_mmap_lock_read", "i_mmap_unlock_read"},
    {"i_mmap_lock_write", "i_mmap_unlock_write"}, {"hugetlb_vma_lock_read", "hugetlb_vma_unlock_read"},
    {"hugetlb_vma_lock_write", "hugetlb_vma_unlock_write"},
};
// `ptl = pmd_lock(mm, pmd)`: the same lookup without taking the lock.
const std::map<std::string, std::string> kLockAssign = {{"pmd_lock", "pmd_lockptr"}, {"pud_lock", "pud_lockptr"}};

const std::set<std::string> kRechecks = {"pmd_same", "pmd_none", "p4d_same", "pud_same", "pte_same"};
const std::set<std::string> kGracePeriods = {"synchronize_rcu", "tlb_remove_table_sync_one"};

std::string callee(const Expr* e) {
  return e && e->kind == Expr::Call && e->a && e->a->kind == Expr::Ident ? e->a->name : "";
}

// The expression as written (one line), or "" when it spans lines.
std::string text_of(const SourceManager& sm, const Expr* e) {
  if (!e || !e->loc.valid() || e->end.file != e->loc.file || e->end.line != e->loc.line || e->end.col <= e->loc.col)
    return "";
  std::string_view l = sm.line_text(e->loc.file, e->loc.line);
  if (e->end.col - 1 > l.size()) return "";
  return std::string(l.substr(e->loc.col - 1, e->end.col - e->loc.col));
}

void exprs_of(const Expr* e, const std::function<void(const Expr&)>& f) {
  if (!e) return;
  std::vector<const Expr*> work{e};
  while (!work.empty()) {
    const Expr* x = work.back();
    work.pop_back();
    f(*x);
    for (const Expr* c : {x->a.get(), x->b.get(), x->c.get()})
      if (c) work.push_back(c);
    for (const auto& a : x->args) work.push_back(a.get());
    for (const auto& i : x->inits) work.push_back(i.value.get());
  }
}

// Every expression slot of an expression tree (pre-order).
void expr_slots(ExprPtr& e, std::vector<ExprPtr*>& out) {
  if (!e) return;
  out.push_back(&e);
  expr_slots(e->a, out);
  expr_slots(e->b, out);
  expr_slots(e->c, out);
  for (auto& a : e->args) expr_slots(a, out);
}

struct Walk {
  std::vector<StmtPtr*> stmts;                  // every statement slot, in source order
  std::vector<std::vector<StmtPtr>*> seqs;      // every statement list (blocks, case bodies)
  std::vector<ExprPtr*> exprs;                  // every expression slot
  std::vector<Stmt*> loops;                     // for and while statements

  void stmt(StmtPtr& s) {
    if (!s) return;
    stmts.push_back(&s);
    Stmt& x = *s;
    if (x.kind == Stmt::For || x.kind == Stmt::While) loops.push_back(&x);
    expr_slots(x.e, exprs);
    expr_slots(x.step, exprs);
    stmt(x.init);
    stmt(x.s1);
    stmt(x.s2);
    if (!x.body.empty()) seqs.push_back(&x.body);
    if (!x.else_body.empty()) seqs.push_back(&x.else_body);
    for (auto& b : x.body) stmt(b);
    for (auto& b : x.else_body) stmt(b);
    for (auto& c : x.cases) {
      seqs.push_back(&c.body);
      for (auto& b : c.body) stmt(b);
    }
  }
};

StmtPtr empty_like(const Stmt& s) {
  auto n = std::make_shared<Stmt>();
  n->kind = Stmt::Empty;
  n->loc = s.loc;
  n->end = s.end;
  return n;
}

const Expr* expr_call(const StmtPtr* slot) {
  const Stmt& s = **slot;
  return s.kind == Stmt::ExprStmt && s.e && s.e->kind == Expr::Call ? s.e.get() : nullptr;
}

bool shared_access(const Stmt& s) {
  if (s.kind != Stmt::ExprStmt || !s.e) return false;
  bool access = false, bad = false;
  static const char* kBarriers[] = {"lock", "rcu", "free", "alloc", "flush", "mb", "barrier", "sync", "call", "put",
                                    "get_page", "wait", "wake", "exit", "init", "BUG", "WARN", "VM_"};
  exprs_of(s.e.get(), [&](const Expr& x) {
    if (x.kind == Expr::Assign && x.a &&
        ((x.a->kind == Expr::Member && x.a->arrow) || (x.a->kind == Expr::Unary && x.a->op == "*") ||
         x.a->kind == Expr::Index))
      access = true;
    std::string c = callee(&x);
    if (c.empty()) return;
    if (c == "READ_ONCE" || c == "WRITE_ONCE" || c.starts_with("set_p") || c.ends_with("_clear") ||
        c.find("populate") != std::string::npos || c.starts_with("atomic_") || c.starts_with("smp_store") ||
        c.starts_with("smp_load") || c.starts_with("ptep_") || c.starts_with("pmdp_"))
      access = true;
    for (const char* b : kBarriers)
      if (c.find(b) != std::string::npos && c != "WRITE_ONCE" && c != "READ_ONCE") bad = true;
  });
  return access && !bad;
}

// Local names a statement assigns, and names it reads (every identifier).
void names_of(const Stmt& s, std::set<std::string>& written, std::set<std::string>& used) {
  exprs_of(s.e.get(), [&](const Expr& x) {
    if (x.kind == Expr::Ident) used.insert(x.name);
    if ((x.kind == Expr::Assign && x.a && x.a->kind == Expr::Ident))
      written.insert(x.a->name);
    if (x.kind == Expr::Unary && (x.op.find("++") != std::string::npos || x.op.find("--") != std::string::npos) &&
        x.a && x.a->kind == Expr::Ident)
      written.insert(x.a->name);
    if (x.kind == Expr::Unary && x.op == "&" && x.a && x.a->kind == Expr::Ident) written.insert(x.a->name);
  });
}

bool is_inc_dec_call(const std::string& c) {
  return c.starts_with("inc_") || c.starts_with("dec_") || c.find("_inc") != std::string::npos ||
         c.find("_dec") != std::string::npos;
}

}  // namespace

const char* mut_op_name(MutOp op) {
  for (const auto& [o, n] : kNames)
    if (o == op) return n;
  return "?";
}

bool mut_op_from_name(const std::string& name, MutOp& op) {
  for (const auto& [o, n] : kNames)
    if (name == n) {
      op = o;
      return true;
    }
  return false;
}

std::vector<MutOp> all_mut_ops() {
  std::vector<MutOp> v;
  for (const auto& [o, n] : kNames) v.push_back(o);
  return v;
}

void MutantEdit::swap() {
  if (stmt_slot) std::swap(*stmt_slot, stmt);
  if (expr_slot) std::swap(*expr_slot, expr);
}

std::string Mutant::name() const { return fmt::format("{}@{}:{}", mut_op_name(op), file, line); }

MutantApplied::MutantApplied(Mutant& m) : m_(m) {
  for (auto& e : m_.edits) e.swap();
}
MutantApplied::~MutantApplied() {
  for (auto it = m_.edits.rbegin(); it != m_.edits.rend(); ++it) it->swap();
}

std::vector<Mutant> function_mutants(const ast::FuncDef& fd, const SourceManager& sm, const std::vector<MutOp>& ops) {
  std::vector<Mutant> out;
  if (!fd.body) return out;
  Walk w;
  StmtPtr& body = const_cast<StmtPtr&>(fd.body);  // the AST is edited in place, and restored (MutantApplied)
  w.stmt(body);
  auto want = [&](MutOp op) { return ops.empty() || std::find(ops.begin(), ops.end(), op) != ops.end(); };
  auto make = [&](MutOp op, SourceLoc at, std::string what) {
    Mutant m;
    m.op = op;
    m.function = fd.name;
    m.file = at.valid() ? sm.path(at.file) : "?";
    m.line = at.line;
    m.what = std::move(what);
    return m;
  };
  auto drop = [&](Mutant& m, StmtPtr* slot) {
    MutantEdit e;
    e.stmt_slot = slot;
    e.stmt = empty_like(**slot);
    m.edits.push_back(std::move(e));
    m.lines.emplace_back((*slot)->loc.file, (*slot)->loc.line);
  };
  auto replace = [&](Mutant& m, ExprPtr* slot, ExprPtr with) {
    MutantEdit e;
    e.expr_slot = slot;
    e.expr = std::move(with);
    m.edits.push_back(std::move(e));
    m.lines.emplace_back((*slot)->loc.file, (*slot)->loc.line);
  };

  if (want(MutOp::DropLockPair)) {
    // The lock a statement takes (its name and the lock as written), if any.
    auto lock_of = [&](StmtPtr* s) -> std::pair<std::string, std::string> {
      const Expr* c = expr_call(s);
      if (c && kLockPairs.count(callee(c)) && !c->args.empty()) return {callee(c), text_of(sm, c->args[0].get())};
      if ((*s)->kind == Stmt::ExprStmt && (*s)->e && (*s)->e->kind == Expr::Assign && (*s)->e->op == "=" &&
          kLockAssign.count(callee((*s)->e->b.get())))
        return {callee((*s)->e->b.get()), text_of(sm, (*s)->e->a.get())};
      return {};
    };
    for (size_t si = 0; si < w.stmts.size(); ++si) {
      StmtPtr* s = w.stmts[si];
      const Expr* c = expr_call(s);
      std::string lock, unlock, target, shown;
      ExprPtr* assign_rhs = nullptr;
      if (c && kLockPairs.count(callee(c)) && !c->args.empty()) {
        lock = callee(c);
        unlock = kLockPairs.at(lock);
        target = text_of(sm, c->args[0].get());
      } else if ((*s)->kind == Stmt::ExprStmt && (*s)->e && (*s)->e->kind == Expr::Assign && (*s)->e->op == "=" &&
                 kLockAssign.count(callee((*s)->e->b.get()))) {
        lock = callee((*s)->e->b.get());
        unlock = "spin_unlock";
        target = text_of(sm, (*s)->e->a.get());
        assign_rhs = &(*s)->e->b;
      }
      if (target.empty()) continue;
      // Its unlocks: those after it, up to the next statement taking the same lock.
      std::vector<StmtPtr*> unlocks;
      for (size_t ui = si + 1; ui < w.stmts.size(); ++ui) {
        StmtPtr* u = w.stmts[ui];
        if (lock_of(u).second == target) break;
        const Expr* uc = expr_call(u);
        if (uc && callee(uc) == unlock && !uc->args.empty() && text_of(sm, uc->args[0].get()) == target)
          unlocks.push_back(u);
      }
      if (unlocks.empty()) continue;
      Mutant m = make(MutOp::DropLockPair, (*s)->loc,
                      fmt::format("{}({}) and its {} {}() dropped", lock, target, unlocks.size(), unlock));
      if (assign_rhs) {
        auto n = std::make_shared<Expr>(**assign_rhs);
        auto id = std::make_shared<Expr>(*n->a);
        id->name = kLockAssign.at(lock);
        n->a = id;
        replace(m, assign_rhs, n);
      } else {
        drop(m, s);
      }
      for (StmtPtr* u : unlocks) drop(m, u);
      out.push_back(std::move(m));
    }
  }
  if (want(MutOp::DropRcuReadSection)) {
    std::vector<StmtPtr*> locks, unlocks;
    for (StmtPtr* s : w.stmts) {
      std::string c = callee(expr_call(s));
      if (c == "rcu_read_lock") locks.push_back(s);
      if (c == "rcu_read_unlock") unlocks.push_back(s);
    }
    if (!locks.empty() && !unlocks.empty()) {
      Mutant m = make(MutOp::DropRcuReadSection, (*locks[0])->loc,
                      fmt::format("{} rcu_read_lock() and {} rcu_read_unlock() dropped", locks.size(), unlocks.size()));
      for (StmtPtr* s : locks) drop(m, s);
      for (StmtPtr* s : unlocks) drop(m, s);
      out.push_back(std::move(m));
    }
  }
  for (StmtPtr* s : w.stmts) {
    const Expr* c = expr_call(s);
    std::string name = callee(c);
    if (want(MutOp::DropGracePeriod) && kGracePeriods.count(name)) {
      Mutant m = make(MutOp::DropGracePeriod, (*s)->loc, name + "() dropped: what follows runs before the grace period");
      drop(m, s);
      out.push_back(std::move(m));
    }
    if (want(MutOp::DropIncDec) && (*s)->kind == Stmt::ExprStmt && (*s)->e) {
      const Expr& e = *(*s)->e;
      bool incdec = (e.kind == Expr::Unary && (e.op.find("++") != std::string::npos || e.op.find("--") != std::string::npos)) ||
                    (e.kind == Expr::Assign && (e.op == "+=" || e.op == "-=")) ||
                    (e.kind == Expr::Call && is_inc_dec_call(name));
      if (incdec) {
        std::string t = text_of(sm, &e);
        Mutant m = make(MutOp::DropIncDec, (*s)->loc, (t.empty() ? "an increment or decrement" : t) + " dropped");
        drop(m, s);
        out.push_back(std::move(m));
      }
    }
  }
  for (ExprPtr* slot : w.exprs) {
    const Expr& e = **slot;
    std::string name = callee(&e);
    if (want(MutOp::RcuFreeImmediate) && name == "call_rcu" && e.args.size() == 2) {
      auto n = std::make_shared<Expr>(e);
      n->a = e.args[1];
      n->args = {e.args[0]};
      Mutant m = make(MutOp::RcuFreeImmediate, e.loc,
                      fmt::format("call_rcu({}, {}) -> {}({}): the callback runs at once", text_of(sm, e.args[0].get()),
                                  text_of(sm, e.args[1].get()), text_of(sm, e.args[1].get()), text_of(sm, e.args[0].get())));
      replace(m, slot, n);
      out.push_back(std::move(m));
    }
    if (want(MutOp::RecheckAlways) && kRechecks.count(name)) {
      auto n = std::make_shared<Expr>();
      n->kind = Expr::IntLit;
      n->value = 1;
      n->loc = e.loc;
      n->end = e.end;
      std::string t = text_of(sm, &e);
      Mutant m = make(MutOp::RecheckAlways, e.loc, (t.empty() ? name + "(...)" : t) + " -> 1");
      replace(m, slot, n);
      out.push_back(std::move(m));
    }
    if (want(MutOp::ListDelEntry) && name == "list_del") {
      auto n = std::make_shared<Expr>(e);
      auto id = std::make_shared<Expr>(*e.a);
      id->name = "__list_del_entry";
      n->a = id;
      Mutant m = make(MutOp::ListDelEntry, e.loc, "list_del -> __list_del_entry: the entry is not poisoned");
      replace(m, slot, n);
      out.push_back(std::move(m));
    }
  }
  if (want(MutOp::ShiftLoopBound))
    for (Stmt* l : w.loops) {
      if (!l->e || l->e->kind != Expr::Binary) continue;
      static const std::map<std::string, std::string> flip = {{"<", "<="}, {"<=", "<"}, {">", ">="}, {">=", ">"}};
      auto f = flip.find(l->e->op);
      if (f == flip.end()) continue;
      auto n = std::make_shared<Expr>(*l->e);
      n->op = f->second;
      std::string t = text_of(sm, l->e.get());
      Mutant m = make(MutOp::ShiftLoopBound, l->e->loc,
                      fmt::format("loop condition {} -> {}", t.empty() ? l->e->op : t, f->second));
      replace(m, &l->e, n);
      out.push_back(std::move(m));
    }
  if (want(MutOp::SwapAccesses))
    for (auto* seq : w.seqs)
      for (size_t i = 0; i + 1 < seq->size(); ++i) {
        StmtPtr& a = (*seq)[i];
        StmtPtr& b = (*seq)[i + 1];
        if (!a || !b || !shared_access(*a) || !shared_access(*b)) continue;
        std::set<std::string> wa, ua, wb, ub;
        names_of(*a, wa, ua);
        names_of(*b, wb, ub);
        bool dep = false;
        for (const auto& n : wa) dep = dep || ub.count(n);
        for (const auto& n : wb) dep = dep || ua.count(n);
        if (dep) continue;
        std::string ta = text_of(sm, a->e.get()), tb = text_of(sm, b->e.get());
        Mutant m = make(MutOp::SwapAccesses, a->loc,
                        fmt::format("'{}' and '{}' swapped", ta.empty() ? "..." : ta, tb.empty() ? "..." : tb));
        MutantEdit ea, eb;
        ea.stmt_slot = &a;
        ea.stmt = b;
        eb.stmt_slot = &b;
        eb.stmt = a;
        m.edits = {ea, eb};
        m.lines = {{a->loc.file, a->loc.line}, {b->loc.file, b->loc.line}};
        out.push_back(std::move(m));
      }
  std::stable_sort(out.begin(), out.end(), [](const Mutant& x, const Mutant& y) { return x.line < y.line; });
  return out;
}

}  // namespace ptcheck
