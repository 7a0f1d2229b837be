#include "vm/model_system.h"

#include <cstring>

namespace ptcheck::vm {

namespace {
class ModelWorker : public explore::Worker {
 public:
  ModelWorker(const Model& m, bool init_failed)
      : m_(m), mach_(m), cur_(m.work_size + 8), next_(m.work_size + 8), init_failed_(init_failed) {}

  Result expand(const uint8_t* state, explore::SuccessorSink& sink) override {
    std::memcpy(cur_.data(), state, m_.state_size);
    moves_.clear();
    mach_.moves(cur_.data(), moves_);
    if (moves_.empty()) {
      if (!mach_.all_done(cur_.data())) return Result::Deadlock;
      return mach_.check_leaks(cur_.data()) ? Result::Terminal : Result::TerminalViolation;
    }
    for (const Move& mv : moves_) {
      std::memcpy(next_.data(), cur_.data(), m_.state_size);
      bool ok = mach_.step(next_.data(), mv) && mach_.check_invariants(next_.data());
      sink.emit(Machine::label(mv), next_.data(), !ok);
    }
    return Result::Expanded;
  }

  bool initial_violation(const uint8_t* state) override {
    if (init_failed_) return true;
    std::memcpy(cur_.data(), state, m_.state_size);
    return !mach_.check_invariants(cur_.data());
  }

 private:
  const Model& m_;
  Machine mach_;
  std::vector<uint8_t> cur_, next_;
  std::vector<Move> moves_;
  bool init_failed_;
};
}  // namespace

ModelSystem::ModelSystem(const Model& m) : m_(m), initial_(m.work_size) {
  Machine mach(m);
  if (!mach.build_initial(initial_.data())) {
    init_failed_ = true;
    init_error_ = mach.error();
  }
}

void ModelSystem::initial_state(uint8_t* out) const { std::memcpy(out, initial_.data(), m_.state_size); }

std::unique_ptr<explore::Worker> ModelSystem::make_worker() const {
  return std::make_unique<ModelWorker>(m_, init_failed_);
}

}  // namespace ptcheck::vm
