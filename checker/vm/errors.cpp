#include "vm/errors.h"

#include <array>

namespace ptcheck::vm {
namespace {
constexpr std::array<std::string_view, static_cast<size_t>(ErrorKind::Count)> kNames = {
    "use-after-free", "out-of-bounds", "page-fault", "double-free", "invalid-free",
    "held-lock-freed", "lock-freed-memory", "bad-unlock", "bad-call", "deadlock",
    "bug", "vm-bug", "warn", "invariant", "leak", "sleep-in-atomic", "model-limit", "model-error",
    "bad-page", "alert", "livelock", "lock-held-at-exit", "rcu-held-at-exit", "atomic-at-exit",
    "circular-locking", "recursive-locking", "liveness",
};
}  // namespace

std::string_view kind_name(ErrorKind k) { return kNames[static_cast<size_t>(k)]; }

std::optional<ErrorKind> kind_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<ErrorKind>(i);
  return std::nullopt;
}

std::vector<std::string_view> all_kind_names() { return {kNames.begin(), kNames.end()}; }

}  // namespace ptcheck::vm
