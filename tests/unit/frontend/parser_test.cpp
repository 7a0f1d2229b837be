#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "frontend/lexer.h"
#include "frontend/parser.h"

// CppUTest last: its headers redefine operator new for leak tracking.
#include <CppUTest/TestHarness.h>

using namespace ptcheck;

namespace {
ast::TranslationUnit parse(SourceManager& sm, const std::string& src,
                           const std::set<std::string>* known = nullptr) {
  return frontend::parse_file(sm, sm.add_file("m.ptm", src), known);
}
// Parses `src` and returns the InputError text ("" if it parsed).
std::string error_of(const std::string& src) {
  SourceManager sm;
  try {
    parse(sm, src);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

#define CHECK_ERROR(src, expected_prefix)                       \
  do {                                                          \
    std::string err_ = error_of(src);                           \
    STRCMP_CONTAINS(expected_prefix, err_.c_str());             \
    CHECK(err_.rfind("m.ptm:", 0) == 0);                        \
  } while (0)

TEST_GROUP(ParserErrors){};

TEST(ParserErrors, LexicalErrors) {
  CHECK_ERROR("int a;\n/* open", "m.ptm:2:1: error: unterminated comment: expected '*/'");
  CHECK_ERROR("char *s = \"abc;\n", "m.ptm:1:11: error: unterminated string literal: expected closing '\"'");
  CHECK_ERROR("int a = 1 @ 2;", "m.ptm:1:11: error: unexpected character '@': expected a token");
  CHECK_ERROR("int a = 0x;", "m.ptm:1:9: error: expected hexadecimal digits after '0x'");
  CHECK_ERROR("int a = 12zz;", "m.ptm:1:9: error: invalid integer literal '12zz'");
  CHECK_ERROR("int a = 099;", "m.ptm:1:10: error: invalid digit '9' in octal literal");
  CHECK_ERROR("int a = 99999999999999999999;", "m.ptm:1:9: error: integer literal too large");
  CHECK_ERROR("int a = '';", "m.ptm:1:9: error: expected a character in character literal");
}

TEST(ParserErrors, PreprocessorErrors) {
  CHECK_ERROR("#if IS_ENABLED(CONFIG_A)\nint a;\n", "m.ptm:1:1: error: unterminated '#if': expected '#endif'");
  CHECK_ERROR("int a;\n#endif\n", "m.ptm:2:1: error: stray '#endif': expected a matching '#if'");
  CHECK_ERROR("#else\n", "m.ptm:1:1: error: stray '#else'");
  CHECK_ERROR("#pragma once\n", "m.ptm:1:1: error: unknown directive '#pragma': expected #if");
  CHECK_ERROR("#define FOO\n", "m.ptm:1:12: error: macro body must be an expression");
  CHECK_ERROR("#define FOO 1 2\n", "m.ptm:1:15: error: expected end of line after the macro body");
  CHECK_ERROR("#if IS_ENABLED(\n#endif\n", "m.ptm:1:16: error: expected a CONFIG_ symbol, found end of line");
  CHECK_ERROR("#if 2\n#endif\n", "m.ptm:1:5: error: expected 0 or 1 in condition");
  CHECK_ERROR("struct s {\n#if CONFIG_A\n int a;\n};\n",
              "m.ptm:2:1: error: unterminated '#if' in struct body: expected '#endif'");
  CHECK_ERROR("struct s {\n#endif\n};\n", "m.ptm:2:1: error: stray '#endif': expected a matching '#if'");
  CHECK_ERROR("void f(void) {\n#ifdef CONFIG_A\n f();\n}\n", "m.ptm:2:1: error: unterminated '#if': expected '#endif'");
  CHECK_ERROR("void f(void) {\n#define X 1\n}\n", "m.ptm:2:1: error: unexpected '#define' in a body");
}

TEST(ParserErrors, SyntaxErrors) {
  CHECK_ERROR("void f(void) { g() }", "m.ptm:1:20: error: expected ';' after expression, found '}'");
  CHECK_ERROR("void f(void) { x = 1 foo; }", "m.ptm:1:22: error: expected ';' after expression, found 'foo'");
  CHECK_ERROR("void f(void) { x = (foo_t)y; }", "m.ptm:1:27: error: expected ';' after expression, found 'y'");
  CHECK_ERROR("int a", "m.ptm:1:6: error: expected ';' after declaration, found end of file");
  CHECK_ERROR("struct s { int a; ", "m.ptm:1:18: error: expected '}' to close the struct body, found end of file");
  CHECK_ERROR("struct s { int a: 3; };", "m.ptm:1:17: error: bit-fields are not supported");
  CHECK_ERROR("void f(void) { case 1: ; }", "m.ptm:1:16: error: 'case' outside a switch body");
  CHECK_ERROR("unsigned * = 3;", "m.ptm:1:12: error: expected an identifier in the declaration, found '='");
  CHECK_ERROR("void f(void) { int x = ; }", "m.ptm:1:24: error: expected an expression, found ';'");
  CHECK_ERROR("long long long x;", "m.ptm:1:1: error: invalid combination of type specifiers");
}

TEST(ParserErrors, TargetErrors) {
  CHECK_ERROR("target t { bogus; thread A { } }",
              "m.ptm:1:12: error: expected a target item (description, cite, arch, set, import, heap, init, "
              "thread, mix, final, invariant, always_eventually, leak_check, reach, hazard, hypothetical_config, warn_only or expect) or '}', found 'bogus'");
  CHECK_ERROR("target t { set CONFIG_X = maybe; thread A { } }", "m.ptm:1:27: error: expected 'y', 'n' or a number, found 'maybe'");
  CHECK_ERROR("target t { expect maybe; thread A { } }", "m.ptm:1:19: error: expected 'pass' or 'violation'");
  CHECK_ERROR("target t { heap { pages -; } thread A { } }", "m.ptm:1:25: error: expected a page count after 'pages' or a target parameter, found '-'");
  CHECK_ERROR("target t { description \"x\"; }", "m.ptm:1:1: error: target 't' has no thread");
  CHECK_ERROR("target t { thread { } }", "m.ptm:1:19: error: expected a thread name after 'thread', found '{'");
}

TEST(ParserErrors, NestingTooDeep) {
  std::string deep = "int x = " + std::string(5000, '(') + "1" + std::string(5000, ')') + ";";
  STRCMP_CONTAINS("nesting too deep", error_of(deep).c_str());
  std::string blocks = "void f(void) " + std::string(3000, '{') + std::string(3000, '}');
  STRCMP_CONTAINS("nesting too deep", error_of(blocks).c_str());
  std::string ifs;
  for (int i = 0; i < 400; ++i) ifs += "#if CONFIG_A\n";
  STRCMP_CONTAINS("nesting too deep", error_of(ifs).c_str());
  std::string unary = "int x = " + std::string(5000, '-') + "1;";
  STRCMP_CONTAINS("nesting too deep", error_of(unary).c_str());
}

TEST(ParserErrors, UnknownTypeNameInCastIsAnError) {
  // Without typedef knowledge, "(foo_t)x" is a parenthesised expression followed by x.
  CHECK_ERROR("int a = (foo_t)x;", "m.ptm:1:16: error: expected ';' after declaration, found 'x'");
  std::set<std::string> known = {"foo_t"};
  SourceManager sm;
  auto tu = parse(sm, "int a = (foo_t)x;", &known);
  CHECK(tu.decls[0].var->init->kind == ast::Expr::Cast);
}
