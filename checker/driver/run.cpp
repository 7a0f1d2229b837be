#include "driver/run.h"

#include "driver/liveness_trace.h"
#include "driver/run_violations.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "distributed/dist_bfs.h"
#include "driver/lock_graph.h"
#include "driver/report.h"
#include "explore/binio.h"
#include "support/version.h"
#include "trace/trace_fold.h"
#include "vm/builtins.h"
#include "vm/model_system.h"

namespace ptcheck {

namespace {

// Explorer labels keep a move's choice in 24 bits (vm::Machine::label).
constexpr uint64_t kMaxChoice = 0xffffff;

class TraceRecorder : public vm::Recorder {
 public:
  explicit TraceRecorder(const Instance& inst) : inst_(inst), m_(inst.model) {}

  void on_write(const vm::Region& r, uint64_t obj, uint64_t addr, unsigned size, uint64_t value) override {
    if (writes_) record(*writes_, r, obj, addr, size, value);
  }
  void on_read(const vm::Region& r, uint64_t obj, uint64_t addr, unsigned size, uint64_t value) override {
    if (reads_) record(*reads_, r, obj, addr, size, value);
  }
  void record(std::vector<trace::MemWrite>& into, const vm::Region& r, uint64_t obj, uint64_t addr, unsigned size,
              uint64_t value) {
    if (r.kind == vm::RegionKind::Stack) return;
    trace::MemWrite w;
    w.object = r.name;
    w.object_addr = r.base + obj * r.stride;
    w.offset = addr - w.object_addr;
    w.size = size;
    w.value = size >= 8 ? value : value & ((uint64_t{1} << (8 * size)) - 1);
    if (r.type && r.type->kind == sema::TypeKind::Record) {
      for (const auto& f : inst_.env->fields_at(r.type, w.offset, size))
        w.field += (w.field.empty() ? "" : "/") + f;
    }
    // Field names never contain spaces; keep the trace line parseable.
    for (char& c : w.field)
      if (c == ' ') c = '_';
    into.push_back(std::move(w));
  }
  void on_print(const std::string& text) override {
    if (output_) output_->push_back(text);
  }
  void on_alloc(const vm::Region& r, uint64_t obj, uint32_t ctx, const std::vector<uint32_t>& chain) override {
    uint32_t ri = static_cast<uint32_t>(&r - m_.regions.data());
    hist.allocated[{ri, obj}] = ObjectHistory::Site{ctx, chain, step};
    hist.freed.erase({ri, obj});
  }
  void on_free(const vm::Region& r, uint64_t obj, uint32_t ctx, const std::vector<uint32_t>& chain) override {
    uint32_t ri = static_cast<uint32_t>(&r - m_.regions.data());
    hist.freed[{ri, obj}] = ObjectHistory::Site{ctx, chain, step};
  }
  void on_acquire(uint32_t ctx, uint64_t addr, const std::vector<uint32_t>& chain) override {
    hist.acquired[{ctx, addr}] = ObjectHistory::Site{ctx, chain, step};
  }
  void on_note(uint32_t ctx, const std::string& what, const std::vector<uint64_t>& args,
               const std::vector<uint32_t>& chain) override {
    hist.tlb.note(ctx, what, args, chain, step);
  }
  void begin(trace::Step* st, unsigned n) {
    if (st) hist.tlb.hit.reset();  // a use of a cached entry counts in its own step only
    writes_ = st ? &st->writes : nullptr;
    reads_ = st ? &st->reads : nullptr;
    output_ = st ? &st->output : nullptr;
    step = n;
  }

  ObjectHistory hist;
  unsigned step = 0;

 private:
  const Instance& inst_;
  const vm::Model& m_;
  std::vector<trace::MemWrite>* writes_ = nullptr;
  std::vector<trace::MemWrite>* reads_ = nullptr;
  std::vector<std::string>* output_ = nullptr;
};

std::string file_hash(const SourceManager& sm, const std::string& path) {
  for (uint32_t i = 0; i < sm.file_count(); ++i)
    if (sm.path(i) == path) {
      const std::string& t = sm.text(i);
      return fmt::format("xxh64:{:016x}", XXH64(t.data(), t.size(), 0));
    }
  return "xxh64:unknown";
}

trace::Header make_header(const Instance& inst) {
  trace::Header h;
  h.target = inst.target->name;
  h.arch = inst.arch->name;
  for (const auto& [k, v] : inst.cfg.values) h.configs.emplace_back(k, v);
  h.bounds = inst.code.params;
  h.spec = inst.target->spec_file;
  if (inst.model.memory_model != vm::MemoryModelKind::Sc)
    h.memory_model = std::string(vm::memory_model_name(inst.model.memory_model));
  h.ptcheck_version = kVersion;
  for (const auto& f : inst.files) h.model_hashes.emplace_back(f, file_hash(*inst.model.sm, f));
  return h;
}

bool is_rcu_start(const vm::Model& m, const uint8_t* s, vm::Move mv) {
  if (mv.context != m.rcu_context() || vm::is_propagate(mv.choice)) return false;
  const auto* th = reinterpret_cast<const vm::ThreadState*>(s + m.threads_off + mv.context * sizeof(vm::ThreadState));
  return th->func == UINT32_MAX;
}

bool has_choice(const vm::Model& m, const uint8_t* s, vm::Move mv) {
  if (is_rcu_start(m, s, mv) || vm::is_propagate(mv.choice)) return true;
  const auto* th = reinterpret_cast<const vm::ThreadState*>(s + m.threads_off + mv.context * sizeof(vm::ThreadState));
  if (th->func == UINT32_MAX) return false;
  const vm::Insn& in = m.funcs[th->func].code[th->pc];
  return in.op == vm::Op::Builtin && static_cast<vm::Builtin>(in.imm) == vm::Builtin::Nondet;
}

// Fills a step's location from where its context rests before the step runs.
void locate(trace::Step& st, const Instance& inst, vm::Machine& mach, const uint8_t* s, vm::Move mv) {
  const vm::Model& m = inst.model;
  st.thread = m.context_name(mv.context);
  if (is_rcu_start(m, s, mv)) {
    // rcu_do_batch() invoking a callback: name the callback the rcu_head's func
    // word points at now (it is read again when the step runs).
    const auto* q = reinterpret_cast<const vm::RcuCallback*>(s + m.rcu_off);
    uint64_t head = q[mv.choice].head;
    uint64_t fn = 0;
    const vm::Region* r = m.find_region(head + m.word_size);
    if (r) {
      uint64_t rel = head + m.word_size - r->base;
      std::memcpy(&fn, s + r->state_off + rel / r->stride * r->obj_size + rel % r->stride, m.word_size);
    }
    const vm::Function* f = m.function_at(fn);
    st.file = "kernel/rcu/tree.c";
    st.line = 0;
    st.function = "rcu_do_batch";
    st.statement = fmt::format("f = rhp->func; f(rhp);  /* rhp={:016x} func={} */", head,
                               f ? f->name : fmt::format("{:016x}", fn));
    st.choice = mv.choice;
    return;
  }
  if (vm::is_propagate(mv.choice) && mach.memory_model()) {
    // A weak memory model's own step: one of the context's buffered stores
    // reaches memory. Named by the store's statement.
    uint32_t loc = mach.memory_model()->pending_loc(s, mv.context, mv.choice - vm::kPropagateChoice);
    st.file = loc_file(m, loc);
    st.line = loc_line(m, loc);
    st.function = loc_function(m, loc);
    st.statement = fmt::format("{}  /* store reaches memory ({}) */", loc_statement(m, loc),
                               vm::memory_model_name(m.memory_model));
    st.choice = mv.choice;
    return;
  }
  uint32_t loc = mach.resting_loc(s, mv.context);
  st.file = loc_file(m, loc);
  st.line = loc_line(m, loc);
  st.function = loc_function(m, loc);
  st.statement = loc_statement(m, loc);
  if (st.statement.empty()) st.statement = ";";
  const SourceLoc here = loc < m.locs.size() ? m.locs[loc].loc : SourceLoc{};
  for (const auto& [at, text] : inst.code.step_labels)
    if (at.file == here.file && at.line == here.line && at.col == here.col) st.statement = text;
  if (has_choice(m, s, mv)) {
    st.choice = mv.choice;
    // A choice the desugaring made (a mix's op or pool element): name it.
    const SourceLoc at = loc < m.locs.size() ? m.locs[loc].loc : SourceLoc{};
    for (const auto& n : inst.code.notes)
      if (n.at.file == at.file && n.at.line == at.line && n.at.col == at.col && mv.choice < n.labels.size())
        st.statement = n.labels[mv.choice];
  }
}

}  // namespace

std::string run_fingerprint(const Instance& inst, const explore::Options& o, bool coverage) {
  // What decides a run's state space and order: the target and arch, every
  // config value and bound, every model file's contents, and the store; and
  // --coverage, whose marks a checkpoint carries (a resumed run must have
  // them all to report all of them).
  std::string f = fmt::format("target={} arch={} store={}", inst.target->name, inst.arch->name,
                              explore::to_string(o.store.kind));
  for (const auto& [k, v] : inst.cfg.values) f += fmt::format(" {}={}", k, v ? 'y' : 'n');
  for (const auto& [k, v] : inst.code.params) f += fmt::format(" {}={}", k, v);
  for (const auto& file : inst.files) f += fmt::format(" {}:{}", file, file_hash(*inst.model.sm, file));
  if (inst.model.memory_model != vm::MemoryModelKind::Sc)
    f += fmt::format(" memory_model={}", vm::memory_model_name(inst.model.memory_model));
  if (coverage) f += " coverage=all";
  return f;
}

std::string violation_kind(const vm::Model& m, const std::vector<uint32_t>& labels) {
  vm::Machine mach(m);
  std::vector<uint8_t> s(m.buffer_size());
  if (!mach.build_initial(s.data()) || !mach.check_invariants(s.data()))
    return std::string(vm::kind_name(mach.error().kind));
  std::vector<vm::Move> moves;
  for (uint32_t l : labels) {
    vm::Move mv = vm::Machine::unlabel(l);
    moves.clear();
    mach.moves(s.data(), moves);
    bool possible = false;
    for (const auto& x : moves) possible = possible || (x.context == mv.context && x.choice == mv.choice);
    if (!possible) return "diverged";
    if (!mach.step(s.data(), mv) || !mach.check_invariants(s.data()))
      return std::string(vm::kind_name(mach.error().kind));
  }
  moves.clear();
  mach.moves(s.data(), moves);
  if (!moves.empty()) return "none";
  if (!mach.all_done(s.data())) return "deadlock";
  return mach.check_leaks(s.data()) ? "none" : std::string(vm::kind_name(mach.error().kind));
}

trace::Trace build_trace(const Instance& inst, const std::vector<uint32_t>& labels, std::optional<size_t> loop_from,
                         vm::LockDeps* deps, int property) {
  const vm::Model& m = inst.model;
  trace::Trace t;
  t.header = make_header(inst);
  vm::Machine mach(m);
  mach.set_lock_deps(deps);
  TraceRecorder rec(inst);
  mach.set_recorder(&rec);
  std::vector<uint8_t> s(m.buffer_size());
  rec.begin(nullptr, 0);
  if (!mach.build_initial(s.data())) {
    const vm::ErrorInfo& e = mach.error();
    t.violation = render_violation(m, *inst.env, e, mach.call_chain(s.data(), e.context), s.data(), rec.hist, mach);
    return t;
  }
  if (!mach.check_invariants(s.data())) {
    t.violation = render_violation(m, *inst.env, mach.error(), {}, s.data(), rec.hist, mach);
    return t;
  }
  std::vector<uint8_t> loop_start;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (loop_from && i == *loop_from) loop_start.assign(s.begin(), s.begin() + m.state_size);
    vm::Move mv = vm::Machine::unlabel(labels[i]);
    trace::Step st;
    st.index = static_cast<unsigned>(i + 1);
    locate(st, inst, mach, s.data(), mv);
    rec.begin(&st, st.index);
    bool ok = mach.step(s.data(), mv);
    bool inv_ok = ok && mach.check_invariants(s.data());
    rec.begin(nullptr, st.index);
    t.steps.push_back(std::move(st));
    if (!ok || !inv_ok) {
      const vm::ErrorInfo& e = mach.error();
      std::vector<uint32_t> chain = ok ? std::vector<uint32_t>{} : mach.call_chain(s.data(), e.context);
      if (chain.empty() && e.loc) chain.push_back(e.loc);
      else if (!chain.empty()) chain[0] = e.loc;
      t.violation = render_violation(m, *inst.env, e, chain, s.data(), rec.hist, mach);
      return t;
    }
  }
  if (property >= 0) {
    t.violation = liveness_violation(inst, mach, s.data(), rec.hist, labels, loop_from, size_t(property));
    return t;
  }
  if (loop_from) {
    if (loop_start.empty() || !std::equal(loop_start.begin(), loop_start.end(), s.begin()))
      throw std::logic_error("build_trace: the livelock's loop does not return to its first state");
    t.violation = livelock_violation(inst, mach, s.data(), rec.hist, *loop_from, labels.size());
    return t;
  }
  // No failing step: the path ends in a state with no way forward, either
  // everyone finished and something leaked, or no context can move.
  if (mach.all_done(s.data()) && !mach.check_leaks(s.data())) {
    t.violation = render_violation(m, *inst.env, mach.error(), {}, s.data(), rec.hist, mach);
    return t;
  }
  // A deadlock only where no move is left: a path that ends with moves means
  // the replay did not reproduce the search's violation (a bug of ptcheck's),
  // which must not be reported as a deadlock that never happened.
  std::vector<vm::Move> left;
  mach.moves(s.data(), left);
  if (!left.empty())
    throw std::logic_error("build_trace: the replayed path ends where moves remain (the search's violation did "
                           "not reproduce)");
  t.violation = deadlock_violation(inst, mach, s.data(), rec.hist);
  return t;
}

std::string describe_state(Project& project, const TargetEntry& target, const std::string& arch,
                           const std::vector<std::pair<std::string, bool>>& sets) {
  auto inst = instantiate(project, target, arch, sets);
  const vm::Model& m = inst->model;
  std::string out = fmt::format("{} ({}): {} bytes per state\n", target.name, arch, m.state_size);
  out += fmt::format("  {:>6}  contexts ({} threads, rcu) x {} bytes\n", m.contexts() * sizeof(vm::ThreadState),
                     m.threads.size(), sizeof(vm::ThreadState));
  if (m.rcu_capacity)
    out += fmt::format("  {:>6}  RCU callback queue ({} slots)\n", m.rcu_capacity * sizeof(vm::RcuCallback), m.rcu_capacity);
  const char* kinds[] = {"pages", "page contents", "slab", "global", "stack"};
  for (const auto& r : m.regions) {
    if (r.state_off >= m.state_size) continue;  // the invariant scratch stack is not part of states
    uint64_t bytes = r.obj_size * r.count + (r.shadow_off >= 0 ? r.count : 0);
    out += fmt::format("  {:>6}  {} {} ({} x {} bytes{})\n", bytes, kinds[static_cast<int>(r.kind)], r.name, r.count,
                       r.obj_size, r.shadow_off >= 0 ? " + shadow" : "");
  }
  return out;
}

// The distributed search: what every rank's workers executed, the lock
// orders they saw and their counts (invariant runs and skips, instructions),
// merged, so each rank holds the whole run's (as one process's workers are
// merged).
static void merge_across_ranks(vm::Coverage& marks, std::vector<vm::LockEdge>& edges,
                               vm::ModelSystem::WorkerCounts& counts) {
  dist::Transport* w = dist::world();
  if (!w || w->size() <= 1) return;
  std::vector<uint64_t> sums{counts.invariants_ran, counts.invariants_skipped, counts.instructions};
  w->allreduce(sums, dist::Transport::Op::Sum);
  counts.invariants_ran = sums[0];
  counts.invariants_skipped = sums[1];
  counts.instructions = sums[2];
  std::vector<uint8_t> flat;
  for (const auto& f : marks.marks) flat.insert(flat.end(), f.begin(), f.end());
  dist::or_across(*w, flat);
  size_t at = 0;
  for (auto& f : marks.marks)
    for (auto& m : f) m = flat[at++];
  std::vector<uint64_t> pairs;
  for (const vm::LockEdge& e : edges) {
    pairs.push_back(e.from);
    pairs.push_back(e.to);
  }
  std::vector<uint8_t> raw(pairs.size() * 8);
  if (!raw.empty()) std::memcpy(raw.data(), pairs.data(), raw.size());
  edges.clear();
  for (const auto& other : w->allgather(raw))
    for (size_t i = 0; i + 16 <= other.size(); i += 16) {
      vm::LockEdge e;
      std::memcpy(&e.from, other.data() + i, 8);
      std::memcpy(&e.to, other.data() + i + 8, 8);
      edges.push_back(e);
    }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
}

CheckResult check_target(Project& project, const TargetEntry& target, const std::string& arch,
                         const CheckOptions& opt) {
  CheckResult r;
  r.target = target.name;
  r.arch = arch;
  auto inst = instantiate(project, target, arch, opt.sets);
  r.expected = inst->expected.violation ? RowExpected::of_violation(inst->expected.kind) : RowExpected::pass();
  r.state_bytes = inst->model.state_size;
  r.memory_model = std::string(vm::memory_model_name(inst->model.memory_model));
  if (auto mm = vm::make_memory_model(inst->model)) r.memory_model_limits = std::string(mm->limits());
  auto t0 = std::chrono::steady_clock::now();
  // Reach points are read from the coverage marks: a target that has some
  // records them (a byte per instruction, OR-merged across workers).
  // Reach points alone need only their own instructions recorded (vm/coverage.h).
  vm::ModelSystem sys(inst->model, std::nullopt,
                      opt.coverage              ? vm::CoverageMode::All
                      : !inst->reach.empty() ? vm::CoverageMode::Watched
                                               : vm::CoverageMode::Off);
  sys.set_invariant_memo(opt.invariant_memo);
  for (const ReachPoint& p : inst->reach) r.reach_points.push_back(p.text);
  explore::Result res;
  explore::Options eo = opt.explore;
  eo.fingerprint = run_fingerprint(*inst, eo, opt.coverage);
  // Depth-first: a shortened counterexample must fail with the same error kind.
  eo.same_violation = [&](const std::vector<uint32_t>& found, const std::vector<uint32_t>& shorter) {
    return violation_kind(inst->model, found) == violation_kind(inst->model, shorter);
  };
  if (sys.init_failed()) {
    res.verdict = explore::Verdict::Violation;
    res.end = explore::EndKind::Initial;
    res.stats.states = 1;
  } else {
    try {
      res = dist::explore_anywhere(sys, eo);
    } catch (const explore::CheckpointError& e) {
      throw InputError(fmt::format("--resume: error: {}", e.what()));
    }
  }
  r.stats = res.stats;
  vm::ModelSystem::WorkerCounts mc = sys.worker_counts();
  r.store = res.store;
  r.search = explore::to_string(eo.search);
  r.reduction = explore::to_string(res.reduction);
  r.liveness = res.liveness;
  r.probabilistic = res.probabilistic;
  r.omission_probability = res.omission_probability;
  r.lossy_summary = res.lossy_summary;
  r.shortest = res.shortest;
  r.checkpoint_written = res.checkpoint_written;
  r.checkpoint_error = res.checkpoint_error;
  r.rank_states = res.rank_states;
  r.rank_memory = res.rank_memory;
  if (sys.init_failed())
    r.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  vm::Coverage marks = opt.coverage || !inst->reach.empty() ? sys.coverage() : vm::Coverage{};
  std::vector<vm::LockEdge> edges = sys.lock_edges();
  if (!sys.init_failed()) merge_across_ranks(marks, edges, mc);
  r.invariant_runs = mc.invariants_ran;
  r.invariant_skips = mc.invariants_skipped;
  r.instructions = mc.instructions;
  if (opt.coverage) r.coverage = std::make_shared<const CoverageData>(coverage_of(inst->model, marks));
  for (const vm::LockEdge& e : edges)
    r.lock_edges.emplace_back(vm::lock_node_name(inst->model, e.from), vm::lock_node_name(inst->model, e.to));
  switch (res.verdict) {
    case explore::Verdict::Pass:
      r.verdict = RowVerdict::Pass;
      // lockdep: an order inversion anywhere in the explored space, even if
      // no deadlock state was reachable within the bounds.
      if (auto cycle = find_lock_cycle(edges); !cycle.empty()) report_lock_cycle(r, *inst, eo, cycle);
      break;
    case explore::Verdict::Incomplete:
      r.verdict = RowVerdict::Incomplete;
      r.incomplete_reason = res.incomplete_reason;
      break;
    case explore::Verdict::Violation: {
      r.verdict = RowVerdict::Violation;
      const bool loop = res.end == explore::EndKind::Livelock || (res.end == explore::EndKind::Liveness && res.has_loop);
      r.trace = build_trace(*inst, res.path, loop ? std::optional<size_t>(res.loop_from) : std::nullopt, nullptr,
                            res.end == explore::EndKind::Liveness ? res.property : -1);
      r.error_kind = vm::kind_from_name(r.trace->violation.kind);
      if (!r.error_kind) throw std::logic_error("a counterexample of no known kind: " + r.trace->violation.kind);
      break;
    }
  }
  // A pass that never executed one of its reach points proves nothing about
  // the path it names: the target fails, naming the points.
  if (r.verdict == RowVerdict::Pass && !inst->reach.empty()) {
    r.unreached = unreached_points(inst->reach, marks);
    if (!r.unreached.empty()) r.verdict = RowVerdict::Vacuous;
  }
  r.as_expected = inst->expected.violation
                      ? r.verdict == RowVerdict::Violation && r.error_kind == inst->expected.kind
                      : r.verdict == RowVerdict::Pass;
  return r;
}

ReplayResult replay_trace(Project& project, const trace::Trace& t,
                          const std::vector<std::pair<std::string, bool>>& sets) {
  ReplayResult rr;
  const TargetEntry* target = project.find_target(t.header.target);
  if (!target)
    throw InputError(fmt::format("error: the trace's target '{}' is not defined in spec/{}", t.header.target,
                                 t.header.spec.empty() ? " (if it is in another file, give it with --spec)"
                                                       : " nor in " + t.header.spec));
  std::vector<std::pair<std::string, bool>> all = t.header.configs;
  all.insert(all.end(), sets.begin(), sets.end());
  // The trace's memory model (none written: sc), whatever the target sets now.
  auto mm = vm::parse_memory_model(t.header.memory_model.empty() ? "sc" : t.header.memory_model);
  if (!mm) throw InputError(fmt::format("error: the trace's memory model '{}' is not sc, tso or lkmm", t.header.memory_model));
  const auto saved_mm = project.memory_model();
  project.set_memory_model(mm);
  std::unique_ptr<Instance> inst;
  try {
    inst = instantiate(project, *target, t.header.arch, all, t.header.bounds);
  } catch (...) {
    project.set_memory_model(saved_mm);
    throw;
  }
  project.set_memory_model(saved_mm);
  const vm::Model& m = inst->model;
  for (const auto& [path, hash] : t.header.model_hashes) {
    if (std::find(inst->files.begin(), inst->files.end(), path) == inst->files.end()) {
      rr.warnings.push_back(fmt::format("{} was part of the program when the trace was recorded and is not now", path));
      continue;
    }
    std::string now = file_hash(*m.sm, path);
    if (now != hash) rr.warnings.push_back(fmt::format("{} changed since the trace was recorded ({} now, {} then)", path, now, hash));
  }
  // Re-run the recorded schedule and compare each step with the trace.
  std::vector<uint32_t> labels;
  auto diverged = [&](const std::string& msg) {
    rr.reproduced = false;
    rr.message = msg;
    return rr;
  };
  vm::Machine mach(m);
  // A circular-locking trace ends in the step that takes its closing dependency.
  vm::LockDeps deps;
  for (const auto& line : t.violation.report)
    if (line.rfind("closing dependency: ", 0) == 0) {
      auto arrow = line.find(" -> ");
      if (arrow != std::string::npos) deps.set_witness_names(line.substr(20, arrow - 20), line.substr(arrow + 4));
    }
  if (t.violation.kind == "circular-locking") mach.set_lock_deps(&deps);
  std::vector<uint8_t> s(m.buffer_size());
  bool ok = mach.build_initial(s.data()) && mach.check_invariants(s.data());
  std::vector<vm::Move> moves;
  // A lasso: a livelock, or a deadlock a busy-waiting context masks.
  const bool masked = t.violation.kind == vm::kind_name(vm::ErrorKind::Deadlock) && t.violation.loop_from;
  const bool livelock = t.violation.kind == vm::kind_name(vm::ErrorKind::Livelock) || masked;
  if (livelock && (!t.violation.loop_from || *t.violation.loop_from > t.steps.size()))
    return diverged("a livelock trace needs 'loop: N' naming one of its steps (where the loop starts)");
  const bool liveness = t.violation.kind == vm::kind_name(vm::ErrorKind::Liveness);
  const int property = liveness ? property_of(m, t.violation.report) : -1;
  if (liveness && property < 0)
    return diverged("a liveness trace needs a 'property: NAME' line naming one of the target's always_eventually properties");
  if (liveness && t.violation.loop_from && (*t.violation.loop_from == 0 || *t.violation.loop_from > t.steps.size()))
    return diverged("the trace's 'loop: N' does not name one of its steps");
  std::vector<uint8_t> loop_start;
  for (size_t i = 0; ok && i < t.steps.size(); ++i) {
    const trace::Step& st = t.steps[i];
    if (livelock && i + 1 == *t.violation.loop_from) loop_start.assign(s.begin(), s.begin() + m.state_size);
    uint32_t ctx = UINT32_MAX;
    for (uint32_t c = 0; c < m.contexts(); ++c)
      if (m.context_name(c) == st.thread) ctx = c;
    if (ctx == UINT32_MAX) return diverged(fmt::format("step {}: the target has no thread '{}'", st.index, st.thread));
    if (st.choice && *st.choice > kMaxChoice)
      return diverged(fmt::format("step {}: the trace's choice {} is larger than any choice ptcheck makes (at most {})",
                                  st.index, *st.choice, kMaxChoice));
    vm::Move mv{ctx, static_cast<uint32_t>(st.choice.value_or(0))};
    moves.clear();
    mach.moves(s.data(), moves);
    bool possible = false;
    for (const auto& x : moves) possible = possible || (x.context == mv.context && x.choice == mv.choice);
    if (!possible) {
      std::string why = mach.blocked_reason(s.data(), ctx);
      return diverged(fmt::format("step {}: {} cannot take this step here ({}); the model has diverged from the trace",
                                  st.index, st.thread, why.empty() ? "it has finished or has no such choice" : why));
    }
    trace::Step now;
    locate(now, *inst, mach, s.data(), mv);
    if (now.file != st.file || now.line != st.line)
      return diverged(fmt::format("step {}: {} is at {}:{} ({}) but the trace has {}:{} ({}); the model has diverged",
                                  st.index, st.thread, now.file, now.line, now.function, st.file, st.line, st.function));
    labels.push_back(vm::Machine::label(mv));
    TraceRecorder rec(*inst);
    rec.begin(&now, st.index);
    mach.set_recorder(&rec);
    ok = mach.step(s.data(), mv) && mach.check_invariants(s.data());
    mach.set_recorder(nullptr);
    if (ok || i + 1 < t.steps.size()) {
      if (!trace::writes_match(st, now))
        return diverged(fmt::format("step {} ({}:{} {}): it wrote different memory than the trace records; the model has diverged",
                                    st.index, st.file, st.line, st.function));
    }
    if (!ok && i + 1 < t.steps.size())
      return diverged(fmt::format("step {}: the model fails here ({}) but the trace goes on to step {}", st.index,
                                  vm::kind_name(mach.error().kind), t.steps.size()));
  }
  if (ok && liveness) {
    // The whole claim is re-checked here: the loop, the property false all
    // along it, and its fairness (or the run's end with the property false).
    std::optional<size_t> from;
    if (t.violation.loop_from) from = *t.violation.loop_from - 1;
    LivenessCheck lc = check_liveness_path(m, labels, from, size_t(property));
    if (!lc.ok) return diverged(lc.problem);
    rr.reproduced = true;
    rr.message = from ? fmt::format("reproduced liveness: '{}' stays false on the weakly fair loop of steps {}..{}",
                                    m.progress[size_t(property)].first, *from + 1, t.steps.size())
                      : fmt::format("reproduced liveness: the run ends after step {} with '{}' false", t.steps.size(),
                                    m.progress[size_t(property)].first);
    return rr;
  }
  if (ok && livelock) {
    if (!std::equal(loop_start.begin(), loop_start.end(), s.begin()))
      return diverged(fmt::format("after step {} the state is not the one step {} started from: no loop",
                                  t.steps.size(), *t.violation.loop_from));
    // The loop is real; that no final state is reachable from it is what the
    // search proved (replay re-runs the lasso, not the whole search). A masked
    // deadlock's wait cycle is checked here: it needs no search.
    if (masked && mach.deadlock_cycle(s.data()).empty())
      return diverged("the trace ends in a loop but no contexts wait for each other's locks: no masked deadlock");
    rr.reproduced = true;
    rr.message = fmt::format("reproduced {}: steps {}..{} return to the state they started from",
                             masked ? "deadlock (masked by contexts that keep moving)" : "livelock",
                             *t.violation.loop_from, t.steps.size());
    return rr;
  }
  if (ok) {
    moves.clear();
    mach.moves(s.data(), moves);
    if (moves.empty() && mach.all_done(s.data()) && !mach.check_leaks(s.data())) {
      if (t.violation.kind == "leak") {
        rr.reproduced = true;
        rr.message = fmt::format("reproduced leak after step {}", t.steps.size());
        return rr;
      }
      return diverged(fmt::format("the trace ends in a leak, not in {}", t.violation.kind));
    }
    if (moves.empty() && !mach.all_done(s.data())) {
      if (t.violation.kind == "deadlock") {
        rr.reproduced = true;
        rr.message = fmt::format("reproduced deadlock after step {}", t.steps.size());
        return rr;
      }
      return diverged(fmt::format("the trace ends in a deadlock, not in {}", t.violation.kind));
    }
    return diverged(fmt::format("all {} steps ran but no violation happened (the trace expects {})", t.steps.size(),
                                t.violation.kind));
  }
  std::string kind(vm::kind_name(mach.error().kind));
  if (kind != t.violation.kind)
    return diverged(fmt::format("the model fails with {} instead of {} at step {}", kind, t.violation.kind, t.steps.size()));
  trace::Trace again = build_trace(*inst, labels, std::nullopt, t.violation.kind == "circular-locking" ? &deps : nullptr);
  if (again.violation.title != t.violation.title)
    rr.warnings.push_back(fmt::format("same kind, different report: now \"{}\"", again.violation.title));
  rr.reproduced = true;
  rr.message = fmt::format("reproduced {} at step {}: {}", kind, t.steps.size(), again.violation.title);
  return rr;
}

}  // namespace ptcheck
