#include <CppUTest/TestHarness.h>

#include "support/diag.h"

TEST_GROUP(SourceManager){};

TEST(SourceManager, LinesAndLocations) {
  ptcheck::SourceManager sm;
  uint32_t id = sm.add_file("a.ptm", "one\ntwo\r\nthree");
  STRCMP_EQUAL("two", std::string(sm.line_text(id, 2)).c_str());
  STRCMP_EQUAL("three", std::string(sm.line_text(id, 3)).c_str());
  STRCMP_EQUAL("", std::string(sm.line_text(id, 9)).c_str());
  STRCMP_EQUAL("a.ptm:2:5", sm.where({id, 2, 5}).c_str());
  try {
    sm.error({id, 3, 1}, "expected ';'");
    FAIL("no throw");
  } catch (const ptcheck::InputError& e) {
    STRCMP_EQUAL("a.ptm:3:1: error: expected ';'", e.what());
  }
}

TEST(SourceManager, MissingFileIsInputError) {
  ptcheck::SourceManager sm;
  CHECK_THROWS(ptcheck::InputError, sm.load_file("/nonexistent/x.ptm"));
}
