#pragma once
// The layout table printed by `ptcheck layout --arch A STRUCT`.
#include <string>

#include "sema/type_env.h"

namespace ptcheck::sema {

// One row per ABI word: word index, byte range and every leaf member sharing it
// (the word-by-word view the kernel's comments in include/linux/mm_types.h use). Members narrower than the word are shown as "name@off+size".
std::string layout_table(const TypeEnv& env, const Type* record);

}  // namespace ptcheck::sema
