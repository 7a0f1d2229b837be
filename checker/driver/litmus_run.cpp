// Litmus runs (litmus_run.h): an explicit-state depth-first search over the
// interpreter, final states projected on the observed terms.
#include "driver/litmus_run.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <unordered_set>

#include "driver/run.h"
#include "support/diag.h"
#include "target/instantiate.h"
#include "vm/machine.h"
#include "vm/value_io.h"

namespace ptcheck::litmus {

namespace {

// Search bound: a litmus test that needs more is not a litmus test.
constexpr uint64_t kMaxStates = 5'000'000;

struct Observer {
  const vm::Model& m;
  std::map<std::string, const vm::Region*> globals;
  explicit Observer(const vm::Model& model) : m(model) {
    for (const auto& r : m.regions)
      if (r.kind == vm::RegionKind::Global) globals[r.name] = &r;
  }
  const vm::Region* global(const std::string& name) const {
    auto it = globals.find(name);
    if (it == globals.end()) throw InputError(fmt::format("litmus: internal: no global '{}'", name));
    return it->second;
  }
  // The final value of a term: a register's copy or a location's bytes.
  int64_t value(const uint8_t* s, const std::string& term) const {
    const bool reg = term.find(':') != std::string::npos;
    const vm::Region* r = global(reg ? out_global(term) : term);
    const uint32_t size = static_cast<uint32_t>(std::min<uint64_t>(r->obj_size, 8));
    return static_cast<int64_t>(vm::read_value(s + r->state_off, size, !reg && size < 8));
  }
  std::string show(int64_t v) const {
    for (const auto& [name, r] : globals)
      if (static_cast<uint64_t>(v) == r->base && name.rfind("__out_", 0) != 0) return name;
    return std::to_string(v);
  }
  int64_t rhs(const std::string& text) const {
    if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-'))
      return static_cast<int64_t>(std::stoll(text, nullptr, 0));
    return static_cast<int64_t>(global(text)->base);
  }
  bool eval(const Cond* c, const uint8_t* s) const {
    if (!c) return true;
    switch (c->kind) {
      case Cond::True: return true;
      case Cond::False: return false;
      case Cond::Not: return !eval(c->a.get(), s);
      case Cond::And: return eval(c->a.get(), s) && eval(c->b.get(), s);
      case Cond::Or: return eval(c->a.get(), s) || eval(c->b.get(), s);
      case Cond::Eq: return value(s, c->lhs) == rhs(c->rhs);
      case Cond::Ne: return value(s, c->lhs) != rhs(c->rhs);
    }
    return false;
  }
};

std::string target_name_for(const std::string& name) {
  std::string out = "litmus_";
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace

RunResult run_litmus(Project& project, const Test& t, vm::MemoryModelKind mm, const std::string& workdir,
                     const std::string& arch) {
  RunResult res;
  res.name = t.name;
  res.file = t.file;
  res.memory_model = std::string(vm::memory_model_name(mm));
  const std::string tname = target_name_for(t.name) + fmt::format("_{}", project.loaded_specs().size());
  std::string base = t.file.substr(t.file.find_last_of('/') + 1);
  const std::string spec_path = fmt::format("{}/{}.{}.ptm", workdir, base, project.loaded_specs().size());
  {
    std::ofstream f(spec_path);
    f << litmus_spec(t, tname);
    if (!f) throw InputError(fmt::format("{}: error: cannot write the generated target", spec_path));
  }
  // The generated spec keeps the litmus file's line numbers (line 1 holds
  // the declarations made from the init block and the parameters): its
  // errors name the litmus file.
  auto located = [&](const InputError& e) {
    std::string msg = e.what();
    for (size_t at; (at = msg.find(spec_path)) != std::string::npos;) {
      size_t end = at + spec_path.size();
      std::string with = t.file;
      if (msg.compare(end, 3, ":1:") == 0) {  // "PATH:1:COL" -> "FILE: declarations"
        end += 3;
        while (end < msg.size() && std::isdigit(static_cast<unsigned char>(msg[end]))) ++end;
        with += ": in the declarations of the init block and the P parameters";
      }
      msg.replace(at, end - at, with);
    }
    return InputError(msg);
  };
  std::unique_ptr<Instance> inst;
  try {
    project.load_spec_file(spec_path);
    const TargetEntry* target = project.find_target(tname);
    if (!target) throw InputError(fmt::format("{}: error: the generated target did not load", spec_path));
    project.set_memory_model(mm);
    inst = instantiate(project, *target, arch, {}, {});
  } catch (const InputError& e) {
    project.set_memory_model(std::nullopt);
    throw located(e);
  }
  const vm::Model& m = inst->model;
  if (auto model = vm::make_memory_model(m)) res.limits = std::string(model->limits());
  if (auto l = t.expected.find("lkmm"); l != t.expected.end()) res.lkmm_result = l->second;
  const std::string key = mm == vm::MemoryModelKind::Lkmm ? "approx" : res.memory_model;
  auto it = t.expected.find(key);
  if (it != t.expected.end()) {
    res.expected = it->second;
    res.expected_from = key == "approx" ? "Approx-Result" : key == "sc" ? "SC-Result" : "TSO-Result";
  } else if ((it = t.expected.find("lkmm")) != t.expected.end()) {
    res.expected = it->second;
    res.expected_from = "Result";
  }

  Observer obs(m);
  const std::vector<std::string> cols = observed(t);
  auto t0 = std::chrono::steady_clock::now();
  vm::Machine mach(m);
  std::vector<uint8_t> init(m.buffer_size());
  if (!mach.build_initial(init.data()))
    throw InputError(fmt::format("{}: error: the test fails before it starts: {}", t.file, vm::kind_name(mach.error().kind)));
  std::unordered_set<std::string> seen;
  std::map<std::string, bool> outcomes;
  std::optional<std::vector<uint32_t>> witness_path;
  std::set<std::string> errors;
  std::vector<uint32_t> path;
  std::vector<vm::Move> moves;
  const bool want_positive = t.quant != Quant::Forall;
  // Depth-first, iteratively: each frame a state and its moves still to try.
  struct Frame {
    std::vector<uint8_t> s;
    std::vector<vm::Move> moves;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  auto push = [&](const uint8_t* s) {
    std::string key(reinterpret_cast<const char*>(s), m.state_size);
    if (!seen.insert(std::move(key)).second) return;
    if (seen.size() > kMaxStates)
      throw InputError(fmt::format("{}: error: more than {} states: not a litmus-sized test", t.file, kMaxStates));
    Frame f;
    f.s.assign(s, s + m.buffer_size());
    moves.clear();
    mach.moves(f.s.data(), moves);
    if (moves.empty()) {
      if (!mach.all_done(f.s.data())) {
        errors.insert("deadlock: no context can move and some have not finished");
        return;
      }
      if (!obs.eval(t.filter.get(), f.s.data())) return;
      std::string text;
      for (const auto& c : cols) text += fmt::format("{}={}; ", c, obs.show(obs.value(f.s.data(), c)));
      if (!text.empty()) text.pop_back();
      const bool pos = obs.eval(t.cond.get(), f.s.data());
      outcomes[text] = pos;
      if (!witness_path && pos == want_positive) witness_path = path;
      return;
    }
    f.moves = moves;
    stack.push_back(std::move(f));
  };
  push(init.data());
  std::vector<uint8_t> next(m.buffer_size());
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.moves.size()) {
      stack.pop_back();
      if (!path.empty()) path.pop_back();
      continue;
    }
    const vm::Move mv = f.moves[f.next++];
    std::memcpy(next.data(), f.s.data(), m.state_size);
    ++res.transitions;
    if (!mach.step(next.data(), mv)) {
      errors.insert(fmt::format("{} in {}", vm::kind_name(mach.error().kind), m.context_name(mv.context)));
      continue;
    }
    path.push_back(vm::Machine::label(mv));
    const size_t depth = stack.size();
    push(next.data());
    if (stack.size() == depth) path.pop_back();
  }
  res.states = seen.size();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& [text, pos] : outcomes) {
    res.outcomes.push_back({text, pos});
    (pos ? res.positive : res.negative)++;
  }
  res.observation = res.positive == 0 ? "Never" : res.negative == 0 ? "Always" : "Sometimes";
  switch (t.quant) {
    case Quant::Exists: res.validated = res.positive > 0; break;
    case Quant::NotExists: res.validated = res.positive == 0; break;
    case Quant::Forall: res.validated = res.negative == 0; break;
  }
  res.errors.assign(errors.begin(), errors.end());
  if (witness_path) {
    trace::Trace tr = build_trace(*inst, *witness_path);
    tr.violation = trace::Violation{};
    tr.violation.kind = "none";
    tr.violation.title = fmt::format("litmus {}: a final state where the condition {}", t.name,
                                     want_positive ? "holds" : "fails");
    res.witness = std::move(tr);
  }
  project.set_memory_model(std::nullopt);
  return res;
}

std::string herd_text(const Test& t, const RunResult& r) {
  const char* quant = t.quant == Quant::Exists ? "exists" : t.quant == Quant::NotExists ? "~exists" : "forall";
  std::string out;
  out += fmt::format("Test {} {}\n", r.name, t.quant == Quant::Forall ? "Required" : "Allowed");
  out += fmt::format("States {}\n", r.outcomes.size());
  for (const auto& o : r.outcomes) out += o.text + "\n";
  out += r.validated ? "Ok\n" : "No\n";
  out += "Witnesses\n";
  out += fmt::format("Positive: {} Negative: {}\n", r.positive, r.negative);
  out += fmt::format("Condition {} {}\n", quant, t.cond_text);
  out += fmt::format("Observation {} {} {} {}\n", r.name, r.observation, r.positive, r.negative);
  out += fmt::format("Memory-model {} (ptcheck: {} states, {} transitions, {:.2f} s)\n", r.memory_model, r.states,
                     r.transitions, r.seconds);
  if (!r.limits.empty()) out += "Limits " + r.limits + "\n";
  for (const auto& e : r.errors) out += "Error on some path: " + e + "\n";
  if (!r.expected.empty())
    out += fmt::format("{}: {}: expected {}, observed {}{}{}\n", r.file, r.expected_from, r.expected, r.observation,
                       r.positive + r.negative == 0 ? " 0 0 (no final state passes the filter)" : "",
                       r.agrees() ? " (agrees)" : "  <-- DISAGREES");
  if (r.expected_from == "Approx-Result")
    out += fmt::format("{}: LKMM's Result is {}: an outcome this approximation does not produce (Limits above)\n",
                       r.file, r.lkmm_result);
  return out;
}

}  // namespace ptcheck::litmus
