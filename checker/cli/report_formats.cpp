// TAP (kselftest) and JUnit XML renderings of check results (report_formats.h).
#include "cli/report_formats.h"

#include <fmt/format.h>

#include "trace/trace_io.h"

namespace ptcheck::cli {

namespace {

// One TAP description line: no '#' (it would start a directive), one line.
std::string tap_text(std::string s) {
  for (char& c : s)
    if (c == '#' || c == '\n') c = ' ';
  return s;
}

std::string xml(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0; keep tab and newline.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += fmt::format("&#x{:x};", 0xfffd);
        else out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string tap_report(const std::vector<CheckResult>& results) {
  std::string out = "TAP version 13\n";
  out += fmt::format("1..{}\n", results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const CheckResult& r = results[i];
    std::string name = tap_text(fmt::format("{} {}", r.target, r.arch));
    if (r.verdict == RowVerdict::NotRun) {
      out += fmt::format("ok {} {} # SKIP not run (interrupted)\n", i + 1, name);
      continue;
    }
    bool ok = r.as_expected && r.verdict != RowVerdict::Incomplete && r.verdict != RowVerdict::Error;
    out += fmt::format("{} {} {}\n", ok ? "ok" : "not ok", i + 1, name);
    out += fmt::format("# {}: expected {}, got {}\n", name, tap_text(r.expected.text()), tap_text(got_text(r)));
    if (r.verdict == RowVerdict::Error)
      out += "# " + tap_text(r.error) + "\n";
    if (!ok && r.trace)
      for (const std::string& l : {r.trace->violation.title}) out += "# " + tap_text(l) + "\n";
  }
  return out;
}

std::string junit_report(const std::vector<CheckResult>& results) {
  size_t failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
  for (const auto& r : results) {
    seconds += r.stats.seconds;
    if (r.verdict == RowVerdict::NotRun) ++skipped;
    else if (r.verdict == RowVerdict::Error || r.verdict == RowVerdict::Incomplete) ++errors;
    else if (!r.as_expected) ++failures;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\"",
                                   results.size(), failures, errors, skipped, seconds);
  out += fmt::format("<testsuites name=\"ptcheck\" {}>\n", counts);
  out += fmt::format("  <testsuite name=\"ptcheck check\" {}>\n", counts);
  for (const auto& r : results) {
    out += fmt::format("    <testcase classname=\"ptcheck.{}\" name=\"{}\" time=\"{:.3f}\"", xml(r.arch), xml(r.target),
                       r.stats.seconds);
    std::string what = fmt::format("expected {}, got {}", r.expected.text(), got_text(r));
    if (r.verdict == RowVerdict::NotRun) {
      out += ">\n      <skipped message=\"not run (interrupted)\"/>\n    </testcase>\n";
    } else if (r.verdict == RowVerdict::Error || r.verdict == RowVerdict::Incomplete) {
      out += fmt::format(">\n      <error message=\"{}\">{}</error>\n    </testcase>\n", xml(what),
                         xml(r.verdict == RowVerdict::Error ? r.error : r.incomplete_reason));
    } else if (!r.as_expected) {
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", xml(what),
                         xml(r.trace ? trace::to_text(*r.trace) : r.verdict == RowVerdict::Vacuous ? vacuous_text(r) : witness_text(r)));
    } else {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                         xml(r.trace ? r.trace->violation.title : what));
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace ptcheck::cli
