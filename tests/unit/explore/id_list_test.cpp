// IdList (explore/id_list.h): the canonical order's growable list of ids.
#include <numeric>
#include <vector>

#include "explore/id_list.h"

#include <CppUTest/TestHarness.h>

using namespace ptcheck::explore;

TEST_GROUP(IdList){};

TEST(IdList, StartsEmptyWithoutAMapping) {
  IdList l;
  CHECK(l.empty());
  CHECK_EQUAL(0u, l.size());
  CHECK_EQUAL(0u, l.capacity());
  CHECK_EQUAL(0u, l.span().size());
  l.append(nullptr, 0);  // nothing to append: still no mapping
  CHECK_EQUAL(0u, l.capacity());
}

TEST(IdList, KeepsEveryIdInOrderAcrossManyGrowths) {
  IdList l;
  std::vector<StateId> want;
  std::vector<StateId> layer;
  // Layers of growing size, as a breadth-first search appends them: past
  // 4 MiB of ids the mapping has been moved by mremap several times.
  StateId next = 7;
  for (size_t n = 1; want.size() < (size_t(5) << 20); n = n * 3 / 2 + 1) {
    layer.resize(n);
    std::iota(layer.begin(), layer.end(), next);
    next += StateId(n);
    l.append(layer.data(), layer.size());
    want.insert(want.end(), layer.begin(), layer.end());
  }
  l.push_back(1);
  want.push_back(1);
  CHECK_EQUAL(want.size(), l.size());
  CHECK(l.capacity() >= l.size());
  bool same = true;
  for (size_t i = 0; i < want.size(); ++i) same = same && l[i] == want[i];
  CHECK(same);
  std::span<const StateId> s = l.span();
  CHECK_EQUAL(want.size(), s.size());
  CHECK(s.data() == l.data());
  CHECK_EQUAL(1u, s.back());
}

TEST(IdList, ReserveGivesRoomWithoutChangingTheIds) {
  IdList l;
  l.push_back(3);
  l.push_back(4);
  l.reserve(100000);
  CHECK(l.capacity() >= 100000u);
  CHECK_EQUAL(2u, l.size());
  CHECK_EQUAL(3u, l[0]);
  CHECK_EQUAL(4u, l[1]);
  const size_t cap = l.capacity();
  l.reserve(10);  // smaller than held: nothing happens
  CHECK_EQUAL(cap, l.capacity());
}
