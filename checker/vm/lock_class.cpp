// Lock class keys and names (see lock_class.h).
#include "vm/lock_class.h"

#include <fmt/format.h>

#include "sema/types.h"

namespace ptcheck::vm {

namespace {
bool is_lock_type(const sema::Type* t) {
  static const char* kLocks[] = {"spinlock_t", "struct spinlock", "raw_spinlock_t", "struct raw_spinlock",
                                 "struct rw_semaphore", "struct mutex", "rwlock_t"};
  for (const char* n : kLocks)
    if (t->name == n) return true;
  return false;
}

// The member path from rec down to a lock-typed member starting at off; the
// innermost member covering off when no lock type is found.
bool lock_path(const sema::Type* rec, uint64_t off, std::string& path) {
  std::string fallback;
  for (const sema::Field& f : rec->fields) {
    if (off < f.offset || off >= f.offset + f.type->size) continue;
    std::string here = f.name;
    if (f.offset == off && is_lock_type(f.type)) {
      path = here;
      return true;
    }
    if (f.type->kind == sema::TypeKind::Record) {
      std::string sub;
      bool found = lock_path(f.type, off - f.offset, sub);
      std::string joined = here.empty() ? sub : sub.empty() ? here : here + "." + sub;
      if (found) {
        path = joined;
        return true;
      }
      if (fallback.empty()) fallback = joined;
    } else if (fallback.empty()) {
      fallback = here;
    }
  }
  path = fallback;
  return false;
}
}  // namespace

uint64_t lock_class_key(const Model& m, uint64_t addr) {
  const Region* r = m.find_region(addr);
  if (!r) return kNoLockClass;
  uint64_t ri = static_cast<uint64_t>(r - m.regions.data());
  return (ri << 32) | ((addr - r->base) % r->stride);
}

std::string lock_class_name(const Model& m, uint64_t key) {
  if (key == kNoLockClass || (key >> 32) >= m.regions.size()) return "?";
  const Region& r = m.regions[key >> 32];
  uint64_t off = key & 0xffffffffu;
  std::string base = r.name;
  if (r.kind != RegionKind::Global && r.type && !r.type->tag.empty() && !is_lock_type(r.type)) base = r.type->tag;
  std::string path;
  if (r.overlay && r.overlay->kind == sema::TypeKind::Record && lock_path(r.overlay, off, path))
    return r.overlay->tag + "." + path;  // a page-table lock in struct page: ptdesc.ptl
  if (r.type && is_lock_type(r.type)) return off ? fmt::format("{}+{:#x}", base, off) : base;  // a slab of locks
  if (r.type && r.type->kind == sema::TypeKind::Record) lock_path(r.type, off, path);
  else if (off) path = fmt::format("+{:#x}", off);
  return path.empty() ? base : path[0] == '+' ? base + path : base + "." + path;
}

}  // namespace ptcheck::vm
