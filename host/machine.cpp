#include "bt86/host/machine.h"

#include <unistd.h>

#include <cstring>

namespace bt86 {

namespace {
void write_stdout(uint8_t byte) {
  // Unbuffered so guest output interleaves correctly with our messages.
  [[maybe_unused]] auto n = ::write(STDOUT_FILENO, &byte, 1);
}

void reset_fpu(CpuState& cpu) {
  // The FXSAVE image of FNINIT/power-on: FCW=037F, all tags empty, MXCSR=1F80.
  std::memset(cpu.fxsave, 0, sizeof cpu.fxsave);
  uint16_t fcw = 0x037F;
  uint32_t mxcsr = 0x1F80, mxcsr_mask = 0xFFFF;
  std::memcpy(cpu.fxsave + 0, &fcw, 2);
  std::memcpy(cpu.fxsave + 24, &mxcsr, 4);
  std::memcpy(cpu.fxsave + 28, &mxcsr_mask, 4);
}
}  // namespace

Machine::Machine(const MachineConfig& config)
    : ram(config.memory_bytes), com1(config.serial_out ? config.serial_out : write_stdout) {
  io.map(Uart16550::kCom1, 8, com1);
  io.map(DebugExit::kPort, 4, debug_exit);
  io.map(PostPort::kPort, 1, post);
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kET;
  reset_fpu(cpu);
}

}  // namespace bt86
