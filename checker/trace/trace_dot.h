#pragma once
// A counterexample as a sequence diagram for Graphviz (`check --trace-out
// F.dot`, or F.svg through `dot -Tsvg`): one lane per thread, top to bottom in
// step order; an arrow between steps of different threads that access the
// same shared word, one of them writing it (from the nearest earlier one);
// the violation marked in red.
#include <string>

#include "trace/trace.h"

namespace ptcheck::trace {

std::string to_dot(const Trace& t);

}  // namespace ptcheck::trace
