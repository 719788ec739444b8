// Connects a machine's devices and the host terminal to a backend: the
// interrupt controller, time, and terminal input flowing into COM1.
#pragma once
#include "bt86/host/machine.h"
#include "bt86/host/terminal.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

// terminal may be null (no input: e.g. tests). Both must outlive the run.
Platform machine_platform(Machine& machine, Terminal* terminal);

}  // namespace bt86
