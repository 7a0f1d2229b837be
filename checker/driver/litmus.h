#pragma once
// C litmus tests in the format of the kernel's tools/memory-model (herd7's C
// dialect): `C NAME`, an init block, P0..Pn functions whose pointer parameters
// name shared locations, and the final-state clauses `locations`, `filter`,
// `exists`, `~exists` and `forall`. parse_litmus() reads one; litmus_spec()
// turns it into a ptcheck target (docs/memory-model.md "Litmus tests").
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ptcheck::litmus {

// A final-state proposition.
struct Cond {
  enum Kind { True, False, Not, And, Or, Eq, Ne } kind = True;
  std::shared_ptr<Cond> a, b;
  std::string lhs;  // "0:r0" (a register of P0) or "x" (a location's final value)
  std::string rhs;  // an integer, or a location name (its address)
};

struct Location {
  std::string type = "int";  // C type of the location's value
  std::string name;
  std::string init;          // "" (zero), an integer, or "&name"
};

struct Proc {
  unsigned index = 0;
  std::vector<std::pair<std::string, std::string>> params;  // (type, name)
  unsigned line = 0;  // 1-based line of "Pn("
  std::string text;   // "Pn(...) { ... }" verbatim, newlines kept
  size_t close = 0;   // offset in text of the body's closing '}'
};

enum class Quant { Exists, NotExists, Forall };

struct Test {
  std::string file, name;
  std::vector<Location> locations;  // every shared location, init block first
  std::vector<Proc> procs;
  Quant quant = Quant::Exists;
  std::shared_ptr<Cond> cond, filter;
  std::string cond_text;                    // the clause as written, one line
  std::vector<std::string> shown;           // `locations [...]`: extra outcome columns
  // Never|Sometimes|Always by model: "lkmm" (Result:, LKMM's own verdict),
  // "sc" (SC-Result:), "tso" (TSO-Result:), "approx" (Approx-Result: what
  // ptcheck's lkmm approximation observes where it misses an LKMM outcome).
  std::map<std::string, std::string> expected;
  std::map<std::string, unsigned> expected_line;
};

// Throws InputError "FILE:LINE: error: ..." on malformed input.
Test parse_litmus(const std::string& file, const std::string& text);

// The outcome columns: every term of the condition, the filter and `locations`, in order.
std::vector<std::string> observed(const Test& t);

// A ptcheck spec whose target `target_name` runs the test: the procs keep
// their line numbers, so a compile error points at the litmus file's line.
// Register rN of Pk is copied to the global __out_k_rN when Pk returns.
std::string litmus_spec(const Test& t, const std::string& target_name);
std::string out_global(const std::string& reg_term);  // "0:r0" -> "__out_0_r0"

}  // namespace ptcheck::litmus
