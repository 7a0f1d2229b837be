#pragma once
// printk's format language, for the lines a model prints into a trace
// (e.g. the RFC's page_ptdesc "memdesc %lx index %lx").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ptcheck::vm {
struct Model;
// Supports %d %i %u %x %X %o %c %p %px %pK %ps %pS %% with l/ll/h/z length,
// flags 0 - + space #, and width. KERN_<level> prefixes are dropped.
std::string format_printk(const std::string& fmt, const uint64_t* args, size_t nargs, const Model& m);

// The conversions of a format in order (one argument each): where each is in
// `fmt` ([begin, end)) and its conversion character ('d', 's', 'p', ...). The
// compiler splices string arguments into the format at their %s.
struct PrintkConversion {
  size_t begin, end;
  char conv;
};
std::vector<PrintkConversion> printk_conversions(const std::string& fmt);
}  // namespace ptcheck::vm
