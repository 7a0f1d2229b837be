#pragma once
// The explorer's one parallel loop: over [0, n) in ranges of at least `grain`,
// body(begin, end) per range, returning when every range is done (exceptions
// are passed on), on the threads of the task arena it is called in; a body
// asks parallel_thread_index() which of them it runs on.
//
// Normally that is tbb::parallel_for. Under ThreadSanitizer (the `tsan`
// preset) it is plain std::threads, as many as the arena has, taking ranges
// from a shared counter: libtbb is not instrumented, so TSan would see no
// order in TBB's fork and join (nor in its reuse of task memory between
// threads), and would report every layer's hand-over as a race; suppressing
// the frames under tbb:: would hide the explorer's own races too, since each
// body runs below them. The threads' start and join are what TSan sees.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

namespace ptcheck::explore {

#if defined(__SANITIZE_THREAD__)
inline thread_local int tsan_thread_index = 0;
#endif

// The index of the calling thread within the arena, from 0 (a body's
// per-thread context).
inline int parallel_thread_index() {
#if defined(__SANITIZE_THREAD__)
  return tsan_thread_index;
#else
  return tbb::this_task_arena::current_thread_index();
#endif
}

template <class Body>
void parallel_ranges(uint64_t n, uint64_t grain, Body&& body) {
#if defined(__SANITIZE_THREAD__)
  const int threads = std::max(1, tbb::this_task_arena::max_concurrency());
  std::atomic<uint64_t> next{0};
  std::exception_ptr err;
  std::mutex err_mu;
  auto run = [&](int ti) {
    const int saved = tsan_thread_index;
    tsan_thread_index = ti;
    try {
      for (uint64_t b; (b = next.fetch_add(grain, std::memory_order_relaxed)) < n;) body(b, std::min(n, b + grain));
    } catch (...) {
      next.store(n, std::memory_order_relaxed);  // no more ranges, as TBB cancels the rest
      std::lock_guard<std::mutex> g(err_mu);
      if (!err) err = std::current_exception();
    }
    tsan_thread_index = saved;
  };
  std::vector<std::thread> ts;
  for (int ti = 1; ti < threads; ++ti) ts.emplace_back(run, ti);
  run(0);
  for (std::thread& t : ts) t.join();
  if (err) std::rethrow_exception(err);
#else
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, n, grain),
                    [&](const tbb::blocked_range<uint64_t>& r) { body(r.begin(), r.end()); });
#endif
}

}  // namespace ptcheck::explore
