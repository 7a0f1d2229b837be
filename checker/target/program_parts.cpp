// Reachability, stack depths and static initializers of a target's program
// (program_parts.h).
#include "target/program_parts.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

#include "vm/value_io.h"

namespace ptcheck {

namespace {

// Constant initializers of globals: integers, addresses of globals and functions
// (optionally of a member), and initializer lists of those.
class StaticInit {
 public:
  StaticInit(sema::TypeEnv& env, const sema::Symbols& syms, const vm::Model& m, SourceManager& sm)
      : env_(env), syms_(syms), m_(m), sm_(sm) {}

  void write(std::vector<uint8_t>& bytes, uint64_t off, const sema::Type* t, const ast::Expr& e) {
    if (e.kind == ast::Expr::InitList) {
      uint64_t next = 0;
      size_t field = 0;
      for (const auto& it : e.inits) {
        if (!it.designator.empty()) {
          if (it.designator[0] == '[') {
            uint64_t idx = std::stoull(it.designator.substr(1), nullptr, 0);
            if (t->kind != sema::TypeKind::Array || idx >= t->count) sm_.error(it.value->loc, "bad array designator");
            write(bytes, off + idx * t->elem->size, t->elem, *it.value);
            next = idx + 1;
          } else {
            auto mr = env_.member(t, it.designator.substr(1));
            if (!mr) sm_.error(it.value->loc, fmt::format("{} has no member '{}'", t->name, it.designator.substr(1)));
            write(bytes, off + mr->offset, mr->type, *it.value);
          }
          continue;
        }
        if (t->kind == sema::TypeKind::Array) {
          if (next >= t->count) sm_.error(it.value->loc, "too many initializers");
          write(bytes, off + next * t->elem->size, t->elem, *it.value);
          ++next;
        } else if (t->kind == sema::TypeKind::Record) {
          while (field < t->fields.size() && t->fields[field].name.empty()) ++field;
          if (field >= t->fields.size()) sm_.error(it.value->loc, "too many initializers");
          const auto& f = t->fields[field++];
          write(bytes, off + f.offset, f.type, *it.value);
        } else {
          write(bytes, off, t, *it.value);
        }
      }
      return;
    }
    if (!t->is_scalar()) sm_.error(e.loc, fmt::format("{} needs an initializer list", t->name));
    vm::write_value(bytes.data() + off, static_cast<uint32_t>(t->size), value(e));
  }

 private:
  uint64_t value(const ast::Expr& e) {
    if (auto c = env_.try_const(e)) return static_cast<uint64_t>(*c);
    const ast::Expr* x = &e;
    while (x->kind == ast::Expr::Cast) x = x->a.get();
    if (x->kind == ast::Expr::Ident) {
      auto f = syms_.funcs.find(x->name);
      if (f != syms_.funcs.end()) return m_.funcs[f->second].address;
      auto g = syms_.globals.find(x->name);
      if (g != syms_.globals.end() && g->second.is_value) return g->second.addr;
    }
    if (x->kind == ast::Expr::Unary && x->op == "&") {
      std::string path;
      const ast::Expr* y = x->a.get();
      while (y->kind == ast::Expr::Member && !y->arrow) {
        path = y->name + (path.empty() ? "" : "." + path);
        y = y->a.get();
      }
      if (y->kind == ast::Expr::Ident) {
        auto f = syms_.funcs.find(y->name);
        if (f != syms_.funcs.end() && path.empty()) return m_.funcs[f->second].address;
        auto g = syms_.globals.find(y->name);
        if (g != syms_.globals.end() && !g->second.is_value) {
          uint64_t off = 0;
          if (!path.empty()) {
            auto mr = env_.member(g->second.type, path);
            if (!mr) sm_.error(x->loc, fmt::format("no member '{}'", path));
            off = mr->offset;
          }
          return g->second.addr + off;
        }
      }
    }
    sm_.error(e.loc, "global initializer must be a constant, a function, or the address of a global");
  }

  sema::TypeEnv& env_;
  const sema::Symbols& syms_;
  const vm::Model& m_;
  SourceManager& sm_;
};


}  // namespace

void write_static_init(sema::TypeEnv& env, const sema::Symbols& syms, const vm::Model& m, SourceManager& sm,
                       std::vector<uint8_t>& bytes, uint64_t off, const sema::Type* t, const ast::Expr& e) {
  StaticInit(env, syms, m, sm).write(bytes, off, t, e);
}

// Every identifier an expression or statement mentions: the (conservative)
// references a body makes to functions, for reachability.
void idents(const ast::Stmt* s, std::set<std::string>& out) {
  if (!s) return;
  idents(s->e.get(), out);
  idents(s->step.get(), out);
  idents(s->init.get(), out);
  idents(s->s1.get(), out);
  idents(s->s2.get(), out);
  for (const auto& b : s->body) idents(b.get(), out);
  for (const auto& b : s->else_body) idents(b.get(), out);
  for (const auto& c : s->cases) {
    idents(c.value.get(), out);
    for (const auto& b : c.body) idents(b.get(), out);
  }
}
void idents(const ast::Expr* e, std::set<std::string>& out) {
  if (!e) return;
  if (e->kind == ast::Expr::Ident) out.insert(e->name);
  idents(e->a.get(), out);
  idents(e->b.get(), out);
  idents(e->c.get(), out);
  for (const auto& a : e->args) idents(a.get(), out);
  for (const auto& i : e->inits) idents(i.value.get(), out);
}

namespace {

// A cycle in the call graph, named function by function at the first one's
// definition: "'a' calls 'b' (file:line), which calls 'a'".
[[noreturn]] void recursion_error(const vm::Model& m, const std::vector<std::vector<uint32_t>>& callees,
                                  const std::vector<bool>& indirect, const std::vector<bool>& taken,
                                  const SourceManager& sm) {
  size_t n = m.funcs.size();
  auto succ = [&](size_t f) {
    std::vector<std::pair<size_t, bool>> out;  // callee, through a pointer
    for (uint32_t c : callees[f]) out.emplace_back(c, false);
    if (indirect[f])
      for (size_t c = 0; c < n; ++c)
        if (taken[c]) out.emplace_back(c, true);
    return out;
  };
  // Iterative DFS; a back edge closes the cycle on the stack.
  std::vector<uint8_t> color(n, 0);
  for (size_t root = 0; root < n; ++root) {
    if (color[root]) continue;
    struct Frame {
      size_t f;
      std::vector<std::pair<size_t, bool>> next;
      size_t i;
      bool via_pointer;
    };
    std::vector<Frame> stack{{root, succ(root), 0, false}};
    color[root] = 1;
    while (!stack.empty()) {
      Frame& fr = stack.back();
      if (fr.i == fr.next.size()) {
        color[fr.f] = 2;
        stack.pop_back();
        continue;
      }
      auto [c, ptr] = fr.next[fr.i++];
      if (color[c] == 1) {
        size_t k = 0;
        while (stack[k].f != c) ++k;
        // stack[k..] is the cycle; each edge may go through a function pointer.
        auto calls = [](bool p) { return p ? "calls through a function pointer" : "calls"; };
        std::string chain;
        if (stack.size() - k == 1) {
          chain = fmt::format("'{}' {} itself", m.funcs[c].name, ptr ? "calls through a function pointer" : "calls");
        } else {
          chain = fmt::format("'{}'", m.funcs[c].name);
          for (size_t j = k + 1; j < stack.size(); ++j)
            chain += fmt::format("{} {} '{}' ({})", j == k + 1 ? "" : ", which", calls(stack[j].via_pointer),
                                 m.funcs[stack[j].f].name, sm.where(m.funcs[stack[j].f].loc));
          chain += fmt::format(", which {} '{}'", calls(ptr), m.funcs[c].name);
        }
        sm.error(m.funcs[c].loc, "recursion is not supported (stack sizes come from the call graph): " + chain);
      }
      if (color[c] == 0) {
        color[c] = 1;
        stack.push_back(Frame{c, succ(c), 0, ptr});
      }
    }
  }
  throw InputError("error: the model's functions call each other recursively; recursion is not supported");
}

}  // namespace

std::vector<uint64_t> stack_depths(const vm::Model& m, const sema::CodeGen& cg, SourceManager& sm) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  size_t n = m.funcs.size();
  Graph g(n);
  auto taken = cg.address_taken();
  taken.resize(n);
  auto callees = cg.callees();
  callees.resize(n);
  auto indirect = cg.calls_indirect();
  indirect.resize(n);
  for (size_t f = 0; f < n; ++f) {
    for (uint32_t c : callees[f]) boost::add_edge(f, c, g);
    if (indirect[f])
      for (size_t c = 0; c < n; ++c)
        if (taken[c]) boost::add_edge(f, c, g);
  }
  std::vector<size_t> order;
  try {
    boost::topological_sort(g, std::back_inserter(order));  // callees before callers
  } catch (const boost::not_a_dag&) {
    recursion_error(m, callees, indirect, taken, sm);
  }
  std::vector<uint64_t> depth(n, 0);
  for (size_t f : order) {
    uint64_t deepest = 0;
    auto [b, e] = boost::adjacent_vertices(f, g);
    for (; b != e; ++b) deepest = std::max(deepest, depth[*b]);
    depth[f] = vm::kFrameHeader + m.funcs[f].frame_size + deepest;
  }
  return depth;
}


}  // namespace ptcheck
