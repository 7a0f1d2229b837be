// Sequence diagrams of traces in Graphviz's DOT language (trace_dot.h).
#include "trace/trace_dot.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace ptcheck::trace {

namespace {

// A DOT string literal's contents: quotes, backslashes and newlines escaped,
// long texts shortened.
std::string esc(const std::string& s, size_t max = 80) {
  std::string out;
  std::string t = s.size() > max ? s.substr(0, max - 3) + "..." : s;
  for (char c : t) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string to_dot(const Trace& t) {
  std::vector<std::string> lanes;
  std::map<std::string, size_t> lane_of;
  for (const Step& s : t.steps)
    if (lane_of.emplace(s.thread, lanes.size()).second) lanes.push_back(s.thread);
  if (lanes.empty()) lanes.push_back("init");
  std::string out = "digraph trace {\n";
  out += fmt::format("  label=\"{} ({}): {}\";\n  labelloc=t;\n", esc(t.header.target), esc(t.header.arch),
                     esc(t.violation.title, 120));
  out += "  rankdir=TB; newrank=true; node [fontname=\"monospace\", fontsize=10]; edge [fontsize=9];\n";
  const size_t rows = t.steps.size() + 2;  // header, steps, end
  for (size_t l = 0; l < lanes.size(); ++l) {
    out += fmt::format("  L{}_0 [shape=box, style=bold, label=\"{}\"];\n", l, esc(lanes[l]));
    for (size_t r = 1; r < rows; ++r) {
      const Step* s = r <= t.steps.size() ? &t.steps[r - 1] : nullptr;
      if (s && lane_of[s->thread] == l) {
        bool last = r == t.steps.size();
        std::string label = fmt::format("{}: {}\\n{}:{} {}", s->index, esc(s->function, 40), esc(s->file, 50),
                                        s->line, esc(s->statement, 60));
        out += fmt::format("  L{}_{} [shape=box{}, label=\"{}\"];\n", l, r,
                           last ? ", color=red, fontcolor=red, penwidth=2" : "", label);
      } else {
        out += fmt::format("  L{}_{} [shape=point, width=0.02, label=\"\"];\n", l, r);
      }
      out += fmt::format("  L{}_{} -> L{}_{} [arrowhead=none, style=dotted, weight=100];\n", l, r - 1, l, r);
    }
  }
  for (size_t r = 0; r < rows; ++r) {
    out += "  { rank=same;";
    for (size_t l = 0; l < lanes.size(); ++l) out += fmt::format(" L{}_{};", l, r);
    out += " }\n";
  }
  // Shared words: an arrow from the last earlier access of another thread to
  // the same word when one of the two writes it (who saw or overwrote whom).
  struct Access {
    size_t row;
    bool write;
  };
  std::map<uint64_t, std::vector<Access>> seen;  // address -> accesses so far, in order
  std::map<std::pair<size_t, size_t>, std::string> arrows;  // (from row, to row) -> label
  for (size_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    size_t row = i + 1, lane = lane_of[s.thread];
    auto visit = [&](const MemWrite& a, bool write) {
      auto& list = seen[a.object_addr + a.offset];
      for (auto it = list.rbegin(); it != list.rend(); ++it) {
        if (lane_of[t.steps[it->row - 1].thread] == lane) continue;
        if (!write && !it->write) continue;
        std::string field = a.field.empty() ? "" : " [" + a.field.substr(0, a.field.find('/')) + "]";
        arrows.emplace(std::make_pair(it->row, row),
                       fmt::format("{}+{}{} {} {:#x}", a.object, a.offset, field, write ? ":=" : "==", a.value));
        break;
      }
      list.push_back(Access{row, write});
    };
    for (const MemWrite& rd : s.reads) visit(rd, false);
    for (const MemWrite& w : s.writes) visit(w, true);
  }
  for (const auto& [rows_pair, label] : arrows) {
    size_t from = rows_pair.first, to = rows_pair.second;
    out += fmt::format("  L{}_{} -> L{}_{} [color=blue, fontcolor=blue, constraint=false, label=\"{}\"];\n",
                       lane_of[t.steps[from - 1].thread], from, lane_of[t.steps[to - 1].thread], to, esc(label, 60));
  }
  // The violation, under the lane that hit it.
  size_t vl = t.steps.empty() ? 0 : lane_of[t.steps.back().thread];
  out += fmt::format("  V [shape=octagon, color=red, fontcolor=red, label=\"{}\"];\n", esc(t.violation.title, 100));
  out += fmt::format("  L{}_{} -> V [color=red];\n", vl, rows - 1);
  out += "}\n";
  return out;
}

}  // namespace ptcheck::trace
