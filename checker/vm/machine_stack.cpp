// Stack bounds per object: an access through a pointer into a kernel stack
// must fall inside one parameter or local of a live frame of the stack's
// context, as KASAN's stack redzones (CONFIG_KASAN_STACK) would have it.
// The frames are walked from the state (ThreadState.fp and the FrameHeader
// chain); the objects come from the code generator's frame layout
// (Function::frame_objects), so no shadow byte is stored.
//
// Simplifications: a whole frame's objects stay addressable while the frame
// is live (KASAN also poisons a block's locals once the block is left, with
// use-after-scope instrumentation: that can hide an access to a local whose
// block has ended in the same call). A dead frame of any context is out of
// bounds here, where the kernel's KASAN would not notice it (it unpoisons a
// frame's redzones on return): ptcheck reports more, never less.
#include <algorithm>
#include <cstring>

#include "vm/machine.h"

namespace ptcheck::vm {

bool Machine::stack_object_ok(const uint8_t* s, const Region& r, uint64_t off, uint32_t size) {
  const ThreadState& th = ts(s, r.thread);
  const uint8_t* base = s + r.state_off;
  uint32_t func = th.func, fp = th.fp;
  err_.frame_func = UINT32_MAX;
  err_.frame_off = 0;
  while (func != UINT32_MAX) {
    const Function& fn = m_.funcs[func];
    if (off >= fp && off < fp + uint64_t{fn.frame_size}) {
      const uint64_t rel = off - fp;
      err_.frame_func = func;
      err_.frame_off = static_cast<uint32_t>(rel);
      // The last object starting at or before rel.
      const auto& objs = fn.frame_objects;
      auto it = std::upper_bound(objs.begin(), objs.end(), rel,
                                 [](uint64_t v, const Function::FrameObject& o) { return v < o.off; });
      if (it == objs.begin()) return false;
      --it;
      return rel + size <= uint64_t{it->off} + it->size;
    }
    if (off + size > uint64_t{fp} - kFrameHeader && off < fp) return false;  // the frame header
    FrameHeader h;
    std::memcpy(&h, base + fp - kFrameHeader, sizeof h);
    func = h.ret_func;
    fp = h.ret_fp;
  }
  return false;  // above the innermost frame: no live frame holds it
}

}  // namespace ptcheck::vm
