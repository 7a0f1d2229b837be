#pragma once
// An in-process Transport for tests: N ranks are N threads of one process
// sharing a FakeNetwork. Each collective posts this rank's part, waits at a
// barrier for the others, reads what it needs and waits again, so the
// semantics (and the order of calls every rank must keep) are those of MPI
// collectives. run_ranks() starts the threads and joins them.
#include <barrier>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>

#include "distributed/transport.h"

namespace ptcheck::dist {

class FakeNetwork {
 public:
  explicit FakeNetwork(int ranks)
      : n_(ranks), barrier_(ranks), posts_(size_t(ranks)), reduce_(size_t(ranks)) {}
  int size() const { return n_; }

 private:
  friend class FakeTransport;
  int n_;
  std::barrier<> barrier_;
  std::vector<std::vector<std::vector<uint8_t>>> posts_;  // [from][to]
  std::vector<std::vector<uint64_t>> reduce_;             // [from]
};

class FakeTransport final : public Transport {
 public:
  FakeTransport(FakeNetwork& net, int rank) : net_(net), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return net_.size(); }

  void exchange(const std::vector<std::vector<uint8_t>>& out, std::vector<uint8_t>& in,
                std::vector<uint64_t>& in_counts) override {
    if (out.size() != size_t(size())) throw std::logic_error("FakeTransport::exchange: one batch per rank");
    std::vector<std::vector<uint8_t>> got = post(out);
    in.clear();
    in_counts.assign(got.size(), 0);
    for (size_t r = 0; r < got.size(); ++r) {
      in.insert(in.end(), got[r].begin(), got[r].end());
      in_counts[r] = got[r].size();
    }
  }

  std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine) override {
    return post(std::vector<std::vector<uint8_t>>(size_t(size()), mine));
  }

  void allreduce(std::vector<uint64_t>& v, Op op) override {
    net_.reduce_[size_t(rank_)] = v;
    net_.barrier_.arrive_and_wait();
    for (int r = 0; r < size(); ++r) {
      const auto& o = net_.reduce_[size_t(r)];
      if (o.size() != v.size()) throw std::logic_error("FakeTransport::allreduce: ranks disagree on the length");
      if (r == rank_) continue;
      for (size_t i = 0; i < v.size(); ++i)
        v[i] = op == Op::Min ? std::min(v[i], o[i]) : op == Op::Max ? std::max(v[i], o[i]) : v[i] + o[i];
    }
    net_.barrier_.arrive_and_wait();
  }

  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    throw std::runtime_error("rank " + std::to_string(rank_) + " aborted (" + std::to_string(exit_code) + "): " + why);
  }

 private:
  // out[r] to rank r; returns what each rank posted for this one.
  std::vector<std::vector<uint8_t>> post(const std::vector<std::vector<uint8_t>>& out) {
    net_.posts_[size_t(rank_)] = out;
    net_.barrier_.arrive_and_wait();
    std::vector<std::vector<uint8_t>> in(static_cast<size_t>(size()));
    for (int r = 0; r < size(); ++r) in[size_t(r)] = net_.posts_[size_t(r)][size_t(rank_)];
    net_.barrier_.arrive_and_wait();
    return in;
  }

  FakeNetwork& net_;
  int rank_;
};

// Runs body(transport) on `ranks` threads, one rank each, and waits for them.
inline void run_ranks(int ranks, const std::function<void(Transport&)>& body) {
  FakeNetwork net(ranks);
  std::vector<std::thread> ts;
  for (int r = 0; r < ranks; ++r)
    ts.emplace_back([&net, &body, r] {
      FakeTransport t(net, r);
      body(t);
    });
  for (auto& t : ts) t.join();
}

}  // namespace ptcheck::dist
