// x86-TSO (memory_model_tso.h).
#include "vm/memory_model_tso.h"

namespace ptcheck::vm {

std::string_view TsoModel::limits() const {
  return "tso: x86-TSO store buffers (16 entries per context); memset/memcpy, struct assignments, atomic { } "
         "sections, locks, RCU and SRCU read-side boundaries and every other engine primitive drain the buffer "
         "(a fence)";
}

}  // namespace ptcheck::vm
