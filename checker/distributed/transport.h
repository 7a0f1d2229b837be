#pragma once
// What the distributed breadth-first search (dist_bfs.h) needs from the
// machines it runs on: a fixed set of ranks and four collective operations.
// Every rank calls every operation in the same order (they are collective);
// each one returns when every rank has contributed. Two implementations:
// MpiTransport (mpi_transport.cpp, Open MPI's MPI_COMM_WORLD, one rank per
// process started by mpirun) and FakeTransport (fake_transport.h: ranks are
// threads of one process, for unit tests).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ptcheck::dist {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Personalised all-to-all. out[r] holds the bytes for rank r (size()
  // batches, sent from where they are: no copy into one buffer); on return
  // `in` holds what each rank sent to this one, in rank order, in_counts[r]
  // bytes from rank r. The caller's buffers keep their capacity from call to
  // call. A batch may not exceed 2 GiB (MPI's int counts); the round may.
  virtual void exchange(const std::vector<std::vector<uint8_t>>& out, std::vector<uint8_t>& in,
                        std::vector<uint64_t>& in_counts) = 0;
  // Every rank's `mine`, by rank.
  virtual std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine) = 0;
  enum class Op { Min, Max, Sum };
  // Element-wise reduction over the ranks; every rank passes as many values.
  virtual void allreduce(std::vector<uint64_t>& v, Op op) = 0;
  // Ends the whole run from this rank (an internal error here): never returns
  // normally (MPI: MPI_Abort; fake: throws on this rank).
  [[noreturn]] virtual void abort(int exit_code, const std::string& why) = 0;
};

// The transport of this process: set by main() when it was started by mpirun
// with more than one rank; nullptr otherwise (the ordinary one-process search).
Transport* world();
void set_world(Transport* t);

// The rank that owns a state: a hash of its bytes (xxh3) modulo the ranks.
// The same on every rank and every run.
uint32_t owner_of(const uint8_t* state, size_t size, uint32_t ranks);

// Convenience on top of the collectives.
uint64_t allreduce_one(Transport& t, uint64_t v, Transport::Op op);
// The bitwise OR of every rank's bytes (all of the same length).
void or_across(Transport& t, std::vector<uint8_t>& bytes);

}  // namespace ptcheck::dist
