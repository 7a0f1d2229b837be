// Standard and project headers first: CppUTest's TestHarness.h must come last.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "support/diag.h"
#include "trace/trace_dot.h"
#include "trace/trace_fold.h"
#include "trace/trace_io.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck::trace;
using ptcheck::InputError;

namespace {

Trace full_trace() {
  Trace t;
  t.header.target = "pte_free_now_rfc";
  t.header.arch = "x86_64";
  t.header.configs = {{"CONFIG_MEMCG", true}, {"CONFIG_PTDESC_RFC", true}, {"CONFIG_DEBUG_SPINLOCK", false}};
  t.header.ptcheck_version = "0.1.0";
  t.header.model_hashes = {{"model/mm/pgtable-generic.ptm", "xxh64:0123456789abcdef"},
                           {"model/mm/memory.ptm", "xxh64:fedcba9876543210"}};
  Step s1;
  s1.index = 1;
  s1.thread = "T1";
  s1.file = "model/mm/memory.ptm";
  s1.line = 412;
  s1.function = "pmd_install";
  s1.statement = "pmd_populate(mm, pmd, *pte);";
  s1.writes.push_back({"page", 0xffffea0004000040ULL, 16, 8, 0xdead000000000122ULL, "lru.prev/memdesc"});
  s1.writes.push_back({"ptdesc", 0xffff888118000000ULL, 48, 4, 0xf2ffffffULL, ""});
  s1.writes.push_back({"init_mm", 0xffffffff82000100ULL, 0, 1, 1, "a ] b := c"});
  Step s2;
  s2.index = 2;
  s2.thread = "rcu";
  s2.choice = 1;
  s2.file = "model/mm/pgtable-generic.ptm";
  s2.line = 249;
  s2.function = "pte_free_now";
  s2.statement = "x = a | b; /* choice=7 | y */ ";
  s2.output = {"memdesc ffffffff81000200 index ffff888100004000", "", "  indented: 1 | 2"};
  Step s3;
  s3.index = 3;
  s3.thread = "walker";
  s3.choice = UINT64_MAX;
  s3.file = "arch/x86_64/pgtable.ptm";
  s3.line = 7;
  s3.function = "f";
  s3.statement = "";
  Step s4;
  s4.index = 4;
  s4.thread = "T2";
  s4.file = "a:b.ptm";
  s4.line = 1;
  s4.function = "g";
  s4.statement = " leading space and | pipe";
  t.steps = {s1, s2, s3, s4};
  t.violation.kind = "vm-bug";
  t.violation.title = "kernel BUG at include/linux/mm.h:2959!";
  t.violation.report = {"Oops: invalid opcode: 0000 [#1] SMP",
                        "   5  T1   model/mm/memory.ptm:1  f  | looks like a step",
                        "------------[ cut here ]------------",
                        "",
                        "          printk: looks like a continuation",
                        "Call Trace:"};
  return t;
}

void check_equal(const Trace& a, const Trace& b) {
  CHECK(a.header.target == b.header.target);
  CHECK(a.header.arch == b.header.arch);
  CHECK(a.header.configs == b.header.configs);
  CHECK(a.header.ptcheck_version == b.header.ptcheck_version);
  CHECK(a.header.model_hashes == b.header.model_hashes);
  CHECK(a.header.bounds == b.header.bounds);
  CHECK(a.header.spec == b.header.spec);
  UNSIGNED_LONGS_EQUAL(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < a.steps.size() && i < b.steps.size(); ++i) {
    const Step& x = a.steps[i];
    const Step& y = b.steps[i];
    UNSIGNED_LONGS_EQUAL(x.index, y.index);
    STRCMP_EQUAL(x.thread.c_str(), y.thread.c_str());
    CHECK(x.choice == y.choice);
    STRCMP_EQUAL(x.file.c_str(), y.file.c_str());
    UNSIGNED_LONGS_EQUAL(x.line, y.line);
    STRCMP_EQUAL(x.function.c_str(), y.function.c_str());
    STRCMP_EQUAL(x.statement.c_str(), y.statement.c_str());
    UNSIGNED_LONGS_EQUAL(x.writes.size(), y.writes.size());
    for (size_t k = 0; k < x.writes.size() && k < y.writes.size(); ++k) {
      STRCMP_EQUAL(x.writes[k].object.c_str(), y.writes[k].object.c_str());
      CHECK(x.writes[k].object_addr == y.writes[k].object_addr);
      CHECK(x.writes[k].offset == y.writes[k].offset);
      UNSIGNED_LONGS_EQUAL(x.writes[k].size, y.writes[k].size);
      CHECK(x.writes[k].value == y.writes[k].value);
      STRCMP_EQUAL(x.writes[k].field.c_str(), y.writes[k].field.c_str());
    }
    CHECK(x.output == y.output);
  }
  STRCMP_EQUAL(a.violation.kind.c_str(), b.violation.kind.c_str());
  STRCMP_EQUAL(a.violation.title.c_str(), b.violation.title.c_str());
  CHECK(a.violation.report == b.violation.report);
  CHECK(a.violation.loop_from == b.violation.loop_from);
}

// Parses `text`; passes if it parses or throws a located InputError. Anything
// else (another exception type, an unlocated message) fails the test.
bool parses_or_located_error(const std::string& text, std::string* err = nullptr) {
  static const std::regex located(R"(^t\.trace:[0-9]+:[0-9]+: error: expected [^\n]*)");
  try {
    parse_text("t.trace", text);
    return true;
  } catch (const InputError& e) {
    if (err) *err = e.what();
    if (!std::regex_match(std::string(e.what()), located))
      FAIL((std::string("unlocated error: ") + e.what() + "\n--- input:\n" + text).c_str());
    return false;
  }
}

std::string expect_error(const std::string& text, const std::string& prefix) {
  std::string err;
  if (parses_or_located_error(text, &err)) FAIL(("parsed, wanted error " + prefix + "\n" + text).c_str());
  if (err.rfind(prefix, 0) != 0) FAIL(("error '" + err + "' does not start with '" + prefix + "'").c_str());
  return err;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  if (p == std::string::npos) throw std::logic_error("test bug: " + from);
  return s.replace(p, from.size(), to);
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

TEST_GROUP(TraceText){};

TEST(TraceText, RoundTripAllFeatures) {
  Trace t = full_trace();
  std::string text = to_text(t);
  Trace back = parse_text("t.trace", text);
  check_equal(t, back);
  STRCMP_EQUAL(text.c_str(), to_text(back).c_str());
}

TEST(TraceText, RoundTripBoundsAndSpec) {
  Trace t = full_trace();
  t.header.bounds = {{"OPS", 3}, {"threads", 2}, {"neg", -7}, {"min", INT64_MIN}};
  t.header.spec = "/tmp/elsewhere/x.ptm";
  std::string text = to_text(t);
  CHECK(text.find("\nbounds:    OPS=3 threads=2 neg=-7 min=-9223372036854775808\nspec:      /tmp/elsewhere/x.ptm\n") !=
        std::string::npos);
  check_equal(t, parse_text("t.trace", text));
  check_equal(t, from_json("t.json", to_json(t)));
  // Traces recorded before these lines existed still read (no bounds, no spec).
  Trace old = parse_text("t.trace", to_text(full_trace()));
  CHECK(old.header.bounds.empty());
  CHECK(old.header.spec.empty());
}

TEST(TraceText, RoundTripEmptyReportNoStepsNoChoice) {
  Trace t = full_trace();
  t.violation.report.clear();
  t.header.configs.clear();
  t.header.model_hashes.clear();
  check_equal(t, parse_text("t.trace", to_text(t)));
  t.steps.clear();
  t.violation.title = "";
  check_equal(t, parse_text("t.trace", to_text(t)));
  Trace u = full_trace();
  for (Step& s : u.steps) s.choice.reset();
  check_equal(u, parse_text("t.trace", to_text(u)));
}

TEST(TraceText, RoundTripLivelockLoop) {
  Trace t = full_trace();
  t.violation.kind = "livelock";
  t.violation.loop_from = 2;
  std::string text = to_text(t);
  CHECK(text.find("\nloop:      2\n") != std::string::npos);
  check_equal(t, parse_text("t.trace", text));
  check_equal(t, from_json("t.json", to_json(t)));
  expect_error(replace(text, "loop:      2", "loop:      0"), "t.trace:");
  expect_error(replace(text, "loop:      2", "loop:      two"), "t.trace:");
  expect_error(replace(text, "loop:      2", "loop:      2\nloop:      3"), "t.trace:");
  nlohmann::json j = to_json(t);
  j["violation"]["loop_from"] = 0;
  CHECK_THROWS(InputError, from_json("t.json", j));
}

TEST(TraceText, LooksLikeAnOops) {
  std::string text = to_text(full_trace());
  CHECK(text.rfind("# ptcheck counterexample\ntarget:    pte_free_now_rfc\narch:      x86_64\n", 0) == 0);
  CHECK(text.find("config:    CONFIG_MEMCG=y CONFIG_PTDESC_RFC=y CONFIG_DEBUG_SPINLOCK=n\n") != std::string::npos);
  CHECK(text.find("model:     model/mm/memory.ptm xxh64:fedcba9876543210\n") != std::string::npos);
  CHECK(text.find("\n   1  T1      model/mm/memory.ptm:412           pmd_install                                | pmd_populate(mm, pmd, *pte);\n") != std::string::npos);
  CHECK(text.find("          page@ffffea0004000040 +16 [lru.prev/memdesc] := dead000000000122\n") !=
        std::string::npos);
  CHECK(text.find("          ptdesc@ffff888118000000 +48 := 00000000f2ffffff (4 bytes)\n") != std::string::npos);
  CHECK(text.find("choice=18446744073709551615  |\n") != std::string::npos);
  CHECK(text.find("\n\n------------[ cut here ]------------\nkernel BUG at include/linux/mm.h:2959!\n") !=
        std::string::npos);
}

TEST(TraceText, HandWrittenMinimal) {
  std::string text =
      "# ptcheck counterexample\n"
      "# a comment\n"
      "violation: double-free\n"
      "ptcheck: 0.1.0\n"
      "arch: arm64\n"
      "config:\n"
      "target: t\n"
      "\n"
      "1 T1 a.ptm:3 f choice=2 |x\n"
      "\n"
      " printk:\n"
      " page@0000000000000000 +0 [] := 0000000000000001 (2 bytes)\n"
      "------------[ cut here ]------------\n"
      "BUG: double free";
  Trace t = parse_text("t.trace", text);
  STRCMP_EQUAL("arm64", t.header.arch.c_str());
  UNSIGNED_LONGS_EQUAL(1, t.steps.size());
  CHECK(t.steps[0].choice == 2u);
  STRCMP_EQUAL("x", t.steps[0].statement.c_str());
  UNSIGNED_LONGS_EQUAL(1, t.steps[0].output.size());
  STRCMP_EQUAL("", t.steps[0].output[0].c_str());
  UNSIGNED_LONGS_EQUAL(2, t.steps[0].writes[0].size);
  STRCMP_EQUAL("BUG: double free", t.violation.title.c_str());
  CHECK(t.violation.report.empty());
}

TEST(TraceText, MalformedCorpus) {
  const std::string good = to_text(full_trace());
  CHECK(parses_or_located_error(good));
  expect_error("", "t.trace:1:1: error: expected '# ptcheck counterexample'");
  expect_error("# ptcheck counterexample\r\ntarget: x\r\n", "t.trace:1:25: error: expected Unix line endings");
  for (const char* key : {"target:", "arch:", "config:", "ptcheck:", "violation:"}) {
    std::vector<std::string> lines = split_lines(good);
    std::string text;
    for (const auto& l : lines)
      if (l.rfind(key, 0) != 0) text += l + "\n";
    std::string e = expect_error(text, "t.trace:");
    CHECK(e.find(std::string("expected a '") + key) != std::string::npos);
  }
  expect_error(replace(good, "target:    pte_free_now_rfc\n", "target:    pte_free_now_rfc\ntarget: x\n"), "t.trace:3:1:");
  expect_error(replace(good, "target:", "tarrget:"), "t.trace:2:1: error: expected a header key");
  expect_error(replace(good, "CONFIG_MEMCG=y", "CONFIG_MEMCG=m"), "t.trace:4:12: error: expected SYMBOL=y");
  expect_error(replace(good, "xxh64:0123456789abcdef", "xxh64:0123456789ABCDEF"), "t.trace:6:");
  expect_error(replace(good, "xxh64:0123456789abcdef", "md5:0123456789abcdef"), "t.trace:6:");
  expect_error(replace(good, "page@ffffea0004000040", "page@ffffea000400004"), "t.trace:");
  expect_error(replace(good, "page@ffffea0004000040", "page@0xffffea00040000"), "t.trace:");
  expect_error(replace(good, ":= dead000000000122", ":= dead00000000012g"), "t.trace:");
  expect_error(replace(good, ":= dead000000000122", ":= dead000000000122 (3 bytes)"), "t.trace:");
  expect_error(replace(good, "+16 [lru", "16 [lru"), "t.trace:");
  expect_error(replace(good, "   2  rcu", "   3  rcu"), "t.trace:14:4: error: expected step number 2");
  expect_error(replace(good, "   1  T1", "   0  T1"), "t.trace:10:4: error: expected step number 1");
  expect_error(replace(good, "memory.ptm:412", "memory.ptm:4x2"), "t.trace:10:");
  expect_error(replace(good, "memory.ptm:412", "memory.ptm:99999999999"), "t.trace:10:");
  expect_error(replace(good, "choice=1 ", "choice=x "), "t.trace:14:");
  expect_error(replace(good, "| pmd_populate", "pmd_populate"), "t.trace:10:");
  // Continuation line before the first step.
  expect_error(replace(good, "\n\n   1  T1", "\n\n          printk: early\n   1  T1"),
               "t.trace:10:11: error: expected a step line");
  // Unindented garbage in the step section, missing cut-here line, missing title.
  expect_error(replace(good, "   2  rcu", "garbage\n   2  rcu"), "t.trace:14:1:");
  expect_error(replace(good, "------------[ cut here ]------------\n", ""), "t.trace:");
  std::string no_title = good.substr(0, good.find("kernel BUG"));
  expect_error(no_title, "t.trace:");
}

TEST(TraceText, TruncationsNeverCrash) {
  const std::string good = to_text(full_trace());
  for (size_t n = 0; n <= good.size(); ++n) parses_or_located_error(good.substr(0, n));
  std::vector<std::string> lines = split_lines(good);
  for (size_t n = 0; n <= lines.size(); ++n) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text += lines[i] + "\n";
    parses_or_located_error(text);
  }
}

TEST(TraceText, RandomMutationsNeverCrash) {
  const std::string good = to_text(full_trace());
  std::mt19937 rng(12345);
  const char interesting[] = {' ', '\n', '\r', '|', ':', '@', '+', '[', ']', '=', '0', '9', 'a', 'f', 'g', '-', '\0',
                              '\t', '#', 'y', 'n', '\xff'};
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string m = good;
    size_t pos = rng() % m.size();
    switch (rng() % 4) {
      case 0: m[pos] = static_cast<char>(rng() % 256); break;
      case 1: m[pos] = interesting[rng() % sizeof(interesting)]; break;
      case 2: m.erase(pos, 1); break;
      default: m.insert(pos, 1, interesting[rng() % sizeof(interesting)]); break;
    }
    (parses_or_located_error(m) ? parsed : rejected)++;
  }
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

TEST_GROUP(TraceJson){};

TEST(TraceJson, RoundTrip) {
  Trace t = full_trace();
  nlohmann::json j = to_json(t);
  check_equal(t, from_json("t.json", j));
  check_equal(t, from_json("t.json", nlohmann::json::parse(j.dump(2))));
  STRCMP_EQUAL("ffffea0004000040", j["steps"][0]["writes"][0]["address"].get<std::string>().c_str());
  CHECK(!j["steps"][0].contains("choice"));
  CHECK(j["steps"][1]["choice"] == 1);
}

TEST(TraceJson, ChoicesKeepAll64Bits) {
  for (uint64_t c : {uint64_t{1} << 32, (uint64_t{1} << 32) + 7, UINT64_MAX}) {
    nlohmann::json j = to_json(full_trace());
    j["steps"][1]["choice"] = c;
    Trace t = from_json("t.json", j);
    CHECK(t.steps[1].choice.has_value());
    CHECK(*t.steps[1].choice == c);
  }
}

TEST(TraceJson, Errors) {
  const nlohmann::json good = to_json(full_trace());
  auto expect = [](const nlohmann::json& j, const std::string& needle) {
    try {
      from_json("t.json", j);
      FAIL(("no error, wanted " + needle).c_str());
    } catch (const InputError& e) {
      std::string m = e.what();
      if (m.rfind("t.json: error: ", 0) != 0 || m.find(needle) == std::string::npos)
        FAIL(("error '" + m + "' lacks '" + needle + "'").c_str());
    }
  };
  expect(nlohmann::json::array(), "expected a JSON object");
  nlohmann::json j = good;
  j.erase("header");
  expect(j, "expected member \"header\"");
  j = good;
  j["header"]["target"] = 3;
  expect(j, "header.target: expected a string");
  j = good;
  j["format"] = "other";
  expect(j, "format: expected");
  j = good;
  j["steps"][1]["index"] = 3;
  expect(j, "steps[1].index: expected 2");
  j = good;
  j["steps"][0]["writes"][0]["address"] = "0xffff";
  expect(j, "steps[0].writes[0].address: expected 16 lowercase hex digits");
  j = good;
  j["steps"][0]["writes"][0]["size"] = 3;
  expect(j, "steps[0].writes[0].size");
  j = good;
  j["steps"][0]["line"] = -1;
  expect(j, "steps[0].line: expected a non-negative integer");
  // Header values the text form writes as one token: a JSON trace whose
  // header could not be written as text and read back is refused (found by
  // the trace fuzzer: a model hash "xxh63:...").
  j = good;
  j["header"]["models"] = nlohmann::json::array({{{"path", "model/a.ptm"}, {"hash", "xxh63:d7b5da20a4c5ba5d"}}});
  expect(j, "header.models[0].hash: expected \"xxh64:\" and 16 lowercase hex digits");
  j = good;
  j["header"]["models"] = nlohmann::json::array({{{"path", "model/a b.ptm"}, {"hash", "xxh64:d7b5da20a4c5ba5d"}}});
  expect(j, "header.models[0].path: expected one word without blanks");
  j = good;
  j["header"]["target"] = "two words";
  expect(j, "header.target: expected one word");
  j = good;
  j["header"]["models"] = nlohmann::json::array({{{"path", ""}, {"hash", "xxh64:d7b5da20a4c5ba5d"}}});
  expect(j, "header.models[0].path: expected a non-empty string");
  j = good;
  j["header"]["configs"] = nlohmann::json::array({{{"symbol", "CONFIG_A=B"}, {"value", true}}});
  expect(j, "header.configs[0].symbol: expected one word without blanks or =");
  j = good;
  j["steps"][1]["choice"] = "1";
  expect(j, "steps[1].choice");
  j = good;
  j["steps"][1]["output"][0] = 1;
  expect(j, "steps[1].output[0]: expected a string");
  j = good;
  j["header"]["configs"][0]["value"] = "y";
  expect(j, "header.configs[0].value: expected true or false");
  j = good;
  j["violation"].erase("report");
  expect(j, "violation: expected member \"report\"");
}

TEST_GROUP(TraceLoad){};

TEST(TraceLoad, TextAndJsonFiles) {
  char tmpl[] = "/tmp/ptcheck_trace_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  Trace t = full_trace();
  std::ofstream(dir / "a.trace") << to_text(t);
  std::ofstream(dir / "a.json") << "\n  " << to_json(t).dump(2);
  std::ofstream(dir / "bad.json") << "{\n  \"format\": ,\n}";
  check_equal(t, load_trace((dir / "a.trace").string()));
  check_equal(t, load_trace((dir / "a.json").string()));
  try {
    load_trace((dir / "bad.json").string());
    FAIL("no throw");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK(m.find("bad.json:2:13: error: expected valid JSON") != std::string::npos);
  }
  CHECK_THROWS(InputError, load_trace((dir / "missing.trace").string()));
  std::filesystem::remove_all(dir);
}

TEST_GROUP(TraceFold){};

TEST(TraceFold, AllocatorBookkeepingAndRunsFoldAndStillMatch) {
  Trace t = full_trace();
  Step alloc;
  alloc.index = static_cast<unsigned>(t.steps.size() + 1);
  alloc.thread = "T1";
  alloc.file = "model/mm/page_alloc.ptm";
  alloc.line = 337;
  alloc.function = "free_frozen_pages";
  alloc.statement = "atomic {";
  alloc.reads.push_back({"contig_zone", 0xffffffff82000080ULL, 0, 8, 0x100000, "zone_start_pfn"});
  alloc.writes.push_back({"contig_zone", 0xffffffff82000080ULL, 32, 8, 1, "free_area"});
  alloc.writes.push_back({"page", 0xffffea0004000080ULL, 8, 8, 0xdead000000000100ULL, "lru.next/buddy_list.next"});
  alloc.writes.push_back({"page", 0xffffea0004000080ULL, 48, 4, 0xffffffff, "page_type"});
  alloc.writes.push_back({"page", 0xffffea0004000080ULL, 48, 4, 0xf0000000, "page_type"});
  Step memset_step = alloc;
  memset_step.index = alloc.index + 1;
  memset_step.file = "arch/powerpc64/mm/book3s64/hash_pgtable.ptm";
  memset_step.reads.clear();
  memset_step.writes.clear();
  for (uint64_t off = 0; off < 80; off += 8) memset_step.writes.push_back({"data", 0xc000000100000000ULL, off, 8, 0, ""});
  t.steps.push_back(alloc);
  t.steps.push_back(memset_step);

  Step fa = fold_step(alloc), fm = fold_step(memset_step);
  UNSIGNED_LONGS_EQUAL(1, fa.folded_reads);
  UNSIGNED_LONGS_EQUAL(3, fa.folded_writes);  // the zone word, the buddy link, the first page_type write
  UNSIGNED_LONGS_EQUAL(1, fa.writes.size());
  UNSIGNED_LONGS_EQUAL(0xf0000000, fa.writes[0].value);
  UNSIGNED_LONGS_EQUAL(8, fm.folded_writes);  // first and last of the run stay
  UNSIGNED_LONGS_EQUAL(2, fm.writes.size());
  // Folded steps match what replay produces; a wrong value or count does not.
  CHECK(writes_match(fa, alloc));
  CHECK(writes_match(fm, memset_step));
  Step wrong = alloc;
  wrong.writes.back().value = 1;
  CHECK(!writes_match(fa, wrong));
  wrong = alloc;
  wrong.writes.pop_back();
  CHECK(!writes_match(fa, wrong));
  // The text form folds by default, says so, and reads back with the counts.
  std::string text = to_text(t);
  CHECK(text.find("(folded: 1 reads, 3 writes of page allocator bookkeeping; check --trace-detail shows them)") !=
        std::string::npos);
  CHECK(text.find("(folded: 0 reads, 8 writes of repeated words") != std::string::npos);
  Trace back = parse_text("t.trace", text);
  const Step& b = back.steps[alloc.index - 1];
  UNSIGNED_LONGS_EQUAL(3, b.folded_writes);
  CHECK(writes_match(b, alloc));
  // --trace-detail: everything, no fold line.
  std::string full = to_text(t, false);
  CHECK(full.find("(folded:") == std::string::npos);
  check_equal(t, parse_text("t.trace", full));
  // JSON keeps everything too, and carries counts of a folded step.
  Trace j = from_json("t.json", to_json(back));
  UNSIGNED_LONGS_EQUAL(3, j.steps[alloc.index - 1].folded_writes);
}

TEST(TraceJson, InvalidUtf8IsReplacedNotThrown) {
  // Found by fuzz_trace: a statement quoting bytes that are not UTF-8 made the
  // JSON dump throw after a run (check --json, --trace-out F.json).
  Trace t = full_trace();
  t.steps[0].statement = "x = \"\xc1\xff\";";
  t.steps[1].output.push_back("bad \xc1 byte");
  std::string js = json_text(to_json(t));
  CHECK(js.find("\\ufffd") != std::string::npos || js.find("\xef\xbf\xbd") != std::string::npos);
  Trace back = from_json("t.json", nlohmann::json::parse(js));
  LONGS_EQUAL(t.steps.size(), back.steps.size());
}

TEST_GROUP(TraceDot){};

TEST(TraceDot, LanesArrowsAndTheViolation) {
  Trace t;
  t.header.target = "race";
  t.header.arch = "x86_64";
  t.violation.title = "kernel BUG at \"x.ptm\":3!";
  Step a;
  a.index = 1;
  a.thread = "writer";
  a.file = "x.ptm";
  a.line = 2;
  a.function = "w";
  a.statement = "WRITE_ONCE(g, 1);";
  a.writes.push_back({"g", 0xffffffff82000000ULL, 0, 8, 1, "val"});
  Step b = a;
  b.index = 2;
  b.thread = "reader";
  b.function = "r";
  b.statement = "v = READ_ONCE(g);";
  b.writes.clear();
  b.reads.push_back({"g", 0xffffffff82000000ULL, 0, 8, 1, "val"});
  t.steps = {a, b};
  std::string dot = to_dot(t);
  CHECK(dot.find("digraph trace {") == 0);
  CHECK(dot.find("L0_0 [shape=box, style=bold, label=\"writer\"]") != std::string::npos);
  CHECK(dot.find("L1_0 [shape=box, style=bold, label=\"reader\"]") != std::string::npos);
  // The read of the value the writer wrote: an arrow between the lanes.
  CHECK(dot.find("L0_1 -> L1_2 [color=blue, fontcolor=blue, constraint=false, label=\"g+0 [val] == 0x1\"]") !=
        std::string::npos);
  // The failing step and the violation in red, quotes escaped.
  CHECK(dot.find("L1_2 [shape=box, color=red") != std::string::npos);
  CHECK(dot.find("label=\"kernel BUG at \\\"x.ptm\\\":3!\"") != std::string::npos);
}
