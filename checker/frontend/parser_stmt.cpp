// Statements of the model language, including #if inside bodies and atomic blocks.
#include <fmt/format.h>

#include "frontend/parser_impl.h"

namespace ptcheck::frontend::detail {

StmtPtr Parser::mks(Stmt::Kind k, SourceLoc loc) {
  auto s = std::make_shared<Stmt>();
  s->kind = k;
  s->loc = loc;
  return s;
}

StmtPtr Parser::parse_block() {
  DepthGuard g(*this, cur().loc);
  StmtPtr b = mks(Stmt::Block, cur().loc);
  expect("{", "to open a block");
  bool stopped = false;
  parse_block_items(b->body, false, stopped);
  expect("}", "to close the block");
  b->end = prev_end();
  return b;
}

void Parser::parse_block_items(std::vector<StmtPtr>& out, bool in_if, bool& stopped) {
  while (true) {
    const Token& t = cur();
    if (t.kind == Tok::Eof || t.punct("}")) return;
    if (t.kind == Tok::Directive) {
      if (t.text == "elif" || t.text == "else" || t.text == "endif") {
        if (in_if) {
          stopped = true;
          return;
        }
        fail(t.loc, fmt::format("stray '#{}': expected a matching '#if'", t.text));
      }
      if (t.text != "if" && t.text != "ifdef" && t.text != "ifndef")
        fail(t.loc, fmt::format("unexpected '#{}' in a body: expected a statement or #if", t.text));
      DepthGuard g(*this, t.loc);
      SourceLoc if_loc = t.loc;
      StmtPtr s = mks(Stmt::IfConfig, if_loc);
      s->cond = parse_cond_line();
      Stmt* node = s.get();
      std::vector<StmtPtr>* part = &s->body;
      while (true) {
        bool st = false;
        parse_block_items(*part, true, st);
        if (!st) fail(if_loc, "unterminated '#if': expected '#endif'");
        const std::string k = cur().text;
        if (k == "endif") {
          parse_cond_line();
          break;
        }
        if (k == "else") {
          if (part == &node->else_body) fail(cur().loc, "expected '#endif' after '#else', found '#else'");
          parse_cond_line();
          part = &node->else_body;
          continue;
        }
        if (part == &node->else_body) fail(cur().loc, "expected '#endif' after '#else', found '#elif'");
        StmtPtr e = mks(Stmt::IfConfig, cur().loc);
        e->cond = parse_cond_line();
        node->else_body.push_back(e);
        node = e.get();
        part = &node->body;
      }
      s->end = prev_end();
      out.push_back(s);
      continue;
    }
    if (is_type_start(t) && !(t.kind == Tok::Ident && peek().punct(":"))) {
      parse_local_decl(out);
      continue;
    }
    out.push_back(parse_stmt());
  }
}

void Parser::parse_local_decl(std::vector<StmtPtr>& out) {
  SourceLoc loc = cur().loc;
  Specs sp = parse_specs(true);
  if (sp.is_typedef) fail(loc, "local typedefs are not supported: expected a declaration");
  if (accept(";")) {
    StmtPtr s = mks(Stmt::Empty, loc);
    s->end = prev_end();
    out.push_back(s);
    return;
  }
  while (true) {
    Declarator d = parse_declarator(sp.type, false);
    if (d.name.empty()) fail_expected("a variable name");
    if (d.type->kind == TypeSpec::Function)
      fail(d.loc, "local function declarations are not supported: expected a variable");
    StmtPtr s = mks(Stmt::VarDecl, loc);
    loc = d.loc;  // later declarators of the same line start at their own name
    s->type = d.type;
    s->name = d.name;
    if (accept("=")) s->e = parse_initializer();
    s->end = prev_end();
    out.push_back(s);
    if (accept(",")) continue;
    expect(";", "after declaration");
    out.back()->end = prev_end();
    return;
  }
}

StmtPtr Parser::parse_switch(SourceLoc loc) {
  StmtPtr s = mks(Stmt::Switch, loc);
  expect("(", "after 'switch'");
  s->e = parse_expr();
  expect(")", "after switch condition");
  expect("{", "to open the switch body");
  while (!cur().punct("}")) {
    const Token& t = cur();
    if (t.ident("case") || t.ident("default")) {
      SwitchCase c;
      c.loc = t.loc;
      bool is_case = next().text == "case";
      if (is_case) c.value = parse_ternary();
      expect(":", is_case ? "after case value" : "after 'default'");
      s->cases.push_back(std::move(c));
      continue;
    }
    if (t.kind == Tok::Eof) fail_expected("'}' to close the switch body");
    if (s->cases.empty()) fail_expected("'case' or 'default' at the start of the switch body");
    std::vector<StmtPtr>& body = s->cases.back().body;
    if (is_type_start(t))
      parse_local_decl(body);
    else
      body.push_back(parse_stmt());
  }
  next();
  s->end = prev_end();
  return s;
}

StmtPtr Parser::parse_stmt() {
  DepthGuard g(*this, cur().loc);
  const Token& t = cur();
  SourceLoc loc = t.loc;
  StmtPtr s;
  if (t.punct("{")) return parse_block();
  if (t.punct(";")) {
    next();
    s = mks(Stmt::Empty, loc);
    s->end = prev_end();
    return s;
  }
  if (t.kind == Tok::Ident) {
    const std::string w = t.text;
    if (w == "if") {
      next();
      s = mks(Stmt::If, loc);
      expect("(", "after 'if'");
      s->e = parse_expr();
      expect(")", "after if condition");
      s->s1 = parse_stmt();
      if (cur().ident("else")) {
        next();
        s->s2 = parse_stmt();
      }
    } else if (w == "while") {
      next();
      s = mks(Stmt::While, loc);
      expect("(", "after 'while'");
      s->e = parse_expr();
      expect(")", "after while condition");
      s->s1 = parse_stmt();
    } else if (w == "do") {
      next();
      s = mks(Stmt::DoWhile, loc);
      s->s1 = parse_stmt();
      if (!cur().ident("while")) fail_expected("'while' after do body");
      next();
      expect("(", "after 'while'");
      s->e = parse_expr();
      expect(")", "after do-while condition");
      expect(";", "after do-while");
    } else if (w == "for") {
      next();
      s = mks(Stmt::For, loc);
      expect("(", "after 'for'");
      if (is_type_start(cur())) {
        std::vector<StmtPtr> decls;
        parse_local_decl(decls);
        if (decls.size() == 1) {
          s->init = decls[0];
        } else {
          s->init = mks(Stmt::Block, decls.front()->loc);
          s->init->body = decls;
          s->init->end = prev_end();
        }
      } else if (!accept(";")) {
        StmtPtr i = mks(Stmt::ExprStmt, cur().loc);
        i->e = parse_expr();
        expect(";", "after for initializer");
        i->end = prev_end();
        s->init = i;
      }
      if (!cur().punct(";")) s->e = parse_expr();
      expect(";", "after for condition");
      if (!cur().punct(")")) s->step = parse_expr();
      expect(")", "after for clauses");
      s->s1 = parse_stmt();
    } else if (w == "switch") {
      next();
      return parse_switch(loc);
    } else if (w == "return") {
      next();
      s = mks(Stmt::Return, loc);
      if (!cur().punct(";")) s->e = parse_expr();
      expect(";", "after return");
    } else if (w == "break" || w == "continue") {
      next();
      s = mks(w == "break" ? Stmt::Break : Stmt::Continue, loc);
      expect(";", fmt::format("after '{}'", w));
    } else if (w == "goto") {
      next();
      s = mks(Stmt::Goto, loc);
      s->name = expect_ident("a label after 'goto'");
      expect(";", "after goto");
    } else if (w == "case" || w == "default") {
      fail(loc, fmt::format("'{}' outside a switch body: expected a statement", w));
    } else if (w == "atomic" && peek().punct("{")) {
      next();
      s = mks(Stmt::Atomic, loc);
      StmtPtr b = parse_block();
      s->body = std::move(b->body);
    } else if (peek().punct(":") && !typedefs_.count(w)) {
      next();
      next();
      s = mks(Stmt::Label, loc);
      s->name = w;
      if (cur().punct("}")) fail_expected("a statement after the label");
      s->s1 = parse_stmt();
    } else if (is_type_start(t)) {
      fail(loc, "a declaration is not allowed here: expected a statement");
    }
  }
  if (!s) {
    if (t.kind == Tok::Directive)
      fail(loc, fmt::format("'#{}' is only allowed between statements of a block: expected a statement", t.text));
    s = mks(Stmt::ExprStmt, loc);
    s->e = parse_expr();
    expect(";", "after expression");
  }
  s->end = prev_end();
  return s;
}

}  // namespace ptcheck::frontend::detail
