// The Open MPI transport (mpi_transport.h). Errors of MPI itself (a peer
// that died, a broken connection) keep MPI's default handler on
// MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL: the job is torn down by the runtime
// instead of hanging in a collective.
#include "distributed/mpi_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#ifdef PTCHECK_HAVE_MPI
// The C API only (Open MPI's deprecated C++ bindings are not wanted).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace ptcheck::dist {

namespace {
int g_error_fd = STDERR_FILENO;  // where an abort's message goes
}

void silence_this_rank() {
  std::fflush(stdout);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (saved < 0 || null < 0) return;
  ::fcntl(saved, F_SETFD, FD_CLOEXEC);
  g_error_fd = saved;
  ::dup2(null, STDOUT_FILENO);
  ::dup2(null, STDERR_FILENO);
  ::close(null);
}

namespace {
char g_term_msg[256];
size_t g_term_len = 0;

void on_sigterm(int) {
  if (g_term_len && ::write(g_error_fd, g_term_msg, g_term_len) < 0) {
  }
  ::_exit(3);
}
}  // namespace

void on_sigterm_say_why(int rank, int ranks) {
  if (rank == 0)
    g_term_len = size_t(std::snprintf(g_term_msg, sizeof g_term_msg,
                                      "ptcheck: rank 0 of %d: stopped by mpirun (SIGTERM): the run was interrupted or "
                                      "another rank failed (see mpirun's message); the run is incomplete\n",
                                      ranks));
  if (g_term_len >= sizeof g_term_msg) g_term_len = sizeof g_term_msg - 1;
  std::signal(SIGTERM, on_sigterm);
}

bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

#ifdef PTCHECK_HAVE_MPI

bool have_mpi() { return true; }

namespace {

int checked_int(size_t n, const char* what) {
  if (n > size_t(INT_MAX))
    throw std::length_error(std::string("distributed search: ") + what + " over 2 GiB in one message");
  return int(n);
}

class MpiTransport final : public Transport {
 public:
  MpiTransport() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiTransport() override {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  // The counts go round in one MPI_Alltoall; then each batch is sent from the
  // caller's own buffer and received into its place in `in` (MPI_Isend and
  // MPI_Irecv, as Open MPI's MPI_Alltoallv does for a few ranks), so the
  // batches are not first copied into one send buffer: that copy took 6% of
  // a rank's time on mainline_table_mix at -np 2. Messages between two ranks
  // do not overtake each other, and the Alltoall orders the rounds.
  void exchange(const std::vector<std::vector<uint8_t>>& out, std::vector<uint8_t>& in,
                std::vector<uint64_t>& in_counts) override {
    const size_t n = size_t(size_);
    if (out.size() != n) throw std::logic_error("distributed search: one batch per rank");
    scount_.resize(n);
    rcount_.resize(n);
    for (size_t r = 0; r < n; ++r) scount_[r] = checked_int(out[r].size(), "a batch");
    MPI_Alltoall(scount_.data(), 1, MPI_INT, rcount_.data(), 1, MPI_INT, MPI_COMM_WORLD);
    size_t rtotal = 0;
    in_counts.resize(n);
    for (size_t r = 0; r < n; ++r) {
      in_counts[r] = uint64_t(rcount_[r]);
      rtotal += size_t(rcount_[r]);
    }
    in.resize(rtotal);
    reqs_.clear();
    size_t at = 0;
    for (size_t r = 0; r < n; ++r) {
      if (int(r) == rank_) {
        if (!out[r].empty()) std::memcpy(in.data() + at, out[r].data(), out[r].size());
      } else if (rcount_[r] > 0) {
        reqs_.emplace_back();
        MPI_Irecv(in.data() + at, rcount_[r], MPI_BYTE, int(r), kBatchTag, MPI_COMM_WORLD, &reqs_.back());
      }
      at += size_t(rcount_[r]);
    }
    for (size_t r = 0; r < n; ++r)
      if (int(r) != rank_ && scount_[r] > 0) {
        reqs_.emplace_back();
        MPI_Isend(out[r].data(), scount_[r], MPI_BYTE, int(r), kBatchTag, MPI_COMM_WORLD, &reqs_.back());
      }
    MPI_Waitall(int(reqs_.size()), reqs_.data(), MPI_STATUSES_IGNORE);
  }

  std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine) override {
    const size_t n = size_t(size_);
    int len = checked_int(mine.size(), "a gathered buffer");
    std::vector<int> counts(n), displs(n);
    MPI_Allgather(&len, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    size_t total = 0;
    for (size_t r = 0; r < n; ++r) {
      displs[r] = checked_int(total, "the gathered buffers");
      total += size_t(counts[r]);
    }
    std::vector<uint8_t> all(total);
    MPI_Allgatherv(mine.data(), len, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
    std::vector<std::vector<uint8_t>> by_rank(n);
    for (size_t r = 0; r < n; ++r) by_rank[r].assign(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
    return by_rank;
  }

  void allreduce(std::vector<uint64_t>& v, Op op) override {
    MPI_Op o = op == Op::Min ? MPI_MIN : op == Op::Max ? MPI_MAX : MPI_SUM;
    MPI_Allreduce(MPI_IN_PLACE, v.data(), checked_int(v.size(), "a reduction"), MPI_UINT64_T, o, MPI_COMM_WORLD);
  }

  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    std::string msg = "ptcheck: rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": " + why +
                      ": ending the whole run\n";
    if (::write(g_error_fd, msg.data(), msg.size()) < 0) {
    }
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  int rank_ = 0, size_ = 1;
  static constexpr int kBatchTag = 7;  // exchange()'s messages (the only point-to-point ones)
  std::vector<int> scount_, rcount_;
  std::vector<MPI_Request> reqs_;
};

}  // namespace

std::unique_ptr<Transport> mpi_init(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  return std::make_unique<MpiTransport>();
}

#else

bool have_mpi() { return false; }

std::unique_ptr<Transport> mpi_init(int*, char***) {
  throw std::runtime_error("this ptcheck was built without Open MPI (install libopenmpi-dev and rebuild)");
}

#endif

}  // namespace ptcheck::dist
