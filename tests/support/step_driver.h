#pragma once
// One target's machine driven by hand, a step at a time, for the tests of the
// engine's semantics (RCU, locks): which contexts can move, a step of one, and
// a global's value.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "support/temp_project.h"
#include "target/instantiate.h"
#include "vm/machine.h"

#include <CppUTest/TestHarness.h>

namespace ptcheck::test {

struct StepDriver {
  std::unique_ptr<Instance> inst;
  std::unique_ptr<vm::Machine> m;
  std::vector<uint8_t> s;
  StepDriver(TempProject& p, const char* target) {
    inst = instantiate(p.project(), *p.project().find_target(target), "x86_64", {});
    m = std::make_unique<vm::Machine>(inst->model);
    s.resize(inst->model.work_size);
    CHECK(m->build_initial(s.data()));
  }
  std::vector<vm::Move> moves() {
    std::vector<vm::Move> out;
    m->moves(s.data(), out);
    return out;
  }
  // Whether context ctx has a move.
  bool can(uint32_t ctx) {
    auto mv = moves();
    return std::any_of(mv.begin(), mv.end(), [&](const vm::Move& x) { return x.context == ctx; });
  }
  void step(uint32_t ctx, uint32_t choice = 0) { CHECK(m->step(s.data(), vm::Move{ctx, choice})); }
  // The first 8 bytes of the global named `name`.
  uint64_t global(const char* name) {
    for (const auto& r : inst->model.regions)
      if (r.name == name) {
        uint64_t v = 0;
        std::memcpy(&v, s.data() + r.state_off, 8);
        return v;
      }
    FAIL("no such global");
    return 0;
  }
};

}  // namespace ptcheck::test
