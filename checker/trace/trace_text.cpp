// The text trace format (specified in counterexamples/README.md; keep the two
// in sync): writing, and parsing with located errors.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "support/diag.h"
#include "trace/trace_fold.h"
#include "trace/trace_io.h"

namespace ptcheck::trace {
namespace {

constexpr size_t kStepIndent = 10;  // continuation lines (writes, printk)
constexpr const char* kFolded = "(folded:";

std::string hex16(uint64_t v) { return fmt::format("{:016x}", v); }

std::string write_text(const MemWrite& w, bool read = false) {
  std::string s = fmt::format("{}@{} +{}", w.object, hex16(w.object_addr), w.offset);
  if (!w.field.empty()) s += fmt::format(" [{}]", w.field);
  s += (read ? " == " : " := ") + hex16(w.value);
  if (w.size != 8) s += fmt::format(" ({} byte{})", w.size, w.size == 1 ? "" : "s");
  return s;
}

// ---------------------------------------------------------------- parsing --

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class TextParser {
 public:
  TextParser(const std::string& path, const std::string& text) : path_(path) {
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) {
        lines_.push_back(text.substr(start));
        break;
      }
      lines_.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }

  Trace parse() {
    Trace t;
    parse_header(t);
    parse_steps(t);
    parse_violation(t);
    return t;
  }

 private:
  [[noreturn]] void fail(size_t line_idx, size_t col0, const std::string& msg) const {
    // line_idx is 0-based, col0 is a 0-based byte offset. Control characters
    // quoted from the input are escaped so the message stays on one line.
    std::string clean;
    for (char c : msg) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) clean += fmt::format("\\x{:02x}", u);
      else clean += c;
    }
    input_error(path_, static_cast<uint32_t>(std::min<size_t>(line_idx + 1, UINT32_MAX)),
                static_cast<uint32_t>(std::min<size_t>(col0 + 1, UINT32_MAX)), clean);
  }
  [[noreturn]] void fail_eof(const std::string& msg) const {
    // After the last line: point just past the end of the file.
    if (lines_.empty()) fail(0, 0, msg);
    fail(lines_.size(), 0, msg);
  }

  // Reads the next space-separated token of line `li` starting at `pos`;
  // returns its start, or npos if the line ends first.
  size_t token(const std::string& l, size_t& pos, std::string& tok) const {
    while (pos < l.size() && is_space(l[pos])) ++pos;
    if (pos >= l.size()) return std::string::npos;
    size_t start = pos;
    while (pos < l.size() && !is_space(l[pos])) ++pos;
    tok = l.substr(start, pos - start);
    return start;
  }

  uint64_t parse_hex16(size_t li, size_t col, std::string_view s, const char* what) const {
    if (s.size() != 16 || !std::all_of(s.begin(), s.end(), is_hex_lower))
      fail(li, col, fmt::format("expected {} as 16 lowercase hex digits without 0x, found '{}'", what, s));
    uint64_t v = 0;
    for (char c : s) v = v * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return v;
  }

  uint64_t parse_dec(size_t li, size_t col, std::string_view s, const char* what, uint64_t max) const {
    if (!all_digits(s)) fail(li, col, fmt::format("expected {} (a decimal number), found '{}'", what, s));
    uint64_t v = 0;
    for (char c : s) {
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (max - d) / 10) fail(li, col, fmt::format("expected {} no larger than {}, found '{}'", what, max, s));
      v = v * 10 + d;
    }
    return v;
  }

  // -------------------------------------------------------------- header --
  void parse_header(Trace& t) {
    if (lines_.empty()) fail(0, 0, fmt::format("expected '{}' as the first line, found an empty file", kTextMagic));
    for (size_t i = 0; i < lines_.size() && i < 2; ++i)
      if (!lines_[i].empty() && lines_[i].back() == '\r')
        fail(i, lines_[i].size() - 1, "expected Unix line endings (LF), found CR LF");
    if (lines_[0] != kTextMagic) fail(0, 0, fmt::format("expected '{}' as the first line", kTextMagic));
    bool seen_target = false, seen_arch = false, seen_config = false, seen_version = false, seen_violation = false, seen_loop = false;
    bool seen_bounds = false, seen_spec = false, seen_mm = false;
    size_t li = 1;
    for (; li < lines_.size(); ++li) {
      const std::string& l = lines_[li];
      if (l.empty()) break;
      if (l[0] == '#') continue;
      size_t colon = l.find(':');
      size_t key_end = colon;
      if (colon == std::string::npos || colon == 0 ||
          !std::all_of(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(key_end),
                       [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
        fail(li, 0,
             "expected a header line 'key: value' (target, arch, config, bounds, spec, ptcheck, model, violation) "
             "or an empty line before the steps");
      std::string key = l.substr(0, key_end);
      size_t vpos = colon + 1;
      while (vpos < l.size() && is_space(l[vpos])) ++vpos;
      std::string value = l.substr(vpos);
      auto once = [&](bool& seen) {
        if (seen) fail(li, 0, fmt::format("expected one '{}:' header line, found a second one", key));
        seen = true;
      };
      auto single_token = [&](const char* what) {
        if (value.empty()) fail(li, vpos, fmt::format("expected {} after '{}:'", what, key));
        size_t sp = value.find_first_of(" \t");
        if (sp != std::string::npos)
          fail(li, vpos + sp, fmt::format("expected {} without spaces after '{}:'", what, key));
      };
      if (key == "target") {
        once(seen_target);
        single_token("a target name");
        t.header.target = value;
      } else if (key == "arch") {
        once(seen_arch);
        single_token("an arch name");
        t.header.arch = value;
      } else if (key == "ptcheck") {
        once(seen_version);
        single_token("the ptcheck version");
        t.header.ptcheck_version = value;
      } else if (key == "violation") {
        once(seen_violation);
        single_token("the violation kind");
        t.violation.kind = value;
      } else if (key == "loop") {
        once(seen_loop);
        single_token("the step the loop starts at");
        char* end = nullptr;
        errno = 0;
        unsigned long v = std::strtoul(value.c_str(), &end, 10);
        if (value.empty() || *end || errno || v == 0 || v > 100000000)
          fail(li, vpos, fmt::format("expected a step number after 'loop:', found '{}'", value));
        t.violation.loop_from = static_cast<unsigned>(v);
      } else if (key == "config") {
        once(seen_config);
        size_t pos = colon + 1;
        std::string tok;
        size_t start;
        while ((start = token(l, pos, tok)) != std::string::npos) {
          size_t eq = tok.find('=');
          if (eq == std::string::npos || eq == 0 || eq + 2 != tok.size() || (tok[eq + 1] != 'y' && tok[eq + 1] != 'n'))
            fail(li, start, fmt::format("expected SYMBOL=y or SYMBOL=n, found '{}'", tok));
          t.header.configs.emplace_back(tok.substr(0, eq), tok[eq + 1] == 'y');
        }
      } else if (key == "bounds") {
        once(seen_bounds);
        size_t pos = colon + 1;
        std::string tok;
        size_t start;
        while ((start = token(l, pos, tok)) != std::string::npos) {
          size_t eq = tok.find('=');
          std::string_view v = eq == std::string::npos ? std::string_view() : std::string_view(tok).substr(eq + 1);
          bool neg = !v.empty() && v[0] == '-';
          if (eq == std::string::npos || eq == 0 || !all_digits(neg ? v.substr(1) : v))
            fail(li, start, fmt::format("expected NAME=NUMBER, found '{}'", tok));
          uint64_t mag = parse_dec(li, start + eq + 1 + neg, neg ? v.substr(1) : v, "the parameter value",
                                   neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1);
          t.header.bounds.emplace_back(tok.substr(0, eq), neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag));
        }
      } else if (key == "spec") {
        once(seen_spec);
        single_token("the spec file path");
        t.header.spec = value;
      } else if (key == "memory_model") {
        once(seen_mm);
        single_token("the memory model (sc, tso or lkmm)");
        t.header.memory_model = value;
      } else if (key == "model") {
        size_t pos = colon + 1;
        std::string p, h, extra;
        size_t ps = token(l, pos, p);
        if (ps == std::string::npos) fail(li, l.size(), "expected a model file path after 'model:'");
        size_t hs = token(l, pos, h);
        if (hs == std::string::npos) fail(li, l.size(), "expected 'xxh64:<16 hex digits>' after the model path");
        if (h.rfind("xxh64:", 0) != 0) fail(li, hs, fmt::format("expected 'xxh64:<16 hex digits>', found '{}'", h));
        parse_hex16(li, hs + 6, std::string_view(h).substr(6), "the xxh64 hash");
        size_t es = token(l, pos, extra);
        if (es != std::string::npos) fail(li, es, "expected the end of the line after the model hash");
        t.header.model_hashes.emplace_back(p, h);
      } else {
        fail(li, 0, fmt::format("expected a header key (target, arch, config, bounds, spec, ptcheck, model, "
                                "violation), found '{}'", key));
      }
    }
    const char* missing = !seen_target ? "target" : !seen_arch ? "arch" : !seen_config ? "config"
                        : !seen_version ? "ptcheck" : !seen_violation ? "violation" : nullptr;
    if (missing) {
      std::string msg = fmt::format("expected a '{}:' header line before the end of the header", missing);
      if (li < lines_.size()) fail(li, 0, msg);
      fail_eof(msg);
    }
    if (li >= lines_.size()) fail_eof("expected an empty line after the header, then the steps");
    pos_ = li + 1;
  }

  // --------------------------------------------------------------- steps --
  void parse_steps(Trace& t) {
    for (; pos_ < lines_.size(); ++pos_) {
      const std::string& l = lines_[pos_];
      if (l == kCutHere) return;
      if (l.empty()) continue;
      size_t p = 0;
      std::string first;
      size_t fs = token(l, p, first);
      if (fs == std::string::npos) fail(pos_, 0, "expected a step line, a continuation line or an empty line");
      if (all_digits(first)) {
        parse_step_line(t, l);
      } else if (fs > 0) {
        if (t.steps.empty())
          fail(pos_, fs, "expected a step line ('<n>  <thread>  <file>:<line>  <function>  | <statement>') before "
                         "this continuation line");
        parse_continuation(t.steps.back(), l, fs);
      } else {
        fail(pos_, 0, fmt::format("expected a step line, an indented continuation line, or '{}'", kCutHere));
      }
    }
    fail_eof(fmt::format("expected '{}' followed by the violation report", kCutHere));
  }

  void parse_step_line(Trace& t, const std::string& l) {
    size_t li = pos_;
    size_t p = 0;
    std::string tok;
    size_t s = token(l, p, tok);
    unsigned idx = static_cast<unsigned>(parse_dec(li, s, tok, "the step number", UINT32_MAX));
    if (idx != t.steps.size() + 1)
      fail(li, s, fmt::format("expected step number {} (steps are numbered from 1 without gaps), found {}",
                              t.steps.size() + 1, idx));
    Step st;
    st.index = idx;
    s = token(l, p, st.thread);
    if (s == std::string::npos || st.thread == "|") fail(li, s == std::string::npos ? l.size() : s, "expected a thread name");
    std::string loc;
    s = token(l, p, loc);
    if (s == std::string::npos) fail(li, l.size(), "expected '<file>:<line>' after the thread name");
    size_t colon = loc.rfind(':');
    if (colon == std::string::npos || colon == 0)
      fail(li, s, fmt::format("expected '<file>:<line>', found '{}'", loc));
    st.file = loc.substr(0, colon);
    st.line = static_cast<unsigned>(parse_dec(li, s + colon + 1, std::string_view(loc).substr(colon + 1),
                                              "a line number", UINT32_MAX));
    s = token(l, p, st.function);
    if (s == std::string::npos || st.function == "|")
      fail(li, s == std::string::npos ? l.size() : s, "expected a function name after '<file>:<line>'");
    s = token(l, p, tok);
    if (s != std::string::npos && tok.rfind("choice=", 0) == 0) {
      st.choice = parse_dec(li, s + 7, std::string_view(tok).substr(7), "the choice value", UINT64_MAX);
      s = token(l, p, tok);
    }
    if (s == std::string::npos || tok[0] != '|')
      fail(li, s == std::string::npos ? l.size() : s, "expected '|' followed by the statement text");
    size_t stmt = s + 1;
    if (stmt < l.size() && l[stmt] == ' ') ++stmt;
    st.statement = l.substr(std::min(stmt, l.size()));
    t.steps.push_back(std::move(st));
  }

  void parse_continuation(Step& st, const std::string& l, size_t start) {
    size_t li = pos_;
    std::string_view rest = std::string_view(l).substr(start);
    if (rest.rfind(kFolded, 0) == 0) {
      // (folded: N reads, M writes ...)
      size_t p = start + std::string_view(kFolded).size();
      std::string tok;
      size_t s1 = token(l, p, tok);
      if (s1 == std::string::npos) fail(li, l.size(), "expected the number of folded reads");
      st.folded_reads = static_cast<unsigned>(parse_dec(li, s1, tok, "the number of folded reads", UINT32_MAX));
      std::string w;
      size_t s2 = token(l, p, w);
      if (w != "reads,") fail(li, s2 == std::string::npos ? l.size() : s2, "expected 'reads,' after the number");
      s1 = token(l, p, tok);
      if (s1 == std::string::npos) fail(li, l.size(), "expected the number of folded writes");
      st.folded_writes = static_cast<unsigned>(parse_dec(li, s1, tok, "the number of folded writes", UINT32_MAX));
      return;
    }
    if (rest.rfind("printk:", 0) == 0) {
      size_t b = start + 7;
      if (b < l.size()) {
        if (l[b] != ' ') fail(li, b, "expected a space after 'printk:'");
        ++b;
      }
      st.output.push_back(l.substr(std::min(b, l.size())));
      return;
    }
    // object@address +offset [field] := value[ (N bytes)]   (a write)
    // object@address +offset [field] == value[ (N bytes)]   (a read)
    MemWrite w;
    size_t assign = l.rfind(" := ");
    bool is_read = false;
    if (assign == std::string::npos || assign < start) {
      assign = l.rfind(" == ");
      is_read = true;
    }
    if (assign == std::string::npos || assign < start)
      fail(li, start, "expected a write 'object@address +offset [field] := value', a read '... == value' or 'printk: text'");
    size_t p = start;
    std::string tok;
    size_t s = token(l, p, tok);
    size_t at = tok.rfind('@');
    if (at == std::string::npos)
      fail(li, s, fmt::format("expected 'object@address' at the start of a write, found '{}'", tok));
    w.object = tok.substr(0, at);
    w.object_addr = parse_hex16(li, s + at + 1, std::string_view(tok).substr(at + 1), "the object address");
    s = token(l, p, tok);
    if (s == std::string::npos || s >= assign || tok.size() < 2 || tok[0] != '+')
      fail(li, s == std::string::npos || s >= assign ? assign : s, "expected '+<offset>' after the object address");
    w.offset = parse_dec(li, s + 1, std::string_view(tok).substr(1), "the byte offset", UINT64_MAX);
    while (p < assign && is_space(l[p])) ++p;
    if (p < assign) {
      if (l[p] != '[' || l[assign - 1] != ']' || assign - 1 <= p)
        fail(li, p, "expected '[field]' or ':=' after the offset");
      w.field = l.substr(p + 1, assign - 1 - (p + 1));
    }
    size_t v = assign + 4;
    size_t ve = l.find(' ', v);
    std::string_view val = std::string_view(l).substr(v, ve == std::string::npos ? std::string::npos : ve - v);
    w.value = parse_hex16(li, v, val, "the value written");
    if (ve != std::string::npos) {
      std::string_view sz = std::string_view(l).substr(ve);
      unsigned n = 0;
      if (sz == " (1 byte)") n = 1;
      else if (sz == " (2 bytes)") n = 2;
      else if (sz == " (4 bytes)") n = 4;
      else if (sz == " (8 bytes)") n = 8;
      else fail(li, ve + 1, "expected the end of the line or '(1 byte)', '(2 bytes)', '(4 bytes)' after the value");
      w.size = n;
    }
    (is_read ? st.reads : st.writes).push_back(std::move(w));
  }

  // ----------------------------------------------------------- violation --
  void parse_violation(Trace& t) {
    // lines_[pos_] is the cut-here line.
    if (pos_ + 1 >= lines_.size()) fail_eof(fmt::format("expected the violation title after '{}'", kCutHere));
    t.violation.title = lines_[pos_ + 1];
    for (size_t i = pos_ + 2; i < lines_.size(); ++i) t.violation.report.push_back(lines_[i]);
  }

  std::string path_;
  std::vector<std::string> lines_;
  size_t pos_ = 0;
};

}  // namespace

// ------------------------------------------------------------------ text --

std::string to_text(const Trace& t, bool fold) {
  std::string out;
  out += kTextMagic;
  out += '\n';
  out += fmt::format("target:    {}\n", t.header.target);
  out += fmt::format("arch:      {}\n", t.header.arch);
  out += "config:";
  for (size_t i = 0; i < t.header.configs.size(); ++i)
    out += fmt::format("{}{}={}", i == 0 ? "    " : " ", t.header.configs[i].first, t.header.configs[i].second ? 'y' : 'n');
  out += '\n';
  if (!t.header.bounds.empty()) {
    out += "bounds:";
    for (size_t i = 0; i < t.header.bounds.size(); ++i)
      out += fmt::format("{}{}={}", i == 0 ? "    " : " ", t.header.bounds[i].first, t.header.bounds[i].second);
    out += '\n';
  }
  if (!t.header.spec.empty()) out += fmt::format("spec:      {}\n", t.header.spec);
  if (!t.header.memory_model.empty()) out += fmt::format("memory_model: {}\n", t.header.memory_model);
  out += fmt::format("ptcheck:   {}\n", t.header.ptcheck_version);
  for (const auto& [path, hash] : t.header.model_hashes) out += fmt::format("model:     {} {}\n", path, hash);
  out += fmt::format("violation: {}\n", t.violation.kind);
  if (t.violation.loop_from) out += fmt::format("loop:      {}\n", *t.violation.loop_from);
  out += '\n';

  size_t iw = 4, tw = 0, lw = 0, fw = 0, cw = 0;
  for (const Step& s : t.steps) {
    iw = std::max(iw, std::to_string(s.index).size());
    tw = std::max(tw, s.thread.size());
    lw = std::max(lw, s.file.size() + 1 + std::to_string(s.line).size());
    fw = std::max(fw, s.function.size());
    if (s.choice) cw = std::max(cw, fmt::format("choice={}", *s.choice).size());
  }
  for (const Step& full : t.steps) {
    const Step s = fold ? fold_step(full) : full;
    std::string loc = fmt::format("{}:{}", s.file, s.line);
    std::string line = fmt::format("{:>{}}  {:<{}}  {:<{}}  {:<{}}  ", s.index, iw, s.thread, tw, loc, lw, s.function, fw);
    if (cw) line += fmt::format("{:<{}}  ", s.choice ? fmt::format("choice={}", *s.choice) : std::string(), cw);
    line += s.statement.empty() ? "|" : "| " + s.statement;
    out += line;
    out += '\n';
    std::string indent(std::max(kStepIndent, iw + 2), ' ');
    for (const MemWrite& w : s.reads) out += indent + write_text(w, true) + '\n';
    for (const MemWrite& w : s.writes) out += indent + write_text(w) + '\n';
    for (const std::string& o : s.output) out += indent + "printk: " + o + '\n';
    if (s.folded_reads || s.folded_writes)
      out += indent + fmt::format("{} {} reads, {} writes of {}; check --trace-detail shows them)\n", kFolded,
                                  s.folded_reads, s.folded_writes,
                                  is_allocator_step(s) ? "page allocator bookkeeping" : "repeated words");
  }
  out += '\n';
  out += kCutHere;
  out += '\n';
  out += t.violation.title;
  out += '\n';
  for (const std::string& r : t.violation.report) {
    out += r;
    out += '\n';
  }
  return out;
}

Trace parse_text(const std::string& path, const std::string& text) { return TextParser(path, text).parse(); }

}  // namespace ptcheck::trace
