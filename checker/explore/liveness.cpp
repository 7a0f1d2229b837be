// Stuck states after a complete breadth-first pass; see liveness.h.
#include "explore/liveness.h"

#include "explore/fair_cycle.h"
#include "explore/parallel.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace ptcheck::explore {

namespace {

// Collects one state's successors as store ids (they all exist already) into
// a chunk.
class EdgeSink final : public SuccessorSink {
 public:
  EdgeSink(StoreCursor& c, GraphChunk& blk) : c_(c), blk_(blk) {}
  Seen emit(uint32_t, Label label, const uint8_t* next, bool violation) override {
    // A complete pass has no violating transition; one here would mean the
    // graph changed under us.
    if (violation) throw std::logic_error("liveness: a violating transition after a passing search");
    Found f = c_.find_or_insert(next);
    if (f.full || f.is_new) throw std::logic_error("liveness: a successor the search did not store");
    blk_.add_edge(f.id, label);
    return Seen::Old;
  }
  void violating_state() override {}

 private:
  StoreCursor& c_;
  GraphChunk& blk_;
};

// Expands every state once more and looks its successors up: the graph when
// the search did not record it.
void rebuild_graph(std::span<const StateId> order, std::vector<Worker*>& workers,
                   std::vector<StoreCursor*>& cursors, GraphRecorder& rec) {
  const uint64_t n = order.size();
  const unsigned props = workers[0]->progress_count();
  constexpr uint64_t kBlock = 1024;
  const uint64_t nblocks = (n + kBlock - 1) / kBlock;
  parallel_ranges(nblocks, 1, [&](uint64_t rb, uint64_t re) {
    int ti = parallel_thread_index();
    if (ti < 0 || size_t(ti) >= workers.size()) throw std::logic_error("liveness: unexpected thread index");
    Worker& w = *workers[size_t(ti)];
    StoreCursor& c = *cursors[size_t(ti)];
    for (uint64_t b = rb; b < re && rec.recording(); ++b) {
      GraphChunk blk;
      blk.first = b * kBlock;
      blk.edge_labels = props > 0;
      EdgeSink sink(c, blk);
      for (uint64_t k = b * kBlock; k < std::min(n, (b + 1) * kBlock); ++k) {
        const uint8_t* state = c.materialize(order[k]);
        if (props) blk.holds.push_back(w.progress(state));
        Worker::Result res = w.expand(state, sink);
        if (res == Worker::Result::Deadlock || res == Worker::Result::TerminalViolation)
          throw std::logic_error("liveness: a violating end state after a passing search");
        blk.end_state(res == Worker::Result::Terminal);
      }
      rec.add(std::move(blk));
    }
  });
}

// The common case first, on the chunks as recorded (no rows, no reversed
// graph): whether every state can reach a final state. A state is marked once
// it is final or has a marked successor, in passes over every state in
// reverse canonical order: a breadth-first order puts most successors after
// their state, so a pass settles those edges at once, and each further pass
// settles at least one more edge to an earlier state (a loop, or a successor
// first reached by another path). True when every state is marked (each mark
// names its reason, so the answer is exact); false when a pass marks nothing
// new (some state is stuck), after kPasses, or when the flags do not fit under
// the limit: then analyse() decides on the canonical rows. A pass reads the
// chunks in order and one byte per store id at random (cache-resident for
// millions of states), about a tenth of what building the rows costs.
// `stats`: the passes, and the states the first one left. SPIN twin, ROUNDS
// 4: 4.08 M states, 10.3 M edges, 1.96 M states left after the first pass,
// 4 passes in all. Keeping the states left in a list and passing over it
// alone took more time and memory there (the list is half the states).
struct QuickStats {
  unsigned passes = 0;
  uint64_t left = 0;
};
bool every_state_can_finish(const std::vector<GraphChunk>& chunks, std::span<const StateId> order,
                            uint64_t id_bound, MemoryAccount& mem, QuickStats& stats) {
  // A pass costs about a tenth of the rows; every passing target of spec/
  // settles in at most 6 (2026-12-05).
  constexpr unsigned kPasses = 12;
  ScopedCharge charge(mem);
  if (!charge.try_add(id_bound)) return false;
  std::vector<uint8_t> live(id_bound, 0);
  for (stats.passes = 1; stats.passes <= kPasses; ++stats.passes) {
    uint64_t left = 0;
    bool changed = false;
    for (auto c = chunks.rbegin(); c != chunks.rend(); ++c) {
      uint64_t e = c->to.size();
      for (uint64_t i = c->count.size(); i-- > 0;) {
        e -= c->count[i];
        const StateId id = order[c->first + i];
        if (live[id]) continue;
        bool reach = c->final[i];
        for (uint64_t j = e; j < e + c->count[i] && !reach; ++j) reach = c->to[j] < id_bound && live[c->to[j]];
        if (reach) {
          live[id] = 1;
          changed = true;
        } else {
          ++left;
        }
      }
    }
    if (stats.passes == 1) stats.left = left;
    if (!left) return true;
    if (!changed) return false;
  }
  stats.passes = kPasses;
  return false;
}

// The check itself, on the graph in canonical rows.
Lasso analyse(const StateGraph& g, std::span<const StateId> order, Worker& w0, ScopedCharge& charge) {
  Lasso out;
  const uint64_t n = order.size();
  const unsigned props = w0.progress_count();
  const std::vector<uint64_t>& row = g.row;
  const std::vector<uint32_t>& succ = g.succ;
  const std::vector<Label>& label = g.label;  // every edge's: only with properties
  const std::vector<uint8_t>& final = g.final;
  const std::vector<uint64_t>& holds = g.holds;
  const uint64_t m = succ.size();
  // The reversed rows, the flags and the queue below.
  const int64_t back_cost = int64_t(n) * 13 + int64_t(m) * 4;
  if (!charge.try_add(uint64_t(back_cost))) {
    out.skipped = "not enough memory left under --max-memory to search the graph backwards";
    return out;
  }

  // Backward reachability from the final states over the reversed rows.
  std::vector<uint64_t> rrow(n + 1, 0);
  for (uint32_t v : succ) ++rrow[v + 1];
  for (uint64_t k = 0; k < n; ++k) rrow[k + 1] += rrow[k];
  std::vector<uint32_t> pred(m);
  {
    std::vector<uint64_t> at(rrow.begin(), rrow.end() - 1);
    for (uint64_t u = 0; u < n; ++u)
      for (uint64_t e = row[u]; e < row[u + 1]; ++e) pred[at[succ[e]]++] = uint32_t(u);
  }
  std::vector<uint8_t> live(n, 0);
  std::vector<uint32_t> queue;
  for (uint64_t k = 0; k < n; ++k)
    if (final[k]) {
      live[k] = 1;
      queue.push_back(uint32_t(k));
    }
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    uint32_t v = queue[qi];
    for (uint64_t e = rrow[v]; e < rrow[v + 1]; ++e)
      if (!live[pred[e]]) {
        live[pred[e]] = 1;
        queue.push_back(pred[e]);
      }
  }
  uint64_t first = n;
  for (uint64_t k = 0; k < n && first == n; ++k)
    if (!live[k]) first = k;
  if (first == n) {
    if (!props) return out;
    // (The fair-cycle search's own cost is charged below; the backward
    // search's bytes are freed here.)
    rrow = {};
    pred = {};
    live = {};
    queue = {};
    // Liveness properties under weak fairness, in declaration order. Charged:
    // the units and flags here, the subgraph, its components and the
    // search's maps in find_fair_cycle (about 16 bytes an edge, 60 a state).
    const int64_t fair_cost = int64_t(m) * 16 + int64_t(n) * 60;
    if (!charge.try_add(uint64_t(fair_cost))) {
      out.skipped = "not enough memory left under --max-memory for the liveness properties";
      return out;
    }
    if (label.size() != m) throw std::logic_error("liveness: the graph lacks the edge labels fairness needs");
    std::vector<uint32_t> unit(m);
    for (uint64_t e = 0; e < m; ++e) unit[e] = w0.fairness_unit(label[e]);
    std::vector<uint8_t> bad(n);
    for (unsigned p = 0; p < props; ++p) {
      uint64_t end_bad = n;
      for (uint64_t k = 0; k < n; ++k) {
        bad[k] = !((holds[k] >> p) & 1);
        if (bad[k] && final[k] && end_bad == n) end_bad = k;
      }
      FairCycle fc = find_fair_cycle(RowGraph{row, succ, unit}, bad);
      if (!fc.found && end_bad == n) continue;
      out.found = true;
      out.property = int(p);
      if (fc.found && fc.entry < end_bad) {
        out.stuck = order[fc.entry];
        for (uint64_t e : fc.edges) out.loop.push_back(label[e]);
      } else {
        out.stuck = order[end_bad];
      }
      return out;
    }
    return out;
  }

  // The lasso: from the first stuck state, follow first successors depth-first
  // (every successor of a stuck state is stuck) until a state repeats.
  out.found = true;
  out.stuck = order[first];
  std::vector<uint32_t> path{uint32_t(first)};
  std::vector<Label> labels;
  std::vector<uint32_t> on_path(n, UINT32_MAX);  // position in path
  on_path[first] = 0;
  for (;;) {
    uint32_t u = path.back();
    if (row[u] == row[u + 1]) throw std::logic_error("liveness: a stuck state without successors");
    uint32_t v = succ[row[u]];
    labels.push_back(g.lead[u]);
    if (on_path[v] != UINT32_MAX) {
      uint32_t at = on_path[v];
      out.walk.assign(labels.begin(), labels.begin() + at);
      out.loop.assign(labels.begin() + at, labels.end());
      return out;
    }
    on_path[v] = uint32_t(path.size());
    path.push_back(v);
  }
}

}  // namespace

Lasso find_stuck_states(std::span<const StateId> order, uint64_t id_bound, std::vector<Worker*> workers,
                        std::vector<StoreCursor*> cursors, MemoryAccount& mem, GraphRecorder* recorded) {
  Lasso out;
  if (order.empty()) return out;
  GraphRecorder local(mem);
  GraphRecorder* rec = recorded && recorded->recording() ? recorded : &local;
  if (rec == &local) rebuild_graph(order, workers, cursors, local);
  if (!workers[0]->progress_count())
    if (const std::vector<GraphChunk>* chunks = rec->in_order(order.size())) {
      QuickStats st;
      const bool settled = every_state_can_finish(*chunks, order, id_bound, mem, st);
      if (std::getenv("PTCHECK_EXPLORE_TIMING"))
        std::fprintf(stderr, "explore: non-termination quick check %s after %u pass(es), %llu states left after the first\n",
                     settled ? "passed" : "undecided", st.passes, (unsigned long long)st.left);
      if (settled) return out;
    }
  ScopedCharge charge(mem);
  StateGraph g;
  if (!rec->build(order, id_bound, g, charge)) {
    out.skipped = "not enough memory left under --max-memory to rebuild the graph";
    return out;
  }
  return analyse(g, order, *workers[0], charge);
}

}  // namespace ptcheck::explore
