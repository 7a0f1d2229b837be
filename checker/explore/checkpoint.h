#pragma once
// Checkpoints of a breadth-first run (as TLC allows): when a run stops early
// (Ctrl-C, --time-limit, --max-memory, --max-states) the store's states found
// before the current layer, that layer's frontier and the counts are written
// to a file; `--resume FILE` continues from there and reaches the same
// verdict, counts and counterexample as an uninterrupted run. The states of a
// partly expanded layer are dropped (the layer is redone on resume).
//
// Format: "PTCHKPT7" (the digit is the format version), the run's
// fingerprint (what is checked and how), the counts, the frontier, its sleep
// sets, the system's observations (TransitionSystem::observations), the store (its own format, explore/*_store.cpp), then an XXH3-64
// checksum of all that. Written to FILE.tmp, then renamed, so a crash never
// leaves half a file; a resume checks the checksum before it reads anything
// else, so a file damaged or cut short since is refused, not searched on.
#include <cstdint>
#include <string>
#include <vector>

#include "explore/storage.h"

namespace ptcheck::explore {

struct CheckpointHeader {
  std::string fingerprint;
  unsigned depth = 0;
  uint64_t states = 0, transitions = 0, asleep = 0;
  uint64_t final_states = 0, final_digest = 0;  // Stats::final_states / final_digest of the layers done
  StateId layer_first = 0;
  std::vector<uint8_t> observations;  // TransitionSystem::observations()
};

// awake: with sleep sets, the slots awake in each frontier state (by
// position; empty without a reduction), so a resumed run skips exactly what
// an uninterrupted one does.
void save_checkpoint(const std::string& path, const CheckpointHeader& h, const std::vector<StateId>& frontier,
                     const std::vector<uint64_t>& awake, const StateStorage& store);
// Throws CheckpointError when the file is unreadable, corrupt, or was written
// for another fingerprint or store.
CheckpointHeader load_checkpoint(const std::string& path, const std::string& fingerprint,
                                 std::vector<StateId>& frontier, std::vector<uint64_t>& awake,
                                 StateStorage& store);

}  // namespace ptcheck::explore
