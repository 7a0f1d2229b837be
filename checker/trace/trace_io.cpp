// Text and JSON trace formats. The text format is specified in
// counterexamples/README.md; keep the two in sync.
#include "trace/trace_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "support/diag.h"

namespace ptcheck::trace {
namespace {

constexpr size_t kStepIndent = 10;  // continuation lines (writes, printk)

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
    bool seen_target = false, seen_arch = false, seen_config = false, seen_version = false, seen_violation = false;
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
             "expected a header line 'key: value' (target, arch, config, ptcheck, model, violation) or an empty "
             "line before the steps");
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
        fail(li, 0, fmt::format("expected a header key (target, arch, config, ptcheck, model, violation), found '{}'",
                                key));
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

// ------------------------------------------------------------------- JSON --

class JsonReader {
 public:
  explicit JsonReader(const std::string& path) : path_(path) {}
  [[noreturn]] void fail(const std::string& where, const std::string& msg) const {
    input_error(path_, 0, 0, fmt::format("{}: {}", where.empty() ? "top level" : where, msg));
  }
  const nlohmann::json& member(const nlohmann::json& o, const std::string& where, const char* key) const {
    if (!o.is_object()) fail(where, "expected an object");
    auto it = o.find(key);
    if (it == o.end()) fail(where, fmt::format("expected member \"{}\"", key));
    return *it;
  }
  static std::string sub(const std::string& where, const char* key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }
  std::string str(const nlohmann::json& o, const std::string& where, const char* key) const {
    const auto& v = member(o, where, key);
    if (!v.is_string()) fail(sub(where, key), fmt::format("expected a string, found {}", v.type_name()));
    return v.get<std::string>();
  }
  uint64_t uint(const nlohmann::json& o, const std::string& where, const char* key, uint64_t max) const {
    const auto& v = member(o, where, key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
      fail(sub(where, key), fmt::format("expected a non-negative integer, found {}", v.type_name()));
    uint64_t x = v.get<uint64_t>();
    if (x > max) fail(sub(where, key), fmt::format("expected an integer no larger than {}, found {}", max, x));
    return x;
  }
  uint64_t hex(const nlohmann::json& o, const std::string& where, const char* key) const {
    std::string s = str(o, where, key);
    if (s.size() != 16 || !std::all_of(s.begin(), s.end(), is_hex_lower))
      fail(sub(where, key), fmt::format("expected 16 lowercase hex digits, found \"{}\"", s));
    return std::stoull(s, nullptr, 16);
  }
  const nlohmann::json& array(const nlohmann::json& o, const std::string& where, const char* key) const {
    const auto& v = member(o, where, key);
    if (!v.is_array()) fail(sub(where, key), fmt::format("expected an array, found {}", v.type_name()));
    return v;
  }
  std::vector<std::string> strings(const nlohmann::json& o, const std::string& where, const char* key) const {
    std::vector<std::string> out;
    const auto& a = array(o, where, key);
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string())
        fail(fmt::format("{}[{}]", sub(where, key), i), fmt::format("expected a string, found {}", a[i].type_name()));
      out.push_back(a[i].get<std::string>());
    }
    return out;
  }

 private:
  std::string path_;
};

}  // namespace

// ------------------------------------------------------------------ text --

std::string to_text(const Trace& t) {
  std::string out;
  out += kTextMagic;
  out += '\n';
  out += fmt::format("target:    {}\n", t.header.target);
  out += fmt::format("arch:      {}\n", t.header.arch);
  out += "config:";
  for (size_t i = 0; i < t.header.configs.size(); ++i)
    out += fmt::format("{}{}={}", i == 0 ? "    " : " ", t.header.configs[i].first, t.header.configs[i].second ? 'y' : 'n');
  out += '\n';
  out += fmt::format("ptcheck:   {}\n", t.header.ptcheck_version);
  for (const auto& [path, hash] : t.header.model_hashes) out += fmt::format("model:     {} {}\n", path, hash);
  out += fmt::format("violation: {}\n", t.violation.kind);
  out += '\n';

  size_t iw = 4, tw = 0, lw = 0, fw = 0, cw = 0;
  for (const Step& s : t.steps) {
    iw = std::max(iw, std::to_string(s.index).size());
    tw = std::max(tw, s.thread.size());
    lw = std::max(lw, s.file.size() + 1 + std::to_string(s.line).size());
    fw = std::max(fw, s.function.size());
    if (s.choice) cw = std::max(cw, fmt::format("choice={}", *s.choice).size());
  }
  for (const Step& s : t.steps) {
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

// ------------------------------------------------------------------ JSON --

nlohmann::json to_json(const Trace& t) {
  using nlohmann::json;
  json j;
  j["format"] = kJsonFormat;
  j["version"] = 1;
  json h;
  h["target"] = t.header.target;
  h["arch"] = t.header.arch;
  h["configs"] = json::array();
  for (const auto& [sym, on] : t.header.configs) h["configs"].push_back({{"symbol", sym}, {"value", on}});
  h["ptcheck_version"] = t.header.ptcheck_version;
  h["models"] = json::array();
  for (const auto& [p, hash] : t.header.model_hashes) h["models"].push_back({{"path", p}, {"hash", hash}});
  j["header"] = h;
  j["steps"] = json::array();
  for (const Step& s : t.steps) {
    json js;
    js["index"] = s.index;
    js["thread"] = s.thread;
    if (s.choice) js["choice"] = *s.choice;
    js["file"] = s.file;
    js["line"] = s.line;
    js["function"] = s.function;
    js["statement"] = s.statement;
    auto mem = [](const MemWrite& w) {
      return json{{"object", w.object}, {"address", hex16(w.object_addr)}, {"offset", w.offset},
                  {"size", w.size},     {"value", hex16(w.value)},         {"field", w.field}};
    };
    js["reads"] = json::array();
    for (const MemWrite& w : s.reads) js["reads"].push_back(mem(w));
    js["writes"] = json::array();
    for (const MemWrite& w : s.writes) js["writes"].push_back(mem(w));
    js["output"] = s.output;
    j["steps"].push_back(js);
  }
  j["violation"] = {{"kind", t.violation.kind}, {"title", t.violation.title}, {"report", t.violation.report}};
  return j;
}

Trace from_json(const std::string& path, const nlohmann::json& j) {
  JsonReader r(path);
  Trace t;
  if (!j.is_object()) r.fail("", fmt::format("expected a JSON object, found {}", j.type_name()));
  if (r.str(j, "", "format") != kJsonFormat) r.fail("format", fmt::format("expected \"{}\"", kJsonFormat));
  if (r.uint(j, "", "version", UINT32_MAX) != 1) r.fail("version", "expected 1");
  const auto& h = r.member(j, "", "header");
  if (!h.is_object()) r.fail("header", "expected an object");
  t.header.target = r.str(h, "header", "target");
  t.header.arch = r.str(h, "header", "arch");
  t.header.ptcheck_version = r.str(h, "header", "ptcheck_version");
  const auto& cfg = r.array(h, "header", "configs");
  for (size_t i = 0; i < cfg.size(); ++i) {
    std::string w = fmt::format("header.configs[{}]", i);
    std::string sym = r.str(cfg[i], w, "symbol");
    const auto& v = r.member(cfg[i], w, "value");
    if (!v.is_boolean()) r.fail(w + ".value", fmt::format("expected true or false, found {}", v.type_name()));
    t.header.configs.emplace_back(sym, v.get<bool>());
  }
  const auto& models = r.array(h, "header", "models");
  for (size_t i = 0; i < models.size(); ++i) {
    std::string w = fmt::format("header.models[{}]", i);
    t.header.model_hashes.emplace_back(r.str(models[i], w, "path"), r.str(models[i], w, "hash"));
  }
  const auto& steps = r.array(j, "", "steps");
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string w = fmt::format("steps[{}]", i);
    const auto& js = steps[i];
    Step s;
    s.index = static_cast<unsigned>(r.uint(js, w, "index", UINT32_MAX));
    if (s.index != i + 1) r.fail(w + ".index", fmt::format("expected {} (steps are numbered from 1 without gaps)", i + 1));
    s.thread = r.str(js, w, "thread");
    if (js.contains("choice")) s.choice = r.uint(js, w, "choice", UINT64_MAX);
    s.file = r.str(js, w, "file");
    s.line = static_cast<unsigned>(r.uint(js, w, "line", UINT32_MAX));
    s.function = r.str(js, w, "function");
    s.statement = r.str(js, w, "statement");
    auto mems = [&](const char* key, std::vector<MemWrite>& into) {
      const auto& arr = r.array(js, w, key);
      for (size_t k = 0; k < arr.size(); ++k) {
        std::string ww = fmt::format("{}.{}[{}]", w, key, k);
        MemWrite m;
        m.object = r.str(arr[k], ww, "object");
        m.object_addr = r.hex(arr[k], ww, "address");
        m.offset = r.uint(arr[k], ww, "offset", UINT64_MAX);
        m.size = static_cast<unsigned>(r.uint(arr[k], ww, "size", 8));
        if (m.size != 1 && m.size != 2 && m.size != 4 && m.size != 8) r.fail(ww + ".size", "expected 1, 2, 4 or 8");
        m.value = r.hex(arr[k], ww, "value");
        m.field = r.str(arr[k], ww, "field");
        into.push_back(std::move(m));
      }
    };
    if (js.contains("reads")) mems("reads", s.reads);  // absent in traces older than reads
    mems("writes", s.writes);
    s.output = r.strings(js, w, "output");
    t.steps.push_back(std::move(s));
  }
  const auto& v = r.member(j, "", "violation");
  if (!v.is_object()) r.fail("violation", "expected an object");
  t.violation.kind = r.str(v, "violation", "kind");
  t.violation.title = r.str(v, "violation", "title");
  t.violation.report = r.strings(v, "violation", "report");
  return t;
}

Trace load_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) input_error(path, 0, 0, "cannot read file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) input_error(path, 0, 0, "cannot read file");
  std::string text = ss.str();
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      // e.byte is the 1-based offset of the offending byte.
      size_t off = e.byte == 0 ? 0 : std::min<size_t>(e.byte - 1, text.size());
      uint32_t line = 1, col = 1;
      for (size_t i = 0; i < off; ++i) {
        if (text[i] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      std::string msg = e.what();
      size_t p = msg.find("parse error");
      input_error(path, line, col, fmt::format("expected valid JSON: {}", p == std::string::npos ? msg : msg.substr(p)));
    }
    return from_json(path, j);
  }
  return parse_text(path, text);
}

}  // namespace ptcheck::trace
