// The graph the breadth-first search records for the liveness checks
// (explore/state_graph.h): chunks in any order become canonical rows, the
// memory is side bytes, and a recording that does not fit is dropped whole.
#include "explore/state_graph.h"

#include <stdexcept>

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

namespace {

// Store ids 10, 11, 12 in canonical order 0, 1, 2: 10 -> 11, 10 -> 12,
// 11 -> 12, 12 final. Split in two chunks.
GraphChunk first_chunk() {
  GraphChunk c;
  c.first = 0;
  c.count = {2, 1};
  c.to = {11, 12, 12};
  c.labels = {1, 2, 3};
  c.final = {0, 0};
  return c;
}
GraphChunk second_chunk() {
  GraphChunk c;
  c.first = 2;
  c.count = {0};
  c.final = {1};
  return c;
}

// Three states in canonical order: ids 10, 11 and 12.
const std::vector<StateId> kOrder{10, 11, 12};

}  // namespace

TEST_GROUP(StateGraph){};

TEST(StateGraph, ChunksInAnyOrderBecomeCanonicalRows) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  rec.add(second_chunk());  // threads hand in their ranges in any order
  rec.add(first_chunk());
  CHECK(rec.recording());
  CHECK(mem.bytes() > 0);
  CHECK_EQUAL(0u, mem.core_peak());  // side bytes only so far
  {
    StateGraph g;
    ScopedCharge charge(mem);
    CHECK(rec.build(kOrder, 13, g, charge));
    CHECK(charge.bytes() > 0);
    CHECK((g.row == std::vector<uint64_t>{0, 2, 3, 3}));
    CHECK((g.succ == std::vector<uint32_t>{1, 2, 2}));
    CHECK((g.label == std::vector<Label>{1, 2, 3}));
    CHECK((g.lead == std::vector<Label>{1, 3, 0}));  // each state's first edge's (none: 0)
    CHECK((g.final == std::vector<uint8_t>{0, 0, 1}));
    CHECK(g.holds.empty());
    // The chunks' side bytes were released as they were converted.
    CHECK_EQUAL(charge.bytes(), mem.bytes());
  }
  CHECK_EQUAL(0u, mem.bytes());  // the charge's scope gave the graph's bytes back
}

// Without liveness properties a chunk keeps each state's first edge's label
// instead of every edge's: the graph has the same rows and leads, and no
// edge labels.
TEST(StateGraph, ChunksWithLeadLabelsOnlyGiveTheSameRowsAndLeads) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  GraphChunk a = first_chunk();
  a.labels.clear();
  a.lead = {1, 3};
  GraphChunk b = second_chunk();
  b.lead = {0};
  rec.add(std::move(b));
  rec.add(std::move(a));
  StateGraph g;
  ScopedCharge charge(mem);
  CHECK(rec.build(kOrder, 13, g, charge));
  CHECK((g.row == std::vector<uint64_t>{0, 2, 3, 3}));
  CHECK((g.succ == std::vector<uint32_t>{1, 2, 2}));
  CHECK(g.label.empty());
  CHECK((g.lead == std::vector<Label>{1, 3, 0}));
}

// The writers' interface: add_edge / end_state build the chunks above, with
// every edge's label or with each state's lead only.
TEST(StateGraph, AddEdgeAndEndStateKeepEveryLabelOrTheLeadOnly) {
  for (bool edge_labels : {true, false}) {
    GraphChunk a;
    a.edge_labels = edge_labels;
    a.add_edge(11, 1);
    a.add_edge(12, 2);
    a.end_state(false);
    a.add_edge(12, 3);
    a.end_state(false);
    a.end_state(true);  // no edge: lead 0
    CHECK((a.count == std::vector<uint32_t>{2, 1, 0}));
    CHECK((a.to == std::vector<StateId>{11, 12, 12}));
    CHECK((a.final == std::vector<uint8_t>{0, 0, 1}));
    if (edge_labels) {
      CHECK((a.labels == std::vector<Label>{1, 2, 3}));
      CHECK(a.lead.empty());
    } else {
      CHECK(a.labels.empty());
      CHECK((a.lead == std::vector<Label>{1, 3, 0}));
    }
  }
}

TEST(StateGraph, AChunkWithBothKindsOfLabelsOrTooFewLeadsIsALogicError) {
  MemoryAccount mem(0);
  {
    GraphRecorder rec(mem);
    GraphChunk a = first_chunk();
    a.lead = {1, 3};  // and its edge labels too
    rec.add(std::move(a));
    rec.add(second_chunk());
    CHECK_THROWS(std::logic_error, rec.in_order(3));
  }
  {
    GraphRecorder rec(mem);
    GraphChunk a = first_chunk();
    a.labels.clear();
    a.lead = {1};  // one lead for two states
    rec.add(std::move(a));
    rec.add(second_chunk());
    CHECK_THROWS(std::logic_error, rec.in_order(3));
  }
}

TEST(StateGraph, ARecordingPastThreeQuartersOfTheLimitIsDroppedWhole) {
  MemoryAccount mem(4096);
  mem.add(3000);  // the store's share
  GraphRecorder rec(mem);
  GraphChunk c = first_chunk();
  c.to.reserve(256);  // 1 KB: 3000 + 1 KB is past 3/4 of 4096
  rec.add(std::move(c));
  CHECK(!rec.recording());
  CHECK_EQUAL(3000u, mem.bytes());  // nothing left held
  CHECK(!mem.exceeded());           // and the search is not told to stop
  rec.add(second_chunk());          // later chunks are not kept either
  CHECK_EQUAL(3000u, mem.bytes());
  StateGraph g;
  ScopedCharge charge(mem);
  CHECK(!rec.build(kOrder, 13, g, charge));
  CHECK_EQUAL(0u, charge.bytes());
  mem.add(-3000);
}

TEST(StateGraph, AGapInTheChunksIsALogicError) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  rec.add(second_chunk());
  StateGraph g;
  ScopedCharge charge(mem);
  CHECK_THROWS(std::logic_error, rec.build(kOrder, 13, g, charge));
}

TEST(StateGraph, AChunkWhoseCountsDoNotMatchItsEdgesIsALogicError) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  GraphChunk c = first_chunk();
  c.count = {2, 2};  // four edges announced, three recorded
  rec.add(std::move(c));
  rec.add(second_chunk());
  CHECK_THROWS(std::logic_error, rec.in_order(3));
}

TEST(StateGraph, InOrderSortsTheChunksAndKeepsThem) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  rec.add(second_chunk());
  rec.add(first_chunk());
  const std::vector<GraphChunk>* cs = rec.in_order(3);
  CHECK(cs != nullptr);
  CHECK_EQUAL(2u, cs->size());
  CHECK_EQUAL(0u, (*cs)[0].first);
  CHECK_EQUAL(2u, (*cs)[1].first);
  StateGraph g;  // and build() still has them
  ScopedCharge charge(mem);
  CHECK(rec.build(kOrder, 13, g, charge));
  CHECK((g.succ == std::vector<uint32_t>{1, 2, 2}));
}

TEST(StateGraph, InOrderChecksAgainOnceAChunkIsAdded) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  rec.add(first_chunk());
  rec.add(second_chunk());
  CHECK(rec.in_order(3) != nullptr);
  CHECK(rec.in_order(3) != nullptr);  // the second call takes the checked order as it is
  GraphChunk late;
  late.first = 3;
  late.count = {0};
  late.final = {1};
  rec.add(std::move(late));
  CHECK_THROWS(std::logic_error, rec.in_order(3));  // four states now: not the three asked for
  CHECK(rec.in_order(4) != nullptr);
}
