#pragma once
// Reading and writing counterexample traces (checker/trace/trace.h) as text (for
// people, like a kernel oops; format documented in counterexamples/README.md)
// and as JSON (for machines). Both round-trip exactly.
#include <nlohmann/json.hpp>
#include <string>

#include "trace/trace.h"

namespace ptcheck::trace {

// The line that separates the steps from the violation report.
inline constexpr const char* kCutHere = "------------[ cut here ]------------";
// The first line of every text trace.
inline constexpr const char* kTextMagic = "# ptcheck counterexample";
// JSON "format" member.
inline constexpr const char* kJsonFormat = "ptcheck-trace";

// fold: leave out page-allocator bookkeeping and repeated words, counted on a
// "(folded: ...)" line (trace_fold.h); false shows every access.
std::string to_text(const Trace& t, bool fold = true);
// Throws InputError "path:line:col: error: expected ..." on malformed input.
Trace parse_text(const std::string& path, const std::string& text);

nlohmann::json to_json(const Trace& t);
// JSON text for output: bytes that are not UTF-8 (from a model file's comment
// or string, quoted in a statement or printk line) become U+FFFD instead of
// making the dump throw after a run.
std::string json_text(const nlohmann::json& j, int indent = 2);
// Throws InputError "path: error: <member>: expected ..." on missing/mistyped members.
Trace from_json(const std::string& path, const nlohmann::json& j);

// Reads a trace file: JSON if its first non-space character is '{', text otherwise.
Trace load_trace(const std::string& path);

}  // namespace ptcheck::trace
