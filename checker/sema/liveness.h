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

// Whether compute_dead_ranges() zeroes anything in fn: false when it has no
// frame or code, or takes an address inside its temporaries.
bool zeroes_dead_values(const vm::Function& fn, const std::vector<std::pair<uint32_t, uint32_t>>& locals);

// Whether some byte of [lo, hi) is live on entry to one of the instructions
// at pcs (read on some path before it is written), on fn.code as it is.
bool live_at_any(const vm::Function& fn, const std::vector<uint32_t>& pcs, uint32_t lo, uint32_t hi,
                 const vm::Model& m);

// Removes the Nop instructions, moving jump targets, labels and gotos to the
// instruction that followed each removed one.
void drop_nops(vm::Function& fn);

}  // namespace ptcheck::sema
