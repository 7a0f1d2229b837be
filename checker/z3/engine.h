#pragma once
// The Z3 engine: answers layout queries (z3/query.h) over every Kconfig
// assignment of an arch, from the arch's symbolic layouts (z3/sym_layout.h).
#include <z3++.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "frontend/ast.h"
#include "z3/query.h"
#include "z3/sym_layout.h"

namespace ptcheck {
class Project;
}

namespace ptcheck::z3 {

struct EngineOptions {
  unsigned timeout_ms = 10000;  // per solver call; 0: none
  bool cold_unaligned = false;  // function_address without (N) is 1-aligned
};

// A solver's answer, and whether a formula holds under every Kconfig
// assignment of the arch.
enum class SatResult { Sat, Unsat, Unknown };
enum class Validity { Yes, No, Unknown };
const char* to_string(SatResult r);  // "sat", "unsat", "unknown"
const char* to_string(Validity v);   // "yes", "no", "unknown"

struct MemberRange {
  std::string member;
  bool present = false;
  uint64_t offset = 0, size = 0;
};

// How the value of a decodes() atom came out on one arch.
struct ValueAnswer {
  std::string text;      // "decodes(LIST_POISON2, memdesc_type, 15)"
  SatResult result = SatResult::Unknown;
  std::string describe;  // "LIST_POISON2 = 0xdead000000000122", "function address (16-aligned)"
  std::optional<uint64_t> witness;  // a value that decodes as asked (sat)
  uint64_t decoded = 0;             // its decoded value, or (unsat, single value) what it decodes as
  bool single = false;              // the value set has one element
};

struct Answer {
  std::string arch;
  SatResult result = SatResult::Unknown;
  std::string reason;  // unknown: why (Z3's reason_unknown, or the failing sub-question)
  std::vector<std::pair<std::string, bool>> config;  // sat: the Kconfig values that matter
  std::vector<MemberRange> members;                  // sat: the members' bytes in the witness
  std::vector<ValueAnswer> values;                   // decodes() atoms
  Validity holds = Validity::Unknown;                // valid in every config
  std::vector<std::pair<std::string, bool>> counter; // holds == No: a config where it fails
  std::vector<MemberRange> counter_members;
  bool cached = false;
};

// Z3 over the model's layouts for each arch, with answers cached by
// (arch, fixed symbols, canonical query, options) for the life of the engine.
class Engine {
 public:
  explicit Engine(EngineOptions o = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // An arch with the units that declare its types (dependencies first).
  void add_arch(const ArchInfo& arch, const std::vector<const ast::TranslationUnit*>& units, SourceManager& sm);
  // arch/<a>/arch.toml with model/ and arch/<a>/*.ptm, as `ptcheck layout` loads them.
  void load_project_arch(Project& p, const std::string& arch);
  bool has_arch(const std::string& arch) const { return arches_.count(arch) != 0; }
  SymLayout& layout(const std::string& arch);

  // The query on one arch; `sets` are fixed, every other symbol is free.
  // Malformed members/values raise InputError through `err`.
  Answer ask(const QNode& q, const std::string& arch, const std::vector<std::pair<std::string, bool>>& sets,
             const ErrFn& err);

  ::z3::context& ctx() { return ctx_; }
  EngineOptions& options() { return opt_; }
  size_t cache_hits() const { return hits_; }
  // One solver call with the engine's timeout (Unknown: reason set).
  SatResult solve(const ::z3::expr& f, std::string* reason = nullptr, std::optional<::z3::model>* model = nullptr);

 private:
  struct ArchState;
  ::z3::expr translate(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members,
                     std::vector<ValueAnswer>& values, std::string& unknown);
  std::pair<::z3::expr, ::z3::expr> term(const QNode& q, ArchState& a, const ErrFn& err, std::vector<std::string>& members);
  SymMember member(const std::string& m, unsigned col, ArchState& a, const ErrFn& err);
  ValueAnswer decide_value(const QNode& q, ArchState& a, const ErrFn& err);
  std::vector<std::pair<std::string, bool>> implicant(const ::z3::expr& q, const ::z3::expr& background,
                                                      const ::z3::model& m,
                                                      const std::vector<std::pair<std::string, bool>>& sets);

  EngineOptions opt_;
  ::z3::context ctx_;
  std::map<std::string, std::unique_ptr<ArchState>> arches_;
  std::map<std::string, Answer> cache_;
  size_t hits_ = 0;
  unsigned fresh_ = 0;
};

// Text of a value set and of an answer's config, for reports.
std::string describe_value(const ValueSpec& v, const ArchInfo& arch, bool cold_unaligned);
std::string config_text(const std::vector<std::pair<std::string, bool>>& cfg);  // "CONFIG_X=y, CONFIG_Y=n"
std::string ranges_text(const std::vector<MemberRange>& ms);  // "page.lru 8..23, page.memdesc 16..23"

}  // namespace ptcheck::z3
