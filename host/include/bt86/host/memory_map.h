// The PC's physical memory map as its firmware reports it, one source for
// every form a guest asks in: the Linux boot protocol's E820 table,
// Multiboot's memory map and fw_cfg's "etc/e820" file.
#pragma once
#include <cstdint>
#include <vector>

namespace bt86 {

struct E820Entry {
  uint64_t addr, size;
  uint32_t type;
};
constexpr uint32_t kE820Ram = 1, kE820Reserved = 2;

// RAM below the EBDA and from 1 MiB up; the EBDA and the BIOS area (where
// the ACPI tables live) reserved.
std::vector<E820Entry> pc_memory_map(uint64_t ram_bytes);

}  // namespace bt86
