#include "vm/model.h"

#include <algorithm>

namespace ptcheck::vm {

const std::string& Model::context_name(uint32_t t) const {
  static const std::string rcu = "rcu", inv = "invariant";
  if (t < threads.size()) return threads[t].name;
  return t == rcu_context() ? rcu : inv;
}

const Region* Model::find_region(uint64_t addr) const {
  auto it = std::upper_bound(regions.begin(), regions.end(), addr,
                             [](uint64_t a, const Region& r) { return a < r.base; });
  if (it == regions.begin()) return nullptr;
  --it;
  return addr < it->end() ? &*it : nullptr;
}

const Function* Model::function_at(uint64_t addr) const {
  if (addr < text_base || (addr - text_base) % func_stride) return nullptr;
  uint64_t idx = (addr - text_base) / func_stride;
  if (idx == 0 || idx > funcs.size()) return nullptr;
  const Function& f = funcs[idx - 1];
  return f.has_body ? &f : nullptr;
}

}  // namespace ptcheck::vm
