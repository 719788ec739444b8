// Connects a machine's devices and the host terminal to a backend: the
// interrupt controller, time, and terminal input flowing into COM1 or,
// when the terminal shows the VGA's screen, into the PS/2 keyboard.
#pragma once
#include "bt86/host/machine.h"
#include "bt86/host/terminal.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

enum class ConsoleInput { kSerial, kKeyboard };

// terminal may be null (no input: e.g. tests). Both must outlive the run.
Platform machine_platform(Machine& machine, Terminal* terminal, ConsoleInput input = ConsoleInput::kSerial);

}  // namespace bt86
