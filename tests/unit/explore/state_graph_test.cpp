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
  StateGraph g;
  int64_t charged = 0;
  CHECK(rec.build({10, 11, 12}, 13, g, charged));
  CHECK(charged > 0);
  CHECK((g.row == std::vector<uint64_t>{0, 2, 3, 3}));
  CHECK((g.succ == std::vector<uint32_t>{1, 2, 2}));
  CHECK((g.label == std::vector<Label>{1, 2, 3}));
  CHECK((g.final == std::vector<uint8_t>{0, 0, 1}));
  CHECK(g.holds.empty());
  // The chunks' side bytes were released as they were converted.
  CHECK_EQUAL(uint64_t(charged), mem.bytes());
  mem.add(-charged);
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
  int64_t charged = 0;
  CHECK(!rec.build({10, 11, 12}, 13, g, charged));
  CHECK_EQUAL(0, charged);
  mem.add(-3000);
}

TEST(StateGraph, AGapInTheChunksIsALogicError) {
  MemoryAccount mem(0);
  GraphRecorder rec(mem);
  rec.add(second_chunk());
  StateGraph g;
  int64_t charged = 0;
  CHECK_THROWS(std::logic_error, rec.build({10, 11, 12}, 13, g, charged));
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
  int64_t charged = 0;
  CHECK(rec.build({10, 11, 12}, 13, g, charged));
  CHECK((g.succ == std::vector<uint32_t>{1, 2, 2}));
  mem.add(-charged);
}
