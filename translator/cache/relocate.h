// Moves code assembled by AsmJit into the translation cache.
#pragma once
#include <asmjit/core.h>

#include <cstdint>

#include "cache/code_cache.h"

namespace bt86 {

struct Placed {
  uint8_t* host = nullptr;  // nullptr: the cache is full
  uint32_t size = 0;
};

Placed place_in_cache(asmjit::CodeHolder& code, CodeCache& cache);

}  // namespace bt86
