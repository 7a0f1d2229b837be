// The graph the breadth-first search records for the checks after it; see
// state_graph.h.
#include "explore/state_graph.h"

#include <algorithm>
#include <stdexcept>

namespace ptcheck::explore {

void GraphRecorder::add(GraphChunk&& c) {
  if (!recording()) return;
  const uint64_t b = c.bytes();
  // The graph may take the memory up to three quarters of the limit, so the
  // store keeps room to finish the search; past that it is dropped (and the
  // checks rebuild it after the search if they can).
  const bool room = !mem_.limit() || mem_.bytes() + b <= mem_.limit() / 4 * 3;
  if (!room || !mem_.try_add_side(b)) {
    failed_.store(true, std::memory_order_relaxed);
    drop();
    return;
  }
  std::lock_guard<std::mutex> g(mu_);
  if (failed_.load(std::memory_order_relaxed)) {  // dropped meanwhile by another thread
    mem_.release_side(b);
    return;
  }
  side_ += b;
  chunks_.push_back(std::move(c));
  ordered_n_ = UINT64_MAX;
}

void GraphRecorder::drop() {
  std::lock_guard<std::mutex> g(mu_);
  chunks_ = {};
  ordered_n_ = UINT64_MAX;
  mem_.release_side(side_);
  side_ = 0;
}

const std::vector<GraphChunk>* GraphRecorder::in_order(uint64_t n) {
  if (!recording()) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (ordered_n_ == n) return &chunks_;
  std::sort(chunks_.begin(), chunks_.end(), [](const GraphChunk& a, const GraphChunk& b) { return a.first < b.first; });
  uint64_t next = 0;
  for (const GraphChunk& c : chunks_) {
    uint64_t edges = 0;
    for (uint32_t k : c.count) edges += k;
    const bool labels_ok = c.lead.empty() ? c.labels.size() == c.to.size()
                                          : c.labels.empty() && c.lead.size() == c.count.size();
    if (c.first != next || c.final.size() != c.count.size() || edges != c.to.size() || !labels_ok)
      throw std::logic_error("liveness: the recorded graph does not cover the states in order");
    next += c.count.size();
  }
  if (next != n) throw std::logic_error("liveness: the recorded graph does not cover the states in order");
  ordered_n_ = n;
  return &chunks_;
}

bool GraphRecorder::build(std::span<const StateId> order, uint64_t id_bound, StateGraph& g, ScopedCharge& charge) {
  const uint64_t n = order.size();
  if (!in_order(n)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t m = 0, labelled = 0;
  for (const GraphChunk& c : chunks_) {
    m += c.to.size();
    labelled += c.labels.size();
  }
  const bool props = !chunks_.empty() && !chunks_[0].holds.empty();
  const int64_t cost = int64_t(id_bound) * 4 + int64_t(n + 1) * 8 + int64_t(n) * (props ? 13 : 5) + int64_t(m) * 4 +
                       int64_t(labelled) * 4;
  if (!charge.try_add(uint64_t(cost))) return false;

  std::vector<uint32_t> index_of(id_bound, UINT32_MAX);
  for (uint64_t k = 0; k < n; ++k) index_of[order[k]] = uint32_t(k);
  g.row.assign(n + 1, 0);
  g.succ.reserve(m);
  g.label.reserve(labelled);
  g.lead.reserve(n);
  g.final.reserve(n);
  if (props) g.holds.reserve(n);
  uint64_t k = 0;
  for (GraphChunk& c : chunks_) {
    size_t e = 0;
    const bool per_edge = c.lead.empty();
    for (size_t i = 0; i < c.count.size(); ++i, ++k) {
      g.row[k + 1] = g.row[k] + c.count[i];
      g.lead.push_back(!per_edge ? c.lead[i] : c.count[i] ? c.labels[e] : 0);
      for (uint32_t j = 0; j < c.count[i]; ++j, ++e) {
        const uint32_t v = c.to[e] < id_bound ? index_of[c.to[e]] : UINT32_MAX;
        if (v == UINT32_MAX) throw std::logic_error("liveness: a recorded successor the search did not keep");
        g.succ.push_back(v);
        if (per_edge) g.label.push_back(c.labels[e]);
      }
    }
    g.final.insert(g.final.end(), c.final.begin(), c.final.end());
    g.holds.insert(g.holds.end(), c.holds.begin(), c.holds.end());
    const uint64_t b = c.bytes();
    c = GraphChunk{};
    mem_.release_side(b);
    side_ -= b;
  }
  chunks_.clear();
  ordered_n_ = UINT64_MAX;
  return true;
}

}  // namespace ptcheck::explore
