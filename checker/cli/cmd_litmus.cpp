// `ptcheck litmus FILE... [--memory-model sc|tso] [--json] [--witness]`: runs
// C litmus tests of the kernel's tools/memory-model format and prints herd7's
// summary for each (litmus/litmus_run.h). Exit status: 0 every test agrees
// with its Result: comment (or has none), 1 one disagrees, 2 bad input.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "driver/litmus_run.h"
#include "support/diag.h"
#include "trace/trace_io.h"

namespace ptcheck {

namespace fs = std::filesystem;

CLI::App* add_litmus_command(CLI::App& app, LitmusOptions& o) {
  auto* c = app.add_subcommand("litmus", "run C litmus tests (tools/memory-model format) and print herd7's "
                                         "Observation line; exit 1 when one disagrees with its Result: comment");
  c->add_option("files", o.files, "litmus files")->required();
  c->add_option("--memory-model", o.memory_model,
                "sc (default), tso or lkmm (an under-approximation: see its limits line); a file's SC-Result:, "
                "TSO-Result: or LKMM-Result: comment is the expectation under that model, else its Result: (LKMM's)")
      ->check(CLI::IsMember({"sc", "tso", "lkmm"}));
  c->add_option("--arch", o.arch, "arch to instantiate on (default x86_64)");
  c->add_flag("--json", o.json, "print the results as JSON");
  c->add_flag("--witness", o.witness, "print a trace reaching a final state where the condition holds");
  return c;
}

int run_litmus(Project& project, const LitmusOptions& o) {
  auto mm = vm::parse_memory_model(o.memory_model);
  if (!mm) throw InputError(fmt::format("--memory-model: error: unknown model '{}'", o.memory_model));
  std::string tmpl = (fs::temp_directory_path() / "ptcheck-litmus-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw InputError("ptcheck litmus: error: cannot create a temporary directory");
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmpl};
  int rc = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const auto& file : o.files) {
    const uint32_t id = project.sources().load_file(file);
    litmus::Test t = litmus::parse_litmus(file, project.sources().text(id));
    litmus::RunResult r = litmus::run_litmus(project, t, *mm, tmpl, o.arch.empty() ? "x86_64" : o.arch);
    if (!r.agrees() || !r.errors.empty()) rc = 1;
    if (o.json) {
      nlohmann::json x;
      x["test"] = r.name;
      x["file"] = r.file;
      x["memory_model"] = r.memory_model;
      if (!r.limits.empty()) x["memory_model_limits"] = r.limits;
      x["observation"] = r.observation;
      x["positive"] = r.positive;
      x["negative"] = r.negative;
      x["validated"] = r.validated;
      x["states"] = nlohmann::json::array();
      for (const auto& oc : r.outcomes) x["states"].push_back({{"outcome", oc.text}, {"condition", oc.positive}});
      x["explored_states"] = r.states;
      x["transitions"] = r.transitions;
      x["seconds"] = r.seconds;
      x["expected"] = r.expected.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.expected);
      x["agrees"] = r.agrees();
      x["errors"] = r.errors;
      x["witness"] = r.witness ? trace::to_json(*r.witness) : nlohmann::json(nullptr);
      all.push_back(x);
    } else {
      std::cout << litmus::herd_text(t, r);
      if (o.witness && r.witness) std::cout << "\n" << trace::to_text(*r.witness, true);
      std::cout << "\n";
    }
  }
  if (o.json) std::cout << trace::json_text(nlohmann::json{{"results", all}}) << "\n";
  return rc;
}

}  // namespace ptcheck
