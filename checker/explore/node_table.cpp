// One level of the tree store's internal nodes (node_table.h).
#include "explore/node_table.h"

#include <new>
#include <stdexcept>

#include "explore/huge_alloc.h"

namespace ptcheck::explore {

NodeTable::NodeTable(MemoryAccount& mem, uint64_t cap) : mem_(mem), cap_(cap) {
  if (cap < kMinCap || cap > kMaxCap) throw std::logic_error("NodeTable: table size out of range");
  slots_ = static_cast<uint64_t*>(alloc_zeroed(bytes()));
  if (!slots_) throw std::bad_alloc();
  mem_.add(static_cast<int64_t>(bytes()));
}

NodeTable::~NodeTable() {
  free_zeroed(slots_, bytes());
  mem_.add(-static_cast<int64_t>(bytes()));
}

bool NodeTable::put_at(uint32_t id, uint64_t key) {
  if (id == 0 || id >= cap_ || key == 0 || slots_[id] != 0) return false;
  slots_[id] = key;
  count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace ptcheck::explore
