// Reach points: resolution against the compiled program, and the check after
// a run (reach.h).
#include "target/reach.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ptcheck {

namespace {

std::string join(const std::vector<std::string>& v, size_t most = 6) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < most; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > most) out += fmt::format(", ... ({} in all)", v.size());
  return out;
}

std::string normal_path(std::string p) {
  while (p.starts_with("./")) p.erase(0, 2);
  return p;
}

const vm::Function* function_named(const vm::Model& m, const std::string& name) {
  for (const vm::Function& f : m.funcs)
    if (f.name == name && f.has_body && !f.code.empty()) return &f;
  return nullptr;
}

// The error for a function the program does not compile: undefined, or
// defined but called by nothing this target runs.
[[noreturn]] void no_function(const SourceManager& sm, const ast::ReachDecl& d, const vm::Model& m,
                              const std::string& name) {
  for (const vm::Function& f : m.funcs)
    if (f.name == name)
      sm.error(d.loc, fmt::format("reach point '{}': function '{}' is not part of this target's program (its init, "
                                  "threads and invariants never call it or take its address), so it cannot be reached",
                                  d.text, name));
  sm.error(d.loc, fmt::format("reach point '{}': no function '{}' in this target's program", d.text, name));
}

void resolve_line(const ast::ReachDecl& d, const vm::Model& m, const SourceManager& sm, ReachPoint& p) {
  const std::string want = normal_path(d.file);
  std::set<uint32_t> files;
  for (uint32_t i = 0; i < sm.file_count(); ++i)
    if (sm.path(i) == want) files.insert(i);
  std::set<unsigned> nearby;
  bool file_in_program = false;
  for (const vm::Function& f : m.funcs) {
    if (!f.has_body) continue;
    for (uint32_t pc = 0; pc < f.code.size(); ++pc) {
      uint32_t li = f.code[pc].loc;
      if (li >= m.locs.size() || !files.count(m.locs[li].loc.file)) continue;
      file_in_program = true;
      const unsigned line = m.locs[li].loc.line;
      if (line == d.line) p.at.emplace_back(f.id, pc);
      else if (line + 5 >= d.line && line <= d.line + 5) nearby.insert(line);
    }
  }
  if (!p.at.empty()) return;
  if (!file_in_program)
    sm.error(d.loc, fmt::format("reach point '{}': no code of this target's program is in {} (a model file path "
                                "relative to the project root, e.g. model/mm/memory.ptm)",
                                d.text, want));
  std::vector<std::string> near;
  for (unsigned l : nearby) near.push_back(std::to_string(l));
  sm.error(d.loc, fmt::format("reach point '{}': no code of this target's program is on line {} of {}{}", d.text,
                              d.line, want, near.empty() ? "" : " (lines with code nearby: " + join(near) + ")"));
}

}  // namespace

std::vector<ReachPoint> resolve_reach(const std::vector<ast::ReachDecl>& decls, const vm::Model& m,
                                      const SourceManager& sm, bool lenient) {
  std::vector<ReachPoint> out;
  for (const ast::ReachDecl& d : decls) {
    ReachPoint p;
    p.text = d.text;
    p.loc = d.loc;
    if (lenient) {
      try {
        out.push_back(resolve_reach({d}, m, sm).front());
      } catch (const InputError&) {
        out.push_back(std::move(p));  // nothing reaches it
      }
      continue;
    }
    for (const ReachPoint& q : out)
      if (q.text == d.text) sm.error(d.loc, fmt::format("reach point '{}' is given twice", d.text));
    switch (d.kind) {
      case ast::ReachDecl::FileLine:
        resolve_line(d, m, sm, p);
        break;
      case ast::ReachDecl::Name: {
        if (const vm::Function* f = function_named(m, d.name)) {
          p.at.emplace_back(f->id, 0);
          break;
        }
        // Not a function: a label, in exactly one compiled function.
        std::vector<std::string> in;
        for (const vm::Function& f : m.funcs)
          for (const auto& [name, pc] : f.labels)
            if (name == d.name && f.has_body) {
              in.push_back(f.name);
              p.at.emplace_back(f.id, pc);
            }
        if (in.size() > 1)
          sm.error(d.loc, fmt::format("reach point '{}': the label is in several functions ({}): write "
                                      "FUNCTION:{}", d.text, join(in), d.name));
        if (in.empty()) {
          for (const vm::Function& f : m.funcs)
            if (f.name == d.name) no_function(sm, d, m, d.name);
          sm.error(d.loc, fmt::format("reach point '{}': no function and no label of that name in this target's "
                                      "program", d.text));
        }
        break;
      }
      case ast::ReachDecl::Label:
      case ast::ReachDecl::Goto: {
        const vm::Function* f = function_named(m, d.func);
        if (!f) no_function(sm, d, m, d.func);
        std::vector<std::string> have;
        for (const auto& [name, pc] : d.kind == ast::ReachDecl::Label ? f->labels : f->gotos) {
          if (name == d.name) p.at.emplace_back(f->id, pc);
          have.push_back(name);
        }
        if (!p.at.empty()) break;
        std::sort(have.begin(), have.end());
        have.erase(std::unique(have.begin(), have.end()), have.end());
        const char* what = d.kind == ast::ReachDecl::Label ? "label" : "goto to label";
        sm.error(d.loc, fmt::format("reach point '{}': {} has no {} '{}'{}", d.text, d.func, what, d.name,
                                    have.empty() ? std::string(" (it has none)")
                                                 : fmt::format(" (it has: {})", join(have))));
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> unreached_points(const std::vector<ReachPoint>& points, const vm::Coverage& c) {
  std::vector<std::string> out;
  for (const ReachPoint& p : points) {
    bool hit = false;
    for (const auto& [f, pc] : p.at)
      hit = hit || (f < c.marks.size() && pc < c.marks[f].size() && (c.marks[f][pc] & vm::Coverage::kRan));
    if (!hit) out.push_back(p.text);
  }
  return out;
}

}  // namespace ptcheck
