// The PC a guest sees, independent of the backend that runs its CPU:
// guest RAM, the two device buses with their devices, and the CPU state.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "bt86/devices/bus.h"
#include "bt86/devices/debug_exit.h"
#include "bt86/devices/post_port.h"
#include "bt86/devices/run_control.h"
#include "bt86/devices/uart16550.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"

namespace bt86 {

struct MachineConfig {
  uint64_t memory_bytes = 256ull << 20;
  std::function<void(uint8_t)> serial_out;  // COM1 transmit; stdout when empty
};

class Machine {
public:
  explicit Machine(const MachineConfig& config);

  RunControl control;
  GuestRam ram;
  Bus io{"port I/O"};
  Bus mmio{"MMIO"};
  CpuState cpu{};

  Uart16550 com1;
  DebugExit debug_exit{control};
  PostPort post;
};

}  // namespace bt86
