#include "cache/relocate.h"

#include <stdexcept>

namespace bt86 {

Placed place_in_cache(asmjit::CodeHolder& code, CodeCache& cache) {
  if (code.flatten() != asmjit::kErrorOk || code.resolveUnresolvedLinks() != asmjit::kErrorOk)
    throw std::logic_error("asmjit: cannot lay out translated code");
  size_t size = code.codeSize();
  uint8_t* dst = cache.allocate(size);
  if (!dst) return {};
  if (code.relocateToBase(reinterpret_cast<uint64_t>(dst)) != asmjit::kErrorOk)
    throw std::logic_error("asmjit: cannot relocate translated code");
  code.copyFlattenedData(dst, size, asmjit::CopySectionFlags::kPadSectionBuffer);
  return {dst, static_cast<uint32_t>(code.codeSize())};
}

}  // namespace bt86
