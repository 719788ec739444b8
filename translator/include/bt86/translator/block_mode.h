// The block mode: what the state of the CPU means for a translation. Two
// blocks at the same address with different modes are different
// translations; the run loop computes the mode from CpuState before it
// looks a block up (Engine::current_mode).
#pragma once
#include <cstdint>

namespace bt86 {

namespace mode {
constexpr uint32_t kCode32 = 1u << 0;
constexpr uint32_t kFlat = 1u << 1;  // CS/DS/ES/SS bases are 0 and none needs checks
constexpr uint32_t kProtected = 1u << 2;
constexpr uint32_t kCplShift = 3;    // two bits
constexpr uint32_t kSingle = 1u << 5;  // a one-instruction block, never cached
constexpr uint32_t kPaging = 1u << 6;  // linear != physical: chain only within a page
constexpr uint32_t kFpuTrap = 1u << 7;  // CR0.TS or CR0.EM: FPU/SSE instructions fault
constexpr uint32_t kCheckedShift = 8;  // six bits: CpuState::seg_checked (accesses are range-checked)
constexpr uint32_t kTscFaults = 1u << 14;  // CR4.TSD at CPL > 0: rdtsc raises #GP
// One instruction whose every memory access asks the engine where its bytes
// live (a device, open bus, the 4 GiB wrap: see dispatch/bounce.h).
constexpr uint32_t kBounce = 1u << 15;
constexpr uint32_t kOne = kSingle | kBounce;  // either: a block of one instruction
constexpr uint32_t kSseOff = 1u << 16;     // CR4.OSFXSR clear: SSE instructions raise #UD
constexpr uint32_t kStack16 = 1u << 17;    // SS.B clear: the stack is SS:SP, SP wraps at 64 KiB
constexpr uint32_t kV86 = 1u << 18;        // EFLAGS.VM: virtual-8086 mode (CPL 3)
}  // namespace mode

}  // namespace bt86
