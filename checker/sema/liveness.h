#pragma once
// Liveness of frame bytes, for zeroing dead locals and temporaries where a
// context comes to rest (vm::Function::dead_begin / call_dead_begin): two
// states that differ only in values no later instruction reads become one
// state. A backward data-flow over the function's instructions, byte-exact;
// a local whose address is taken (FrameAddr) is live everywhere, since a
// pointer to it may be read at any time (by this function or a callee).
#include <utility>
#include <vector>

#include "vm/model.h"

namespace ptcheck::sema {

// locals: the frame ranges [off, off + size) of the function's parameters and
// declared locals. Fills fn.dead_begin, fn.call_dead_begin, fn.dead_ranges.
void compute_dead_ranges(vm::Function& fn, const std::vector<std::pair<uint32_t, uint32_t>>& locals,
                         const vm::Model& m);

}  // namespace ptcheck::sema
