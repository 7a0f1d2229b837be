// `ptcheck mutate`: baseline runs, mutant enumeration over the functions the
// targets compile, and each mutant checked against the targets that executed
// its lines (mutate.h).
#include "driver/mutate.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "target/instantiate.h"

namespace ptcheck {

namespace {

struct Baseline {
  const TargetEntry* target;
  std::string arch;
  CheckResult result;
  bool mix = false;
};

bool executed(const CheckResult& r, const std::string& file, unsigned line) {
  if (!r.coverage) return false;
  auto f = r.coverage->files.find(file);
  if (f == r.coverage->files.end()) return false;
  auto l = f->second.lines.find(line);
  return l != f->second.lines.end() && l->second;
}

}  // namespace

bool is_mix_target(const TargetEntry& t) {
  const bool pass = t.def && (!t.def->expect || !t.def->expect->violation);
  return pass && (t.name.ends_with("_mix") || t.name.find("_mix_") != std::string::npos || (t.def && !t.def->mixes.empty()));
}

// FNV-1a of a mutant's name: its shard, and the order the mutants run in.
static uint64_t fnv(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<Mutant> enumerate_mutants(Project& project, const std::vector<const TargetEntry*>& targets,
                                      const MutateOptions& opt) {
  const SourceManager& sm = project.sources();
  std::vector<const ast::FuncDef*> funcs;
  std::set<const ast::FuncDef*> seen;
  for (const TargetEntry* t : targets)
    for (const std::string& arch : target_arches(*t, "x86_64")) {
      if (!opt.arch.empty() && arch != opt.arch) continue;
      auto inst = instantiate(project, *t, arch, opt.sets);
      for (const ast::Decl* d : inst->env->code_decls()) {
        if (d->kind != ast::Decl::Func || !d->func->body) continue;
        const ast::FuncDef* fd = d->func.get();
        bool compiled = false;
        for (const vm::Function& f : inst->model.funcs) compiled = compiled || (f.name == fd->name && f.has_body);
        if (!compiled || !seen.insert(fd).second) continue;
        std::string path = sm.path(fd->loc.file);
        bool chosen = opt.file_prefixes.empty();
        for (const auto& p : opt.file_prefixes) chosen = chosen || path.starts_with(p);
        if (chosen) funcs.push_back(fd);
      }
    }
  std::sort(funcs.begin(), funcs.end(), [&](const ast::FuncDef* a, const ast::FuncDef* b) {
    std::string pa = sm.path(a->loc.file), pb = sm.path(b->loc.file);
    return pa != pb ? pa < pb : a->loc.line < b->loc.line;
  });
  std::vector<Mutant> mutants;
  for (const ast::FuncDef* fd : funcs)
    for (Mutant& m : function_mutants(*fd, sm, opt.ops)) mutants.push_back(std::move(m));
  if (opt.shards > 1)  // this run's share: the mutants whose name hashes to shard - 1 modulo shards
    std::erase_if(mutants, [&](const Mutant& m) { return fnv(m.name()) % opt.shards != opt.shard - 1; });
  if (!opt.only.empty()) {
    std::set<std::string> want(opt.only.begin(), opt.only.end());
    std::erase_if(mutants, [&](const Mutant& m) { return !want.contains(m.name()); });
    for (const Mutant& m : mutants) want.erase(m.name());
    if (!want.empty())
      throw InputError(fmt::format("--mutant: error: no mutant '{}' in the functions the targets compile (see "
                                   "`ptcheck mutate ... --list`)",
                                   *want.begin()));
  }
  return mutants;
}

MutateReport run_mutate(Project& project, const std::vector<const TargetEntry*>& targets, const MutateOptions& opt) {
  MutateReport rep;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const SourceManager& sm = project.sources();
  CheckOptions base;
  base.sets = opt.sets;
  base.explore.threads = opt.threads;
  base.explore.liveness = true;

  // The mutants first, so that an unknown --mutant name is an error before
  // any baseline runs.
  std::vector<Mutant> mutants = enumerate_mutants(project, targets, opt);

  // Baselines: each target on each arch, with coverage.
  std::vector<Baseline> runs;
  for (const TargetEntry* t : targets)
    for (const std::string& arch : target_arches(*t, "x86_64")) {
      if (!opt.arch.empty() && arch != opt.arch) continue;
      CheckOptions one = base;
      one.coverage = true;
      Baseline b{t, arch, check_target(project, *t, arch, one), is_mix_target(*t)};
      if (!b.result.as_expected || b.result.verdict == RowVerdict::Incomplete) {
        if (opt.progress)
          opt.progress(fmt::format("{} ({}): left out: it does not meet its expectation unmutated (got {})", t->name,
                                   arch, got_text(b.result)));
        continue;
      }
      runs.push_back(std::move(b));
    }
  // Mixes first (the score counts what they kill), then the fastest targets.
  std::stable_sort(runs.begin(), runs.end(), [](const Baseline& a, const Baseline& b) {
    if (a.mix != b.mix) return a.mix;
    return a.result.stats.seconds < b.result.stats.seconds;
  });
  for (const Baseline& b : runs) {
    rep.targets.push_back(b.target->name + "@" + b.arch);
    if (b.mix) rep.mixes.push_back(b.target->name + "@" + b.arch);
  }

  // Run in an order spread over the files (FNV-1a of the name), so that a
  // time budget that runs out leaves a sample of the whole model, not its
  // first files; the report is sorted back by file and line.
  std::vector<size_t> order(mutants.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return fnv(mutants[a].name()) < fnv(mutants[b].name()); });
  std::vector<MutantResult> results(mutants.size());
  for (size_t idx : order) {
    Mutant& m = mutants[idx];
    MutantResult& res = results[idx];
    res.name = m.name();
    res.op = mut_op_name(m.op);
    res.function = m.function;
    res.file = m.file;
    res.line = m.line;
    res.what = m.what;
    std::vector<const Baseline*> chosen;
    for (const Baseline& b : runs) {
      bool hit = false;
      for (const auto& [file, line] : m.lines) hit = hit || executed(b.result, sm.path(file), line);
      if (hit) chosen.push_back(&b);
    }
    if (chosen.empty()) {
      res.status = "unexecuted";
      continue;
    }
    if (opt.time_budget > 0 && elapsed() >= opt.time_budget) {
      res.status = "not run";
      rep.budget_exhausted = true;
      continue;
    }
    bool timeout = false, same_outcomes = true;
    {
      MutantApplied applied(m);
      project.set_lenient_reach(true);
      for (const Baseline* b : chosen) {
        CheckOptions one = base;
        double limit = opt.run_limit > 0 ? opt.run_limit : std::max(5.0, 10 * b->result.stats.seconds + 2);
        if (opt.time_budget > 0) limit = std::min(limit, std::max(1.0, opt.time_budget - elapsed()));
        one.explore.time_limit = limit;
        CheckResult r;
        try {
          r = check_target(project, *b->target, b->arch, one);
        } catch (const InputError& e) {
          res.status = "stillborn";  // the mutant does not compile (or is refused) on this target
          res.detail = e.what();
          break;
        } catch (const std::exception& e) {
          res.status = "stillborn";
          res.detail = std::string("the run failed: ") + e.what();
          break;
        }
        MutantRun run{b->target->name, b->arch, "", got_text(r), r.stats.states, r.stats.final_states};
        if (r.verdict == RowVerdict::Incomplete) {
          run.outcome = "timeout";
          timeout = true;
          same_outcomes = false;
        } else if (!r.as_expected) {
          run.outcome = "killed";
          res.status = "killed";
          res.killed_by = b->target->name + "@" + b->arch;
          res.killed_by_mix = b->mix;
          res.violation = got_text(r);
        } else if (r.verdict != b->result.verdict || r.error_kind != b->result.error_kind ||
                   r.stats.final_states != b->result.stats.final_states ||
                   r.stats.final_digest != b->result.stats.final_digest) {
          run.outcome = "changed";  // another verdict, or another set of final states: the outcomes moved
          same_outcomes = false;
        } else if (r.stats.states == b->result.stats.states && r.stats.transitions == b->result.stats.transitions) {
          run.outcome = "same";
        } else {
          run.outcome = "reordered";  // other interleavings, the same final states
        }
        res.runs.push_back(std::move(run));
        if (res.status == "killed") break;
      }
      project.set_lenient_reach(false);
    }
    if (res.status.empty()) res.status = timeout ? "timeout" : same_outcomes ? "equivalent?" : "survived";
    if (opt.progress)
      opt.progress(fmt::format("{:<12} {} ({}){}", res.status, res.name, res.what,
                               res.killed_by.empty() ? "" : " by " + res.killed_by + ": " + res.violation));
  }
  rep.mutants = std::move(results);
  rep.seconds = elapsed();
  return rep;
}

}  // namespace ptcheck
