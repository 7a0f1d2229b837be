// TAP (kselftest) and JUnit XML renderings of check results (report_formats.h).
#include "cli/report_formats.h"

#include <fmt/format.h>

#include "trace/trace_io.h"

namespace ptcheck::cli {

std::string vacuous_text(const CheckResult& r) {
  std::string out = "vacuous (unreached:";
  for (size_t i = 0; i < r.unreached.size(); ++i) out += (i ? ", " : " ") + r.unreached[i];
  return out + ")";
}

namespace {

std::string got_text(const CheckResult& r) {
  if (r.verdict == "violation") return "violation " + r.error_kind;
  if (r.verdict == "incomplete") return "incomplete (" + r.incomplete_reason + ")";
  if (r.verdict == "vacuous") return vacuous_text(r);
  return r.verdict;
}

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
    if (r.verdict == "not run") {
      out += fmt::format("ok {} {} # SKIP not run (interrupted)\n", i + 1, name);
      continue;
    }
    bool ok = r.as_expected && r.verdict != "incomplete" && r.verdict != "error";
    out += fmt::format("{} {} {}\n", ok ? "ok" : "not ok", i + 1, name);
    out += fmt::format("# {}: expected {}, got {}\n", name, tap_text(r.expected), tap_text(got_text(r)));
    if (r.verdict == "error")
      out += "# " + tap_text(r.error_kind) + "\n";
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
    if (r.verdict == "not run") ++skipped;
    else if (r.verdict == "error" || r.verdict == "incomplete") ++errors;
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
    std::string what = fmt::format("expected {}, got {}", r.expected, got_text(r));
    if (r.verdict == "not run") {
      out += ">\n      <skipped message=\"not run (interrupted)\"/>\n    </testcase>\n";
    } else if (r.verdict == "error" || r.verdict == "incomplete") {
      out += fmt::format(">\n      <error message=\"{}\">{}</error>\n    </testcase>\n", xml(what),
                         xml(r.verdict == "error" ? r.error_kind : r.incomplete_reason));
    } else if (!r.as_expected) {
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", xml(what),
                         xml(r.trace ? trace::to_text(*r.trace) : r.verdict == "vacuous" ? vacuous_text(r) : r.error_kind));
    } else {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                         xml(r.trace ? r.trace->violation.title : what));
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace ptcheck::cli
