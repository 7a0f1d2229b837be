#pragma once
// Lock-order dependencies as lockdep records them (kernel/locking/lockdep.c,
// 7.1.3, check_prevs_add): an edge A -> B whenever a context takes a lock of
// class B while it holds one of class A. A node is a lock class
// (vm/lock_class.h) with the subclass it was taken with (spin_lock_nested()
// and friends). Each explorer worker collects its own edges; the run merges
// them into one sorted list, so the graph is the same for every thread count.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vm/lock_class.h"

namespace ptcheck::vm {

using LockNode = uint64_t;  // lock_class_key() << 4 | subclass
inline LockNode lock_node(uint64_t cls, unsigned sub) { return cls << 4 | (sub & 15u); }
// "ptdesc.ptl", or "ptdesc.ptl/1" for subclass 1.
std::string lock_node_name(const Model& m, LockNode n);

struct LockEdge {
  LockNode from = 0, to = 0;
  bool operator==(const LockEdge& o) const { return from == o.from && to == o.to; }
  bool operator<(const LockEdge& o) const { return from != o.from ? from < o.from : to < o.to; }
};

class LockDeps {
 public:
  // Witness mode: the acquisition that adds `e` fails with circular-locking,
  // so a search finds the first path that takes that dependency.
  void set_witness(LockEdge e) { witness_ = true, target_ = e; }
  // Replay mode: the same, matching the classes by name (a trace stores names).
  void set_witness_names(std::string from, std::string to) { from_name_ = std::move(from), to_name_ = std::move(to); }
  // Records the edge; true when it is the witness edge.
  bool add(const Model& m, LockEdge e) {
    seen_.insert(e);
    if (witness_) return e == target_;
    if (!from_name_.empty()) return lock_node_name(m, e.from) == from_name_ && lock_node_name(m, e.to) == to_name_;
    return false;
  }
  const LockEdge& witness() const { return target_; }
  std::vector<LockEdge> edges() const;  // sorted

 private:
  struct Hash {
    size_t operator()(const LockEdge& e) const { return std::hash<uint64_t>()(e.from * 0x9e3779b97f4a7c15ull ^ e.to); }
  };
  std::unordered_set<LockEdge, Hash> seen_;
  bool witness_ = false;
  LockEdge target_;
  std::string from_name_, to_name_;
};

}  // namespace ptcheck::vm
