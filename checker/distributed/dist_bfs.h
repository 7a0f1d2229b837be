#pragma once
// The breadth-first search spread over the ranks of a Transport (MPI
// processes, or threads in tests). Every rank runs it collectively on the
// same TransitionSystem and Options and gets the same Result: the verdict,
// the counts of states and transitions, the depth and the counterexample are
// those of the one-process search (explore/explorer.h's determinism
// contract), for any number of ranks.
//
// Partitioning: each state has one owner rank, owner_of(its bytes); the owner
// keeps it in a local store (explore/storage.h: a local StateStorage per
// rank, the partitioned store is the set of them plus the owner hash). Each
// rank expands its part of the frontier, one state after another (one
// explorer thread per rank in this version), and sends each successor to its
// owner in batches (a record: layer key, label, parent's local id, the
// state's bytes; its own successors it stores at once) with one all-to-all
// exchange per round; a layer takes as
// many rounds as its biggest rank needs.
//
// Determinism: a frontier state's global position is its place in the
// layer's canonical order. A successor's layer key is (parent position,
// successor index); the owner keeps the smallest key reaching each new state
// (the canonical parent: a minimum, which combines across ranks). After the
// layer, the ranks gather every new state's key and each computes the global
// positions of its own new states (how many keys are smaller). The first
// layer with a violation wins: a min-reduction over the ranks' candidates
// (state-level ends before transitions, then position, then index). The
// counterexample is walked back through (parent rank, parent local id,
// label), one collective step per depth.
//
// State properties (invariants): with worker memos (Worker::memos), the
// rank that generates a successor checks it, with the memo of the parent it
// is expanding, and its record carries the verdict and the successor's memo
// in a portable form (Worker::export_memo / import_memo) to the owner, which
// keeps them when the state is new to it. Without memos the owner checks a
// new state in full when it stores it, through Worker::stored_violation().
#include <string>

#include "distributed/transport.h"
#include "explore/explorer.h"

namespace ptcheck::dist {

// "" when the options can run distributed, else why not (the CLI refuses).
std::string check_distributed_options(const explore::Options& opt);

// Collective: every rank of `t` calls it with the same arguments.
explore::Result explore_distributed(const explore::TransitionSystem& ts, const explore::Options& opt, Transport& t);

}  // namespace ptcheck::dist

namespace ptcheck::dist {

// The search a check runs: distributed when this process is one of several
// ranks (world()), else explore::explore(). Collective in the first case.
explore::Result explore_anywhere(const explore::TransitionSystem& ts, const explore::Options& opt);

}  // namespace ptcheck::dist
