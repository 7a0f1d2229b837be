#pragma once
// Open MPI as the Transport (transport.h): MPI_COMM_WORLD, one rank per
// process. MPI is initialised only when the process was started by mpirun
// (OMPI_COMM_WORLD_SIZE or PMIX_RANK in the environment): a plain `ptcheck`
// never touches MPI and behaves as it always did.
#include <memory>

#include "distributed/transport.h"

namespace ptcheck::dist {

// Whether this process was started by mpirun (or another PMIx launcher).
bool launched_by_mpirun();

// Whether this build has MPI support (CMake found Open MPI).
bool have_mpi();

// Ranks other than 0 print nothing: stdout and stderr go to /dev/null; only
// an abort's message (Transport::abort) still reaches the original stderr.
void silence_this_rank();

// SIGTERM (what mpirun sends every rank when it is interrupted, or when
// another rank died) ends this rank at once with exit 3 (incomplete); rank 0
// says why on stderr first.
void on_sigterm_say_why(int rank, int ranks);

// Initialises MPI (MPI_Init_thread, funneled: only the main thread calls
// MPI) and returns the world transport; MPI_Finalize runs when it is
// destroyed. Throws std::runtime_error when MPI is missing from the build.
std::unique_ptr<Transport> mpi_init(int* argc, char*** argv);

}  // namespace ptcheck::dist
