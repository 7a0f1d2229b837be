// Top level of the model language: external declarations, preprocessor lines,
// Kconfig conditions and ptcheck target definitions.
#include <fmt/format.h>

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
    fail(cur().loc, fmt::format("macro body must be an expression: expected an expression after '{}'",
                                m->name));
  m->body = parse_expr();
  if (cur().kind != Tok::DirectiveEnd && cur().kind != Tok::Eof)
    fail_expected("end of line after the macro body (macro bodies must be one expression)");
  next();
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
      peek(2).punct("{")) {
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

ast::TranslationUnit parse_file(SourceManager& sm, uint32_t file_id,
                                const std::set<std::string>* known_typedefs) {
  detail::Parser p(sm, file_id, known_typedefs);
  ast::TranslationUnit tu = p.parse_unit();
  check_tree_depth(tu, sm);
  return tu;
}

ast::TranslationUnit parse_path(SourceManager& sm, const std::string& path,
                                const std::set<std::string>* known_typedefs) {
  return parse_file(sm, sm.load_file(path), known_typedefs);
}

}  // namespace ptcheck::frontend
