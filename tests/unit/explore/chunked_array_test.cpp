// ChunkedArray (explore/chunked_array.h): geometric chunks below kChunk, fixed
// ones above, and big (huge-page) ones from kBigFirst on. Every id has exactly
// one chunk, the chunks tile the id range without gaps or overlaps, elements
// keep their values across chunk boundaries, and a small array costs a small
// chunk, not 65,536 elements.
#include <cstdint>

#include "explore/chunked_array.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

TEST_GROUP(ChunkedArray){};

template <class T>
void check_tiling() {
  using A = ChunkedArray<T>;
  uint64_t expect_start = 0;
  for (uint64_t c = 0; c < A::kFirstBig + 4; ++c) {
    LONGS_EQUAL(expect_start, A::chunk_start(c));
    const uint64_t first = A::chunk_start(c), last = first + A::chunk_size(c) - 1;
    LONGS_EQUAL(c, A::chunk_of(first));
    LONGS_EQUAL(c, A::chunk_of(last));
    expect_start = last + 1;
  }
  LONGS_EQUAL(A::kChunk, A::chunk_start(A::kSmall));
  LONGS_EQUAL(A::kBigFirst, A::chunk_start(A::kFirstBig));
  LONGS_EQUAL(A::kMaxChunks - 1, A::chunk_of((uint64_t(1) << 33) - 1));
  LONGS_EQUAL((uint64_t(1) << 33) - A::kBig, A::chunk_start(A::kMaxChunks - 1));
}

TEST(ChunkedArray, ChunksTileTheIds) {
  check_tiling<uint32_t>();
  check_tiling<uint64_t>();
  check_tiling<uint8_t>();
  struct Wide {
    char b[48];
  };
  check_tiling<Wide>();
}

TEST(ChunkedArray, BigChunksAreHugePages) {
  LONGS_EQUAL(kHugePage, ChunkedArray<uint32_t>::kBig * sizeof(uint32_t));
  LONGS_EQUAL(kHugePage, ChunkedArray<uint64_t>::kBig * sizeof(uint64_t));
  LONGS_EQUAL(ChunkedArray<uint64_t>::kChunk, ChunkedArray<char[48]>::kBig);  // never below kChunk
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

TEST(ChunkedArray, ValuesSurviveAcrossBigChunks) {
  MemoryAccount mem(0);
  {
    using A = ChunkedArray<uint32_t>;
    A a(mem);
    const uint64_t n = A::kBigFirst + 2 * A::kBig + 17;
    for (uint64_t first = 0; first < n; first += 256) CHECK(a.ensure(first, 256));
    for (uint64_t i = 0; i < n; ++i) a[i] = static_cast<uint32_t>(i * 2654435761u);
    for (uint64_t i = 0; i < n; ++i) LONGS_EQUAL(static_cast<uint32_t>(i * 2654435761u), a[i]);
    LONGS_EQUAL((A::kBigFirst + 3 * A::kBig) * sizeof(uint32_t), a.bytes());  // the last big chunk is whole
    LONGS_EQUAL(a.bytes(), mem.bytes());
  }
  LONGS_EQUAL(0, mem.bytes());
}
