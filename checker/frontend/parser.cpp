// Declarations, preprocessor lines and target definitions of the model language.
#include "frontend/parser.h"

#include <fmt/format.h>

#include "frontend/parser_impl.h"

namespace ptcheck::frontend {
namespace detail {

namespace {

const std::set<std::string> kBaseWords = {"void", "char", "short", "int", "long",
                                          "signed", "unsigned", "_Bool", "bool"};
const std::set<std::string> kQualifiers = {"const", "volatile", "restrict", "__restrict"};
const std::set<std::string> kStorage = {"static", "extern", "inline", "__inline", "__inline__",
                                        "typedef", "register", "auto"};
// Annotations accepted and ignored (type-level ones are not kept as function attrs).
const std::set<std::string> kTypeAnnotations = {"__rcu", "__percpu", "__user", "__iomem",
                                                "__force", "__randomize_layout"};
const std::set<std::string> kFuncAnnotations = {
    "__must_check", "__maybe_unused", "noinline", "__always_inline", "__init", "notrace",
    "__cold", "__always_unused", "__noreturn", "__weak", "__pure", "__hot", "__noinline"};

CondPtr cond_or(CondPtr a, CondPtr b) {
  if (!a || a->kind == Cond::False) return b;
  if (!b || b->kind == Cond::False) return a;
  if (a->kind == Cond::True || b->kind == Cond::True) return cond_true();
  auto c = std::make_shared<Cond>();
  c->kind = Cond::Or;
  c->loc = a->loc;
  c->a = std::move(a);
  c->b = std::move(b);
  return c;
}
CondPtr cond_false() { return cond_not(cond_true()); }

}  // namespace

Parser::Parser(SourceManager& sm, uint32_t file, const std::set<std::string>* known)
    : sm_(sm), file_(file), toks_(lex(sm, file)) {
  if (known) typedefs_ = *known;
}

void Parser::fail_expected(const std::string& what) const {
  fail(cur().loc, fmt::format("expected {}, found {}", what, describe(cur())));
}

const Token& Parser::expect(const char* p, const std::string& context) {
  if (!cur().punct(p))
    fail(cur().loc, fmt::format("expected '{}'{}{}, found {}", p, context.empty() ? "" : " ",
                                context, describe(cur())));
  return next();
}

std::string Parser::expect_ident(const std::string& what) {
  if (cur().kind != Tok::Ident) fail_expected(what);
  return next().text;
}

bool Parser::is_annotation(const Token& t) const {
  if (t.kind != Tok::Ident) return false;
  return kTypeAnnotations.count(t.text) || kFuncAnnotations.count(t.text) ||
         t.text == "__aligned" || t.text == "__attribute__" || t.text == "__attribute" ||
         t.text == "__packed";
}

bool Parser::is_type_start(const Token& t) const {
  if (t.kind != Tok::Ident) return false;
  return kBaseWords.count(t.text) || kQualifiers.count(t.text) || kStorage.count(t.text) ||
         t.text == "struct" || t.text == "union" || t.text == "enum" || typedefs_.count(t.text) ||
         is_annotation(t);
}

// Skips a balanced parenthesised group starting at '('.
static void skip_group(Parser& p) {
  SourceLoc open = p.cur().loc;
  p.expect("(", "");
  int level = 1;
  while (level > 0) {
    const Token& t = p.cur();
    if (t.kind == Tok::Eof || t.kind == Tok::DirectiveEnd || t.kind == Tok::Directive)
      p.fail(open, "unbalanced '(': expected ')'");
    if (t.punct("(")) ++level;
    if (t.punct(")")) --level;
    p.next();
  }
}

void Parser::skip_annotations(std::vector<std::string>* attrs, RecordDecl* rec) {
  while (is_annotation(cur()) || (cur().kind == Tok::Ident && kQualifiers.count(cur().text))) {
    const Token& t = next();
    if (kQualifiers.count(t.text)) continue;
    if (t.text == "__packed") {
      if (rec) rec->packed = true;
      continue;
    }
    if (t.text == "__aligned") {
      expect("(", "after '__aligned'");
      ExprPtr e = parse_assign();
      expect(")", "after alignment");
      if (rec) {
        rec->align_expr = e;
        if (e->kind == Expr::IntLit) rec->align_attr = e->value;
      }
      continue;
    }
    if (t.text == "__attribute__" || t.text == "__attribute") {
      expect("(", "after '__attribute__'");
      expect("(", "after '__attribute__('");
      while (!cur().punct(")")) {
        std::string name = expect_ident("an attribute name");
        if ((name == "aligned" || name == "__aligned__") && cur().punct("(")) {
          next();
          ExprPtr e = parse_assign();
          expect(")", "after alignment");
          if (rec) {
            rec->align_expr = e;
            if (e->kind == Expr::IntLit) rec->align_attr = e->value;
          }
        } else {
          if (rec && (name == "packed" || name == "__packed__")) rec->packed = true;
          if (attrs) attrs->push_back(name);
          if (cur().punct("(")) skip_group(*this);
        }
        if (!accept(",")) break;
      }
      expect(")", "to close the attribute list");
      expect(")", "to close '__attribute__'");
      continue;
    }
    if (attrs && kFuncAnnotations.count(t.text)) attrs->push_back(t.text);
  }
}

Specs Parser::parse_specs(bool allow_storage) {
  Specs s;
  s.loc = cur().loc;
  int n_long = 0, n_short = 0, n_int = 0, n_char = 0, n_signed = 0, n_unsigned = 0, n_void = 0,
      n_bool = 0;
  bool seen_base = false;
  SourceLoc base_loc = cur().loc;
  bool is_const = false, is_volatile = false;
  while (cur().kind == Tok::Ident) {
    const Token& t = cur();
    if (is_annotation(t)) {
      skip_annotations(&s.attrs);
      continue;
    }
    if (kQualifiers.count(t.text)) {
      is_const = is_const || t.text == "const";
      is_volatile = is_volatile || t.text == "volatile";
      next();
      continue;
    }
    if (kStorage.count(t.text)) {
      if (!allow_storage && t.text != "register")
        fail(t.loc, fmt::format("unexpected '{}': expected a type", t.text));
      if (t.text == "typedef") s.is_typedef = true;
      if (t.text == "static") s.is_static = true;
      if (t.text == "extern") s.is_extern = true;
      if (t.text.find("inline") != std::string::npos) s.is_inline = true;
      next();
      continue;
    }
    if (t.text == "struct" || t.text == "union" || t.text == "enum") {
      if (seen_base || s.type) fail(t.loc, fmt::format("unexpected '{}': expected one type", t.text));
      next();
      s.type = t.text == "enum" ? parse_enum_spec() : parse_record_spec(t.text == "union");
      continue;
    }
    if (kBaseWords.count(t.text)) {
      if (s.type) fail(t.loc, fmt::format("unexpected '{}': expected one type", t.text));
      if (!seen_base) base_loc = t.loc;
      seen_base = true;
      if (t.text == "long") ++n_long;
      else if (t.text == "short") ++n_short;
      else if (t.text == "int") ++n_int;
      else if (t.text == "char") ++n_char;
      else if (t.text == "signed") ++n_signed;
      else if (t.text == "unsigned") ++n_unsigned;
      else if (t.text == "void") ++n_void;
      else ++n_bool;
      next();
      continue;
    }
    if (typedefs_.count(t.text) && !seen_base && !s.type) {
      s.type = std::make_shared<TypeSpec>();
      s.type->kind = TypeSpec::Named;
      s.type->loc = t.loc;
      s.type->name = t.text;
      next();
      continue;
    }
    break;
  }
  if (seen_base) {
    auto bad = [&]() { fail(base_loc, "invalid combination of type specifiers: expected a C base type"); };
    std::string name;
    bool u = n_unsigned > 0;
    if (n_signed + n_unsigned > 1 || n_int > 1 || n_char > 1 || n_short > 1 || n_void > 1 || n_bool > 1)
      bad();
    if (n_void || n_bool) {
      if (n_long + n_short + n_int + n_char + n_signed + n_unsigned) bad();
      name = n_void ? "void" : "_Bool";
    } else if (n_char) {
      if (n_long + n_short + n_int) bad();
      name = u ? "unsigned char" : n_signed ? "signed char" : "char";
    } else if (n_short) {
      if (n_long) bad();
      name = u ? "unsigned short" : "short";
    } else if (n_long == 1) {
      name = u ? "unsigned long" : "long";
    } else if (n_long == 2) {
      name = u ? "unsigned long long" : "long long";
    } else if (n_long > 2) {
      bad();
    } else {
      name = u ? "unsigned int" : "int";
    }
    s.type = std::make_shared<TypeSpec>();
    s.type->kind = TypeSpec::Named;
    s.type->loc = base_loc;
    s.type->name = name;
  }
  if (!s.type) fail_expected("a type");
  s.type->is_const = s.type->is_const || is_const;
  s.type->is_volatile = s.type->is_volatile || is_volatile;
  return s;
}

TypeSpecPtr Parser::parse_record_spec(bool is_union) {
  auto ts = std::make_shared<TypeSpec>();
  ts->kind = is_union ? TypeSpec::Union : TypeSpec::Struct;
  ts->loc = toks_[pos_ - 1].loc;
  auto rec = std::make_shared<RecordDecl>();
  rec->loc = ts->loc;
  rec->is_union = is_union;
  skip_annotations(nullptr, rec.get());
  if (cur().kind == Tok::Ident && !is_annotation(cur())) {
    rec->tag = ts->name = next().text;
  }
  if (cur().punct("{")) {
    parse_record_body(*rec);
    rec->complete = true;
    skip_annotations(nullptr, rec.get());
    ts->record = rec;
  } else if (rec->tag.empty()) {
    fail_expected(fmt::format("a {} tag or '{{'", is_union ? "union" : "struct"));
  }
  return ts;
}

namespace {
struct FieldCtx {
  Parser& p;
  RecordDecl& rec;
  // Parses members until '}' (or, inside #if, until #elif/#else/#endif).
  void fields(CondPtr ctx, bool in_if, SourceLoc if_loc) {
    while (true) {
      const Token& t = p.cur();
      if (t.kind == Tok::Eof || (in_if && t.punct("}")))
        p.fail(in_if ? if_loc : t.loc, in_if ? "unterminated '#if' in struct body: expected '#endif'"
                                             : "expected '}' to close the struct body, found end of file");
      if (t.punct("}")) return;
      if (t.kind == Tok::Directive) {
        if (t.text == "if" || t.text == "ifdef" || t.text == "ifndef") {
          cond_chain(ctx);
          continue;
        }
        if (t.text == "elif" || t.text == "else" || t.text == "endif") {
          if (in_if) return;
          p.fail(t.loc, fmt::format("stray '#{}': expected a matching '#if'", t.text));
        }
        p.fail(t.loc, fmt::format("unexpected '#{}' in struct body: expected a member declaration or #if",
                                  t.text));
      }
      if (p.accept(";")) continue;
      Specs sp = p.parse_specs(false);
      if (p.cur().punct(";") && sp.type->record && sp.type->record->tag.empty()) {
        FieldDecl f;
        f.loc = sp.type->loc;
        f.type = sp.type;
        f.cond = ctx;
        rec.fields.push_back(std::move(f));
        p.next();
        continue;
      }
      while (true) {
        Declarator d = p.parse_declarator(sp.type, false);
        if (d.name.empty()) p.fail_expected("a member name");
        if (p.cur().punct(":")) p.fail(p.cur().loc, "bit-fields are not supported: expected ';' or ','");
        p.skip_annotations(nullptr);
        FieldDecl f;
        f.loc = d.loc;
        f.name = d.name;
        f.type = d.type;
        f.cond = ctx;
        rec.fields.push_back(std::move(f));
        if (p.accept(",")) continue;
        p.expect(";", "after member declaration");
        break;
      }
    }
  }
  void cond_chain(CondPtr ctx) {
    SourceLoc if_loc = p.cur().loc;
    CondPtr c = p.parse_cond_line();
    CondPtr taken = cond_false();
    while (true) {
      fields(cond_and(ctx, cond_and(cond_not(taken), c)), true, if_loc);
      const Token& d = p.cur();  // #elif / #else / #endif
      taken = cond_or(taken, c);
      if (d.text == "endif") {
        p.parse_cond_line();  // consumes the line
        return;
      }
      if (d.text == "else") {
        p.parse_cond_line();
        fields(cond_and(ctx, cond_not(taken)), true, if_loc);
        if (p.cur().text != "endif")
          p.fail(p.cur().loc, fmt::format("expected '#endif' after '#else', found {}", describe(p.cur())));
        p.parse_cond_line();
        return;
      }
      c = p.parse_cond_line();  // elif
    }
  }
};
}  // namespace

void Parser::parse_record_body(RecordDecl& rec) {
  DepthGuard g(*this, cur().loc);
  expect("{", "");
  FieldCtx{*this, rec}.fields(nullptr, false, {});
  expect("}", "to close the struct body");
}

TypeSpecPtr Parser::parse_enum_spec() {
  auto ts = std::make_shared<TypeSpec>();
  ts->kind = TypeSpec::Enum;
  ts->loc = toks_[pos_ - 1].loc;
  skip_annotations(nullptr);
  if (cur().kind == Tok::Ident) ts->name = next().text;
  if (cur().punct("{")) {
    next();
    auto ed = std::make_shared<EnumDef>();
    ed->loc = ts->loc;
    ed->tag = ts->name;
    while (!cur().punct("}")) {
      EnumDef::Item it;
      it.loc = cur().loc;
      it.name = expect_ident("an enumerator name");
      if (accept("=")) it.value = parse_assign();
      ed->items.push_back(std::move(it));
      if (!accept(",")) break;
    }
    expect("}", "to close the enum");
    Decl d = mkdecl(Decl::Enum);
    d.loc = ed->loc;
    d.enum_def = ed;
    pending_enums_.push_back(std::move(d));
  } else if (ts->name.empty()) {
    fail_expected("an enum tag or '{'");
  }
  return ts;
}

void Parser::flush_enums(std::vector<Decl>& out) {
  for (auto& d : pending_enums_) out.push_back(std::move(d));
  pending_enums_.clear();
}

Declarator Parser::parse_declarator(TypeSpecPtr base, bool abstract) {
  DepthGuard g(*this, cur().loc);
  Declarator d;
  d.loc = cur().loc;
  TypeSpecPtr t = std::move(base);
  while (cur().punct("*")) {
    auto p = std::make_shared<TypeSpec>();
    p->kind = TypeSpec::Pointer;
    p->loc = next().loc;
    p->elem = t;
    t = p;
    skip_annotations(nullptr);
    if (cur().kind == Tok::Ident && kQualifiers.count(cur().text)) next();
  }
  if (cur().punct("(") && (peek().punct("*") || peek().punct("("))) {
    next();
    auto hole = std::make_shared<TypeSpec>();
    hole->name = "<hole>";
    Declarator inner = parse_declarator(hole, abstract);
    expect(")", "to close the declarator");
    TypeSpecPtr outer = parse_declarator_suffixes(t, nullptr, false);
    d.name = inner.name;
    d.loc = inner.loc;
    if (inner.type == hole) {
      d.type = outer;
    } else {
      TypeSpec* n = inner.type.get();
      while (n->elem && n->elem != hole) n = n->elem.get();
      n->elem = outer;
      d.type = inner.type;
    }
    return d;
  }
  // Any non-keyword identifier names the declarator, typedef names included
  // (C allows redeclaring a typedef, and a variable may shadow one).
  if (cur().kind == Tok::Ident && !(is_type_start(cur()) && !typedefs_.count(cur().text))) {
    d.loc = cur().loc;
    d.name = next().text;
  }
  d.type = parse_declarator_suffixes(t, &d, true);
  return d;
}

TypeSpecPtr Parser::parse_declarator_suffixes(TypeSpecPtr base, Declarator* d, bool first) {
  struct Suffix {
    bool array;
    SourceLoc loc;
    ExprPtr size;
    std::vector<Param> params;
    bool variadic = false;
  };
  std::vector<Suffix> sx;
  while (cur().punct("[") || cur().punct("(")) {
    Suffix s;
    s.loc = cur().loc;
    if (next().punct("[")) {
      s.array = true;
      if (!cur().punct("]")) s.size = parse_assign();
      expect("]", "after array size");
    } else {
      s.array = false;
      s.params = parse_params(s.variadic);
      if (first && sx.empty() && d && !d->name.empty()) {
        d->has_params = true;
        d->params = s.params;
        d->variadic = s.variadic;
      }
    }
    sx.push_back(std::move(s));
  }
  TypeSpecPtr t = std::move(base);
  for (auto it = sx.rbegin(); it != sx.rend(); ++it) {
    auto n = std::make_shared<TypeSpec>();
    n->loc = it->loc;
    n->elem = t;
    if (it->array) {
      n->kind = TypeSpec::Array;
      n->array_size = it->size;
    } else {
      n->kind = TypeSpec::Function;
      for (auto& p : it->params) n->params.push_back(p.type);
      n->variadic = it->variadic;
    }
    t = n;
  }
  return t;
}

std::vector<Param> Parser::parse_params(bool& variadic) {
  DepthGuard g(*this, cur().loc);
  std::vector<Param> out;
  if (accept(")")) return out;
  if (cur().ident("void") && peek().punct(")")) {
    next();
    next();
    return out;
  }
  while (true) {
    if (accept("...")) {
      variadic = true;
      expect(")", "after '...'");
      return out;
    }
    Param p;
    p.loc = cur().loc;
    Specs sp = parse_specs(false);
    Declarator d = parse_declarator(sp.type, true);
    p.type = d.type;
    p.name = d.name;
    if (!d.name.empty()) p.loc = d.loc;
    out.push_back(std::move(p));
    if (accept(",")) continue;
    expect(")", "after parameter");
    return out;
  }
}

TypeSpecPtr Parser::parse_type_name() {
  Specs sp = parse_specs(false);
  Declarator d = parse_declarator(sp.type, true);
  if (!d.name.empty()) fail(d.loc, fmt::format("expected a type name, found identifier '{}'", d.name));
  return d.type;
}

}  // namespace detail
}  // namespace ptcheck::frontend
