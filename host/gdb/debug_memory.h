// Guest memory as a debugger sees it: linear addresses through the guest's
// paging as CpuState has it now, as a supervisor access, without setting
// accessed or dirty bits and without the guest's write protection (a
// debugger writes code too). Only RAM: an address that is not mapped, or
// that is a device or open bus, is an error and nothing is touched.
#pragma once
#include <cstddef>
#include <cstdint>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"

namespace bt86::gdb {

// Reads up to n bytes at linear; returns how many could be read (the
// readable prefix: 0 when the first byte cannot).
size_t read_memory(GuestRam& ram, const CpuState& cpu, uint32_t linear, uint8_t* dst, size_t n);
// Writes all n bytes, or nothing (false) when a byte cannot be written.
bool write_memory(GuestRam& ram, const CpuState& cpu, uint32_t linear, const uint8_t* src, size_t n);

}  // namespace bt86::gdb
