#pragma once
// Architecture facts loaded from arch/<name>/arch.toml: the C ABI the layouts use,
// the synthetic kernel address map, poison constants and Kconfig defaults.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/kconfig.h"

namespace ptcheck {

// C ABI: sizes and alignments of the base types, in bytes.
struct Abi {
  unsigned word_size = 8;  // sizeof(long) == sizeof(void *)
  unsigned size_short = 2, align_short = 2;
  unsigned size_int = 4, align_int = 4;
  unsigned size_long = 8, align_long = 8;
  unsigned size_long_long = 8, align_long_long = 8;
  unsigned size_pointer = 8, align_pointer = 8;
  unsigned align_bool = 1;
  bool big_endian = false;  // only little-endian is simulated today
};

// Synthetic kernel address map (all addresses are 64-bit values).
struct AddressMap {
  uint64_t vmemmap_base = 0;     // struct page array: vmemmap_base + pfn * sizeof(struct page)
  uint64_t page_struct_size = 64;// the arch's sizeof(struct page) for its default config
  uint64_t direct_map_base = 0;  // page_address(page) = direct_map_base + pfn * page_size
  uint64_t page_size = 4096;
  uint64_t pfn_base = 0;         // pfn of the first modelled page
  uint64_t text_base = 0;        // model functions get addresses from here
  uint64_t data_base = 0;        // globals (init_mm, pgd_lock, ...)
  uint64_t stack_base = 0;       // per-thread kernel stacks
  uint64_t slab_base = 0;        // slab arenas (inside the direct map)
};

struct ArchInfo {
  std::string name;        // "x86_64"
  std::string dir;         // arch/<name>
  std::string toml_path;   // arch/<name>/arch.toml
  std::string description;
  Abi abi;
  unsigned function_align = 16;    // CONFIG_FUNCTION_ALIGNMENT in bytes
  AddressMap map;
  uint64_t poison_pointer_delta = 0;  // CONFIG_ILLEGAL_POINTER_VALUE
  uint64_t list_poison1() const { return 0x100 + poison_pointer_delta; }
  uint64_t list_poison2() const { return 0x122 + poison_pointer_delta; }
  // Named integer constants the model may use as identifiers (PAGE_SHIFT, PTRS_PER_PMD, ...).
  std::map<std::string, uint64_t> constants;
  // Kconfig defaults: "CONFIG_MEMCG" -> true.
  std::map<std::string, bool> kconfig;
  // Kconfig rules (arch/Kconfig.toml): dependencies, and what this arch always
  // and never has (those values are part of every config on it).
  KconfigRules kconfig_rules;
  // Model-language files under arch/<name>/ (sorted, recursive).
  std::vector<std::string> model_files;
  // The ones that load into every program on this arch, like <asm/...>
  // headers: [arch] headers in arch.toml, else every *.ptm directly in arch/<name>/.
  std::vector<std::string> header_files;
};

// Loads arch/<name>/arch.toml below `root`. Throws InputError with
// "path:line:col: error: ..." on malformed or incomplete files.
ArchInfo load_arch(const std::string& root, const std::string& name);
// Names of the folders under root/arch that hold an arch.toml, sorted.
std::vector<std::string> list_arches(const std::string& root);

}  // namespace ptcheck
