#pragma once
// PT_ASSERT(cond, "what must hold"): an invariant of ptcheck's own code (not of
// the input: bad input is an InputError with a location). Checked in debug
// builds (an internal error naming the file, line and invariant, which the CLI
// reports with exit status 4); in release builds it documents the invariant
// and costs nothing.
#include <stdexcept>
#include <string>

namespace ptcheck {
[[noreturn]] inline void assert_failed(const char* file, int line, const char* cond, const char* what) {
  throw std::logic_error(std::string(file) + ":" + std::to_string(line) + ": invariant broken: " + what + " (" +
                         cond + ")");
}
}  // namespace ptcheck

#ifdef NDEBUG
#define PT_ASSERT(cond, what) ((void)sizeof(!(cond)))
#else
#define PT_ASSERT(cond, what) ((cond) ? (void)0 : ::ptcheck::assert_failed(__FILE__, __LINE__, #cond, what))
#endif
