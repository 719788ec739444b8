// Guest memory seen from C++ helpers, by linear address. Paging is off in
// this engine version, so linear == physical: RAM, else the MMIO bus. Writes
// to RAM that hold translated code invalidate it.
#include <cstring>

#include "engine.h"

namespace bt86 {

bool Engine::read_linear(uint32_t linear, void* dst, unsigned size) {
  auto* out = static_cast<uint8_t*>(dst);
  for (unsigned i = 0; i < size; ++i) {
    uint32_t a = linear + i;
    out[i] = window_.is_mapped_ram(a) ? *ram.host(a) : static_cast<uint8_t>(mmio.read(a, 1));
  }
  return true;
}

bool Engine::write_linear(uint32_t linear, const void* src, unsigned size) {
  auto* in = static_cast<const uint8_t*>(src);
  for (unsigned i = 0; i < size; ++i) {
    uint32_t a = linear + i;
    if (!window_.is_mapped_ram(a)) {
      mmio.write(a, 1, in[i]);
      continue;
    }
    uint32_t page = a & ~0xFFFu;
    if (window_.is_code(page)) {
      cache_.invalidate_page(page);
      window_.unprotect_code(page);
    }
    *ram.host(a) = in[i];
  }
  return true;
}

}  // namespace bt86
