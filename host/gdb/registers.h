// gdb's view of the guest's registers: the i386 target description
// (target.xml: the general registers, EIP, EFLAGS, the segment selectors,
// the x87 and SSE registers, in gdb's i386 numbering) and each register's
// bytes in CpuState, both ways. The x87 and SSE registers live in
// CpuState's FXSAVE image; gdb's full x87 tag word is made from its
// abridged one.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "bt86/segmentation/cpu_state.h"

namespace bt86::gdb {

// 8 general registers, EIP, EFLAGS, 6 selectors, 8 x87 (80-bit), 8 x87
// control, 8 XMM, MXCSR.
constexpr unsigned kRegisters = 41;

std::string_view target_xml();
// gdb's pc (the register "eip"): the linear address CS.base + EIP, which
// gdb's memory, breakpoint and disassembly addresses are, so real-mode,
// virtual-8086 and other 16-bit code with a CS base shows where it runs
// (with `set architecture i8086` for 16-bit code); EIP itself in flat code.
uint32_t program_counter(const CpuState& cpu);
void set_program_counter(CpuState& cpu, uint32_t linear);
unsigned register_size(unsigned n);
// Register n's bytes, little-endian (n < kRegisters).
std::string read_register(const CpuState& cpu, unsigned n);
// False when refused: a wrong size, or a segment selector other than the
// one loaded (a debugger does not load descriptors behind the guest).
bool write_register(CpuState& cpu, unsigned n, std::string_view bytes);

}  // namespace bt86::gdb
