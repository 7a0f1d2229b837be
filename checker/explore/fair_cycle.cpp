// Weakly fair cycles through states where a property is false; see fair_cycle.h.
#include "explore/fair_cycle.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

namespace ptcheck::explore {

namespace {

using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                               boost::no_property, uint32_t, uint64_t>;

// A set of dense unit numbers.
struct Bits {
  std::vector<uint64_t> w;
  explicit Bits(size_t n = 0, bool ones = false) : w((n + 63) / 64, ones ? ~uint64_t(0) : 0) {}
  void set(uint32_t i) { w[i / 64] |= uint64_t(1) << (i % 64); }
  bool has(uint32_t i) const { return (w[i / 64] >> (i % 64)) & 1; }
};

}  // namespace

FairCycle find_fair_cycle(const RowGraph& g, const std::vector<uint8_t>& bad) {
  FairCycle out;
  const uint64_t n = g.states();
  if (bad.size() != n) throw std::logic_error("find_fair_cycle: one flag per state");

  // The subgraph of P-false states (edges between two of them), and its
  // strongly connected components.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  for (uint64_t u = 0; u < n; ++u)
    if (bad[u])
      for (uint64_t e = g.row[u]; e < g.row[u + 1]; ++e)
        if (bad[g.succ[e]]) edges.emplace_back(uint32_t(u), g.succ[e]);
  if (edges.empty()) return out;
  std::vector<uint32_t> comp(n);
  {
    Csr sub(boost::edges_are_sorted, edges.begin(), edges.end(), uint32_t(n));
    edges = {};
    boost::strong_components(sub, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, sub)));
  }
  auto inside = [&](uint64_t u, uint64_t e) { return bad[u] && bad[g.succ[e]] && comp[g.succ[e]] == comp[u]; };

  // Units, numbered densely in the order of their values.
  std::vector<uint32_t> units(g.unit.begin(), g.unit.end());
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  auto dense = [&](uint32_t unit) { return uint32_t(std::lower_bound(units.begin(), units.end(), unit) - units.begin()); };
  const size_t U = units.size();

  // Per component with an internal edge: the units that move inside it, and
  // those enabled in every one of its states.
  std::vector<int64_t> slot(n, -1);  // component -> index into moves/always (components are numbered < n)
  std::vector<Bits> moves, always;
  for (uint64_t u = 0; u < n; ++u)
    if (bad[u])
      for (uint64_t e = g.row[u]; e < g.row[u + 1]; ++e)
        if (inside(u, e) && slot[comp[u]] < 0) {
          slot[comp[u]] = int64_t(moves.size());
          moves.emplace_back(U);
          always.emplace_back(U, true);
        }
  if (moves.empty()) return out;
  Bits enabled(U);
  for (uint64_t u = 0; u < n; ++u) {
    if (!bad[u] || slot[comp[u]] < 0) continue;
    const size_t c = size_t(slot[comp[u]]);
    std::fill(enabled.w.begin(), enabled.w.end(), 0);
    for (uint64_t e = g.row[u]; e < g.row[u + 1]; ++e) {
      uint32_t d = dense(g.unit[e]);
      enabled.set(d);
      if (inside(u, e)) moves[c].set(d);
    }
    for (size_t i = 0; i < enabled.w.size(); ++i) always[c].w[i] &= enabled.w[i];
  }
  auto fair = [&](size_t c) {
    for (size_t i = 0; i < moves[c].w.size(); ++i)
      if (always[c].w[i] & ~moves[c].w[i]) return false;
    return true;
  };
  uint64_t entry = n;
  for (uint64_t u = 0; u < n && entry == n; ++u)
    if (bad[u] && slot[comp[u]] >= 0 && fair(size_t(slot[comp[u]]))) entry = u;
  if (entry == n) return out;
  const uint32_t C = comp[entry];
  const size_t c = size_t(slot[C]);

  // What the loop must pass through: an internal edge of each unit that
  // moves inside the component, a state disabling each unit that does not
  // (but is enabled somewhere in it; it is not enabled everywhere, or the
  // component would not be fair).
  std::vector<uint64_t> need_edge(U, UINT64_MAX), need_state(U, UINT64_MAX);
  std::vector<uint8_t> somewhere(U, 0);
  for (uint64_t u = 0; u < n; ++u) {
    if (!bad[u] || comp[u] != C) continue;
    std::fill(enabled.w.begin(), enabled.w.end(), 0);
    for (uint64_t e = g.row[u]; e < g.row[u + 1]; ++e) {
      uint32_t d = dense(g.unit[e]);
      enabled.set(d);
      somewhere[d] = 1;
      if (inside(u, e) && need_edge[d] == UINT64_MAX) need_edge[d] = e;
    }
    for (uint32_t d = 0; d < U; ++d)
      if (!enabled.has(d) && need_state[d] == UINT64_MAX) need_state[d] = u;
  }

  // Breadth-first paths inside the component (an edge's source is found
  // in the rows by binary search).
  auto source = [&](uint64_t e) {
    return uint64_t(std::upper_bound(g.row.begin(), g.row.end(), e) - g.row.begin() - 1);
  };
  std::vector<uint64_t> via(n, UINT64_MAX);  // the edge a visited state was reached by
  auto path = [&](uint64_t from, uint64_t to, std::vector<uint64_t>& loop) {
    if (from == to) return;
    std::vector<uint64_t> queue{from};
    via[from] = UINT64_MAX - 1;
    bool reached = false;
    for (size_t qi = 0; qi < queue.size() && !reached; ++qi) {
      uint64_t u = queue[qi];
      for (uint64_t e = g.row[u]; e < g.row[u + 1] && !reached; ++e) {
        uint64_t v = g.succ[e];
        if (!inside(u, e) || via[v] != UINT64_MAX) continue;
        via[v] = e;
        queue.push_back(v);
        reached = v == to;
      }
    }
    if (!reached) throw std::logic_error("find_fair_cycle: a component that is not strongly connected");
    std::vector<uint64_t> rev;
    for (uint64_t v = to; v != from; v = source(via[v])) rev.push_back(via[v]);
    loop.insert(loop.end(), rev.rbegin(), rev.rend());
    for (uint64_t s : queue) via[s] = UINT64_MAX;
  };

  out.found = true;
  out.entry = uint32_t(entry);
  uint64_t cur = entry;
  for (uint32_t d = 0; d < U; ++d) {
    if (moves[c].has(d)) {
      uint64_t e = need_edge[d];
      path(cur, source(e), out.edges);
      out.edges.push_back(e);
      cur = g.succ[e];
    } else if (somewhere[d]) {
      path(cur, need_state[d], out.edges);
      cur = need_state[d];
    }
  }
  path(cur, entry, out.edges);
  if (out.edges.empty()) throw std::logic_error("find_fair_cycle: an empty loop");
  return out;
}

}  // namespace ptcheck::explore
