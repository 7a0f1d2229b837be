#pragma once
// The explored graph that the checks after a passing breadth-first search read
// (liveness.h): each state's successors as canonical indices (the states in
// canonical breadth-first order), in the worker's successor order, with their
// labels; whether the state is final; which liveness properties hold in it.
//
// The search records it as it goes (GraphRecorder): each explorer thread
// fills a GraphChunk for the range of frontier positions it expands, with the
// store ids of every successor, so the graph costs no second expansion and no
// second store lookup per transition. Under sleep sets the transitions that
// sleep are recorded too (SuccessorSink::asleep): the checks need the full
// graph, since a state whose every transition sleeps has no reduced
// successor and would look stuck. The chunks are charged to the memory
// account as side bytes (MemoryAccount::try_add_side), up to three quarters
// of --max-memory so that the store keeps room to finish the search. Past
// that the recording is dropped, and the checks rebuild the graph after the
// search (find_stuck_states) as they did before the recorder.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "explore/memory.h"
#include "explore/storage.h"
#include "explore/transition_system.h"

namespace ptcheck::explore {

struct StateGraph {
  std::vector<uint64_t> row;    // n + 1 entries: state k's successors are succ[row[k] .. row[k + 1])
  std::vector<uint32_t> succ;   // canonical indices
  std::vector<Label> label;     // each edge's, only when the chunks had them (liveness properties)
  std::vector<Label> lead;      // each state's first edge's label (0 without one): the lasso's steps
  std::vector<uint8_t> final;   // 1: a final state (no move, everything finished)
  std::vector<uint64_t> holds;  // the liveness properties that hold in each state (empty without properties)
};

// Consecutive canonical states expanded by one thread, with their successors
// as store ids. Every edge's label is kept (`labels`) only when the system has
// liveness properties, whose weak fairness reads them all; otherwise `lead`
// keeps, per state, its first edge's label (0 without one), which is all the
// non-termination lasso shows (it follows first successors): 4 bytes a state
// instead of 4 an edge. A chunk has one or the other (lead empty: labels has
// one per edge, possibly none).
// The writers (the search's and the rebuild's sinks) go through add_edge and
// end_state, which hold the rule of what is kept.
struct GraphChunk {
  uint64_t first = 0;  // canonical index of its first state
  bool edge_labels = false;  // keep every edge's label (else each state's lead)
  std::vector<uint32_t> count;
  std::vector<StateId> to;
  std::vector<Label> labels;
  std::vector<Label> lead;
  std::vector<uint8_t> final;
  std::vector<uint64_t> holds;

  // One edge of the state being expanded.
  void add_edge(StateId id, Label label) {
    if (edge_labels) labels.push_back(label);
    else if (to.size() == state_begin_) pending_lead_ = label;
    to.push_back(id);
  }
  // Ends the state being expanded: its edge count, finality and (without edge
  // labels) lead label.
  void end_state(bool is_final) {
    const size_t edges = to.size() - state_begin_;
    count.push_back(uint32_t(edges));
    final.push_back(is_final);
    if (!edge_labels) lead.push_back(edges ? pending_lead_ : 0);
    state_begin_ = to.size();
  }
  uint64_t bytes() const {
    return count.capacity() * 4 + to.capacity() * sizeof(StateId) + labels.capacity() * sizeof(Label) +
           lead.capacity() * sizeof(Label) + final.capacity() + holds.capacity() * 8;
  }

 private:
  size_t state_begin_ = 0;  // `to` index of the current state's first edge
  Label pending_lead_ = 0;  // its first edge's label
};

class GraphRecorder {
 public:
  explicit GraphRecorder(MemoryAccount& mem) : mem_(mem) {}
  ~GraphRecorder() { drop(); }
  GraphRecorder(const GraphRecorder&) = delete;
  GraphRecorder& operator=(const GraphRecorder&) = delete;

  // Whether chunks are still wanted (false after a refusal for memory).
  bool recording() const { return !failed_.load(std::memory_order_relaxed); }
  // Takes a thread's finished chunk (thread-safe). When its bytes do not fit
  // under the limit, the whole recording is dropped.
  void add(GraphChunk&& c);
  // The chunks sorted by their first canonical index, checked to cover
  // 0 .. n - 1 exactly (std::logic_error otherwise); null when the recording
  // was dropped. Valid until build() or the recorder's end. A second call
  // with the same n and no chunk added since (build() after an undecided
  // quick check) neither sorts nor checks again.
  const std::vector<GraphChunk>* in_order(uint64_t n);
  // The graph over `order` (every stored state in canonical order; the chunks
  // must cover exactly 0 .. order.size()), in canonical rows; the chunks are
  // freed as they are converted. Its memory is charged to the account's
  // ordinary bytes through `charge` (which gives them back when its scope
  // ends). False when it does not fit.
  bool build(std::span<const StateId> order, uint64_t id_bound, StateGraph& g, ScopedCharge& charge);

 private:
  void drop();
  MemoryAccount& mem_;
  std::mutex mu_;
  std::vector<GraphChunk> chunks_;
  uint64_t side_ = 0;  // bytes of the chunks held, charged as side bytes
  uint64_t ordered_n_ = UINT64_MAX;  // chunks_ sorted and checked for n states (in_order)
  std::atomic<bool> failed_{false};
};

}  // namespace ptcheck::explore
