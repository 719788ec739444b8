// What a vCPU backend runs: the machine's CPU state, RAM and device buses,
// the control through which devices end the run, and the rest of the
// platform (interrupt controller, time, host input). The machine owns all
// of it; a backend only borrows it, so two backends can take turns.
#pragma once
#include "bt86/devices/bus.h"
#include "bt86/devices/run_control.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

struct GuestContext {
  CpuState& cpu;
  GuestRam& ram;
  Bus& io;
  Bus& mmio;
  RunControl& control;
  Platform platform = {};
};

}  // namespace bt86
