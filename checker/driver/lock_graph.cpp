// Lock-order graph: cycle search with Boost.Graph's strong_components, the
// witness searches, and the dot output (see lock_graph.h).
#include "driver/lock_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <deque>
#include <map>

#include "distributed/dist_bfs.h"
#include "vm/model_system.h"

namespace ptcheck {

std::vector<vm::LockEdge> find_lock_cycle(const std::vector<vm::LockEdge>& edges) {
  std::vector<vm::LockNode> nodes;
  for (const auto& e : edges) nodes.push_back(e.from), nodes.push_back(e.to);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  auto idx = [&](vm::LockNode n) { return std::lower_bound(nodes.begin(), nodes.end(), n) - nodes.begin(); };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(nodes.size());
  for (const auto& e : edges) boost::add_edge(idx(e.from), idx(e.to), g);
  std::vector<int> comp(nodes.size());
  boost::strong_components(g, comp.data());
  std::map<int, size_t> size;
  for (int c : comp) ++size[c];
  // The smallest node in a component of two or more: a shortest cycle through
  // it, by breadth-first search inside the component.
  for (size_t start = 0; start < nodes.size(); ++start) {
    if (size[comp[start]] < 2) continue;
    std::vector<long> parent(nodes.size(), -1);
    std::deque<size_t> q{start};
    while (!q.empty()) {
      size_t u = q.front();
      q.pop_front();
      for (const auto& e : edges) {  // edges are sorted: successors in key order
        if (static_cast<size_t>(idx(e.from)) != u) continue;
        size_t v = idx(e.to);
        if (comp[v] != comp[start]) continue;
        if (v == start) {
          std::vector<vm::LockEdge> cycle{e};
          for (size_t w = u; w != start; w = parent[w]) cycle.push_back({nodes[parent[w]], nodes[w]});
          std::reverse(cycle.begin(), cycle.end());
          return cycle;
        }
        if (parent[v] < 0) parent[v] = static_cast<long>(u), q.push_back(v);
      }
    }
  }
  return {};
}

void report_lock_cycle(CheckResult& r, const Instance& inst, const explore::Options& eo,
                       const std::vector<vm::LockEdge>& cycle) {
  const vm::Model& m = inst.model;
  explore::Options wo = eo;
  wo.search = explore::SearchKind::Bfs;
  wo.store = explore::StoreOptions{};
  wo.checkpoint.clear();
  wo.resume.clear();
  wo.same_violation = nullptr;
  std::vector<trace::Trace> chains;
  for (const vm::LockEdge& e : cycle) {
    vm::ModelSystem ws(m, e);
    explore::Result res = dist::explore_anywhere(ws, wo);
    if (res.verdict != explore::Verdict::Violation) return;  // not found again within the limits: keep the pass
    vm::LockDeps deps;
    deps.set_witness(e);
    chains.push_back(build_trace(inst, res.path, std::nullopt, &deps));
  }
  trace::Trace t = chains.back();
  auto& out = t.violation.report;
  out.push_back("");
  out.push_back("the existing dependency chain (in reverse order) is:");
  for (size_t i = cycle.size(); i-- > 0;) {
    const vm::LockEdge& e = cycle[i];
    out.push_back(fmt::format("-> #{} ({} -> {}): first taken on a path of {} steps{}", cycle.size() - 1 - i,
                              vm::lock_node_name(m, e.from), vm::lock_node_name(m, e.to), chains[i].steps.size(),
                              i + 1 == cycle.size() ? " (this trace)" : ":"));
    if (i + 1 == cycle.size()) continue;
    for (const auto& st : chains[i].steps)
      out.push_back(fmt::format("      {:>3} {} {}:{} {}: {}", st.index, st.thread, st.file, st.line, st.function,
                                st.statement));
  }
  out.push_back("");
  out.push_back("other info that might help us debug this:");
  out.push_back(" Possible unsafe locking scenario (no deadlock state needs to be reachable within the bounds):");
  for (const vm::LockEdge& e : cycle)
    out.push_back(fmt::format("  lock({}); lock({});", vm::lock_node_name(m, e.from), vm::lock_node_name(m, e.to)));
  out.push_back(" *** DEADLOCK ***");
  r.verdict = RowVerdict::Violation;
  r.error_kind = vm::ErrorKind::CircularLocking;
  r.trace = std::move(t);
}

std::string lock_graph_dot(const std::vector<CheckResult>& results) {
  std::string out = "digraph lock_order {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  size_t k = 0;
  for (const CheckResult& r : results) {
    if (r.lock_edges.empty()) continue;  // no lock taken under another (or a layout property)
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"{} ({})\";\n", k, r.target, r.arch);
    std::map<std::string, size_t> ids;
    auto id = [&](const std::string& n) {
      auto [it, fresh] = ids.emplace(n, ids.size());
      if (fresh) out += fmt::format("    n{}_{} [label=\"{}\"];\n", k, it->second, n);
      return it->second;
    };
    for (const auto& [a, b] : r.lock_edges) {
      size_t ia = id(a), ib = id(b);
      out += fmt::format("    n{}_{} -> n{}_{};\n", k, ia, k, ib);
    }
    out += "  }\n";
    ++k;
  }
  return out + "}\n";
}

}  // namespace ptcheck
