#include "explore/shorten.h"

#include <cstring>

namespace ptcheck::explore {

namespace {
// Finds the successor with a given label.
class PickSink final : public SuccessorSink {
 public:
  PickSink(Label want, size_t size) : want_(want), next_(std::max<size_t>(size, 1)) {}
  Seen emit(uint32_t, Label label, const uint8_t* next, bool violation) override {
    if (label != want_ || found_) return Seen::Ignored;
    found_ = true;
    violation_ = violation;
    std::memcpy(next_.data(), next, next_.size());
    return violation ? Seen::Ignored : Seen::New;  // New: the worker checks the state properties
  }
  void violating_state() override {
    if (found_) state_violation_ = true;
  }
  bool found_ = false, violation_ = false, state_violation_ = false;
  Label want_;
  std::vector<uint8_t> next_;
};
}  // namespace

Replayed replay_path(const TransitionSystem& ts, const std::vector<Label>& path) {
  Replayed r;
  auto w = ts.make_worker();
  std::vector<uint8_t> s(std::max<size_t>(ts.state_size(), 1));
  ts.initial_state(s.data());
  if (w->initial_violation(s.data())) {
    r.violation = true;
    r.end = EndKind::Initial;
    return r;
  }
  for (Label l : path) {
    PickSink sink(l, ts.state_size());
    Worker::Result wr = w->expand(s.data(), sink);
    if (wr == Worker::Result::Deadlock || wr == Worker::Result::TerminalViolation) {
      r.violation = true;
      r.end = wr == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation;
      return r;
    }
    if (!sink.found_) return r;  // the label is not possible here
    ++r.length;
    if (sink.violation_ || sink.state_violation_) {
      r.violation = true;
      r.end = EndKind::Transition;
      return r;
    }
    s = sink.next_;
  }
  // The last state: a deadlock or a failed final check ends there.
  PickSink none(~Label(0), ts.state_size());
  Worker::Result wr = w->expand(s.data(), none);
  if (wr == Worker::Result::Deadlock || wr == Worker::Result::TerminalViolation) {
    r.violation = true;
    r.end = wr == Worker::Result::Deadlock ? EndKind::Deadlock : EndKind::TerminalViolation;
  }
  return r;
}

void shorten(const TransitionSystem& ts, const Options& opt, Result& r, uint64_t budget_states) {
  r.shortest = false;
  if (r.verdict != Verdict::Violation || r.end == EndKind::Initial) {
    r.shortest = r.end == EndKind::Initial;
    return;
  }
  const std::vector<Label> original = r.path;
  auto ends_here = [&](const std::vector<Label>& p) {
    Replayed x = replay_path(ts, p);
    return x.violation && x.end == r.end && x.length == p.size() &&
           (!opt.same_violation || opt.same_violation(original, p));
  };
  // 1. Greedy step elimination, to a fixed point.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < r.path.size(); ++i) {
      std::vector<Label> p = r.path;
      p.erase(p.begin() + static_cast<std::ptrdiff_t>(i));
      if (p.empty() && r.end == EndKind::Transition) continue;
      Replayed x = replay_path(ts, p);
      if (!x.violation || x.end != r.end) continue;
      p.resize(x.length);  // a violation may now come earlier
      if (!ends_here(p)) continue;
      r.path = std::move(p);
      changed = true;
      --i;
      if (r.path.empty()) break;
    }
  }
  r.stats.depth = static_cast<unsigned>(r.path.size());
  // 2. Is there anything shorter? A bounded breadth-first search says.
  if (!budget_states || r.path.size() <= 1) {
    r.shortest = r.path.size() <= 1;
    return;
  }
  Options b = opt;
  b.search = SearchKind::Bfs;
  b.store = StoreOptions{};
  b.max_depth = static_cast<unsigned>(r.path.size() - 1);
  b.max_states = budget_states;
  b.checkpoint.clear();
  b.resume.clear();
  b.progress = false;
  Result br = explore_bfs(ts, b);
  if (br.verdict == Verdict::Violation && br.incomplete_reason.empty()) {
    r.path = br.path;
    r.end = br.end;
    r.stats.depth = static_cast<unsigned>(r.path.size());
    r.shortest = true;
  } else if (br.verdict == Verdict::Pass ||
             (br.verdict == Verdict::Incomplete && br.incomplete_reason == "max-depth")) {
    r.shortest = true;  // nothing shorter exists
  }
}

}  // namespace ptcheck::explore
