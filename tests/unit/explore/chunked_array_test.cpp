// ChunkedArray (explore/chunked_array.h): geometric chunks below kChunk, fixed
// ones above. Every id has exactly one chunk, the chunks tile the id range
// without gaps or overlaps, elements keep their values across chunk
// boundaries, and a small array costs a small chunk, not 65,536 elements.
#include <cstdint>

#include "explore/chunked_array.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

TEST_GROUP(ChunkedArray){};

TEST(ChunkedArray, ChunksTileTheIds) {
  using A = ChunkedArray<uint32_t>;
  uint64_t expect_start = 0;
  for (uint64_t c = 0; c < A::kSmall + 4; ++c) {
    LONGS_EQUAL(expect_start, A::chunk_start(c));
    const uint64_t first = A::chunk_start(c), last = first + A::chunk_size(c) - 1;
    LONGS_EQUAL(c, A::chunk_of(first));
    LONGS_EQUAL(c, A::chunk_of(last));
    expect_start = last + 1;
  }
  LONGS_EQUAL(A::kChunk, A::chunk_start(A::kSmall));
  LONGS_EQUAL(A::kMaxChunks - 1, A::chunk_of((uint64_t(1) << 33) - 1));
}

TEST(ChunkedArray, ValuesSurviveAcrossChunks) {
  MemoryAccount mem(0);
  {
    ChunkedArray<uint64_t> a(mem);
    CHECK(a.ensure(0, 10));
    LONGS_EQUAL(1024 * sizeof(uint64_t), a.bytes());  // one small chunk
    CHECK(!a.present(5000));
    const uint64_t n = 3 * ChunkedArray<uint64_t>::kChunk + 17;
    for (uint64_t first = 0; first < n; first += 256) CHECK(a.ensure(first, 256));
    for (uint64_t i = 0; i < n; ++i) a[i] = i * 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i < n; ++i) CHECK_EQUAL(i * 0x9e3779b97f4a7c15ull, a[i]);
    CHECK(a.present(n - 1));
    LONGS_EQUAL(a.bytes(), mem.bytes());
  }
  LONGS_EQUAL(0, mem.bytes());
}
