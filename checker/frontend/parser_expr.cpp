// Expressions of the model language: full C precedence plus container_of,
// offsetof, IS_ENABLED and designated initializer lists.
#include <fmt/format.h>

#include "frontend/parser_impl.h"

namespace ptcheck::frontend::detail {

namespace {
int binary_prec(const Token& t) {
  if (t.kind != Tok::Punct) return 0;
  const std::string& s = t.text;
  if (s == "*" || s == "/" || s == "%") return 10;
  if (s == "+" || s == "-") return 9;
  if (s == "<<" || s == ">>") return 8;
  if (s == "<" || s == "<=" || s == ">" || s == ">=") return 7;
  if (s == "==" || s == "!=") return 6;
  if (s == "&") return 5;
  if (s == "^") return 4;
  if (s == "|") return 3;
  if (s == "&&") return 2;
  if (s == "||") return 1;
  return 0;
}
bool is_assign_op(const Token& t) {
  static const char* const ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="};
  if (t.kind != Tok::Punct) return false;
  for (const char* o : ops)
    if (t.text == o) return true;
  return false;
}
}  // namespace

ExprPtr Parser::mk(Expr::Kind k, SourceLoc loc) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->loc = loc;
  return e;
}

ExprPtr Parser::parse_expr() {
  ExprPtr a = parse_assign();
  while (cur().punct(",")) {
    next();
    ExprPtr e = mk(Expr::Binary, a->loc);
    e->op = ",";
    e->a = a;
    e->b = parse_assign();
    e->end = prev_end();
    a = e;
  }
  return a;
}

ExprPtr Parser::parse_assign() {
  DepthGuard g(*this, cur().loc);
  ExprPtr lhs = parse_ternary();
  if (is_assign_op(cur())) {
    ExprPtr e = mk(Expr::Assign, lhs->loc);
    e->op = next().text;
    e->a = lhs;
    e->b = parse_assign();
    e->end = prev_end();
    return e;
  }
  return lhs;
}

ExprPtr Parser::parse_ternary() {
  ExprPtr c = parse_binary(1);
  if (!cur().punct("?")) return c;
  next();
  ExprPtr e = mk(Expr::Ternary, c->loc);
  e->a = c;
  e->b = parse_expr();
  expect(":", "in conditional expression");
  DepthGuard g(*this, cur().loc);  // a ? b : c ? d : ... recurses here
  e->c = parse_ternary();
  e->end = prev_end();
  return e;
}

ExprPtr Parser::parse_binary(int min_prec) {
  ExprPtr lhs = parse_unary();
  while (true) {
    int p = binary_prec(cur());
    if (p == 0 || p < min_prec) return lhs;
    ExprPtr e = mk(Expr::Binary, lhs->loc);
    e->op = next().text;
    e->a = lhs;
    e->b = parse_binary(p + 1);
    e->end = prev_end();
    lhs = e;
  }
}

ExprPtr Parser::parse_unary() {
  DepthGuard g(*this, cur().loc);
  const Token& t = cur();
  SourceLoc loc = t.loc;
  if (t.kind == Tok::Punct) {
    static const char* const ops[] = {"&", "*", "+", "-", "~", "!"};
    for (const char* o : ops) {
      if (t.text == o) {
        next();
        ExprPtr e = mk(Expr::Unary, loc);
        e->op = o;
        e->a = parse_unary();
        e->end = prev_end();
        return e;
      }
    }
    if (t.text == "++" || t.text == "--") {
      ExprPtr e = mk(Expr::Unary, loc);
      e->op = next().text + "pre";
      e->a = parse_unary();
      e->end = prev_end();
      return e;
    }
    if (t.text == "(" && is_type_start(peek())) {
      next();
      ExprPtr e = mk(Expr::Cast, loc);
      e->type = parse_type_name();
      expect(")", "after the type in a cast");
      if (cur().punct("{")) fail(cur().loc, "compound literals are not supported: expected an expression");
      e->a = parse_unary();
      e->end = prev_end();
      return e;
    }
  }
  if (t.ident("sizeof")) {
    next();
    if (cur().punct("(") && is_type_start(peek())) {
      next();
      ExprPtr e = mk(Expr::SizeofType, loc);
      e->type = parse_type_name();
      expect(")", "after the type in sizeof");
      e->end = prev_end();
      return e;
    }
    ExprPtr e = mk(Expr::SizeofExpr, loc);
    e->a = parse_unary();
    e->end = prev_end();
    return e;
  }
  if (t.ident("_Alignof") || t.ident("__alignof__") || t.ident("alignof") || t.ident("__alignof")) {
    std::string w = next().text;
    expect("(", fmt::format("after '{}'", w));
    ExprPtr e = mk(Expr::AlignofType, loc);
    e->type = parse_type_name();
    expect(")", fmt::format("after the type in {}", w));
    e->end = prev_end();
    return e;
  }
  return parse_postfix(parse_primary());
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  while (true) {
    const Token& t = cur();
    if (t.punct("(")) {
      next();
      ExprPtr c = mk(Expr::Call, e->loc);
      c->a = e;
      // A macro's type parameter takes a type name (ALLOC(struct page)).
      const std::vector<bool>* types = nullptr;
      if (e->kind == Expr::Ident)
        if (auto it = type_macros_.find(e->name); it != type_macros_.end()) types = &it->second;
      if (!accept(")")) {
        while (true) {
          size_t i = c->args.size();
          // A type can never start an expression: an argument that starts like
          // one is a type (for a macro's type parameter; the compiler refuses
          // it anywhere else).
          bool type_arg = (types && i < types->size() && (*types)[i]) || (e->kind == Expr::Ident && is_type_start(cur()));
          if (type_arg) {
            ExprPtr t = mk(Expr::TypeName, cur().loc);
            t->type = parse_type_name();
            t->end = prev_end();
            c->args.push_back(t);
            if (accept(",")) continue;
            expect(")", "after call arguments");
            break;
          }
          c->args.push_back(parse_assign());
          if (accept(",")) continue;
          expect(")", "after call arguments");
          break;
        }
      }
      c->end = prev_end();
      e = c;
    } else if (t.punct("[")) {
      next();
      ExprPtr i = mk(Expr::Index, e->loc);
      i->a = e;
      i->b = parse_expr();
      expect("]", "after array index");
      i->end = prev_end();
      e = i;
    } else if (t.punct(".") || t.punct("->")) {
      bool arrow = next().text == "->";
      ExprPtr m = mk(Expr::Member, e->loc);
      m->a = e;
      m->arrow = arrow;
      m->name = expect_ident(fmt::format("a member name after '{}'", arrow ? "->" : "."));
      m->end = prev_end();
      e = m;
    } else if (t.punct("++") || t.punct("--")) {
      ExprPtr u = mk(Expr::Unary, e->loc);
      u->op = "post" + next().text;
      u->a = e;
      u->end = prev_end();
      e = u;
    } else {
      return e;
    }
  }
}

std::string Parser::parse_member_path() {
  std::string path = expect_ident("a member name");
  while (true) {
    if (accept(".")) {
      path += "." + expect_ident("a member name after '.'");
    } else if (cur().punct("[")) {
      next();
      if (cur().kind != Tok::Int) fail_expected("an integer index");
      path += fmt::format("[{}]", next().value);
      expect("]", "after index");
    } else {
      return path;
    }
  }
}

ExprPtr Parser::parse_primary() {
  const Token& t = cur();
  SourceLoc loc = t.loc;
  ExprPtr e;
  switch (t.kind) {
    case Tok::Int:
      e = mk(Expr::IntLit, loc);
      e->value = t.value;
      e->is_unsigned = t.is_unsigned;
      e->is_long = t.is_long;
      next();
      break;
    case Tok::Char:
      e = mk(Expr::CharLit, loc);
      e->value = t.value;
      next();
      break;
    case Tok::String:
      e = mk(Expr::StringLit, loc);
      while (cur().kind == Tok::String) e->str += next().text;
      break;
    case Tok::Ident:
      if (t.ident("IS_ENABLED") && peek().punct("(")) {
        next();
        next();
        e = mk(Expr::ConfigRef, loc);
        e->name = expect_ident("a CONFIG_ symbol in IS_ENABLED()");
        expect(")", "after the symbol");
      } else if (t.ident("container_of") && peek().punct("(")) {
        next();
        next();
        e = mk(Expr::ContainerOf, loc);
        e->a = parse_assign();
        expect(",", "after the pointer in container_of");
        e->type = parse_type_name();
        expect(",", "after the type in container_of");
        e->name = parse_member_path();
        expect(")", "to close container_of");
      } else if ((t.ident("offsetof") || t.ident("__builtin_offsetof")) && peek().punct("(")) {
        next();
        next();
        e = mk(Expr::Offsetof, loc);
        e->type = parse_type_name();
        expect(",", "after the type in offsetof");
        e->name = parse_member_path();
        expect(")", "to close offsetof");
      } else if (is_type_start(t)) {
        fail_expected("an expression");
      } else {
        e = mk(Expr::Ident, loc);
        e->name = t.text;
        next();
      }
      break;
    case Tok::Punct:
      if (t.punct("(")) {
        next();
        ExprPtr inner = parse_expr();
        expect(")", "to close the parenthesised expression");
        // keep the inner node but widen its source range to the parentheses
        e = inner;
        e->loc = loc;
        e->end = prev_end();
        return e;
      }
      [[fallthrough]];
    default:
      fail_expected("an expression");
  }
  e->end = prev_end();
  return e;
}

ExprPtr Parser::parse_initializer() {
  DepthGuard g(*this, cur().loc);
  if (!cur().punct("{")) return parse_assign();
  ExprPtr e = mk(Expr::InitList, next().loc);
  while (!cur().punct("}")) {
    Expr::Init in;
    if (cur().punct(".") || cur().punct("[")) {
      while (cur().punct(".") || cur().punct("[")) {
        if (accept(".")) {
          in.designator += "." + expect_ident("a member name after '.' in a designator");
        } else {
          next();
          if (cur().kind == Tok::Int) {
            in.designator += fmt::format("[{}]", next().value);
          } else if (cur().kind == Tok::Ident) {
            in.designator += "[" + next().text + "]";
          } else {
            fail_expected("an integer index in a designator");
          }
          expect("]", "after designator index");
        }
      }
      expect("=", "after designator");
    }
    in.value = parse_initializer();
    e->inits.push_back(std::move(in));
    if (!accept(",")) break;
  }
  expect("}", "to close the initializer list");
  e->end = prev_end();
  return e;
}

}  // namespace ptcheck::frontend::detail
