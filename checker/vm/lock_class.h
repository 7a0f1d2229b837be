#pragma once
// Lock classes as lockdep keys them: one class per declaration site, decided
// from a lock's address at run time. The site is the region the lock lives in
// (a global symbol, a slab cache, the struct page array, a page's contents, a
// stack) and the member offset inside the object, so every ptdesc's ptl is one
// class and a global mm's page_table_lock is another (docs/model-language.md
// "Lock classes").
#include <cstdint>
#include <string>

#include "vm/model.h"

namespace ptcheck::vm {

// (region index << 32) | offset in the object; kNoLockClass when addr is in no region.
inline constexpr uint64_t kNoLockClass = ~0ull;
uint64_t lock_class_key(const Model& m, uint64_t addr);
// "test_mm.page_table_lock", "ptdesc.ptl", "obj.lock", "lock_a": the global's
// name or the object type's tag (struct ptdesc for a lock inside a struct page,
// the cache's name for a slab of locks), then the member path down to the lock.
std::string lock_class_name(const Model& m, uint64_t key);

}  // namespace ptcheck::vm
