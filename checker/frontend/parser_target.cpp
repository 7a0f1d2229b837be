// ptcheck's own top-level forms: `target` (what to explore: heap, init,
// threads, mixes, parameters, expectations) and `property` (a Z3 layout query).
#include <fmt/format.h>

#include "frontend/parser_impl.h"

namespace ptcheck::frontend::detail {

std::string Parser::parse_strings(const std::string& what) {
  if (cur().kind != Tok::String) fail_expected(what);
  std::string s;
  while (cur().kind == Tok::String) s += next().text;
  return s;
}

static uint64_t expect_count(Parser& p, const std::string& what) {
  if (p.cur().kind != Tok::Int) p.fail_expected(what);
  return p.next().value;
}

// A heap count: a number, or a target parameter's name (resolved when the
// target is instantiated, so --bound can change it).
static uint64_t expect_count_or_param(Parser& p, const std::string& what, std::string& param) {
  if (p.cur().kind == Tok::Ident) {
    param = p.next().text;
    return 0;
  }
  return expect_count(p, what + " or a target parameter");
}

void Parser::parse_heap(TargetDef& t) {
  HeapDecl h;
  h.loc = next().loc;
  expect("{", "after 'heap'");
  while (!accept("}")) {
    const Token& k = cur();
    if (k.ident("pages")) {
      next();
      h.pages = expect_count_or_param(*this, "a page count after 'pages'", h.pages_param);
    } else if (k.ident("page_bytes")) {
      next();
      h.page_bytes = expect_count_or_param(*this, "a byte count after 'page_bytes'", h.page_bytes_param);
    } else if (k.ident("slab")) {
      HeapDecl::Slab s;
      s.loc = next().loc;
      s.name = expect_ident("a slab cache name after 'slab'");
      expect("(", "before the slab object type");
      s.type = parse_type_name();
      expect(")", "after the slab object type");
      s.count = expect_count_or_param(*this, "an object count after the slab type", s.count_param);
      h.slabs.push_back(std::move(s));
    } else {
      fail_expected("a heap item (pages, page_bytes or slab) or '}'");
    }
    expect(";", "after heap item");
  }
  if (t.heap) fail(h.loc, "duplicate 'heap' in target: expected at most one");
  t.heap = std::move(h);
}

// property NAME { description; arch; set; query; expect; } (a Z3 layout property)
void Parser::parse_property(std::vector<Decl>& out) {
  Parser& p = *this;
  auto pr = std::make_shared<PropertyDef>();
  pr->loc = p.next().loc;
  pr->name = p.next().text;
  p.expect("{", "after property name");
  const char* items = "a property item (description, arch, set, query or expect) or '}'";
  while (!p.accept("}")) {
    const Token& k = p.cur();
    SourceLoc kl = k.loc;
    if (k.kind != Tok::Ident) p.fail_expected(items);
    std::string w = k.text;
    if (w == "description") {
      p.next();
      pr->description = p.parse_strings("a string after 'description'");
      p.expect(";", "after description");
    } else if (w == "arch") {
      p.next();
      do pr->arches.push_back(p.expect_ident("an arch name or 'all'"));
      while (p.accept(","));
      p.expect(";", "after arch list");
    } else if (w == "set") {
      p.next();
      std::string sym = p.expect_ident("a CONFIG_ symbol after 'set'");
      p.expect("=", "after the symbol");
      if (!p.cur().ident("y") && !p.cur().ident("n")) p.fail_expected("'y' or 'n'");
      pr->sets.emplace_back(sym, p.next().text == "y");
      p.expect(";", "after set");
    } else if (w == "query") {
      p.next();
      if (!pr->query.empty()) p.fail(kl, "duplicate 'query' in property: expected one");
      if (p.cur().kind != Tok::String) p.fail_expected("a quoted layout query after 'query'");
      pr->query_loc = p.cur().loc;
      pr->query = p.parse_strings("a quoted layout query after 'query'");
      if (pr->query.empty()) p.fail(pr->query_loc, "empty query: expected a layout query");
      p.expect(";", "after query");
    } else if (w == "expect") {
      p.next();
      if (!pr->expect.empty()) p.fail(kl, "duplicate 'expect' in property: expected at most one");
      if (!p.cur().ident("holds") && !p.cur().ident("sat") && !p.cur().ident("unsat"))
        p.fail_expected("'holds', 'sat' or 'unsat' after 'expect'");
      pr->expect_loc = kl;
      pr->expect = p.next().text;
      p.expect(";", "after expect");
    } else {
      p.fail_expected(items);
    }
  }
  if (pr->query.empty()) p.fail(pr->loc, fmt::format("property '{}' has no query: expected 'query \"...\";'", pr->name));
  if (pr->expect.empty()) pr->expect = "holds";
  Decl d = mkdecl(Decl::Property);
  d.loc = pr->loc;
  d.property = pr;
  out.push_back(std::move(d));
}

// mix [NAME] { threads N; ops N; pool TYPE NAME = { e, ... }; op NAME(pool, ...) { ... } after { ... } }
void Parser::parse_mix(TargetDef& t) {
  MixDecl m;
  m.loc = cur().loc;
  m.end = cur().end;
  SourceLoc kw = m.loc;
  next();
  if (cur().kind == Tok::Ident) {
    SourceLoc nl = cur().loc;
    m.name = next().text;
    m.end = prev_end();
    for (const auto& other : t.mixes)
      if (other.name == m.name) fail(nl, fmt::format("mix '{}' is declared twice in target '{}'", m.name, t.name));
  } else {
    for (const auto& other : t.mixes)
      if (other.name.empty())
        fail(kw, "duplicate unnamed 'mix' in target: expected at most one (name the others: `mix task { ... }`)");
  }
  expect("{", m.name.empty() ? "after 'mix' (or a mix name)" : "after the mix name");
  const char* items = "a mix item (threads, ops, pool, op or after) or '}'";
  while (!accept("}")) {
    const Token& k = cur();
    SourceLoc kl = k.loc;
    if (k.ident("after")) {
      next();
      if (m.after) fail(kl, "duplicate 'after' in mix: expected at most one");
      if (!cur().punct("{")) fail_expected("'{' after 'after'");
      m.after = parse_block();
    } else if (k.ident("threads") || k.ident("ops")) {
      bool is_threads = k.text == "threads";
      next();
      ExprPtr& slot = is_threads ? m.threads : m.ops;
      if (slot) fail(kl, fmt::format("duplicate '{}' in mix: expected at most one", is_threads ? "threads" : "ops"));
      if (cur().punct(";")) fail_expected(fmt::format("a count after '{}'", is_threads ? "threads" : "ops"));
      slot = parse_expr();
      (is_threads ? m.threads_loc : m.ops_loc) = kl;
      expect(";", fmt::format("after the {} count", is_threads ? "threads" : "ops"));
    } else if (k.ident("pool")) {
      MixPool pl;
      pl.loc = next().loc;
      Specs sp = parse_specs(false);
      Declarator d = parse_declarator(sp.type, false);
      if (d.name.empty()) fail_expected("a pool name");
      if (d.type->kind == TypeSpec::Function) fail(d.loc, "a pool holds objects, not functions");
      pl.name = d.name;
      pl.type = d.type;
      for (const auto& other : m.pools)
        if (other.name == pl.name) fail(d.loc, fmt::format("pool '{}' is declared twice", pl.name));
      expect("=", "after the pool name: a pool is 'pool TYPE NAME = { a, b, ... };'");
      expect("{", "to open the pool's elements");
      if (cur().punct("}")) fail_expected("at least one pool element");
      while (true) {
        pl.elems.push_back(parse_assign());
        if (accept(",")) {
          if (cur().punct("}")) break;
          continue;
        }
        break;
      }
      expect("}", "to close the pool's elements");
      pl.end = prev_end();
      expect(";", "after the pool");
      m.pools.push_back(std::move(pl));
    } else if (k.ident("op")) {
      MixOp op;
      op.loc = next().loc;
      op.name = expect_ident("an op name after 'op'");
      for (const auto& other : m.ops_list)
        if (other.name == op.name) fail(kl, fmt::format("op '{}' is declared twice", op.name));
      expect("(", "after the op name (the pools it takes, or nothing)");
      if (!accept(")")) {
        while (true) {
          SourceLoc pl = cur().loc;
          std::string n = expect_ident("a pool name");
          for (const auto& [prev, ploc] : op.pools)
            if (prev == n)
              fail(pl, fmt::format("op '{}' names pool '{}' twice: one binding per pool name (declare a second pool "
                                   "for an independent choice)", op.name, n));
          op.pools.emplace_back(n, pl);
          if (accept(",")) continue;
          expect(")", "after the op's pools");
          break;
        }
      }
      op.end = prev_end();
      if (!cur().punct("{")) fail_expected("'{' to open the op's body");
      op.body = parse_block();
      m.ops_list.push_back(std::move(op));
    } else {
      fail_expected(items);
    }
  }
  if (m.ops_list.empty()) fail(m.loc, "mix has no op: expected at least one 'op NAME(...) { ... }'");
  t.mixes.push_back(std::move(m));
}

// One reach point: FUNC | LABEL | FUNC:LABEL | FUNC: goto LABEL | FILE:LINE
// (a path written without spaces, e.g. model/mm/pgtable-generic.ptm:233) or
// "FILE:LINE" as a string.
void Parser::parse_reach_point(TargetDef& t) {
  ReachDecl r;
  r.loc = cur().loc;
  auto file_line = [&](const std::string& text, SourceLoc at) {
    size_t colon = text.rfind(':');
    std::string num = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (colon == 0 || num.empty() || num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos)
      fail(at, fmt::format("reach point '{}': expected FILE:LINE (a model file relative to the project root and a "
                           "line number)", text));
    r.kind = ReachDecl::FileLine;
    r.file = text.substr(0, colon);
    r.line = static_cast<unsigned>(std::stoul(num));
    if (r.line == 0) fail(at, fmt::format("reach point '{}': lines are numbered from 1", text));
    r.text = text;
  };
  if (cur().kind == Tok::String) {
    SourceLoc at = cur().loc;
    file_line(next().text, at);
    t.reach.push_back(std::move(r));
    return;
  }
  if (cur().kind != Tok::Ident)
    fail_expected("a reach point (FUNCTION, LABEL, FUNCTION:LABEL, FUNCTION: goto LABEL or FILE:LINE)");
  // Glue the adjacent tokens of a path: model/mm/pgtable-generic.ptm:233
  auto adjacent = [&] { return cur().offset == toks_[pos_ - 1].end_offset; };
  std::string first = next().text;
  bool path = false;
  std::string text = first;
  while (adjacent() && (cur().punct("/") || cur().punct(".") || cur().punct("-") || cur().kind == Tok::Ident ||
                        cur().kind == Tok::Int)) {
    path = path || cur().punct("/") || cur().punct(".");
    text += cur().kind == Tok::Int ? std::to_string(cur().value) : cur().text;
    next();
  }
  if (path) {
    if (!accept(":")) fail_expected(fmt::format("':LINE' after the file '{}'", text));
    if (cur().kind != Tok::Int) fail_expected(fmt::format("a line number after '{}:'", text));
    file_line(text + ":" + std::to_string(next().value), r.loc);
    t.reach.push_back(std::move(r));
    return;
  }
  if (text != first) fail(r.loc, fmt::format("reach point '{}': expected a function or label name, or FILE:LINE", text));
  if (!accept(":")) {
    r.kind = ReachDecl::Name;
    r.name = first;
    r.text = first;
  } else if (cur().kind == Tok::Int) {
    file_line(first + ":" + std::to_string(next().value), r.loc);  // a file without '/' or '.': found at load
  } else {
    r.func = first;
    if (cur().ident("goto")) {
      next();
      r.kind = ReachDecl::Goto;
      r.name = expect_ident("a label after 'goto'");
      r.text = r.func + ": goto " + r.name;
    } else {
      r.kind = ReachDecl::Label;
      r.name = expect_ident(fmt::format("a label or 'goto LABEL' after '{}:'", first));
      r.text = r.func + ":" + r.name;
    }
  }
  t.reach.push_back(std::move(r));
}

// target NAME [like BASE] { items }. A `like` target starts as a copy of BASE
// (a target above it in the same file): its description, cite, arch, reach,
// expect, hypothetical_config and warn_only lines replace BASE's, its `set`
// lines override or add to BASE's, its invariants, leak checks, liveness
// properties, hazards and imports are added, and it cannot have threads, a mix,
// a heap, init or final of its own (those are what it shares with BASE).
void Parser::parse_target(std::vector<Decl>& out) {
  auto t = std::make_shared<TargetDef>();
  SourceLoc tl = next().loc;
  std::string name = next().text;
  const TargetDef* base = nullptr;
  if (cur().ident("like")) {
    next();
    SourceLoc bl = cur().loc;
    std::string bname = expect_ident("a target name after 'like'");
    for (const auto& d : out)
      if (d.kind == Decl::Target && d.target && d.target->name == bname) base = d.target.get();
    if (!base)
      fail(bl, fmt::format("target '{}' like '{}': no target '{}' above it in this file", name, bname, bname));
    *t = *base;
  }
  t->loc = tl;
  t->name = name;
  t->like = base ? base->name : "";
  // Items a `like` target replaces: cleared at their first appearance.
  bool given_cite = false, given_arch = false, given_reach = false, given_expect = false, given_memory_model = false;
  // BASE's parameters and `set` lines: each may be overridden once.
  std::vector<bool> param_overridden(t->params.size()), set_overridden(t->sets.size());
  auto own = [&](SourceLoc at, const char* item) {
    if (base)
      fail(at, fmt::format("target '{}' is like '{}' and shares its {}: a `like` target sets only description, cite, "
                           "arch, set, reach, expect, hypothetical_config, warn_only, and adds invariants, leak "
                           "checks, hazards and imports", t->name, base->name, item));
  };
  expect("{", "after target name");
  while (!accept("}")) {
    const Token& k = cur();
    SourceLoc kl = k.loc;
    if (k.kind != Tok::Ident)
      fail_expected("a target item (description, cite, arch, set, import, heap, init, thread, mix, final, "
                    "invariant, always_eventually, leak_check, reach, hazard, hypothetical_config, warn_only or expect) or '}'");
    std::string w = k.text;
    if (w == "description") {
      next();
      t->description = parse_strings("a string after 'description'");
      expect(";", "after description");
    } else if (w == "cite") {
      next();
      if (!given_cite) t->cites.clear(), given_cite = true;
      t->cites.push_back(parse_strings("a string after 'cite'"));
      expect(";", "after cite");
    } else if (w == "arch") {
      next();
      if (!given_arch) t->arches.clear(), given_arch = true;
      do t->arches.push_back(expect_ident("an arch name"));
      while (accept(","));
      expect(";", "after arch list");
    } else if (w == "set") {
      next();
      SourceLoc sl = cur().loc;
      std::string sym = expect_ident("a CONFIG_ symbol or a parameter name after 'set'");
      expect("=", "after the symbol");
      if (sym == "memory_model") {
        if (given_memory_model) fail(sl, "memory_model is set twice");
        given_memory_model = true;
        std::string v = expect_ident("sc, tso or lkmm");
        if (v != "sc" && v != "tso" && v != "lkmm") fail(sl, fmt::format("unknown memory model '{}' (expected sc, tso or lkmm)", v));
        t->memory_model.emplace(v, sl);
        expect(";", "after set");
        continue;
      }
      bool neg = cur().punct("-") && peek().kind == Tok::Int;
      if (neg || cur().kind == Tok::Int) {
        // A number: a target parameter (checker/target/desugar.h).
        if (neg) next();
        const Token& v = next();
        if (v.value > (neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1))
          fail(v.loc, "parameter value out of range: expected a 64-bit signed integer");
        const int64_t val = neg ? static_cast<int64_t>(0 - v.value) : static_cast<int64_t>(v.value);
        bool inherited = false;
        for (size_t i = 0; i < t->params.size(); ++i)
          if (t->params[i].name == sym) {
            // a `like` target may override BASE's value once
            if (i >= param_overridden.size() || param_overridden[i])
              fail(sl, fmt::format("parameter '{}' is set twice", sym));
            param_overridden[i] = true;
            t->params[i] = TargetParam{sl, sym, val};
            inherited = true;
          }
        if (!inherited) t->params.push_back(TargetParam{sl, sym, val});
      } else {
        if (!cur().ident("y") && !cur().ident("n")) fail_expected("'y', 'n' or a number");
        bool val = next().text == "y";
        bool inherited = false;
        for (size_t i = 0; i < set_overridden.size(); ++i)
          if (t->sets[i].first == sym && !set_overridden[i]) {
            set_overridden[i] = true;  // a `like` target overrides BASE's line
            t->sets[i].second = val;
            t->set_locs[i] = sl;
            inherited = true;
          }
        if (!inherited) {
          t->sets.emplace_back(sym, val);
          t->set_locs.push_back(sl);
        }
      }
      expect(";", "after set");
    } else if (w == "import") {
      next();
      if (cur().kind != Tok::String) fail_expected("a quoted path after 'import'");
      t->imports.emplace_back(next().text, kl);
      expect(";", "after import path");
    } else if (w == "heap") {
      own(kl, "heap");
      parse_heap(*t);
    } else if (w == "init") {
      own(kl, "init");
      next();
      if (t->init) fail(kl, "duplicate 'init' in target: expected at most one");
      if (!cur().punct("{")) fail_expected("'{' after 'init'");
      t->init = parse_block();
    } else if (w == "thread") {
      own(kl, "threads");
      next();
      ThreadDecl th;
      th.loc = kl;
      th.name = expect_ident("a thread name after 'thread'");
      if (accept("[")) {
        if (cur().punct("]")) fail_expected("a thread count (a number or a parameter) in 'thread NAME[N]'");
        th.count = parse_expr();
        expect("]", "after the thread count");
      }
      if (!cur().punct("{")) fail_expected("'{' after the thread name");
      th.body = parse_block();
      t->threads.push_back(std::move(th));
    } else if (w == "hypothetical_config") {
      next();
      if (cur().kind != Tok::String) fail_expected("a quoted reason after 'hypothetical_config'");
      t->hypothetical.emplace(parse_strings("a quoted reason after 'hypothetical_config'"), kl);
      expect(";", "after hypothetical_config");
    } else if (w == "final") {
      own(kl, "final block");
      next();
      if (t->final_block) fail(kl, "duplicate 'final' in target: expected at most one");
      if (!cur().punct("{")) fail_expected("'{' after 'final'");
      t->final_block = parse_block();
    } else if (w == "mix") {
      own(kl, "mixes");
      parse_mix(*t);
    } else if (w == "invariant" || w == "always_eventually") {
      // NAME, NAME, ...;  predicate functions, each with where it is named
      const bool inv = w == "invariant";
      next();
      do {
        SourceLoc l = cur().loc;
        (inv ? t->invariants : t->eventually)
            .emplace_back(expect_ident(inv ? "an invariant function name" : "a liveness property's function name"), l);
      } while (accept(","));
      expect(";", inv ? "after invariant" : "after always_eventually");
    } else if (w == "warn_only") {
      next();
      t->warn_only = true;
      expect(";", "after warn_only");
    } else if (w == "leak_check") {
      next();
      do {
        SourceLoc l = cur().loc;
        t->leak_checks.emplace_back(expect_ident("a slab cache name or 'pages'"), l);
      } while (accept(","));
      expect(";", "after leak_check");
    } else if (w == "reach") {
      next();
      if (!given_reach) t->reach.clear(), given_reach = true;
      do parse_reach_point(*t);
      while (accept(","));
      expect(";", "after the reach points");
    } else if (w == "hazard") {
      next();
      if (cur().kind != Tok::String) fail_expected("a quoted layout query after 'hazard'");
      SourceLoc l = cur().loc;
      t->hazards.emplace_back(parse_strings("a quoted layout query after 'hazard'"), l);
      expect(";", "after hazard");
    } else if (w == "expect") {
      next();
      Expectation e;
      e.loc = kl;
      if (cur().ident("pass")) {
        next();
      } else if (cur().ident("violation")) {
        next();
        e.violation = true;
        if (cur().kind != Tok::Ident) fail_expected("an error kind after 'violation'");
        e.kind = next().text;
        // "use-after-free": identifiers joined by adjacent '-'
        while (cur().punct("-") && cur().offset == toks_[pos_ - 1].end_offset &&
               peek().kind == Tok::Ident && peek().offset == cur().end_offset) {
          next();
          e.kind += "-" + next().text;
        }
      } else {
        fail_expected("'pass' or 'violation' after 'expect'");
      }
      if (given_expect) fail(kl, "duplicate 'expect' in target: expected at most one");
      given_expect = true;
      t->expect = e;
      expect(";", "after expect");
    } else {
      fail_expected("a target item (description, cite, arch, set, import, heap, init, thread, mix, final, "
                    "invariant, always_eventually, leak_check, reach, hazard, hypothetical_config, warn_only or expect) or '}'");
    }
  }
  if (t->threads.empty() && t->mixes.empty())
    fail(t->loc, fmt::format("target '{}' has no thread: expected at least one thread or a mix", t->name));
  Decl d = mkdecl(Decl::Target);
  d.loc = t->loc;
  d.target = t;
  out.push_back(std::move(d));
}


}  // namespace ptcheck::frontend::detail
