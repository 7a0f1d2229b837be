#include "sema/layout_print.h"

#include <fmt/format.h>

namespace ptcheck::sema {

std::string layout_table(const TypeEnv& env, const Type* rec) {
  std::string out = fmt::format("{} ({}): size {}, align {}\n", rec->name, env.arch().name, rec->size,
                                rec->align);
  uint64_t ws = env.abi().word_size ? env.abi().word_size : 8;
  out += fmt::format("{:>4}  {:<9}  {}\n", "word", "bytes", "members");
  for (uint64_t w = 0; w * ws < rec->size; ++w) {
    uint64_t lo = w * ws, hi = std::min(rec->size, lo + ws);
    std::string names;
    for (const std::string& p : env.fields_at(rec, lo, hi - lo)) {
      auto m = env.member(rec, p);
      if (!names.empty()) names += ", ";
      names += p;
      if (m && (m->offset != lo || m->offset + m->type->size != hi))
        names += fmt::format("@{}+{}", m->offset, m->type->size);
    }
    if (names.empty()) names = "(padding)";
    out += fmt::format("{:>4}  {:<9}  {}\n", w, fmt::format("{}-{}", lo, hi - 1), names);
  }
  return out;
}

}  // namespace ptcheck::sema
