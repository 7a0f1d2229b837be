// libFuzzer target: the trace reader (text and JSON). Bad input must end in
// InputError; what parses must write back and parse again to the same text.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "support/diag.h"
#include "trace/trace_io.h"

using namespace ptcheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  trace::Trace t;
  try {
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
      nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded()) return 0;
      t = trace::from_json("fuzz.json", j);
    } else {
      t = trace::parse_text("fuzz.trace", text);
    }
  } catch (const InputError&) {
    return 0;
  }
  // Round trips: text (unfolded) and JSON are exact.
  std::string once = trace::to_text(t, false);
  trace::Trace back = trace::parse_text("again.trace", once);
  if (trace::to_text(back, false) != once) std::abort();
  // JSON output never throws; after the first dump (invalid UTF-8 replaced) it is stable.
  std::string js = trace::json_text(trace::to_json(t), -1);
  std::string js2 = trace::json_text(trace::to_json(trace::from_json("again.json", nlohmann::json::parse(js))), -1);
  std::string js3 = trace::json_text(trace::to_json(trace::from_json("again.json", nlohmann::json::parse(js2))), -1);
  if (js2 != js3) std::abort();
  (void)trace::to_text(t, true);
  return 0;
}
