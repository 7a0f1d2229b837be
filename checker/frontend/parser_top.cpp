// Top level of the model language: external declarations, preprocessor lines,
// Kconfig conditions and ptcheck target definitions.
#include <fmt/format.h>

#include <algorithm>

#include "frontend/parser_impl.h"

namespace ptcheck::frontend {
namespace detail {

namespace {
CondPtr mk_cond(Cond::Kind k, SourceLoc loc, std::string sym = {}, CondPtr a = {}, CondPtr b = {}) {
  auto c = std::make_shared<Cond>();
  c->kind = k;
  c->loc = loc;
  c->sym = std::move(sym);
  c->a = std::move(a);
  c->b = std::move(b);
  return c;
}
}  // namespace


TranslationUnit Parser::parse_unit() {
  TranslationUnit tu;
  tu.file = file_;
  parse_top(tu.decls, false);
  return tu;
}

// ---- conditions -----------------------------------------------------------------

CondPtr Parser::parse_cond_line() {
  const Token& d = next();  // the Directive token
  std::string kind = d.text;
  CondPtr c;
  if (kind == "if" || kind == "elif") {
    if (cur().kind == Tok::DirectiveEnd) fail_expected(fmt::format("a condition after '#{}'", kind));
    c = parse_cond_or();
  } else if (kind == "ifdef" || kind == "ifndef") {
    SourceLoc l = cur().loc;
    std::string s = expect_ident(fmt::format("a symbol after '#{}'", kind));
    c = mk_cond(Cond::Sym, l, s);
    if (kind == "ifndef") c = cond_not(c);
  } else {
    // #else / #endif: anything after them is a comment in practice.
    while (cur().kind != Tok::DirectiveEnd && cur().kind != Tok::Eof) next();
  }
  if (cur().kind != Tok::DirectiveEnd && cur().kind != Tok::Eof)
    fail_expected(fmt::format("end of line after the '#{}' condition", kind));
  next();
  return c;
}

CondPtr Parser::parse_cond_or() {
  CondPtr a = parse_cond_and();
  while (cur().punct("||")) {
    SourceLoc l = next().loc;
    a = mk_cond(Cond::Or, l, {}, a, parse_cond_and());
  }
  return a;
}

CondPtr Parser::parse_cond_and() {
  CondPtr a = parse_cond_unary();
  while (cur().punct("&&")) {
    SourceLoc l = next().loc;
    a = mk_cond(Cond::And, l, {}, a, parse_cond_unary());
  }
  return a;
}

CondPtr Parser::parse_cond_unary() {
  DepthGuard g(*this, cur().loc);
  const Token& t = cur();
  SourceLoc l = t.loc;
  if (accept("!")) return mk_cond(Cond::Not, l, {}, parse_cond_unary());
  if (accept("(")) {
    CondPtr c = parse_cond_or();
    expect(")", "in condition");
    return c;
  }
  if (t.kind == Tok::Int) {
    if (t.value > 1) fail(t.loc, "expected 0 or 1 in condition");
    next();
    return mk_cond(t.value ? Cond::True : Cond::False, l);
  }
  if (t.ident("IS_ENABLED") || t.ident("IS_BUILTIN") || t.ident("defined")) {
    bool defined = t.text == "defined";
    next();
    if (defined && cur().kind == Tok::Ident) return mk_cond(Cond::Sym, l, next().text);
    expect("(", defined ? "or a symbol after 'defined'" : "after 'IS_ENABLED'");
    std::string s = expect_ident("a CONFIG_ symbol");
    expect(")", "after the symbol");
    return mk_cond(Cond::Sym, l, s);
  }
  if (t.kind == Tok::Ident) return mk_cond(Cond::Sym, l, next().text);
  fail_expected("a condition (IS_ENABLED(CONFIG_X), defined(CONFIG_X), CONFIG_X, !, (, 0 or 1)");
}

// ---- top level --------------------------------------------------------------------

void Parser::parse_top(std::vector<Decl>& out, bool in_if) {
  while (true) {
    const Token& t = cur();
    if (t.kind == Tok::Eof) return;
    if (t.kind == Tok::Directive) {
      bool stop = false;
      parse_directive_top(out, in_if, stop);
      if (stop) return;
      continue;
    }
    parse_external_decl(out);
  }
}

void Parser::parse_directive_top(std::vector<Decl>& out, bool in_if, bool& stop) {
  const Token& t = cur();
  if (t.text == "if" || t.text == "ifdef" || t.text == "ifndef") {
    DepthGuard g(*this, t.loc);
    SourceLoc if_loc = t.loc;
    Decl d = mkdecl(Decl::IfConfig);
    d.loc = if_loc;
    d.cond = parse_cond_line();
    parse_top(d.then_decls, true);
    Decl* node = &d;
    while (true) {
      if (cur().kind == Tok::Eof) fail(if_loc, "unterminated '#if': expected '#endif'");
      const std::string k = cur().text;
      if (k == "endif") {
        parse_cond_line();
        break;
      }
      if (k == "else") {
        parse_cond_line();
        parse_top(node->else_decls, true);
        if (cur().kind == Tok::Eof) fail(if_loc, "unterminated '#if': expected '#endif'");
        if (cur().text != "endif")
          fail(cur().loc, fmt::format("expected '#endif' after '#else', found {}", describe(cur())));
        parse_cond_line();
        break;
      }
      // #elif: nested IfConfig in the else part
      Decl e = mkdecl(Decl::IfConfig);
      e.loc = cur().loc;
      e.cond = parse_cond_line();
      parse_top(e.then_decls, true);
      node->else_decls.push_back(std::move(e));
      node = &node->else_decls.back();
    }
    out.push_back(std::move(d));
    return;
  }
  if (t.text == "elif" || t.text == "else" || t.text == "endif") {
    if (in_if) {
      stop = true;
      return;
    }
    fail(t.loc, fmt::format("stray '#{}': expected a matching '#if'", t.text));
  }
  if (t.text == "define") {
    parse_define(out);
    return;
  }
  if (t.text == "include") {
    next();
    Decl d = mkdecl(Decl::Import);
    d.loc = t.loc;
    if (cur().kind != Tok::String) fail_expected("a quoted path after '#include'");
    d.import_path = next().text;
    if (cur().kind != Tok::DirectiveEnd && cur().kind != Tok::Eof)
      fail_expected("end of line after the '#include' path");
    next();
    out.push_back(std::move(d));
    return;
  }
  fail(t.loc, fmt::format("unknown directive '#{}': expected #if, #ifdef, #ifndef, #elif, #else, "
                          "#endif, #define or #include",
                          t.text));
}

namespace {
// The names of Named types written in a macro body (bounded: the tree depth
// check comes after the file is parsed).
void type_names_in(const TypeSpec* t, std::set<std::string>& out, uint32_t depth);
void type_names_in(const Expr* e, std::set<std::string>& out, uint32_t depth) {
  if (!e || depth > kMaxTreeDepth) return;
  type_names_in(e->type.get(), out, depth + 1);
  for (const Expr* c : {e->a.get(), e->b.get(), e->c.get()}) type_names_in(c, out, depth + 1);
  for (const auto& a : e->args) type_names_in(a.get(), out, depth + 1);
  for (const auto& i : e->inits) type_names_in(i.value.get(), out, depth + 1);
}
void type_names_in(const TypeSpec* t, std::set<std::string>& out, uint32_t depth) {
  if (!t || depth > kMaxTreeDepth) return;
  if (t->kind == TypeSpec::Named) out.insert(t->name);
  type_names_in(t->elem.get(), out, depth + 1);
  type_names_in(t->array_size.get(), out, depth + 1);
  for (const auto& p : t->params) type_names_in(p.get(), out, depth + 1);
}
void type_names_in(const Stmt* s, std::set<std::string>& out, uint32_t depth) {
  if (!s || depth > kMaxTreeDepth) return;
  type_names_in(s->e.get(), out, depth + 1);
  type_names_in(s->step.get(), out, depth + 1);
  type_names_in(s->type.get(), out, depth + 1);
  for (const Stmt* c : {s->init.get(), s->s1.get(), s->s2.get()}) type_names_in(c, out, depth + 1);
  for (const auto& b : s->body) type_names_in(b.get(), out, depth + 1);
  for (const auto& b : s->else_body) type_names_in(b.get(), out, depth + 1);
  for (const auto& c : s->cases) {
    type_names_in(c.value.get(), out, depth + 1);
    for (const auto& b : c.body) type_names_in(b.get(), out, depth + 1);
  }
}
void type_names_in(const Expr* e, const Stmt* s, std::set<std::string>& out) {
  type_names_in(e, out, 0);
  type_names_in(s, out, 0);
}
}  // namespace

// #define NAME body / #define NAME(a, b) body. The body is, in this order of
// preference: one expression; one statement or statements (`do { ... } while
// (0)`, `a; b`), used as `NAME(args);`. When neither parses, a function-like
// macro's parameters are tried as type names (`((t *)p)`, `sizeof(t)`), the
// fewest first: those become type parameters, whose arguments are parsed as
// type names at every use (ALLOC(struct page)).
void Parser::parse_define(std::vector<Decl>& out) {
  SourceLoc loc = next().loc;  // the Directive
  auto m = std::make_shared<MacroDef>();
  m->loc = loc;
  if (cur().kind != Tok::Ident) fail_expected("a macro name after '#define'");
  m->loc = cur().loc;
  m->name = next().text;
  if (cur().punct("(") && !cur().space_before) {
    next();
    m->function_like = true;
    if (!accept(")")) {
      while (true) {
        m->params.push_back(expect_ident("a macro parameter name"));
        if (accept(",")) continue;
        expect(")", "after macro parameters");
        break;
      }
    }
  }
  if (cur().kind == Tok::DirectiveEnd || cur().kind == Tok::Eof)
    fail(cur().loc, fmt::format("macro body must be an expression or statements: expected a body after '{}'",
                                m->name));
  const size_t body = pos_;
  size_t end = pos_;
  while (toks_[end].kind != Tok::DirectiveEnd && toks_[end].kind != Tok::Eof) ++end;
  // A statement body may leave out its last ';' (the use supplies it): the
  // end-of-line token stands in for one while the body is parsed (restored
  // below; inserting a token would copy the file's tokens for every macro).
  const Token line_end = toks_[end];
  bool added_semi = false;
  if (toks_[end].kind == Tok::DirectiveEnd && !toks_[end - 1].punct(";") && !toks_[end - 1].punct("}")) {
    toks_[end].kind = Tok::Punct;
    toks_[end].text = ";";
    added_semi = true;
  }
  const size_t stmt_end = added_semi ? end + 1 : end;
  const int depth = depth_;
  const size_t enums = pending_enums_.size();
  auto try_parse = [&](const std::vector<bool>& as_type, bool as_stmt, std::string& error) {
    std::vector<std::string> added;
    for (size_t i = 0; i < as_type.size(); ++i)
      if (as_type[i] && typedefs_.insert(m->params[i]).second) added.push_back(m->params[i]);
    pos_ = body;
    depth_ = depth;
    bool ok = false;
    try {
      if (!as_stmt) {
        ExprPtr e = parse_expr();
        if (pos_ == end) {
          m->body = e;
          ok = true;
        } else {
          fail_expected("end of line after the macro body");
        }
      } else {
        std::vector<StmtPtr> list;
        while (pos_ < stmt_end) {
          if (is_type_start(cur()) && !(cur().kind == Tok::Ident && peek().punct(":"))) parse_local_decl(list);
          else list.push_back(parse_stmt());
        }
        if (pos_ != stmt_end) fail_expected("end of line after the macro body");
        if (list.size() == 1 && list[0]->kind != Stmt::VarDecl) {
          m->stmt_body = list[0];
        } else {
          m->stmt_body = mks(Stmt::Block, list.empty() ? cur().loc : list.front()->loc);
          m->stmt_body->body = std::move(list);
          m->stmt_body->end = prev_end();
          m->stmt_list = true;
        }
        ok = true;
      }
    } catch (const InputError& e) {
      if (error.empty()) error = e.what();
    }
    for (const auto& n : added) typedefs_.erase(n);
    pending_enums_.resize(enums);
    return ok;
  };
  std::string expr_error, stmt_error;
  std::vector<bool> none(m->params.size(), false);
  bool done = try_parse(none, false, expr_error) || try_parse(none, true, stmt_error);
  // Type parameters: subsets of the parameters by size (at most 6 parameters).
  const size_t n = m->params.size();
  for (size_t k = 1; !done && m->function_like && n <= 6 && k <= n; ++k)
    for (uint32_t mask = 1; !done && mask < (1u << n); ++mask) {
      if (static_cast<size_t>(__builtin_popcount(mask)) != k) continue;
      std::vector<bool> as_type(n);
      for (size_t i = 0; i < n; ++i) as_type[i] = (mask >> i) & 1;
      std::string ignored;
      if (try_parse(as_type, false, ignored) || try_parse(as_type, true, ignored)) {
        m->type_params = as_type;
        done = true;
      }
    }
  depth_ = depth;
  // A parameter written where a type goes (container_of(p, type, m)) parses
  // as a type name of that spelling: it is a type parameter too.
  if (done && m->function_like && !m->has_type_params()) {
    std::set<std::string> names;
    type_names_in(m->body.get(), m->stmt_body.get(), names);
    std::vector<bool> as_type(m->params.size());
    for (size_t i = 0; i < m->params.size(); ++i) as_type[i] = names.count(m->params[i]) > 0;
    if (std::find(as_type.begin(), as_type.end(), true) != as_type.end()) m->type_params = as_type;
  }
  if (!done) {
    // Report the reading the body looks like: statements when it starts like
    // one or has a ';' of its own, else an expression.
    const Token& first = toks_[body];
    bool stmt_like = first.punct("{") || first.ident("do") || first.ident("if") || first.ident("for") ||
                     first.ident("while") || first.ident("switch") || first.ident("return") || is_type_start(first);
    for (size_t i = body; i < end && !stmt_like; ++i) stmt_like = toks_[i].punct(";");
    toks_[end] = line_end;
    throw InputError(stmt_like ? stmt_error : expr_error);
  }
  toks_[end] = line_end;
  pos_ = end;
  next();  // DirectiveEnd
  if (m->has_type_params()) type_macros_[m->name] = m->type_params;
  Decl d = mkdecl(Decl::Macro);
  d.loc = m->loc;
  d.macro = m;
  out.push_back(std::move(d));
}

void Parser::parse_external_decl(std::vector<Decl>& out) {
  const Token& t = cur();
  SourceLoc loc = t.loc;
  if (t.ident("import") && peek().kind == Tok::String) {
    next();
    Decl d = mkdecl(Decl::Import);
    d.loc = loc;
    d.import_path = next().text;
    expect(";", "after import path");
    out.push_back(std::move(d));
    return;
  }
  if (t.ident("target") && !typedefs_.count("target") && peek().kind == Tok::Ident &&
      (peek(2).punct("{") || (peek(2).ident("like") && peek(3).kind == Tok::Ident && peek(4).punct("{")))) {
    parse_target(out);
    return;
  }
  if (t.ident("property") && !typedefs_.count("property") && peek().kind == Tok::Ident &&
      peek(2).punct("{")) {
    parse_property(out);
    return;
  }
  if (accept(";")) return;
  Specs sp = parse_specs(true);
  if (cur().punct(";")) {
    next();
    flush_enums(out);
    if (sp.type->kind == TypeSpec::Struct || sp.type->kind == TypeSpec::Union) {
      Decl d = mkdecl(Decl::Record);
      d.loc = sp.type->loc;
      if (sp.type->record) {
        d.record = sp.type->record;
      } else {
        d.record = std::make_shared<RecordDecl>();
        d.record->loc = sp.type->loc;
        d.record->tag = sp.type->name;
        d.record->is_union = sp.type->kind == TypeSpec::Union;
      }
      out.push_back(std::move(d));
      return;
    }
    if (sp.type->kind == TypeSpec::Enum) return;
    fail(cur().loc, "expected a declarator before ';'");
  }
  bool first = true;
  while (true) {
    Declarator d = parse_declarator(sp.type, false);
    if (d.name.empty()) fail_expected("an identifier in the declaration");
    std::vector<std::string> attrs = sp.attrs;
    skip_annotations(&attrs);
    flush_enums(out);
    if (sp.is_typedef) {
      typedefs_.insert(d.name);
      Decl td = mkdecl(Decl::Typedef);
      td.loc = d.loc;
      td.typedef_ = std::make_shared<Typedef>(Typedef{d.loc, d.name, d.type});
      out.push_back(std::move(td));
    } else if (d.type->kind == TypeSpec::Function) {
      auto f = std::make_shared<FuncDef>();
      f->loc = d.loc;
      f->name = d.name;
      f->ret = d.type->elem;
      f->params = d.params;
      f->variadic = d.variadic;
      f->is_static = sp.is_static;
      f->is_inline = sp.is_inline;
      f->attrs = attrs;
      Decl fd = mkdecl(Decl::Func);
      fd.loc = d.loc;
      fd.func = f;
      if (first && d.has_params && cur().punct("{")) {
        f->body = parse_block();
        out.push_back(std::move(fd));
        return;
      }
      out.push_back(std::move(fd));
    } else {
      auto v = std::make_shared<GlobalVar>();
      v->loc = d.loc;
      v->name = d.name;
      v->type = d.type;
      v->is_static = sp.is_static;
      v->is_extern = sp.is_extern;
      if (accept("=")) v->init = parse_initializer();
      Decl vd = mkdecl(Decl::Var);
      vd.loc = d.loc;
      vd.var = v;
      out.push_back(std::move(vd));
    }
    first = false;
    if (accept(",")) continue;
    expect(";", "after declaration");
    return;
  }
}

}  // namespace detail

ast::TranslationUnit parse_file(SourceManager& sm, uint32_t file_id, const std::set<std::string>* known_typedefs,
                                const ast::TypeMacros* known_type_macros) {
  detail::Parser p(sm, file_id, known_typedefs);
  if (known_type_macros) p.type_macros_ = *known_type_macros;
  ast::TranslationUnit tu = p.parse_unit();
  check_tree_depth(tu, sm);
  return tu;
}

ast::TranslationUnit parse_path(SourceManager& sm, const std::string& path,
                                const std::set<std::string>* known_typedefs) {
  return parse_file(sm, sm.load_file(path), known_typedefs);
}

}  // namespace ptcheck::frontend
