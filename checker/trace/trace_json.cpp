// The JSON trace format: the same data as the text format, for machines; and
// load_trace(), which reads either.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "support/diag.h"
#include "trace/trace_io.h"

namespace ptcheck::trace {
namespace {

std::string hex16(uint64_t v) { return fmt::format("{:016x}", v); }
bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

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
  // A header value the text form writes as one token after its key: no
  // blank (the text reader's token separators, ' ' and '\t') and none of
  // `banned`; non-empty when `nonempty`. (from_json() also checks that the
  // whole trace reads back from its text form.)
  std::string word(const nlohmann::json& o, const std::string& where, const char* key, const char* banned = "",
                   bool nonempty = false) const {
    std::string v = str(o, where, key);
    if (nonempty && v.empty()) fail(sub(where, key), "expected a non-empty string");
    for (char c : v)
      if (c == ' ' || c == '\t' || std::string_view(banned).find(c) != std::string_view::npos)
        fail(sub(where, key),
             fmt::format("expected one word without blanks{}{}, found \"{}\"", *banned ? " or " : "", banned, v));
    return v;
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
  if (!t.header.bounds.empty()) {
    h["bounds"] = json::array();
    for (const auto& [name, v] : t.header.bounds) h["bounds"].push_back({{"name", name}, {"value", v}});
  }
  if (!t.header.spec.empty()) h["spec"] = t.header.spec;
  if (!t.header.memory_model.empty()) h["memory_model"] = t.header.memory_model;
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
    if (s.folded_reads) js["folded_reads"] = s.folded_reads;
    if (s.folded_writes) js["folded_writes"] = s.folded_writes;
    j["steps"].push_back(js);
  }
  j["violation"] = {{"kind", t.violation.kind}, {"title", t.violation.title}, {"report", t.violation.report}};
  if (t.violation.loop_from) j["violation"]["loop_from"] = *t.violation.loop_from;
  return j;
}

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Trace from_json(const std::string& path, const nlohmann::json& j) {
  JsonReader r(path);
  Trace t;
  if (!j.is_object()) r.fail("", fmt::format("expected a JSON object, found {}", j.type_name()));
  if (r.str(j, "", "format") != kJsonFormat) r.fail("format", fmt::format("expected \"{}\"", kJsonFormat));
  if (r.uint(j, "", "version", UINT32_MAX) != 1) r.fail("version", "expected 1");
  const auto& h = r.member(j, "", "header");
  if (!h.is_object()) r.fail("header", "expected an object");
  t.header.target = r.word(h, "header", "target");
  t.header.arch = r.word(h, "header", "arch");
  t.header.ptcheck_version = r.word(h, "header", "ptcheck_version");
  const auto& cfg = r.array(h, "header", "configs");
  for (size_t i = 0; i < cfg.size(); ++i) {
    std::string w = fmt::format("header.configs[{}]", i);
    std::string sym = r.word(cfg[i], w, "symbol", "=", true);
    const auto& v = r.member(cfg[i], w, "value");
    if (!v.is_boolean()) r.fail(w + ".value", fmt::format("expected true or false, found {}", v.type_name()));
    t.header.configs.emplace_back(sym, v.get<bool>());
  }
  if (h.contains("bounds")) {
    const auto& b = r.array(h, "header", "bounds");
    for (size_t i = 0; i < b.size(); ++i) {
      std::string w = fmt::format("header.bounds[{}]", i);
      std::string name = r.word(b[i], w, "name", "=", true);
      const auto& v = r.member(b[i], w, "value");
      if (!v.is_number_integer()) r.fail(w + ".value", fmt::format("expected an integer, found {}", v.type_name()));
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        r.fail(w + ".value", "expected a 64-bit signed integer");
      t.header.bounds.emplace_back(name, v.get<int64_t>());
    }
  }
  if (h.contains("spec")) t.header.spec = r.word(h, "header", "spec");
  if (h.contains("memory_model")) t.header.memory_model = r.word(h, "header", "memory_model");
  const auto& models = r.array(h, "header", "models");
  for (size_t i = 0; i < models.size(); ++i) {
    std::string w = fmt::format("header.models[{}]", i);
    std::string path = r.word(models[i], w, "path", "", true), hash = r.str(models[i], w, "hash");
    if (hash.size() != 22 || hash.rfind("xxh64:", 0) != 0 ||
        !std::all_of(hash.begin() + 6, hash.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      r.fail(w + ".hash", fmt::format("expected \"xxh64:\" and 16 lowercase hex digits, found \"{}\"", hash));
    t.header.model_hashes.emplace_back(path, hash);
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
    if (js.contains("folded_reads")) s.folded_reads = static_cast<unsigned>(r.uint(js, w, "folded_reads", UINT32_MAX));
    if (js.contains("folded_writes")) s.folded_writes = static_cast<unsigned>(r.uint(js, w, "folded_writes", UINT32_MAX));
    t.steps.push_back(std::move(s));
  }
  const auto& v = r.member(j, "", "violation");
  if (!v.is_object()) r.fail("violation", "expected an object");
  t.violation.kind = r.word(v, "violation", "kind");
  t.violation.title = r.str(v, "violation", "title");
  t.violation.report = r.strings(v, "violation", "report");
  if (v.contains("loop_from")) {
    uint64_t at = r.uint(v, "violation", "loop_from", 100000000);
    if (at == 0) r.fail("violation.loop_from", "expected a step number (from 1)");
    t.violation.loop_from = static_cast<unsigned>(at);
  }
  // Every trace has one meaning in both forms: one whose text form would
  // not read back the same is refused here rather than misread later.
  const std::string text = to_text(t, false);
  bool same = false;
  try {
    same = to_text(parse_text(path, text), false) == text;
  } catch (const InputError& e) {
    r.fail("", std::string("this trace has no text form that reads back (") + e.what() + ")");
  }
  if (!same) r.fail("", "this trace has no text form that reads back the same");
  return t;
}

Trace load_trace(const std::string& path) {
  std::string text = read_input_file(path);
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
