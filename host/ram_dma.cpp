#include "bt86/host/ram_dma.h"

namespace bt86 {

uint8_t* RamDma::reach(uint64_t gpa, uint64_t len) {
  if (!len || !ram_.contains(gpa, len)) return nullptr;
  for (uint64_t page = gpa & ~uint64_t{0xFFF}; page < gpa + len; page += 4096)
    if (!is_ram_address(ram_, page)) return nullptr;
  return ram_.host(gpa);  // SAFETY: contains() checked the whole range
}

}  // namespace bt86
