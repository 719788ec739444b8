#include "debug_memory.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "bt86/shadow/page_walk.h"

namespace bt86::gdb {

namespace {
// The guest-physical address of linear, if it is RAM.
std::optional<uint64_t> ram_address(GuestRam& ram, const CpuState& cpu, uint32_t linear) {
  const PagingMode mode{cpu.cr0, cpu.cr3, cpu.cr4, cpu.efer};
  uint64_t phys = linear;
  if (mode.enabled()) {
    // A supervisor read finds every present page; no A/D bits are set.
    const Walk w = walk(ram, mode, linear, Access::kRead, false, false);
    if (!w.ok) return std::nullopt;
    phys = w.phys;
  }
  if (!is_ram_address(ram, phys)) return std::nullopt;
  return phys;
}

// The bytes of [linear, linear + n) that lie in linear's page.
size_t in_page(uint32_t linear, size_t n) { return std::min<size_t>(n, 0x1000 - (linear & 0xFFF)); }
}  // namespace

size_t read_memory(GuestRam& ram, const CpuState& cpu, uint32_t linear, uint8_t* dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    const uint32_t at = linear + static_cast<uint32_t>(done);
    std::optional<uint64_t> phys = ram_address(ram, cpu, at);
    if (!phys) break;
    const size_t chunk = in_page(at, n - done);
    std::memcpy(dst + done, ram.host(*phys), chunk);
    done += chunk;
  }
  return done;
}

bool write_memory(GuestRam& ram, const CpuState& cpu, uint32_t linear, const uint8_t* src, size_t n) {
  for (size_t done = 0; done < n; done += in_page(linear + static_cast<uint32_t>(done), n - done))
    if (!ram_address(ram, cpu, linear + static_cast<uint32_t>(done))) return false;
  for (size_t done = 0; done < n;) {
    const uint32_t at = linear + static_cast<uint32_t>(done);
    const size_t chunk = in_page(at, n - done);
    std::memcpy(ram.host(*ram_address(ram, cpu, at)), src + done, chunk);
    done += chunk;
  }
  return true;
}

}  // namespace bt86::gdb
