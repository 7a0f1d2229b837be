#pragma once
// printk's format language, for the lines a model prints into a trace
// (e.g. the RFC's page_ptdesc "memdesc %lx index %lx").
#include <cstddef>
#include <cstdint>
#include <string>

namespace ptcheck::vm {
struct Model;
// Supports %d %i %u %x %X %o %c %p %px %pK %ps %pS %% with l/ll/h/z length,
// flags 0 - + space #, and width. KERN_<level> prefixes are dropped.
std::string format_printk(const std::string& fmt, const uint64_t* args, size_t nargs, const Model& m);
}  // namespace ptcheck::vm
