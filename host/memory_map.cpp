#include "bt86/host/memory_map.h"

#include "bt86/host/acpi_tables.h"

namespace bt86 {

std::vector<E820Entry> pc_memory_map(uint64_t ram_bytes) {
  constexpr uint64_t kLowRamEnd = 0x9FC00, kBiosArea = 0xF0000, kHighRam = 0x100000;
  static_assert(kAcpiTablesAddr >= kBiosArea && kAcpiTablesAddr + kAcpiTablesSize <= kHighRam);
  return {{0, kLowRamEnd, kE820Ram},
          {kLowRamEnd, 0x400, kE820Reserved},
          {kBiosArea, kHighRam - kBiosArea, kE820Reserved},
          {kHighRam, ram_bytes - kHighRam, kE820Ram}};
}

}  // namespace bt86
